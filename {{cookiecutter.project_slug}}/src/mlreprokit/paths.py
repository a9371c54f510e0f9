"""Where every artifact of the pipeline lives, relative to the project root.

The root is the working directory (where `params.yaml` is), never this file's location:
a rerun in a copy of the project writes into the copy, not into the tree that installed it.
"""

from pathlib import Path

PARAMS = Path("params.yaml")
SCHEMA = Path("schema.yaml")  # the raw data's columns, kinds, ranges, target and id: yours to edit
RAW_DATA = Path("data/raw/data.csv")  # `data.source` of params.yaml, verified, as CSV
TRAIN_DATA = Path("data/processed/train.csv")
TEST_DATA = Path("data/processed/test.csv")
MODEL = Path("models/model.joblib")
PROFILE = Path("models/profile.json")  # the training data and test predictions, for `monitor`
METRICS = Path("reports/metrics.json")
METRICS_REPORT = Path("reports/metrics.md")  # the quality gate's verdict, for people
FIGURE = Path("reports/figures/evaluation.png")  # confusion matrix, or predicted vs actual
MONITORING = Path("reports/monitoring")  # `monitor`'s report per batch (JSON and figure)
MANIFEST = Path("reports/manifest.json")  # what a run was made from; not a compared output
