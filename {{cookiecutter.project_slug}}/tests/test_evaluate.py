import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.evaluate import (
    classification_scores,
    plot_confusion_matrix,
    plot_predicted_vs_actual,
    regression_scores,
)


def test_classification_scores_perfect_and_wrong_predictions():
    truth = pd.Series([0, 1, 2, 2])
    certain = np.eye(3)[[0, 1, 2, 2]]
    perfect = classification_scores(truth, np.array([0, 1, 2, 2]), certain, [0, 1, 2])
    assert perfect["accuracy"] == 1.0 and perfect["f1_macro"] == 1.0
    assert perfect["log_loss"] == pytest.approx(0.0, abs=1e-9)
    wrong = classification_scores(truth, np.array([1, 2, 0, 0]), np.eye(3)[[1, 2, 0, 0]], [0, 1, 2])
    assert wrong["accuracy"] == 0.0 and wrong["log_loss"] > 1


def test_regression_scores_r2_rmse_mae():
    truth = pd.Series([1.0, 2.0, 3.0, 4.0])
    assert regression_scores(truth, truth.to_numpy()) == {"r2": 1.0, "rmse": 0.0, "mae": 0.0}
    scores = regression_scores(truth, np.array([2.0, 3.0, 4.0, 5.0]))
    assert scores == pytest.approx({"r2": 0.2, "rmse": 1.0, "mae": 1.0})


def test_plot_confusion_matrix_has_one_cell_per_label_pair():
    figure = plot_confusion_matrix(pd.Series([0, 1, 1]), np.array([0, 1, 0]))
    image = figure.axes[0].images[0]
    assert image.get_array().tolist() == [[1, 0], [1, 1]]


def test_plot_predicted_vs_actual_has_one_point_per_row():
    figure = plot_predicted_vs_actual(pd.Series([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 2.5]))
    assert len(figure.axes[0].collections[0].get_offsets()) == 3
