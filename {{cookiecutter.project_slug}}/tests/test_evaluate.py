import json

import numpy as np
import pandas as pd
from sklearn.metrics import balanced_accuracy_score, median_absolute_error

from mlreprokit.metrics import Metric, for_task
from mlreprokit.paths import METRICS as METRICS_FILE

from {{ cookiecutter.module_name }} import pipeline
from {{ cookiecutter.module_name }}.evaluate import plot_confusion_matrix, plot_predicted_vs_actual
from {{ cookiecutter.module_name }}.metrics import METRICS

ADDED = {  # a metric of each task the table lacks
    "classification": (
        "balanced_accuracy",
        Metric(balanced_accuracy_score, "higher", "classification"),
    ),
    "regression": ("median_ae", Metric(median_absolute_error, "lower", "regression")),
}


def test_evaluate_scores_every_metric_of_the_task(ran, schema):
    scores = json.loads((ran.root / METRICS_FILE).read_text())
    assert set(scores) == set(for_task(METRICS, schema.task))


def test_evaluate_scores_a_metric_added_to_the_table(config, ran_copy, schema, monkeypatch):
    name, metric = ADDED[schema.task]
    monkeypatch.setitem(METRICS, name, metric)
    (ran_copy / METRICS_FILE).unlink()
    pipeline.PIPELINE.run(["evaluate"], config, ran_copy)  # on the model and split `ran` wrote
    scores = json.loads((ran_copy / METRICS_FILE).read_text())
    assert set(scores) == set(for_task(METRICS, schema.task)) and name in scores


def test_plot_confusion_matrix_has_one_cell_per_label_pair():
    figure = plot_confusion_matrix(pd.Series([0, 1, 1]), np.array([0, 1, 0]))
    image = figure.axes[0].images[0]
    assert image.get_array().tolist() == [[1, 0], [1, 1]]


def test_plot_predicted_vs_actual_has_one_point_per_row():
    figure = plot_predicted_vs_actual(pd.Series([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 2.5]))
    assert len(figure.axes[0].collections[0].get_offsets()) == 3
