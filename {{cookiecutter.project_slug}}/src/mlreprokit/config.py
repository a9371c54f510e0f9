"""Load `params.yaml` into typed, validated settings: unknown keys and wrong types are errors.

The kit's own sections live here (`data:`, `gate:`, `monitor:`); the project's dataclass that
holds them (seed, data, model, metric, gate, monitor, tracking) is named by the pipeline entry
(project.py). The names under `metric:` and `gate:` are checked against the project's metrics
table, for the task `schema.yaml` declares.
"""

import dataclasses
import re
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError
from .metrics import Table, check_gate, check_name
from .paths import SCHEMA
from .project import load_pipeline
from .schema import TASKS

__all__ = [
    "ColumnDrift",
    "ConfigError",
    "DataConfig",
    "GateConfig",
    "MonitorConfig",
    "as_mapping",
    "load_config",
    "parse",
]

FORMATS = ("csv", "parquet")
MAX_SOURCE = 2048  # characters: longer is no path or URL a file system or server takes


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


DRIFT_TESTS = ("ks", "chisquare", "z", "wasserstein", "jensenshannon")  # as drift.py names them
P_VALUE_TESTS = ("ks", "chisquare", "z")


@dataclasses.dataclass(frozen=True)
class ColumnDrift:
    """One column's override: its test (default: chosen by kind and size), its threshold."""

    test: str | None = None  # ks, chisquare, z (p-values), wasserstein, jensenshannon (distances)
    threshold: float | None = None  # default: monitor.p_value or monitor.distance, by the test

    def check(self, where: str) -> None:
        if self.test is not None and self.test not in DRIFT_TESTS:
            raise ConfigError(
                f"{where}.test must be one of {', '.join(DRIFT_TESTS)}, got {self.test!r}"
            )
        if self.threshold is not None and not self.threshold > 0:
            raise ConfigError(f"{where}.threshold must be above 0, got {self.threshold}")
        if self.test in P_VALUE_TESTS and self.threshold is not None and self.threshold >= 1:
            raise ConfigError(f"{where}.threshold is a p-value for {self.test}: below 1")


@dataclasses.dataclass(frozen=True)
class MonitorConfig:
    """`monitor`: when a batch of new rows has drifted from the training data (drift.py)."""

    p_value: float = 0.05  # KS, chi-squared, z: a column drifts below this p-value
    distance: float = 0.1  # Wasserstein (normed), Jensen-Shannon: drifts at or above this
    drift_share: float = 0.5  # the data set drifts when this share of feature columns drift
    columns: dict[str, ColumnDrift] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 < self.p_value < 1:
            raise ConfigError(f"monitor.p_value must be between 0 and 1, got {self.p_value}")
        if not self.distance > 0:
            raise ConfigError(f"monitor.distance must be above 0, got {self.distance}")
        if not 0 < self.drift_share <= 1:
            raise ConfigError(
                f"monitor.drift_share must be above 0 and at most 1, got {self.drift_share}"
            )
        for name, override in self.columns.items():
            override.check(f"monitor.columns.{name}")

    def test(self, column: str) -> tuple[str | None, float | None]:
        """The column's test (None: the default for its kind and size) and threshold (None:
        this section's p_value or distance, by the test)."""
        override = self.columns.get(column, ColumnDrift())
        return override.test, override.threshold

    def threshold(self, test: str) -> float:
        return self.p_value if test in P_VALUE_TESTS else self.distance


def load_config(path: Path, cls: type | None = None) -> Any:
    """Read and validate a params file into `cls` (default: the pipeline's config class, whose
    `metric:` and `gate:` must then name metrics of the pipeline's table for the task)."""
    pipeline = load_pipeline() if cls is None else None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} not found: run from the project root") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from None
    if pipeline is None:
        return parse(typing.cast(type, cls), raw, "")
    config = parse(pipeline.config, raw, "")
    check_metrics(config, pipeline.metrics, declared_task(path))
    return config


def declared_task(params: Path) -> str | None:
    """The task of the `schema.yaml` beside `params` (else in the working directory); None
    when there is none yet or it declares no valid task (loading the schema reports why)."""
    for root in (params.parent, Path.cwd()):
        try:
            raw = yaml.safe_load((root / SCHEMA).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        task = raw.get("task", TASKS[0]) if isinstance(raw, dict) else None
        return task if task in TASKS else None
    return None


def check_metrics(config: Any, table: Table, task: str | None) -> None:
    """`metric:` and the names under `gate:` are metrics of `task` in `table`, each gated
    under the bound its direction asks for (any task's when `task` is None)."""
    metric = getattr(config, "metric", None)
    if metric is not None:
        check_name(table, task, metric, "metric")
    gate = getattr(config, "gate", None)
    if gate is not None:
        check_gate(table, task, gate.minimum, gate.maximum)


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
            if (
                field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING
            ):
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
        if isinstance(option, type) and dataclasses.is_dataclass(option):
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
