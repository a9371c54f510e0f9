"""Stage `profile`: what the model learned from, for `monitor` to compare new rows with.

`models/profile.json` holds, for each column of `schema.yaml` in the train split, its null rate
and, by kind, 101 quantiles (0%, 1%, ..., 100%), mean and standard deviation of a number
column, or the count of each value of a categorical one (and of a number column with at most
FEW_VALUES values); and the same for the model's predictions on the test split. It is small,
deterministic and a declared output: `repro` compares it, DVC caches it.
"""

import math
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd

from .artifacts import write_json
from .paths import MODEL, PROFILE, SCHEMA, TEST_DATA, TRAIN_DATA
from .schema import load_schema, model_inputs, read_split

VERSION = 1
QUANTILES = 101  # 0%, 1%, ..., 100%: the reference distribution of a number column
FEW_VALUES = 5  # a number column with at most this many values is also counted per value
PREDICTION = "prediction"


def category_key(value: object) -> str:
    """A value as a profile's key: `1`, `1.0` and `"1"` are the same category."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, np.generic):
        return str(value.item())
    return str(value)


def counts(values: pd.Series) -> dict[str, int]:
    """How often each non-null value occurs, keyed by `category_key`."""
    found: dict[str, int] = {}
    for value, count in values.dropna().value_counts(sort=False).items():
        key = category_key(value)
        found[key] = found.get(key, 0) + int(count)
    return dict(sorted(found.items()))


def describe(values: pd.Series, numeric: bool) -> dict[str, Any]:
    """One column's profile: rows, nulls, and quantiles or counts by its kind."""
    rows = len(values)
    entry: dict[str, Any] = {
        "kind": "numeric" if numeric else "categorical",
        "rows": rows,
        "null_rate": float(values.isna().mean()) if rows else 0.0,
    }
    if not numeric:
        entry["counts"] = counts(values)
        return entry
    known = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if len(known) == 0:
        return entry
    probabilities = np.linspace(0.0, 1.0, QUANTILES)
    entry |= {
        "quantiles": [float(q) for q in np.quantile(known, probabilities)],
        "mean": float(known.mean()),
        "std": float(known.std()),
    }
    if len(np.unique(known)) <= FEW_VALUES:
        entry["counts"] = counts(pd.Series(known))
    return entry


def build_profile(train: pd.DataFrame, schema: Any, predictions: np.ndarray) -> dict[str, Any]:
    """The profile of a train split's schema columns and of predictions on the test split."""
    columns = {
        column.name: describe(train[column.name], column.is_numeric)
        for column in schema.columns
        if column.name in train.columns and column.name != schema.id and column.to_model
    }
    profile = {
        "version": VERSION,
        "rows": len(train),
        "target": schema.target,
        "task": schema.task,
        "columns": columns,
        PREDICTION: describe(pd.Series(predictions), schema.task == "regression"),
    }
    check_finite(profile)
    return profile


def check_finite(data: object) -> None:
    """JSON has no NaN or infinity: a profile holding one is a bug, not a user's mistake."""
    if isinstance(data, dict):
        for value in data.values():
            check_finite(value)
    elif isinstance(data, list):
        for value in data:
            check_finite(value)
    elif isinstance(data, float) and not math.isfinite(data):
        raise ValueError("a profile value is not finite")


def run(config: Any, root: Path) -> None:
    """Profile the train split and the model's predictions on the test split."""
    schema = load_schema(root / SCHEMA)
    train = read_split(root / TRAIN_DATA, schema)
    test = read_split(root / TEST_DATA, schema)
    model = joblib.load(root / MODEL)
    predictions = model.predict(model_inputs(test, schema))
    write_json(build_profile(train, schema, predictions), root / PROFILE)
