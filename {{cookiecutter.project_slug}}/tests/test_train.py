import dataclasses

import numpy as np
import pytest

from mlreprokit.errors import ConfigError
from mlreprokit.schema import model_inputs

from {{ cookiecutter.module_name }}.kinds import KINDS, ModelConfig
from {{ cookiecutter.module_name }}.model import build_model
from {{ cookiecutter.module_name }}.train import fit


def test_build_model_uses_configured_seed_params_and_task(config, schema, frame):
    inputs = model_inputs(frame, schema)
    model = build_model(dataclasses.replace(config, seed=3), schema, inputs)
    estimator = model.named_steps["estimator"]
    assert isinstance(estimator, getattr(KINDS[config.model.kind], schema.task))
    chosen = estimator.get_params()
    assert {name: chosen[name] for name in config.model.params} == config.model.params
    assert chosen.get("random_state", 3) == 3


def test_a_hyperparameter_the_tasks_estimator_ignores_is_one_line(schema):
    other = "regression" if schema.task == "classification" else "classification"
    only_other = {"classification": {"C": 2.0}, "regression": {"alpha": 2.0}}[other]
    model = ModelConfig.from_mapping({"kind": "linear", **only_other})
    with pytest.raises(ConfigError, match=f"kind linear for {schema.task} is .* which takes no"):
        model.estimator(schema.task, 0)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_fits_and_predicts_the_schemas_task(kind, config, schema, frame):
    model = ModelConfig.from_mapping({"kind": kind})
    fitted = fit(dataclasses.replace(config, model=model), schema, frame)
    assert len(fitted.predict(model_inputs(frame, schema))) == len(frame)


def test_fit_same_seed_same_predictions(fitted, config, schema, frame):
    """`fitted` is `fit` of the same config and frame, earlier in the session (conftest.py)."""
    first = fitted.predict(model_inputs(frame, schema))
    again = fit(config, schema, frame).predict(model_inputs(frame, schema))
    np.testing.assert_array_equal(first, again)


def test_fit_learns_the_training_data(fitted, schema, frame):
    assert fitted.score(model_inputs(frame, schema), frame[schema.target]) > 0.8


def test_fit_keeps_target_and_id_out_of_the_model(fitted, schema):
    used = set(fitted.named_steps["prepare"].get_feature_names_out())
    assert schema.target not in used and (schema.id is None or schema.id not in used)
    assert {c.name for c in schema.features if c.is_numeric} <= used


def test_fit_scales_with_train_statistics_only(config, schema, frame):
    numeric = [c.name for c in schema.features if c.is_numeric]
    if not numeric:
        pytest.skip("schema.yaml has no numeric feature")
    model = fit(config, schema, frame.iloc[:100])
    scaler = model.named_steps["prepare"].named_transformers_["numeric"].named_steps["scale"]
    train = frame.iloc[:100][numeric].astype(float)
    np.testing.assert_allclose(scaler.mean_, train.fillna(train.median()).mean().to_numpy())


def test_fit_predicts_rows_with_unseen_categories_and_gaps(fitted, schema, frame):
    rows = model_inputs(frame, schema).head(3).copy()
    for column in schema.features:
        if not column.to_model:
            continue  # a date or text column reaches the model only through features.engineer
        if column.is_numeric:
            rows[column.name] = rows[column.name].astype(float)
            rows.loc[rows.index[0], column.name] = np.nan
        else:
            rows[column.name] = rows[column.name].astype(object)
            rows.loc[rows.index[0], column.name] = "never seen"
    assert len(fitted.predict(rows)) == 3
