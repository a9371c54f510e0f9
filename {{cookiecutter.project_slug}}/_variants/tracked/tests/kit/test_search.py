import math
from pathlib import Path

import numpy as np
import pytest

from mlreprokit import search
from mlreprokit.config import ConfigError
from mlreprokit.synthetic import tune_grid
from mlreprokit.tune_config import TuneConfig

PROJECT = Path(__file__).parents[2]


def tune_config(config, **settings) -> TuneConfig:
    values = {
        "metric": "accuracy" if config.data.stratify else "r2",
        "folds": 2,
        "draws": None,
        "grid": tune_grid(PROJECT, 2),
        **settings,
    }
    return TuneConfig(**values)


def test_candidates_whole_grid_or_seeded_draws(config):
    grid = tune_grid(PROJECT)
    size = math.prod(len(values) for values in grid.values())
    assert len(search.candidates(tune_config(config, grid=grid), config.model, 0)) == size
    drawn = search.candidates(tune_config(config, grid=grid, draws=2), config.model, 0)
    assert len(drawn) == min(2, size)
    assert drawn == search.candidates(tune_config(config, grid=grid, draws=2), config.model, 0)
    assert {model.kind for model in drawn} == {config.model.kind}


def test_candidates_draws_follow_the_seed(config):
    tune = tune_config(config, grid=tune_grid(PROJECT), draws=1)
    draws = {repr(search.candidates(tune, config.model, seed)) for seed in range(10)}
    assert len(draws) > 1


def test_candidates_reject_unknown_hyperparameter(config):
    with pytest.raises(ConfigError, match="unknown key 'tracking.tune.grid.no_such_knob'"):
        search.candidates(tune_config(config, grid={"no_such_knob": [0.1]}), config.model, 0)


def test_check_metric_must_fit_the_task(schema):
    other = "r2" if schema.task == "classification" else "accuracy"
    with pytest.raises(ConfigError, match=f"tracking.tune.metric '{other}' scores"):
        search.check_metric(other, schema)
    with pytest.raises(ConfigError, match="is not a scikit-learn scorer name"):
        search.check_metric("acuracy", schema)


@pytest.mark.parametrize(
    ("metric", "task"),
    [
        ("r2", "regression"),
        ("neg_root_mean_squared_error", "regression"),
        ("f1_macro", "classification"),
    ],
)
def test_scorer_task_names_the_task(metric, task):
    assert search.scorer_task(metric) == task


def test_cross_validate_stratifies_only_classification(config, schema, frame, monkeypatch):
    used = []
    monkeypatch.setattr(
        search, "cross_val_score", lambda *a, cv, **k: used.append(cv) or np.array([0.5])
    )
    assert search.cross_validate(config, tune_config(config), schema, frame) == 0.5
    expected = "StratifiedKFold" if schema.task == "classification" else "KFold"
    assert type(used[0]).__name__ == expected
    assert used[0].random_state == config.seed


def test_model_params_are_named_as_the_pipeline_logs_them(config):
    params = search.model_params(config.model)
    assert params["model.kind"] == config.model.kind
    assert params == {"model.kind": config.model.kind} | {
        f"model.{name}": value for name, value in config.model.params.items()
    }
