"""Data sets that ship inside scikit-learn, for `data.source: bundled:NAME` (no download)."""

import pandas as pd
from sklearn import datasets

from .errors import ConfigError

BUNDLED = {
    "breast_cancer": datasets.load_breast_cancer,  # binary classification, 569 rows (the demo)
    "wine": datasets.load_wine,  # 3 classes, 178 rows
    "iris": datasets.load_iris,  # 3 classes, 150 rows
    "diabetes": datasets.load_diabetes,  # regression, 442 rows
}


def load(name: str) -> pd.DataFrame:
    """The data set's feature columns and its `target` column."""
    if name not in BUNDLED:
        raise ConfigError(f"data.source bundled:{name}: bundled data sets are {', '.join(BUNDLED)}")
    frame: pd.DataFrame = BUNDLED[name](as_frame=True).frame  # sklearn ships no types
    return frame
