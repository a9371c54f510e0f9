"""Stage `evaluate`: score the model on the test split; write metrics and a figure.

Every metric of the task in `metrics.METRICS` goes into `reports/metrics.json` (flat: name ->
number); add one there. The figure: a confusion matrix (classification), predicted against
actual values (regression).
"""

from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.metrics import confusion_matrix

from mlreprokit.artifacts import atomic_path
from mlreprokit.metrics import score_all, write_metrics
from mlreprokit.paths import FIGURE, METRICS, MODEL, SCHEMA, TEST_DATA
from mlreprokit.schema import load_schema, model_inputs, read_split

from .config import Config
from .metrics import METRICS as TABLE


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


def plot_predicted_vs_actual(truth: pd.Series, predicted: np.ndarray) -> Figure:
    """Scatter predicted against actual values, with the diagonal of perfect predictions."""
    figure = Figure(figsize=(4, 4), dpi=100)
    axes = figure.subplots()
    axes.scatter(truth, predicted, s=12, alpha=0.7)
    low, high = float(min(truth.min(), predicted.min())), float(max(truth.max(), predicted.max()))
    axes.plot([low, high], [low, high], color="grey", linewidth=1)
    axes.set(xlabel="actual", ylabel="predicted", title="Predicted vs actual")
    figure.tight_layout()
    return figure


def run(config: Config, root: Path) -> None:
    schema = load_schema(root / SCHEMA)
    test = read_split(root / TEST_DATA, schema)
    model = joblib.load(root / MODEL)
    rows, truth = model_inputs(test, schema), test[schema.target]
    scores = score_all(TABLE, schema.task, model, rows, truth)
    write_metrics(scores, root / METRICS)
    plot = plot_confusion_matrix if schema.task == "classification" else plot_predicted_vs_actual
    figure = plot(truth, model.predict(rows))
    with atomic_path(root / FIGURE) as temporary:
        figure.savefig(temporary, format="png")
