"""A small seeded synthetic table drawn from a schema, and a project root that runs on it.

The generated tests use it, so they follow `schema.yaml` after `adopt`; it also makes a quick
smoke test of a changed schema: `synthetic(load_schema(Path("schema.yaml")))`.
"""

import dataclasses
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray

from .paths import PARAMS, SCHEMA
from .project import PYPROJECT
from .schema import Column, Schema, SchemaError, load_schema, to_mapping

SOURCE = "source.csv"  # the synthetic data, as a local source of a test project
ROWS = 120  # at least; as many as the schema's `rows.min`, up to MAX_ROWS
MAX_ROWS = 2000  # a schema asking for more rows is relaxed to this, to keep the tests fast


def bounds(column: Column) -> tuple[float, float]:
    low = 0.0 if column.minimum is None else float(column.minimum)
    high = low + 100.0 if column.maximum is None else float(column.maximum)
    if column.kind == "integer":
        low, high = math.ceil(low), math.floor(high)
    return low, high


def signal_values(column: Column, share: NDArray[np.float64]) -> NDArray[np.float64]:
    """Values of a numeric column at `share` (0 to 1) of its range."""
    low, high = bounds(column)
    values = low + share * (high - low)
    return np.round(values) if column.kind == "integer" else values


def relaxed(schema: Schema) -> Schema:
    """The schema with `rows.min` at most MAX_ROWS."""
    return dataclasses.replace(schema, min_rows=min(schema.min_rows, MAX_ROWS))


def synthetic(schema: Schema, seed: int = 0) -> pd.DataFrame:
    """A table that conforms to `schema`; the first numeric feature carries the target."""
    rng = np.random.default_rng(seed)
    rows = min(max(ROWS, schema.min_rows), MAX_ROWS)
    target = schema.column(schema.target)
    if schema.task == "classification":
        if target.allowed is None:
            raise SchemaError(f"target {target.name!r} lists no `allowed` classes to draw from")
        classes = list(target.allowed)
        labels = np.arange(rows) % len(classes)
        rng.shuffle(labels)
        share = (labels + rng.uniform(0.1, 0.9, rows)) / len(classes)  # one band per class
        target_values = pd.Series([classes[i] for i in labels])
    else:
        share = rng.uniform(0, 1, rows)
        target_values = pd.Series(signal_values(target, share))
    signal = next((c for c in schema.features if c.is_numeric), None)
    data: dict[str, object] = {}
    for column in schema.columns:
        if column.name == schema.target:
            data[column.name] = target_values
        elif column.name == schema.id:
            ids = range(1, rows + 1)
            data[column.name] = [f"id-{i}" for i in ids] if not column.is_numeric else list(ids)
        elif column is signal:
            data[column.name] = signal_values(column, share)
        elif column.is_numeric:
            data[column.name] = signal_values(column, rng.uniform(0, 1, rows))
        elif column.kind == "date":
            days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 730, rows), "D")
            data[column.name] = days.strftime("%Y-%m-%d")
        elif column.kind == "text":
            data[column.name] = [f"note {i}" for i in rng.integers(0, 10**6, rows)]
        elif column.allowed:
            data[column.name] = [
                column.allowed[i] for i in rng.integers(0, len(column.allowed), rows)
            ]
        else:
            data[column.name] = [f"value-{i}" for i in rng.integers(0, 5, rows)]
    frame = pd.DataFrame(data)
    for column in schema.features:
        if column.nullable:  # a few gaps, for the model's imputers
            kind = float if column.is_numeric else object
            frame[column.name] = frame[column.name].astype(kind)
            frame.loc[frame.index[::10], column.name] = np.nan if column.is_numeric else None
    return frame


def tune_space(project: Path, first: bool = False) -> dict[str, dict[str, object]]:
    """`tracking.tune.space` of the project's params.yaml, as written; with `first`, only its
    first hyperparameter: a small study over whatever model is configured."""
    params = yaml.safe_load((project / PARAMS).read_text(encoding="utf-8"))
    space: dict[str, dict[str, object]] = params["tracking"]["tune"]["space"]
    if not first:
        return space
    name = next(iter(space))
    return {name: space[name]}


def make_project(root: Path, project: Path, **model: object) -> Path:
    """A project root with `project`'s params and schema, the synthetic data as its local source
    (`model`: hyperparameters to change)."""
    schema = relaxed(load_schema(project / SCHEMA))
    params = yaml.safe_load((project / PARAMS).read_text(encoding="utf-8"))
    params["data"].update(source=SOURCE, sha256=None, format="csv")
    params["model"].update(model)
    root.mkdir(parents=True, exist_ok=True)
    (root / PARAMS).write_text(yaml.safe_dump(params), encoding="utf-8")
    (root / SCHEMA).write_text(
        yaml.safe_dump(to_mapping(schema), sort_keys=False), encoding="utf-8"
    )
    synthetic(schema).to_csv(root / SOURCE, index=False)
    if (project / PYPROJECT).is_file():  # the pipeline entry, and what repro compares
        shutil.copyfile(project / PYPROJECT, root / PYPROJECT)
    return root
