"""The kit's tests use the project's own fixtures (its `tests/conftest.py`: `schema`, `frame`,
`config`, `project`, and no CI variables), so they follow the project's `schema.yaml` and
`params.yaml` as its tests do; each test starts in the project's root, as `nox -s tests` does."""

import importlib.util
import os
import shutil

# isort: off
from .toy import FOLDER, PROJECT  # first: it puts the project's src/ on the import path

# isort: on

import pytest
from mlreprokit.project import load_pipeline


def load_fixtures():
    """The project's `tests/conftest.py`, as a module of its own."""
    spec = importlib.util.spec_from_file_location("project_conftest", PROJECT / "tests/conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIXTURES = load_fixtures()
schema, frame, config, project = FIXTURES.schema, FIXTURES.frame, FIXTURES.config, FIXTURES.project
no_ci_environment = FIXTURES.no_ci_environment
one_thread_per_library = FIXTURES.one_thread_per_library
PIPELINE = load_pipeline(PROJECT)


def pytest_configure(config):
    """The project's own session checks (no team tracker, a valid params.yaml), in its root."""
    here = os.getcwd()
    os.chdir(PROJECT)
    try:
        FIXTURES.pytest_configure(config)
    finally:
        os.chdir(here)


def pytest_unconfigure(config):
    shutil.rmtree(FOLDER, ignore_errors=True)


@pytest.fixture(autouse=True)
def in_the_project(monkeypatch):
    """Every test starts in the project's root, as `nox -s tests` runs a project's tests."""
    monkeypatch.chdir(PROJECT)
