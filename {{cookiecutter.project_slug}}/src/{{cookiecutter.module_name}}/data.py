"""Stage `data`: write the raw data set to `data/raw/`.

The example uses scikit-learn's wine data, which ships inside the package: no download.
Replace `load_raw` with your own source; keep the output path so later stages find it.
"""

from pathlib import Path

import pandas as pd
from sklearn.datasets import load_wine

from .artifacts import write_csv
from .config import Config
from .paths import RAW_DATA


def load_raw() -> pd.DataFrame:
    """Return the raw data set: feature columns plus an integer `target` column."""
    return load_wine(as_frame=True).frame


def run(config: Config, root: Path) -> None:
    write_csv(load_raw(), root / RAW_DATA)
