"""Load `params.yaml` into typed, validated settings: unknown keys and wrong types are errors.

The kit's own sections live here (`data:`, `gate:`); the project's dataclass that holds them
(seed, data, model, gate, tracking) is named by the pipeline entry (project.py).
"""

import dataclasses
import re
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError
from .metrics import HIGHER_IS_BETTER, KNOWN, LOWER_IS_BETTER
from .project import load_pipeline

__all__ = ["ConfigError", "DataConfig", "GateConfig", "as_mapping", "load_config", "parse"]

FORMATS = ("csv", "parquet")
MAX_SOURCE = 2048  # characters: longer is no path or URL a file system or server takes
# The values a metric can take, where they are certain: a bound outside can never pass.
RANGES = {
    "accuracy": (0.0, 1.0),
    "f1_macro": (0.0, 1.0),
    "r2": (None, 1.0),
    "log_loss": (0.0, None),
    "rmse": (0.0, None),
    "mae": (0.0, None),
}


@dataclasses.dataclass(frozen=True)
class DataConfig:
    source: str  # https://... (s3://, gs://, az:// with fsspec), a local path, or bundled:NAME
    sha256: str | None  # of the source file; null skips the check (`adopt` records it)
    format: str  # csv or parquet
    test_size: float
    stratify: bool

    def __post_init__(self) -> None:
        if not 0 < len(self.source) <= MAX_SOURCE:
            raise ConfigError(
                f"data.source must be 1 to {MAX_SOURCE} characters, got {len(self.source)}"
            )
        if self.format not in FORMATS:
            raise ConfigError(
                f"data.format must be one of {', '.join(FORMATS)}, got {self.format!r}"
            )
        if self.sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", self.sha256):
            raise ConfigError(
                f"data.sha256 must be 64 lowercase hex digits or null, got {self.sha256!r}"
            )
        if not 0 < self.test_size < 1:
            raise ConfigError(f"data.test_size must be between 0 and 1, got {self.test_size}")


@dataclasses.dataclass(frozen=True)
class GateConfig:
    max_drop: (
        float  # how far a metric may get worse than a reference run's (main's, the champion's)
    )
    minimum: dict[str, float] = dataclasses.field(default_factory=dict)  # higher is better
    maximum: dict[str, float] = dataclasses.field(default_factory=dict)  # lower is better

    def __post_init__(self) -> None:
        if self.max_drop < 0:
            raise ConfigError(f"gate.max_drop must be 0 or more, got {self.max_drop}")
        for kind, names, other in (
            ("minimum", HIGHER_IS_BETTER, "maximum"),
            ("maximum", LOWER_IS_BETTER, "minimum"),
        ):
            for name in getattr(self, kind):
                if name not in KNOWN:
                    raise ConfigError(
                        f"gate.{kind}.{name} is not a known metric: known are {', '.join(KNOWN)}"
                    )
                if name not in names:
                    better = "higher" if other == "minimum" else "lower"
                    raise ConfigError(
                        f"gate.{kind}.{name}: {better} {name} is better, so it goes under "
                        f"gate.{other}"
                    )
                check_reachable(kind, name, getattr(self, kind)[name])


def check_reachable(kind: str, name: str, bound: float) -> None:
    """One line for a gate bound no run can meet: a minimum above the metric's highest value,
    a maximum below its lowest."""
    low, high = RANGES.get(name, (None, None))
    if kind == "minimum" and high is not None and bound > high:
        raise ConfigError(
            f"gate.minimum.{name} is {bound}: {name} is at most {high}, so no run passes"
        )
    if kind == "maximum" and low is not None and bound < low:
        raise ConfigError(
            f"gate.maximum.{name} is {bound}: {name} is at least {low}, so no run passes"
        )


def load_config(path: Path, cls: type | None = None) -> Any:
    """Read and validate a params file into `cls` (default: the pipeline's config class)."""
    if cls is None:
        cls = load_pipeline().config
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} not found: run from the project root") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from None
    return parse(cls, raw, "")


def parse(cls: type, raw: object, where: str) -> Any:
    """Build dataclass `cls` from `raw`, naming the dotted key of the first mismatch.

    A section class with a `from_mapping(raw, where)` classmethod reads itself (the model
    section: a kind and that kind's hyperparameters).
    """
    if not isinstance(raw, dict):
        raise ConfigError(f"{where or 'params'} must be a mapping, got {type(raw).__name__}")
    if hasattr(cls, "from_mapping"):
        return cls.from_mapping(raw, where)
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


def as_mapping(section: Any) -> dict[str, Any]:
    """A settings section as `params.yaml` holds it (`parse` reads it back)."""
    if hasattr(section, "to_mapping"):
        return dict(section.to_mapping())
    return dataclasses.asdict(section)


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
        if typing.get_origin(option) is list and isinstance(value, list):
            return list(value)
        if typing.get_origin(option) is dict and isinstance(value, dict):
            hint = typing.get_args(option)[1]
            return {str(k): _convert(hint, v, f"{key}.{k}") for k, v in value.items()}
        if isinstance(option, type) and isinstance(value, option):
            return value
    expected = " or ".join(
        "null" if option is type(None) else option.__name__ for option in options
    )
    raise ConfigError(f"{key} must be {expected}, got {type(value).__name__} {value!r}")
