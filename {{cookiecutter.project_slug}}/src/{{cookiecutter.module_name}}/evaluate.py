"""Stage `evaluate`: score the model on the test split; write metrics and a figure."""

from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from .artifacts import atomic_path, write_json
from .config import Config
from .paths import CONFUSION_MATRIX, METRICS, MODEL, TARGET, TEST_DATA


def score(truth: pd.Series, predicted: np.ndarray) -> dict[str, float]:
    """Return the metrics written to `reports/metrics.json`."""
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "f1_macro": float(f1_score(truth, predicted, average="macro")),
    }


def plot_confusion_matrix(truth: pd.Series, predicted: np.ndarray) -> Figure:
    """Draw the confusion matrix with counts in each cell."""
    labels = sorted(set(truth) | set(predicted))
    counts = confusion_matrix(truth, predicted, labels=labels)
    figure = Figure(figsize=(4, 4), dpi=100)
    axes = figure.subplots()
    axes.imshow(counts, cmap="Blues")
    for (row, column), count in np.ndenumerate(counts):
        axes.text(column, row, str(count), ha="center", va="center")
    axes.set(
        xticks=range(len(labels)),
        yticks=range(len(labels)),
        xticklabels=labels,
        yticklabels=labels,
        xlabel="predicted",
        ylabel="true",
        title="Confusion matrix",
    )
    figure.tight_layout()
    return figure


def run(config: Config, root: Path) -> None:
    test = pd.read_csv(root / TEST_DATA)
    model = joblib.load(root / MODEL)
    predicted = model.predict(test.drop(columns=TARGET))
    write_json(score(test[TARGET], predicted), root / METRICS)
    with atomic_path(root / CONFUSION_MATRIX) as temporary:
        plot_confusion_matrix(test[TARGET], predicted).savefig(temporary, format="png")
