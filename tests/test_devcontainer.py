"""Option devcontainer: a valid devcontainer.json whose post-create builds .venv from the lock."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from .helpers import Baked, bake, run

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "devcontainer.schema.json").read_text())
CONFIG = ".devcontainer/devcontainer.json"
POST_CREATE = ".devcontainer/post-create.sh"
# Stands in for `python` on PATH: records each call instead of installing anything.
RECORDING_PYTHON = '#!/bin/sh\necho "$*" >> "$CALLS"\n'


def schema_errors(config: dict) -> list[str]:
    return [error.message for error in jsonschema.Draft7Validator(SCHEMA).iter_errors(config)]


def config_of(project: Baked) -> dict:
    return json.loads(project.text(CONFIG))


def post_create_calls(project: Baked, tmp_path: Path) -> list[str]:
    """Run the post-create script with a recording `python`; return the calls it made."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python"
    python.write_text(RECORDING_PYTHON)
    python.chmod(0o755)
    calls = tmp_path / "calls.log"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "CALLS": str(calls)}
    subprocess.run(["sh", POST_CREATE], cwd=project.root, env=env, check=True, capture_output=True)
    return calls.read_text().splitlines()


@pytest.mark.parametrize("python_version", ["3.10", "3.13"])
def test_devcontainer_yes_config_is_valid_and_uses_project_python(baked, python_version):
    project = baked(devcontainer="yes", python_version=python_version)
    config = config_of(project)
    assert schema_errors(config) == []
    assert config["image"] == f"mcr.microsoft.com/devcontainers/python:{python_version}"


def test_devcontainer_schema_rejects_misspelt_key_bad_command_and_bare_extension(baked):
    good = config_of(baked(devcontainer="yes"))
    misspelt = {**good, "postCreateComand": good["postCreateCommand"]}
    bad_command = {**good, "postCreateCommand": 42}
    bare_extension = copy.deepcopy(good)
    bare_extension["customizations"]["vscode"]["extensions"].append("ruff")
    for broken in (misspelt, bad_command, bare_extension):
        assert schema_errors(broken) != []


def test_devcontainer_yes_editor_runs_on_the_locked_venv_with_data_science_extensions(baked):
    project = baked(
        devcontainer="yes", project_name='The "Q" Model', project_slug="q-model", module_name="q"
    )
    config = config_of(project)
    assert config["name"] == 'The "Q" Model'
    vscode = config["customizations"]["vscode"]
    assert {"ms-python.python", "ms-toolsai.jupyter", "charliermarsh.ruff"} <= set(
        vscode["extensions"]
    )
    interpreter = vscode["settings"]["python.defaultInterpreterPath"]
    assert interpreter == "${containerWorkspaceFolder}/.venv/bin/python"
    assert config["postCreateCommand"] == f"sh {POST_CREATE}"
    assert config["containerEnv"]["PYTHONHASHSEED"] == "0"  # as in every nox session
    assert "/.venv/" in project.text(".gitignore").splitlines()
    assert "ipykernel" in project.text("requirements-dev.in")


def test_devcontainer_no_bakes_no_container_and_no_kernel(baked):
    project = baked(devcontainer="no")
    assert not any(path.startswith(".devcontainer/") for path in project.files())
    assert "ipykernel" not in project.text("requirements-dev.in")


def test_devcontainer_post_create_locks_first_when_project_has_no_lock(tmp_path):
    project = bake(tmp_path / "bake", devcontainer="yes")
    calls = post_create_calls(project, tmp_path)
    assert calls[0].startswith("-m pip install") and calls[0].endswith("nox uv")
    assert calls[1] == "-m nox -s lock"
    assert calls[2:] == [
        "-m venv --without-pip .venv",
        "-m uv pip sync --python .venv/bin/python --require-hashes requirements-dev.txt",
        "-m uv pip install --python .venv/bin/python --no-deps --editable .",
    ]


def test_devcontainer_post_create_keeps_existing_lock(tmp_path):
    project = bake(tmp_path / "bake", devcontainer="yes")
    (project.root / "requirements-dev.txt").write_text("# a lock made earlier\n")
    calls = post_create_calls(project, tmp_path)
    assert "-m nox -s lock" not in calls
    assert "--require-hashes requirements-dev.txt" in calls[-2]


@pytest.mark.slow
def test_devcontainer_post_create_builds_working_venv_on_fresh_project(tmp_path):
    """A first container create: no lock yet; the script locks, builds .venv, and tests pass."""
    project = bake(tmp_path / "bake", devcontainer="yes")
    tools = tmp_path / "tools"  # stands in for the container's system Python
    run([sys.executable, "-m", "uv", "venv", "--seed", "-p", sys.executable, str(tools)], tmp_path)
    path = f"{tools / 'bin'}{os.pathsep}{os.environ['PATH']}"

    run(["sh", POST_CREATE], project.root, PATH=path)
    venv_python = str(project.root / ".venv" / "bin" / "python")
    run([venv_python, "-c", f"import ipykernel, pytest, {project.module}"], project.root)
    container_env = config_of(project)["containerEnv"]
    run([venv_python, "-m", "pytest", "-q", "-x", "-m", "not slow"], project.root, **container_env)

    lock = (project.root / "requirements-dev.txt").read_text()
    run(["sh", POST_CREATE], project.root, PATH=path)  # a rebuild: the lock is kept as it is
    assert (project.root / "requirements-dev.txt").read_text() == lock
