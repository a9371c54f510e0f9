"""Fixtures of the kit's tests, drawn from the project's `schema.yaml` and `params.yaml` as the
baked project's own fixtures are: `frame` is a small seeded synthetic table that conforms to the
schema, `project` a project root holding it as a local source. No test sees CI's variables."""

import os
import shutil

# isort: off
from .toy import FOLDER, PROJECT  # first: it puts the project's src/ on the import path

# isort: on

import pandas as pd
import pytest
import yaml
from mlreprokit.config import DataConfig
from mlreprokit.paths import SCHEMA
from mlreprokit.project import load_pipeline
from mlreprokit.schema import Schema, load_schema
from mlreprokit.synthetic import SOURCE, make_project, relaxed, synthetic
from mlreprokit.tracking_config import TEAM_VARIABLES

PARAMS = yaml.safe_load((PROJECT / "params.yaml").read_text(encoding="utf-8"))
PIPELINE = load_pipeline(PROJECT)

# What GitHub Actions and GitLab CI put in every job's environment (ci_tags.py reads them).
CI_PREFIXES = ("GITHUB_", "GITLAB_", "CI_", "RUNNER_")
CI_NAMES = {"CI", "GITLAB_CI", "GITHUB_ACTIONS"}


def pytest_configure(config):
    """No run of the session reaches a team's tracker (TEAM_VARIABLES): each stays in its test's
    folder, or in the store a test names."""
    for name in [name for name in os.environ if name.startswith(TEAM_VARIABLES)]:
        del os.environ[name]


def pytest_unconfigure(config):
    shutil.rmtree(FOLDER, ignore_errors=True)


@pytest.fixture(autouse=True)
def in_the_project(monkeypatch):
    """Every test starts in the project's root, as `nox -s tests` runs a project's tests."""
    monkeypatch.chdir(PROJECT)


@pytest.fixture(autouse=True)
def no_ci_environment(monkeypatch):
    """Every test starts as on a developer's machine, whichever CI runs it."""
    for name in list(os.environ):
        if name.startswith(CI_PREFIXES) or name in CI_NAMES:
            monkeypatch.delenv(name)


@pytest.fixture
def schema() -> Schema:
    """The project's schema, as `schema.yaml` declares it (at most MAX_ROWS rows asked for)."""
    return relaxed(load_schema(PROJECT / SCHEMA))


@pytest.fixture
def frame(schema) -> pd.DataFrame:
    return synthetic(schema)


@pytest.fixture
def config(schema):
    return PIPELINE.config(
        seed=0,
        data=DataConfig(
            source=SOURCE,
            sha256=None,
            format="csv",
            test_size=0.25,
            stratify=schema.task == "classification",
        ),
        model=PIPELINE.model_config.from_mapping(PARAMS["model"]),
        metric=PARAMS["metric"],
    )


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project root (the working directory) whose pipeline runs on the synthetic data."""
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path, PROJECT)
