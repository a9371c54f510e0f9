import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.evaluate import plot_confusion_matrix, score


def test_score_perfect_and_wrong_predictions():
    truth = pd.Series([0, 1, 2, 2])
    assert score(truth, np.array([0, 1, 2, 2])) == {"accuracy": 1.0, "f1_macro": 1.0}
    assert score(truth, np.array([1, 2, 0, 0]))["accuracy"] == 0.0


def test_plot_confusion_matrix_has_one_cell_per_label_pair():
    figure = plot_confusion_matrix(pd.Series([0, 1, 1]), np.array([0, 1, 0]))
    image = figure.axes[0].images[0]
    assert image.get_array().tolist() == [[1, 0], [1, 1]]
