"""Stage `train`: fit the model on `data/processed/train.csv`, save it to `models/`."""

from pathlib import Path

import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .artifacts import atomic_path
from .config import Config
from .paths import MODEL, TARGET, TRAIN_DATA


def build_model(config: Config) -> Pipeline:
    """Return an unfitted model: scaling, then a forest with the configured params and seed."""
    forest = RandomForestClassifier(
        n_estimators=config.model.n_estimators,
        max_depth=config.model.max_depth,
        min_samples_leaf=config.model.min_samples_leaf,
        random_state=config.seed,
    )
    return Pipeline([("scale", StandardScaler()), ("forest", forest)])


def fit(config: Config, train: pd.DataFrame) -> Pipeline:
    """Fit a model on a training frame with a `target` column."""
    return build_model(config).fit(train.drop(columns=TARGET), train[TARGET])


def run(config: Config, root: Path) -> None:
    model = fit(config, pd.read_csv(root / TRAIN_DATA))
    with atomic_path(root / MODEL) as temporary:
        joblib.dump(model, temporary)
