"""Stage `train`: fit the model on `data/processed/train.csv`, save it to `models/`."""

from pathlib import Path

import joblib
import pandas as pd
from sklearn.pipeline import Pipeline

from .artifacts import atomic_path
from .config import Config
from .model import build_model, features
from .paths import MODEL, SCHEMA, TRAIN_DATA
from .schema import Schema, load_schema, text_columns


def fit(config: Config, schema: Schema, train: pd.DataFrame) -> Pipeline:
    """Fit a model on a training frame that holds the schema's columns."""
    return build_model(config, schema).fit(features(train, schema), train[schema.target])


def read_split(path: Path, schema: Schema) -> pd.DataFrame:
    """A split written by `features`, with text columns read back as text."""
    return pd.read_csv(path, dtype=text_columns(schema))


def run(config: Config, root: Path) -> None:
    schema = load_schema(root / SCHEMA)
    model = fit(config, schema, read_split(root / TRAIN_DATA, schema))
    with atomic_path(root / MODEL) as temporary:
        joblib.dump(model, temporary)
