"""The model: preprocessing for the input columns, then an estimator of the configured kind.

`model.kind` in params.yaml picks a row of `KINDS`; the other keys of `model:` are that
estimator's hyperparameters, checked when params.yaml is read. Adding a kind is one entry.

Numeric columns are imputed (median) and scaled; the others imputed (most frequent) and one-hot
encoded, ignoring categories the training data never had. The inputs are every column of the
split but the target and the id, so a column `features.engineer` adds is used too: the schema
gives the kind of its own columns, an added column's dtype gives its kind. Everything is fitted
on the train split only and travels with the model.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlreprokit.errors import ConfigError
from mlreprokit.schema import Schema

if TYPE_CHECKING:
    from .config import Config


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
                f"{where}kind must be one of {', '.join(KINDS)}, got {kind!r} (model.py: KINDS)"
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
        """The kind's estimator for `task`, with the hyperparameters it takes and the seed."""
        cls = getattr(KINDS[self.kind], task)
        accepted = cls().get_params()
        params = {name: value for name, value in self.params.items() if name in accepted}
        if SEEDED in accepted:
            params[SEEDED] = seed
        return cls(**params)


def numeric_columns(schema: Schema, inputs: pd.DataFrame) -> list[str]:
    """The input columns to scale: numeric in the schema, or (added ones) by their dtype."""
    kinds = {column.name: column.is_numeric for column in schema.columns}
    return [
        name
        for name in inputs.columns
        if kinds.get(name, pd.api.types.is_numeric_dtype(inputs[name]))
    ]


def preprocessing(schema: Schema, inputs: pd.DataFrame) -> ColumnTransformer:
    """Numeric: impute and scale; the rest: impute and one-hot encode."""
    numeric = numeric_columns(schema, inputs)
    categorical = [name for name in inputs.columns if name not in numeric]
    steps = []
    if numeric:
        scale = Pipeline(
            [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
        )
        steps.append(("numeric", scale, numeric))
    if categorical:
        encode = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                ("encode", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
            ]
        )
        steps.append(("categorical", encode, categorical))
    return ColumnTransformer(steps, remainder="drop", verbose_feature_names_out=False)


def build_model(config: Config, schema: Schema, inputs: pd.DataFrame) -> Pipeline:
    """An unfitted model for `inputs` (the columns it will see): preprocessing, then the
    configured kind's estimator for the schema's task, seeded with `seed`."""
    estimator = config.model.estimator(schema.task, config.seed)
    return Pipeline([("prepare", preprocessing(schema, inputs)), ("estimator", estimator)])
