"""Metrics have one shape: a flat mapping of name to number, checked wherever they are written.

Each metric also knows its direction, which the quality gate needs: accuracy should rise, rmse fall.
"""

import json
import math
from collections.abc import Mapping
from pathlib import Path

from .artifacts import write_json
from .errors import ConfigError

HIGHER_IS_BETTER = ("accuracy", "f1_macro", "r2")
LOWER_IS_BETTER = ("log_loss", "rmse", "mae")
KNOWN = HIGHER_IS_BETTER + LOWER_IS_BETTER


class MetricsError(ConfigError):
    """A metrics mapping that is not flat name -> number; the message names the key."""


def flatten(data: Mapping, prefix: str = "") -> dict[str, object]:
    """Nested mappings as one level of dotted keys: {"model": {"depth": 3}} -> {"model.depth": 3}"""
    flat: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def checked(metrics: object, source: str) -> dict[str, float]:
    """`metrics` as {name: float}; a MetricsError naming the first value that is no number."""
    if not isinstance(metrics, Mapping):
        raise MetricsError(f"{source}: metrics must be a mapping of name to number")
    found = {}
    for name, value in metrics.items():
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value):
            raise MetricsError(
                f"{source}: metric {name!r} must be a finite number, got {value!r} "
                "(metrics are flat: name -> number)"
            )
        found[str(name)] = float(value)
    return found


def write_metrics(metrics: Mapping[str, float], target: Path) -> None:
    """Write metrics as sorted JSON, refusing any that are not flat name -> number."""
    write_json(checked(metrics, target.as_posix()), target)


def load_metrics(path: Path) -> dict[str, float]:
    """Read a metrics file; a one-line MetricsError when it is not JSON of name -> number."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise MetricsError(f"{path} is not valid JSON: {error}") from None
    return checked(raw, path.as_posix())
