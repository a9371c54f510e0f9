"""Shared fixtures: a small, valid configuration and an empty project root."""

import pytest

from {{ cookiecutter.module_name }}.config import Config, DataConfig, ModelConfig


@pytest.fixture
def config() -> Config:
    return Config(
        seed=0,
        data=DataConfig(test_size=0.25, stratify=True),
        model=ModelConfig(n_estimators=10, max_depth=3, min_samples_leaf=1),
    )
