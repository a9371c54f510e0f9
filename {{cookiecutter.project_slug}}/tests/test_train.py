import dataclasses

import numpy as np

from {{ cookiecutter.module_name }}.data import load_raw
from {{ cookiecutter.module_name }}.paths import TARGET
from {{ cookiecutter.module_name }}.train import build_model, fit


def test_build_model_uses_configured_seed_and_params(config):
    model = build_model(dataclasses.replace(config, seed=0))
    assert model.random_state == 0
    assert model.n_estimators == config.model.n_estimators


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
