"""Load `params.yaml` into typed, validated settings: unknown keys and wrong types are errors."""

import dataclasses
import types
import typing
from pathlib import Path

import yaml

from .errors import ProjectError


class ConfigError(ProjectError, ValueError):
    """`params.yaml` is missing, malformed or does not match the expected settings."""


@dataclasses.dataclass(frozen=True)
class DataConfig:
    test_size: float
    stratify: bool


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    n_estimators: int
    max_depth: int | None
    min_samples_leaf: int


@dataclasses.dataclass(frozen=True)
class TuneConfig:
    metric: str  # a scikit-learn scorer name, cross-validated on the train split
    folds: int
    draws: int | None  # random draws from the grid; None tries every combination
    grid: dict[str, list]  # model hyperparameter -> values to try

    def __post_init__(self) -> None:
        if self.folds < 2:
            raise ConfigError(f"tracking.tune.folds must be 2 or more, got {self.folds}")
        if self.draws is not None and self.draws < 1:
            raise ConfigError(f"tracking.tune.draws must be 1 or more, or null, got {self.draws}")
        empty = sorted(name for name, values in self.grid.items() if not values)
        if empty:
            raise ConfigError(f"tracking.tune.grid.{empty[0]} needs at least one value")


@dataclasses.dataclass(frozen=True)
class TrackingConfig:
    enabled: bool
    experiment: str
    model_name: str  # the registered model `register` adds versions to
    autolog: bool
    tune: TuneConfig


@dataclasses.dataclass(frozen=True)
class GateConfig:
    minimum: dict[str, float]  # metric name -> the lowest value that passes
    max_drop: float  # how far a metric may fall below a reference run's (main's, the champion's)

    def __post_init__(self) -> None:
        if self.max_drop < 0:
            raise ConfigError(f"gate.max_drop must be 0 or more, got {self.max_drop}")


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int
    data: DataConfig
    model: ModelConfig
    tracking: TrackingConfig | None = None
    gate: GateConfig | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.seed < 2**32:
            raise ConfigError(f"seed must be between 0 and 2**32 - 1, got {self.seed}")
        if not 0 < self.data.test_size < 1:
            raise ConfigError(f"data.test_size must be between 0 and 1, got {self.data.test_size}")


def load_config(path: Path) -> Config:
    """Read and validate a params file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} not found: run from the project root") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from None
    return parse(Config, raw, "")


def parse(cls: type, raw: object, where: str):
    """Build dataclass `cls` from `raw`, naming the dotted key of the first mismatch."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where or 'params'} must be a mapping, got {type(raw).__name__}")
    fields = {field.name: field for field in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(f"unknown key {where + unknown[0]!r}: allowed keys are {sorted(fields)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, field in fields.items():
        key = f"{where}{name}"
        if name not in raw:
            if field.default is dataclasses.MISSING:
                raise ConfigError(f"missing key {key!r}")
            continue
        values[name] = _convert(hints[name], raw[name], key)
    return cls(**values)


def _convert(hint: object, value: object, key: str) -> object:
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if value is None and type(None) in options:
        return None
    for option in options:
        if dataclasses.is_dataclass(option):
            return parse(option, value, f"{key}.")
        if option is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if option is int and isinstance(value, bool):
            continue
        if typing.get_origin(option) is dict and isinstance(value, dict):
            hint = typing.get_args(option)[1]
            return {str(k): _convert(hint, v, f"{key}.{k}") for k, v in value.items()}
        if isinstance(option, type) and isinstance(value, option):
            return value
    expected = " or ".join(
        "null" if option is type(None) else option.__name__ for option in options
    )
    raise ConfigError(f"{key} must be {expected}, got {type(value).__name__} {value!r}")
