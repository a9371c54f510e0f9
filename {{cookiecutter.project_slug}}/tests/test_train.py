import dataclasses

import numpy as np

from {{ cookiecutter.module_name }}.data import load_raw
from {{ cookiecutter.module_name }}.paths import TARGET
from {{ cookiecutter.module_name }}.train import build_model, fit


def test_build_model_uses_configured_seed_and_params(config):
    forest = build_model(dataclasses.replace(config, seed=0)).named_steps["forest"]
    assert forest.random_state == 0
    assert forest.n_estimators == config.model.n_estimators


def test_fit_same_seed_same_predictions(config):
    frame = load_raw()
    features = frame.drop(columns=TARGET)
    first = fit(config, frame).predict_proba(features)
    again = fit(config, frame).predict_proba(features)
    np.testing.assert_array_equal(first, again)


def test_fit_learns_the_training_data(config):
    frame = load_raw()
    model = fit(config, frame)
    assert (model.predict(frame.drop(columns=TARGET)) == frame[TARGET]).mean() > 0.9


def test_fit_scales_with_train_statistics_only(config):
    frame = load_raw()
    model = fit(config, frame.iloc[:100])
    scaler = model.named_steps["scale"]
    features = frame.drop(columns=TARGET)
    np.testing.assert_allclose(scaler.mean_, features.iloc[:100].mean().to_numpy())
