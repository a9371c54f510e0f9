"""Stage `features`: add engineered columns, then split into train and test sets.

`engineer` adds columns computed from a row's own values (a ratio, a log, a date part): the
features stage applies it before the split, and `predict` applies it to new rows, so every
column it adds reaches the model. Anything fitted on data, such as a scaler or an encoder,
belongs in the model pipeline of `model.py`, so it learns from the train split only.
"""

from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from mlreprokit.artifacts import write_csv
from mlreprokit.errors import ConfigError
from mlreprokit.paths import SCHEMA, TEST_DATA, TRAIN_DATA
from mlreprokit.schema import Schema, load_schema
from mlreprokit.sources import read_raw

from .config import Config


def engineer(frame: pd.DataFrame) -> pd.DataFrame:
    """The raw columns plus the engineered ones (none yet): add yours here."""
    return frame


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
    train, test = split(engineer(read_raw(root, schema)), config, schema)
    write_csv(train, root / TRAIN_DATA)
    write_csv(test, root / TEST_DATA)
