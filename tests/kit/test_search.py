import optuna
import pytest
from mlreprokit import search
from mlreprokit.config import ConfigError
from mlreprokit.synthetic import tune_space

from .toy import PROJECT
from .tuning import tune_settings as tune_config


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"low": 1, "hihg": 5}, r"unknown key 'tracking.tune.space.x.hihg': allowed keys are"),
        ({"low": 5, "high": 1}, r"tracking.tune.space.x.low must be below high, got 5 >= 1"),
        ({"low": 0, "high": 1, "log": True}, r"tracking.tune.space.x.log needs low above 0"),
        ({"choices": []}, r"tracking.tune.space.x.choices needs at least one value"),
        ({"choices": [[1]]}, r"tracking.tune.space.x.choices: each must be a number"),
        ({"choices": [1], "low": 1}, r"tracking.tune.space.x: give either choices or low"),
        ({"low": 1}, r"tracking.tune.space.x needs low and high, or choices"),
        ({"low": True, "high": 2}, r"tracking.tune.space.x.low must be int or float or null"),
        ([1, 2], r"tracking.tune.space.x. must be a mapping"),
    ],
)
def test_space_specs_are_checked_in_one_line(config, spec, message):
    with pytest.raises(ConfigError, match=message):
        tune_config(config, space={"x": spec})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("trials", 0, "tracking.tune.trials must be 1 to 10000"),
        ("trials", 10**12, "tracking.tune.trials must be 1 to 10000"),
        ("folds", 1, "tracking.tune.folds must be 2 to 100"),
        ("folds", 10**12, "tracking.tune.folds must be 2 to 100"),
    ],
)
def test_trials_and_folds_are_bounded_in_one_line(config, key, value, message):
    with pytest.raises(ConfigError, match=message):
        tune_config(config, **{key: value})


def test_space_must_not_be_empty(config):
    with pytest.raises(ConfigError, match="tracking.tune.space needs at least one"):
        tune_config(config, space={})
    with pytest.raises(ConfigError, match="unknown key 'tracking.tune.grid'"):
        tune_config(config, grid={"x": [1]})


def test_ints_when_both_bounds_are_ints_floats_otherwise(config):
    space = tune_config(config, space={"a": {"low": 1, "high": 5}, "b": {"low": 1, "high": 5.0}})
    assert space.space["a"].integer and not space.space["b"].integer
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    trial = study.ask()
    params = search.suggest(trial, space.space)
    assert isinstance(params["a"], int) and isinstance(params["b"], float)


def test_space_names_hyperparameters_the_configured_kind_takes(config):
    with pytest.raises(
        ConfigError,
        match=rf"unknown key 'tracking.tune.space.no_such_knob' for kind {config.model.kind}",
    ):
        search.check_space(
            tune_config(config, space={"no_such_knob": {"low": 1, "high": 2}}), config.model
        )
    search.check_space(tune_config(config, space=tune_space(PROJECT)), config.model)


def test_space_bounds_must_be_values_the_model_takes(config):
    name = next(iter(tune_space(PROJECT)))
    with pytest.raises(ConfigError, match=rf"tracking.tune.space.{name}"):
        search.check_space(tune_config(config, space={name: {"low": -5, "high": 2}}), config.model)


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


def test_trials_are_split_between_workers():
    assert search.shares(20, 1) == [20]
    assert search.shares(20, 3) == [7, 7, 6]
    assert search.shares(2, 4) == [1, 1]
