import dataclasses

import mlflow
import numpy as np
import pytest

from {{ cookiecutter.module_name }} import tune
from {{ cookiecutter.module_name }}.config import ConfigError, TrackingConfig, TuneConfig


def with_tune(config, **settings):
    values = {
        "metric": "accuracy" if config.data.stratify else "r2",
        "folds": 2,
        "draws": None,
        "grid": {"n_estimators": [5, 10]},
        **settings,
    }
    tracking = TrackingConfig(
        enabled=True,
        experiment="tune-test",
        model_name="tune-test",
        autolog=False,
        tune=TuneConfig(**values),
    )
    return dataclasses.replace(config, tracking=tracking)


def test_candidates_whole_grid_or_seeded_draws(config):
    grid = {"n_estimators": [5, 10, 20], "max_depth": [2, None]}
    assert len(tune.candidates(with_tune(config, grid=grid))) == 6
    drawn = tune.candidates(with_tune(config, grid=grid, draws=3))
    assert len(drawn) == 3
    assert drawn == tune.candidates(with_tune(config, grid=grid, draws=3))


def test_candidates_reject_unknown_hyperparameter(config):
    with pytest.raises(ConfigError, match="unknown key 'tracking.tune.grid.learning_rate'"):
        tune.candidates(with_tune(config, grid={"learning_rate": [0.1]}))


def test_tune_metric_must_fit_the_task(config, project, schema):
    other = "r2" if schema.task == "classification" else "accuracy"
    with pytest.raises(ConfigError, match=f"tracking.tune.metric '{other}' scores"):
        tune.run(with_tune(config, metric=other), project)


def test_cross_validate_stratifies_only_classification(config, schema, frame, monkeypatch):
    used = []
    monkeypatch.setattr(
        tune, "cross_val_score", lambda *a, cv, **k: used.append(cv) or np.array([0.5])
    )
    assert tune.cross_validate(with_tune(config), schema, frame) == 0.5
    expected = "StratifiedKFold" if schema.task == "classification" else "KFold"
    assert type(used[0]).__name__ == expected


@pytest.mark.slow  # several tracked fits
def test_tune_makes_child_runs_and_tags_the_best(config, project, monkeypatch):
    tmp_path = project
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    best = tune.run(with_tune(config), tmp_path)
    runs = mlflow.search_runs(experiment_names=["tune-test"])
    parent = runs[runs["tags.mlflow.parentRunId"].isna()]
    children = runs[runs["tags.mlflow.parentRunId"].notna()]
    assert len(parent) == 1 and len(children) == 2
    assert set(children["tags.mlflow.parentRunId"]) == set(parent["run_id"])
    assert set(children["params.seed"]) == {str(config.seed)}
    assert list(children[children["tags.best"] == "true"]["run_id"]) == [best]
    assert parent["tags.best_run_id"].item() == best
