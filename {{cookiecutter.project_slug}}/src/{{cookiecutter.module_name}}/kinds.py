"""The model kinds `model.kind` of params.yaml chooses from, and the `model:` section.

One row of `KINDS` per kind: its estimator for classification and for regression. The other keys
of `model:` are that estimator's hyperparameters, checked when params.yaml is read. Adding a
kind is one entry here (and its hyperparameters in `tracking.tune.space` if you tune it).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge

from mlreprokit.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class Kind:
    """A model kind: its estimator for each task (seeded with `seed` where it takes one)."""

    classification: type[BaseEstimator]
    regression: type[BaseEstimator]

    def estimators(self) -> tuple[type[BaseEstimator], ...]:
        return (self.classification, self.regression)


KINDS = {
    "random_forest": Kind(RandomForestClassifier, RandomForestRegressor),
    "gradient_boosting": Kind(HistGradientBoostingClassifier, HistGradientBoostingRegressor),
    "linear": Kind(LogisticRegression, Ridge),
}
SEEDED = "random_state"  # set from `seed`, never from `model:`
# Upper bounds scikit-learn does not set: past them a run takes hours or runs out of memory.
# Raise one here when your data needs it.
LIMITS = {
    "n_estimators": 10_000,
    "max_iter": 100_000,
    "max_depth": 1_000,
    "max_leaf_nodes": 100_000,
}


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """`model:` of params.yaml: a kind of `KINDS` and its estimator's hyperparameters."""

    kind: str
    params: dict[str, Any]

    @classmethod
    def from_mapping(cls, raw: dict[str, Any], where: str = "model.") -> ModelConfig:
        """Read `kind` and the hyperparameters; one line naming a wrong kind, key or value."""
        raw = dict(raw)
        kind = raw.pop("kind", None)
        if kind not in KINDS:
            raise ConfigError(
                f"{where}kind must be one of {', '.join(KINDS)}, got {kind!r} (kinds.py: KINDS)"
            )
        model = cls(kind, raw)
        model.check(where)
        return model

    def to_mapping(self) -> dict[str, Any]:
        """The section as params.yaml holds it: `kind`, then the hyperparameters."""
        return {"kind": self.kind, **self.params}

    def check(self, where: str = "model.") -> None:
        """Each hyperparameter must be one the kind's estimators take, with a valid value."""
        estimators = KINDS[self.kind].estimators()
        for name, value in self.params.items():
            limit = LIMITS.get(name)
            if limit is not None and isinstance(value, int | float) and value > limit:
                raise ConfigError(f"{where}{name} is {value}: at most {limit} (kinds.py: LIMITS)")
            takers = [e for e in estimators if name in e().get_params() and name != SEEDED]
            if not takers:
                allowed = sorted({p for e in estimators for p in e().get_params()} - {SEEDED})
                raise ConfigError(
                    f"unknown key {where + name!r} for kind {self.kind}: allowed are "
                    f"{', '.join(allowed)}"
                )
            for estimator in takers:
                try:
                    estimator(**{name: value})._validate_params()
                except ValueError as error:  # sklearn's InvalidParameterError
                    raise ConfigError(f"{where}{name}: {error}") from None

    def estimator(self, task: str, seed: int) -> BaseEstimator:
        """The kind's estimator for `task`, with its hyperparameters and the seed; one line for
        a hyperparameter only the other task's estimator takes (it would be ignored)."""
        cls = getattr(KINDS[self.kind], task)
        accepted = cls().get_params()
        if unused := sorted(set(self.params) - set(accepted)):
            raise ConfigError(
                f"model.{unused[0]}: kind {self.kind} for {task} is {cls.__name__}, which takes "
                f"no {unused[0]}: remove it from params.yaml"
            )
        params = dict(self.params)
        if SEEDED in accepted:
            params[SEEDED] = seed
        return cls(**params)
