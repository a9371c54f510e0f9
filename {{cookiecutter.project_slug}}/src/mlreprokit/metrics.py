"""Metrics: the shape of the project's metrics table, and a metrics file as flat name -> number.

The kit names no metric. The project's table (`METRICS` in `src/<package>/metrics.py`, handed
to `Pipeline(..., metrics=METRICS)`) maps each name to a `Metric`: how to score, which way is
better, for which task. The evaluate stage scores every metric of the task, the gate reads the
directions, `adopt` writes the task's metric and a no-skill gate, and `scorer` gives tuning a
scikit-learn scorer for one.
"""

import inspect
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sklearn.metrics import make_scorer

from .artifacts import write_json
from .errors import ConfigError, ProjectError
from .schema import TASKS

DIRECTIONS = ("higher", "lower")
# What the model is asked for: labels or values, or class probabilities.
RESPONSES = ("predict", "predict_proba")


@dataclass(frozen=True)
class Metric:
    """One metric: `score(truth, response)` -> number, on what `response` names.

    `direction`: "higher" or "lower" (is better). `task`: "classification" or "regression".
    `response`: "predict" (predicted labels or values) or "predict_proba" (class
    probabilities: the positive class's for a binary task, one column per class otherwise,
    as scikit-learn's scorers pass them). `best`: the best value it can take (1 for accuracy,
    0 for a loss), when there is one: a gate bound beyond it can never pass.
    """

    score: Callable[..., Any]
    direction: str
    task: str
    response: str = "predict"
    best: float | None = None

    def __post_init__(self) -> None:
        for field, value, allowed in (
            ("direction", self.direction, DIRECTIONS),
            ("task", self.task, TASKS),
            ("response", self.response, RESPONSES),
        ):
            if value not in allowed:
                raise ProjectError(
                    f"Metric {field} must be one of {', '.join(allowed)}, got {value!r}"
                )

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"


Table = Mapping[str, Metric]


def for_task(table: Table, task: str) -> dict[str, Metric]:
    """The table's metrics of `task`, in the table's order."""
    return {name: metric for name, metric in table.items() if metric.task == task}


def allowed(table: Table, task: str | None) -> str:
    """The names `task` allows (every name when the task is unknown), as one phrase."""
    names = list(table if task is None else for_task(table, task))
    return ", ".join(names) if names else "none (the metrics table has no metric of this task)"


def check_name(table: Table, task: str | None, name: str, key: str) -> Metric:
    """The metric `name` of `task` (any task when None); a ConfigError naming `key` otherwise."""
    metric = table.get(name)
    if metric is None or (task is not None and metric.task != task):
        kind = "a metric" if task is None else f"a {task} metric"
        raise ConfigError(
            f"{key} {name!r} is not {kind} of the project's metrics table (METRICS): "
            f"allowed are {allowed(table, task)}"
        )
    return metric


def direction(table: Table, name: str) -> str:
    """Which way `name` is better, "higher" or "lower"; a ConfigError for a name not in it."""
    return check_name(table, None, name, "metric").direction


def default_metric(table: Table, task: str) -> str:
    """The metric `adopt` ranks a task's runs by: the task's first in the table."""
    names = list(for_task(table, task))
    if not names:
        raise ConfigError(f"the project's metrics table (METRICS) has no {task} metric")
    return names[0]


def check_gate(
    table: Table, task: str | None, minimum: Mapping[str, float], maximum: Mapping[str, float]
) -> None:
    """Every gated name is a metric of `task`, under the bound its direction asks for."""
    for kind, names, wanted, other in (
        ("minimum", minimum, "higher", "maximum"),
        ("maximum", maximum, "lower", "minimum"),
    ):
        for name in names:
            metric = check_name(table, task, name, f"gate.{kind}")
            if metric.direction != wanted:
                raise ConfigError(
                    f"gate.{kind}.{name}: {metric.direction} {name} is better, so it goes under "
                    f"gate.{other}"
                )
            check_reachable(kind, name, float(names[name]), metric.best)


def check_reachable(kind: str, name: str, bound: float, best: float | None) -> None:
    """One line for a gate bound no run can meet: beyond the best value the metric takes."""
    if best is None:
        return
    if kind == "minimum" and bound > best:
        raise ConfigError(
            f"gate.minimum.{name} is {bound}: {name} is at most {best}, so no run passes"
        )
    if kind == "maximum" and bound < best:
        raise ConfigError(
            f"gate.maximum.{name} is {bound}: {name} is at least {best}, so no run passes"
        )


def scorer(metric: Metric, **options: Any) -> Any:
    """A scikit-learn scorer for `metric`, for tuning: greater is better (a loss is negated).

    A `functools.partial` is unwrapped into its function and keywords, and a label metric that
    takes `pos_label` gets None unless given, as scikit-learn's own averaged scorers are made
    (`make_scorer(f1_score, average="macro", pos_label=None)`), so string labels work.
    """
    function, keywords = metric.score, dict(options)
    if isinstance(function, partial) and not function.args:
        keywords = {**function.keywords, **keywords}
        function = function.func
    if metric.response == "predict" and "pos_label" in inspect.signature(function).parameters:
        keywords.setdefault("pos_label", None)
    return make_scorer(
        function,
        greater_is_better=metric.higher_is_better,
        response_method=metric.response,
        **keywords,
    )


def score(name: str, metric: Metric, model: Any, rows: Any, truth: Any) -> float:
    """`metric` of a fitted `model` on `rows` against `truth`: `score(truth, response)`, the
    response being the model's predictions, or its class probabilities (a binary task's: the
    second class's, as scikit-learn's scorers pass them). A metric that cannot score these
    rows is a one-line MetricsError naming it.
    """
    response = getattr(model, metric.response)(rows)
    if metric.response == "predict_proba" and response.ndim == 2 and response.shape[1] == 2:
        response = response[:, 1]
    try:
        value = metric.score(truth, response)
    except ValueError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise MetricsError(f"metric {name!r} cannot score these rows: {first}") from None
    return float(value)


def score_all(table: Table, task: str, model: Any, rows: Any, truth: Any) -> dict[str, float]:
    """Every metric of `task` in the table, for a fitted `model` on `rows` against `truth`."""
    return {
        name: score(name, metric, model, rows, truth)
        for name, metric in for_task(table, task).items()
    }


class MetricsError(ConfigError):
    """A metrics mapping that is not flat name -> number; the message names the key."""


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, object]:
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
