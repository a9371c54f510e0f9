import dataclasses
import os
from pathlib import Path

import pytest
import wandb
from mlreprokit import wandb_tune as tune
from mlreprokit.config import ConfigError
from mlreprokit.tracking_config import TrackingConfig

from .tuning import tune_settings


def with_tune(config, **settings):
    tune = tune_settings(config, **settings)
    tracking = TrackingConfig("wandb", project="tune-test", mode="offline", tune=tune)
    return dataclasses.replace(config, tracking=tracking)


def test_tune_metric_must_fit_the_task_before_any_run(config, project, schema):
    other = "r2" if schema.task == "classification" else "accuracy"
    with pytest.raises(ConfigError, match=f"tracking.tune.metric '{other}' is not a"):
        tune.run(with_tune(config, metric=other), project)
    assert not (project / "wandb").exists()


@pytest.mark.slow  # several fits and offline runs
def test_tune_writes_one_offline_run_per_trial(config, project, monkeypatch, tmp_path):
    for name in [name for name in os.environ if name.startswith("WANDB_")]:
        monkeypatch.delenv(name)  # offline, whatever the machine or CI says
    monkeypatch.setenv("WANDB_DATA_DIR", str(tmp_path / "wandb-data"))  # artifact staging
    monkeypatch.setenv("WANDB_CACHE_DIR", str(tmp_path / "wandb-cache"))  # W&B's logs
    try:
        best = tune.run(with_tune(config), project)
    finally:
        wandb.teardown()  # W&B's process-wide state (settings read once) does not outlive the test
    runs = sorted(Path(project, "wandb").glob("offline-run-*"))
    assert len(runs) == 2
    assert [run for run in runs if run.name.endswith(best)]


def test_tune_space_must_fit_the_model_before_any_run(config, project):
    space = {"no_such_knob": {"low": 1, "high": 2}}
    with pytest.raises(ConfigError, match="unknown key 'tracking.tune.space.no_such_knob'"):
        tune.run(with_tune(config, space=space), project)
    assert not (project / "wandb").exists()
