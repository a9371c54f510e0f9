"""Stage `features`: split the validated raw data into train and test sets in `data/processed/`.

Add engineered columns here (the same for both splits). Anything fitted on data, such as a
scaler or an encoder, belongs in the model pipeline of `model.py`, so it learns from the train
split only and travels with the model to `predict` and serving.
"""

from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from .artifacts import write_csv
from .config import Config, ConfigError
from .data import read_raw
from .paths import SCHEMA, TEST_DATA, TRAIN_DATA
from .schema import Schema, load_schema


def split(frame: pd.DataFrame, config: Config, schema: Schema) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into train and test sets; the split derives from the configured seed."""
    stratify = None
    if config.data.stratify:
        if schema.task != "classification":
            raise ConfigError(
                f"data.stratify: true needs a classification task, but {SCHEMA} says task: "
                f"{schema.task}: set data.stratify: false"
            )
        counts = frame[schema.target].value_counts()
        if counts.min() < 2:
            raise ConfigError(
                f"data.stratify: class {counts.idxmin()!r} of column {schema.target!r} has only "
                f"{counts.min()} row: stratifying needs 2 or more per class; set data.stratify: "
                "false or drop the class"
            )
        stratify = frame[schema.target]
    try:
        train, test = train_test_split(
            frame, test_size=config.data.test_size, random_state=config.seed, stratify=stratify
        )
    except ValueError as error:  # e.g. a test split too small to hold every class
        raise ConfigError(f"data.test_size {config.data.test_size}: {error}") from None
    return train, test


def run(config: Config, root: Path) -> None:
    schema = load_schema(root / SCHEMA)
    train, test = split(read_raw(root, schema), config, schema)
    write_csv(train, root / TRAIN_DATA)
    write_csv(test, root / TEST_DATA)
