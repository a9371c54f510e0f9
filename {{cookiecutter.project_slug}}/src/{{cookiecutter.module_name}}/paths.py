"""Where every artifact of the pipeline lives, relative to the project root.

The root is the working directory (where `params.yaml` is), never this file's location:
a rerun in a copy of the project writes into the copy, not into the tree that installed it.
"""

from pathlib import Path

PARAMS = Path("params.yaml")
RAW_DATA = Path("data/raw/wine.csv")
TRAIN_DATA = Path("data/processed/train.csv")
TEST_DATA = Path("data/processed/test.csv")
MODEL = Path("models/model.joblib")
METRICS = Path("reports/metrics.json")
METRICS_REPORT = Path("reports/metrics.md")  # the quality gate's verdict, for people
CONFUSION_MATRIX = Path("reports/figures/confusion_matrix.png")
MANIFEST = Path("reports/manifest.json")  # what a run was made from; not a compared output
TARGET = "target"
