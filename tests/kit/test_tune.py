import dataclasses

import mlflow
import pytest
from mlreprokit import tune
from mlreprokit.config import ConfigError
from mlreprokit.synthetic import tune_grid
from mlreprokit.tracking_config import TrackingConfig
from mlreprokit.tune_config import TuneConfig

from .toy import PROJECT


def with_tune(config, **settings):
    values = {
        "metric": "accuracy" if config.data.stratify else "r2",
        "folds": 2,
        "draws": None,
        "grid": tune_grid(PROJECT, 2),
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


def test_tune_metric_must_fit_the_task_before_any_run(config, project, schema):
    other = "r2" if schema.task == "classification" else "accuracy"
    with pytest.raises(ConfigError, match=f"tracking.tune.metric '{other}' is not a"):
        tune.run(with_tune(config, metric=other), project)
    assert not (project / "mlflow.db").exists()


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
