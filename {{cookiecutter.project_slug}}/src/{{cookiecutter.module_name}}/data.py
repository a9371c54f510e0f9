"""Stage `data`: write the raw data set to `data/raw/`.

The example uses scikit-learn's wine data, which ships inside the package: no download.
Replace `load_raw` with your own source; keep the output path so later stages find it, and
update `RAW_SCHEMA` in schema.py: `read_raw` stops the pipeline when the data breaks it.
"""

from pathlib import Path

import pandas as pd
from sklearn.datasets import load_wine

from .artifacts import write_csv
from .config import Config
from .paths import RAW_DATA
from .schema import RAW_SCHEMA, validate


def load_raw() -> pd.DataFrame:
    """Return the raw data set: feature columns plus an integer `target` column."""
    return load_wine(as_frame=True).frame


def run(config: Config, root: Path) -> None:
    write_csv(load_raw(), root / RAW_DATA)


def read_raw(root: Path) -> pd.DataFrame:
    """Read the raw data and check it against `RAW_SCHEMA`: later stages read it only here."""
    return validate(pd.read_csv(root / RAW_DATA), RAW_SCHEMA, RAW_DATA.as_posix())
