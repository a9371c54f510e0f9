import dataclasses
import math

import pandas as pd

from {{ cookiecutter.module_name }}.data import load_raw
from {{ cookiecutter.module_name }}.features import split, standardise
from {{ cookiecutter.module_name }}.paths import TARGET


def test_split_same_seed_same_rows(config):
    frame = load_raw()
    first, _ = split(frame, config)
    again, _ = split(frame, config)
    assert first.index.equals(again.index)


def test_split_derives_from_configured_seed(config):
    frame = load_raw()
    first, _ = split(frame, config)
    other, _ = split(frame, dataclasses.replace(config, seed=1))
    assert not first.index.equals(other.index)


def test_split_keeps_every_row_once(config):
    frame = load_raw()
    train, test = split(frame, config)
    assert len(test) == math.ceil(len(frame) * config.data.test_size)
    assert sorted(train.index.append(test.index)) == list(frame.index)


def test_standardise_uses_train_statistics_only():
    train = pd.DataFrame({"x": [1.0, 3.0], TARGET: [0, 1]})
    test = pd.DataFrame({"x": [5.0], TARGET: [1]})
    scaled_train, scaled_test = standardise(train, test)
    assert scaled_train["x"].tolist() == [-1.0, 1.0]
    assert scaled_test["x"].tolist() == [3.0]
    assert scaled_test[TARGET].tolist() == [1]
