import math

import pytest
from mlreprokit import search
from mlreprokit.config import ConfigError
from mlreprokit.synthetic import tune_grid
from mlreprokit.tune_config import TuneConfig

from .toy import PROJECT


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
    with pytest.raises(ConfigError, match=f"tracking.tune.metric '{other}' is not a {schema.task}"):
        search.check_metric(other, schema)
    with pytest.raises(ConfigError, match="allowed are"):
        search.check_metric("acuracy", schema)


def test_cross_validate_negates_a_loss(config, schema, frame):
    loss = "log_loss" if schema.task == "classification" else "rmse"
    score = search.cross_validate(config, tune_config(config, metric=loss), schema, frame)
    assert score < 0  # greater is better for every scorer, so a loss is negated
