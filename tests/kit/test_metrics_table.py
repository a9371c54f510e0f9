import numpy as np
import pandas as pd
import pytest
from mlreprokit.errors import ConfigError, ProjectError
from mlreprokit.metrics import (
    Metric,
    MetricsError,
    check_gate,
    check_name,
    default_metric,
    direction,
    for_task,
    score,
    score_all,
    scorer,
)
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score, log_loss, mean_absolute_error
from sklearn.model_selection import cross_val_score

TABLE = {
    "acc": Metric(accuracy_score, "higher", "classification"),
    "loss": Metric(log_loss, "lower", "classification", response="predict_proba"),
    "mae": Metric(mean_absolute_error, "lower", "regression"),
}
ROWS = np.zeros((8, 1))
TRUTH = pd.Series(["a"] * 6 + ["b"] * 2)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"direction": "up"}, "Metric direction must be one of higher, lower, got 'up'"),
        ({"task": "ranking"}, "Metric task must be one of classification, regression"),
        ({"response": "proba"}, "Metric response must be one of predict, predict_proba"),
    ],
)
def test_metric_rejects_unknown_values_in_one_line(change, message):
    fields = {"score": accuracy_score, "direction": "higher", "task": "classification"}
    with pytest.raises(ProjectError, match=message):
        Metric(**(fields | change))


def test_for_task_direction_and_default_metric_read_the_table():
    assert list(for_task(TABLE, "classification")) == ["acc", "loss"]
    assert (direction(TABLE, "acc"), direction(TABLE, "mae")) == ("higher", "lower")
    assert default_metric(TABLE, "regression") == "mae"
    with pytest.raises(ConfigError, match="has no regression metric"):
        default_metric(for_task(TABLE, "classification"), "regression")


def test_check_name_lists_the_tasks_metrics():
    message = "metric 'mae' is not a classification metric .*: allowed are acc, loss$"
    with pytest.raises(ConfigError, match=message):
        check_name(TABLE, "classification", "mae", "metric")
    assert check_name(TABLE, None, "mae", "metric") is TABLE["mae"]


def test_check_gate_wants_each_metric_under_its_direction():
    check_gate(TABLE, "classification", {"acc": 0.5}, {"loss": 1.0})
    with pytest.raises(ConfigError, match="gate.maximum.acc: higher acc is better"):
        check_gate(TABLE, "classification", {}, {"acc": 0.5})


def test_score_gives_binary_probabilities_of_the_positive_class():
    model = DummyClassifier(strategy="prior").fit(ROWS, TRUTH)
    assert score("loss", TABLE["loss"], model, ROWS, TRUTH) == pytest.approx(
        log_loss(TRUTH, np.full(8, 0.25))
    )
    assert score_all(TABLE, "classification", model, ROWS, TRUTH) == {
        "acc": 0.75,
        "loss": pytest.approx(log_loss(TRUTH, np.full(8, 0.25))),
    }


def test_score_that_fails_is_one_line_naming_the_metric():
    three = pd.Series(["a", "b", "c", "c", "a", "b", "c", "a"])
    model = DummyClassifier(strategy="prior").fit(ROWS, three)
    with pytest.raises(MetricsError, match="metric 'loss' cannot score these rows: y_true"):
        score("loss", TABLE["loss"], model, ROWS[:2], three[:2])


def test_scorer_is_greater_is_better_for_tuning():
    model = DummyClassifier(strategy="prior")
    folds = dict(X=ROWS, y=TRUTH, cv=2)
    assert cross_val_score(model, scoring=scorer(TABLE["acc"]), **folds).tolist() == [0.75, 0.75]
    losses = cross_val_score(model, scoring=scorer(TABLE["loss"]), **folds)
    assert (losses < 0).all()  # a loss is negated, so the best candidate is the greatest
