"""Stage `train`: fit the model on `data/processed/train.csv`, save it to `models/`."""

from pathlib import Path

import joblib
import pandas as pd
from sklearn.pipeline import Pipeline

from mlreprokit.artifacts import atomic_path
from mlreprokit.paths import MODEL, SCHEMA, TRAIN_DATA
from mlreprokit.schema import Schema, load_schema, model_inputs, read_split

from .config import Config
from .model import build_model


def fit(config: Config, schema: Schema, train: pd.DataFrame) -> Pipeline:
    """Fit a model on a training split: every column but the target and the id is an input.

    The fit uses every CPU core the process may use, where the estimator can (a forest's trees);
    the model does not depend on how many (`nox -s repro` varies them). Predictions run in one
    thread, so the trees' votes add up in one order.
    """
    inputs = model_inputs(train, schema)
    model = build_model(config, schema, inputs)
    with joblib.parallel_config(backend="threading", n_jobs=-1):
        return model.fit(inputs, train[schema.target])


def run(config: Config, root: Path) -> None:
    schema = load_schema(root / SCHEMA)
    model = fit(config, schema, read_split(root / TRAIN_DATA, schema))
    with atomic_path(root / MODEL) as temporary:
        joblib.dump(model, temporary)
