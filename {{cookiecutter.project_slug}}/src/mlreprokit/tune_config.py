"""`tracking.tune` in params.yaml: the Optuna study of `python -m <module> tune`."""

import dataclasses

from .errors import ConfigError

SCALARS = (bool, int, float, str)  # what a choice may be (or null), as Optuna stores them
# Past these a study runs for days: raise one here when your search needs it.
MAX_FOLDS, MAX_TRIALS = 100, 10_000


@dataclasses.dataclass(frozen=True)
class ParamSpace:
    """One model hyperparameter's range: `low` to `high` (integers when both bounds are, else
    floats; `log` samples on a log scale), or a list of `choices`."""

    low: int | float | None = None
    high: int | float | None = None
    log: bool = False
    choices: list[object] | None = None

    def check(self, where: str) -> None:
        """One line naming the key of the first mistake."""
        if self.choices is not None:
            if self.low is not None or self.high is not None or self.log:
                raise ConfigError(f"{where}: give either choices or low and high (and log)")
            if not self.choices:
                raise ConfigError(f"{where}.choices needs at least one value")
            for choice in self.choices:
                if choice is not None and not isinstance(choice, SCALARS):
                    raise ConfigError(
                        f"{where}.choices: each must be a number, string, true, false or null, "
                        f"got {choice!r}"
                    )
            return
        if self.low is None or self.high is None:
            raise ConfigError(f"{where} needs low and high, or choices")
        if self.low >= self.high:
            raise ConfigError(f"{where}.low must be below high, got {self.low} >= {self.high}")
        if self.log and self.low <= 0:
            raise ConfigError(f"{where}.log needs low above 0, got {self.low}")

    @property
    def integer(self) -> bool:
        return isinstance(self.low, int) and isinstance(self.high, int)

    def examples(self) -> list[object]:
        """The values the model must take: every choice, or both bounds."""
        return list(self.choices) if self.choices is not None else [self.low, self.high]


@dataclasses.dataclass(frozen=True)
class TuneConfig:
    metric: str  # a name of the project's metrics table, cross-validated on the train split
    folds: int
    trials: int  # the study's trials, split between `--workers`
    space: dict[str, ParamSpace]  # model hyperparameter -> its range or choices

    def __post_init__(self) -> None:
        if not 2 <= self.folds <= MAX_FOLDS:
            raise ConfigError(f"tracking.tune.folds must be 2 to {MAX_FOLDS}, got {self.folds}")
        if not 1 <= self.trials <= MAX_TRIALS:
            raise ConfigError(f"tracking.tune.trials must be 1 to {MAX_TRIALS}, got {self.trials}")
        if not self.space:
            raise ConfigError("tracking.tune.space needs at least one model hyperparameter")
        for name, spec in self.space.items():
            spec.check(f"tracking.tune.space.{name}")
