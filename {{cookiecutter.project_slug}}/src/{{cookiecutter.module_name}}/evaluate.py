"""Stage `evaluate`: score the model on the test split; write metrics and a figure.

Classification: accuracy, macro F1 and log loss, and a confusion matrix. Regression: r2, rmse
and mae, and predicted against actual values. Metrics are flat: name -> number.
"""

from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    mean_absolute_error,
    r2_score,
    root_mean_squared_error,
)

from mlreprokit.artifacts import atomic_path
from mlreprokit.metrics import write_metrics
from mlreprokit.paths import FIGURE, METRICS, MODEL, SCHEMA, TEST_DATA
from mlreprokit.schema import load_schema, model_inputs, read_split

from .config import Config


def classification_scores(
    truth: pd.Series, predicted: np.ndarray, probabilities: np.ndarray, classes: list
) -> dict[str, float]:
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "f1_macro": float(f1_score(truth, predicted, average="macro")),
        "log_loss": float(log_loss(truth, probabilities, labels=classes)),
    }


def regression_scores(truth: pd.Series, predicted: np.ndarray) -> dict[str, float]:
    return {
        "r2": float(r2_score(truth, predicted)),
        "rmse": float(root_mean_squared_error(truth, predicted)),
        "mae": float(mean_absolute_error(truth, predicted)),
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
    predicted = model.predict(rows)
    if schema.task == "classification":
        classes = list(model.classes_)
        scores = classification_scores(truth, predicted, model.predict_proba(rows), classes)
        figure = plot_confusion_matrix(truth, predicted)
    else:
        scores = regression_scores(truth, predicted)
        figure = plot_predicted_vs_actual(truth, predicted)
    write_metrics(scores, root / METRICS)
    with atomic_path(root / FIGURE) as temporary:
        figure.savefig(temporary, format="png")
