"""Stage `features`: split the validated raw data into train and test sets in `data/processed/`.

Add engineered columns here (the same for both splits). Anything fitted on data, such as a
scaler, belongs in the model pipeline of `train.py`, so it learns from the train split only
and travels with the model to `predict` and serving.
"""

from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from .artifacts import write_csv
from .config import Config
from .data import read_raw
from .paths import TARGET, TEST_DATA, TRAIN_DATA


def split(frame: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into train and test sets; the split derives from the configured seed."""
    stratify = frame[TARGET] if config.data.stratify else None
    train, test = train_test_split(
        frame, test_size=config.data.test_size, random_state=config.seed, stratify=stratify
    )
    return train, test


def run(config: Config, root: Path) -> None:
    train, test = split(read_raw(root), config)
    write_csv(train, root / TRAIN_DATA)
    write_csv(test, root / TEST_DATA)
