"""Shared fixtures, drawn from the project's own `schema.yaml`: after `adopt`, the tests follow
your data. `frame` is a small seeded synthetic table that conforms to the schema, with a target
the features predict; `project` is a project root holding it as a local source. `ran` is one
run of the whole pipeline, shared by the tests that only read what it wrote; `fitted` is one
model fitted on `frame`, shared the same way. No test sees the CI runner's variables."""

import argparse
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from mlreprokit.cli import run_stages
from mlreprokit.config import DataConfig, load_config
from mlreprokit.errors import ProjectError
from mlreprokit.paths import PARAMS as PARAMS_FILE
from mlreprokit.paths import SCHEMA
from mlreprokit.schema import Schema, load_schema
from mlreprokit.synthetic import SOURCE, make_project, relaxed, synthetic
from mlreprokit.tracking_config import TEAM_VARIABLES

from {{ cookiecutter.module_name }}.config import Config, ModelConfig
from {{ cookiecutter.module_name }}.train import fit

PROJECT = Path(__file__).parents[1]
PARAMS = yaml.safe_load((PROJECT / "params.yaml").read_text(encoding="utf-8"))

# What GitHub Actions and GitLab CI put in every job's environment (ci_tags.py reads them).
CI_PREFIXES = ("GITHUB_", "GITLAB_", "CI_", "RUNNER_")
CI_NAMES = {"CI", "GITLAB_CI", "GITHUB_ACTIONS"}


def pytest_configure(config):
    """No tracked run of the tests reaches your team's tracker (TEAM_VARIABLES: each stays in
    its test's folder), and a params.yaml the pipeline refuses stops the run in one line, not in
    an error per test."""
    for name in [name for name in os.environ if name.startswith(TEAM_VARIABLES)]:
        del os.environ[name]
    try:
        load_config(PROJECT / "params.yaml")
    except ProjectError as error:
        pytest.exit(f"error: {error}", returncode=2)


@pytest.fixture(autouse=True, scope="session")
def one_thread_per_library():
    """The tests fit tiny models: one OpenMP/BLAS thread each is much faster there (no threads
    waiting for work on a busy machine) and gives the same results (`nox -s repro` varies it)."""
    with threadpool_limits(1):
        yield


def clear_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(CI_PREFIXES) or name in CI_NAMES:
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def no_ci_environment(monkeypatch):
    """Every test starts as on a developer's machine, whichever CI runs it."""
    clear_ci_environment(monkeypatch)


def project_schema() -> Schema:
    return relaxed(load_schema(PROJECT / SCHEMA))


def project_config(schema: Schema) -> Config:
    return Config(
        seed=0,
        data=DataConfig(
            source=SOURCE,
            sha256=None,
            format="csv",
            test_size=0.25,
            stratify=schema.task == "classification",
        ),
        model=ModelConfig.from_mapping(PARAMS["model"]),  # the project's own model
        metric=PARAMS["metric"],
    )


@pytest.fixture
def schema() -> Schema:
    """The project's schema, as `schema.yaml` declares it (at most MAX_ROWS rows asked for)."""
    return project_schema()


@pytest.fixture
def frame(schema) -> pd.DataFrame:
    return synthetic(schema)


@pytest.fixture
def config(schema) -> Config:
    return project_config(schema)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project root (the working directory) whose pipeline runs on the synthetic data."""
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path, PROJECT)


class RecordingTracker:
    """A tracker that notes what the runner told it, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def start(self, config, command):
        self.calls.append(("start", command))

    def log_manifest(self, manifest):
        self.calls.append(("manifest", manifest["seed"]))

    def log_outputs(self, stages, root):
        self.calls.append(("outputs", stages))

    def end(self, error):
        self.calls.append(("end", error))


@dataclass(frozen=True)
class Run:
    root: Path  # the project root the run wrote its outputs in
    calls: list[tuple[str, object]]  # what the runner told its tracker


@pytest.fixture(scope="session")
def ran(tmp_path_factory) -> Run:
    """One untracked `all` (the kit's runner, `config`, a RecordingTracker observing) in a
    `project`, shared: read its outputs, never change them (copy it: `ran_copy`). The hash-seed
    warning is test_kit's to show (its tracked run seeds the same way)."""
    root = make_project(tmp_path_factory.mktemp("ran"), PROJECT)
    tracker = RecordingTracker()
    with pytest.MonkeyPatch.context() as monkeypatch, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "PYTHONHASHSEED is not fixed", RuntimeWarning)
        clear_ci_environment(monkeypatch)
        monkeypatch.chdir(root)
        args = argparse.Namespace(command="all", params=PARAMS_FILE)
        run_stages(args, project_config(project_schema()), tracker)
    return Run(root, tracker.calls)


@pytest.fixture
def ran_copy(ran, tmp_path, monkeypatch) -> Path:
    """A copy of `ran`'s project root with every output (the working directory), to change."""
    root = shutil.copytree(ran.root, tmp_path / "ran")
    monkeypatch.chdir(root)
    return root


@pytest.fixture(scope="session")
def fitted() -> Pipeline:
    """`fit` of `config` on `frame`, shared: predict with it, never refit or change it."""
    schema = project_schema()
    return fit(project_config(schema), schema, synthetic(schema))
