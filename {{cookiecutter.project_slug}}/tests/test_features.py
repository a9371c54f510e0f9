import dataclasses
import math

import joblib
import pytest

from mlreprokit.config import ConfigError
from mlreprokit.paths import MODEL, TEST_DATA

from {{ cookiecutter.module_name }} import features
from {{ cookiecutter.module_name }}.features import split
from {{ cookiecutter.module_name }}.pipeline import PIPELINE


def test_split_same_seed_same_rows(config, frame, schema):
    first, _ = split(frame, config, schema)
    again, _ = split(frame, config, schema)
    assert first.index.equals(again.index)


def test_split_derives_from_configured_seed(config, frame, schema):
    first, _ = split(frame, config, schema)
    other, _ = split(frame, dataclasses.replace(config, seed=1), schema)
    assert not first.index.equals(other.index)


def test_split_keeps_every_row_once(config, frame, schema):
    train, test = split(frame, config, schema)
    assert len(test) == math.ceil(len(frame) * config.data.test_size)
    assert sorted(train.index.append(test.index)) == list(frame.index)


def test_split_keeps_raw_values(config, frame, schema):
    train, _ = split(frame, config, schema)
    assert train.equals(frame.loc[train.index])
    assert schema.target in train.columns


def stratified(config):
    return dataclasses.replace(config, data=dataclasses.replace(config.data, stratify=True))


def test_split_stratify_refused_for_regression(config, frame, schema):
    regression = dataclasses.replace(schema, task="regression")
    with pytest.raises(ConfigError, match="data.stratify: true needs a classification task"):
        split(frame, stratified(config), regression)


def test_split_stratify_names_a_class_too_small(config, frame, schema):
    classification = dataclasses.replace(schema, task="classification")
    frame[schema.target] = ["rare"] + ["common"] * (len(frame) - 1)
    with pytest.raises(ConfigError, match="class 'rare' of column .* has only 1 row"):
        split(frame, stratified(config), classification)


def test_engineered_column_reaches_the_model(config, project, schema, monkeypatch):
    numeric = [c.name for c in schema.features if c.is_numeric][:2]
    if len(numeric) < 2:
        pytest.skip("schema.yaml has fewer than two numeric features")
    first, second = numeric

    def with_ratio(frame):
        return frame.assign(ratio=frame[first] / (frame[second].abs() + 1))

    monkeypatch.setattr(features, "engineer", with_ratio)
    PIPELINE.run(list(PIPELINE.names), config, project)
    model = joblib.load(project / MODEL)
    assert "ratio" in model.feature_names_in_
    assert "ratio" in model.named_steps["prepare"].get_feature_names_out()
    assert "ratio" in (project / TEST_DATA).read_text().splitlines()[0].split(",")
