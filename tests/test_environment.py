"""Option environment: conda users get Python from conda and every package from the pip lock."""

import os
import sys

import pytest
import yaml

from .helpers import Baked, bake_locked, run

PIP_SECTION = ["--require-hashes", "-r requirements-dev.txt"]


def conda_environment(project: Baked) -> dict:
    return yaml.safe_load(project.text("environment.yml"))


def pip_entries(environment: dict) -> list[str]:
    return next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))


@pytest.mark.parametrize("python_version", ["3.10", "3.12"])
def test_environment_conda_pins_project_python_and_installs_from_the_hashed_lock(
    baked, python_version
):
    project = baked(environment="conda", python_version=python_version, project_slug="churn")
    environment = conda_environment(project)
    assert environment["name"] == "churn"
    assert environment["channels"] == ["conda-forge"]
    conda_packages = [item for item in environment["dependencies"] if isinstance(item, str)]
    assert conda_packages == [f"python={python_version}", "pip", "nox", "uv"]
    assert pip_entries(environment) == PIP_SECTION
    assert "## Conda" in project.text("README.md")


def test_environment_pip_bakes_no_conda_file(baked):
    project = baked(environment="pip")
    assert "environment.yml" not in project.files()
    assert "## Conda" not in project.text("README.md")


@pytest.mark.slow
def test_environment_conda_pip_step_installs_the_dev_lock(tmp_path):
    """What `conda env create` does with the pip section, on this machine (no conda here): it
    writes the entries to a requirements file beside environment.yml and runs
    `python -m pip install -U -r` on it with the environment's Python (a fresh venv stands in)."""
    project = bake_locked(tmp_path / "bake", environment="conda", tracking="none")
    requirements = project.root / "condaenv.test.requirements.txt"
    requirements.write_text("\n".join(pip_entries(conda_environment(project))) + "\n")
    env_python = tmp_path / "conda-env"
    run([sys.executable, "-m", "uv", "venv", "--seed", str(env_python)], tmp_path)
    python = str(env_python / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", "-U", "-r", requirements.name], project.root)
    run([python, "-m", "pip", "install", "-q", "--no-deps", "--editable", "."], project.root)
    requirements.unlink()
    done = run(
        [python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"],
        project.root,
        PYTHONHASHSEED="0",
        PATH=f"{env_python / 'bin'}{os.pathsep}{os.environ['PATH']}",
    )
    assert " passed" in done.stdout
