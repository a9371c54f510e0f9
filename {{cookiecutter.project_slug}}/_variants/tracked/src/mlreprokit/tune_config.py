"""`tracking.tune` in params.yaml: the hyperparameter search of `python -m <module> tune`."""

import dataclasses

from .errors import ConfigError


@dataclasses.dataclass(frozen=True)
class TuneConfig:
    metric: str  # a name of the project's metrics table, cross-validated on the train split
    folds: int
    draws: int | None  # random draws from the grid; None tries every combination
    grid: dict[str, list[object]]  # model hyperparameter -> values to try

    def __post_init__(self) -> None:
        if self.folds < 2:
            raise ConfigError(f"tracking.tune.folds must be 2 or more, got {self.folds}")
        if self.draws is not None and self.draws < 1:
            raise ConfigError(f"tracking.tune.draws must be 1 or more, or null, got {self.draws}")
        empty = sorted(name for name, values in self.grid.items() if not values)
        if empty:
            raise ConfigError(f"tracking.tune.grid.{empty[0]} needs at least one value")
