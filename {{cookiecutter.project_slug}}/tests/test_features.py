import dataclasses
import math

from {{ cookiecutter.module_name }}.data import load_raw
from {{ cookiecutter.module_name }}.features import split
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


def test_split_keeps_raw_values(config):
    frame = load_raw()
    train, _ = split(frame, config)
    assert train.equals(frame.loc[train.index])
    assert TARGET in train.columns
