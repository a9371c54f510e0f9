"""Stage `features`: split the raw data and standardise it, writing `data/processed/`."""

from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

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


def standardise(train: pd.DataFrame, test: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scale feature columns to zero mean and unit variance, with statistics from train only."""
    columns = [column for column in train.columns if column != TARGET]
    scaler = StandardScaler().fit(train[columns])
    scaled = []
    for frame in (train, test):
        frame = frame.copy()
        frame[columns] = scaler.transform(frame[columns])
        scaled.append(frame)
    return scaled[0], scaled[1]


def run(config: Config, root: Path) -> None:
    train, test = standardise(*split(read_raw(root), config))
    write_csv(train, root / TRAIN_DATA)
    write_csv(test, root / TEST_DATA)
