"""Shared fixtures: a small, valid configuration; tests free of the CI runner's variables."""

import os

import pytest

from {{ cookiecutter.module_name }}.config import Config, DataConfig, ModelConfig

# What GitHub Actions and GitLab CI put in every job's environment (ci_tags.py reads them).
CI_PREFIXES = ("GITHUB_", "GITLAB_", "CI_", "RUNNER_")
CI_NAMES = {"CI", "GITLAB_CI", "GITHUB_ACTIONS"}


@pytest.fixture(autouse=True)
def no_ci_environment(monkeypatch):
    """Every test starts as on a developer's machine, whichever CI runs it."""
    for name in list(os.environ):
        if name.startswith(CI_PREFIXES) or name in CI_NAMES:
            monkeypatch.delenv(name)


@pytest.fixture
def config() -> Config:
    return Config(
        seed=0,
        data=DataConfig(test_size=0.25, stratify=True),
        model=ModelConfig(n_estimators=10, max_depth=3, min_samples_leaf=1),
    )
