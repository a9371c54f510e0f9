"""The generated pre-commit config: PyPI-only pinned hooks, one ruff pin, the data guard's reach."""

import re

import pytest
import yaml

PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[0-9][\w.]*$")


def hooks(project) -> list[dict]:
    config = yaml.safe_load(project.text(".pre-commit-config.yaml"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    return config["repos"][0]["hooks"]


def selects(hook: dict, path: str) -> bool:
    """Whether pre-commit would pass `path` to the hook (its `files` and `exclude` regexes)."""
    return bool(re.search(hook.get("files", ""), path)) and not (
        "exclude" in hook and re.search(hook["exclude"], path)
    )


@pytest.mark.parametrize("dvc", ["none", "dvc"])
def test_precommit_config_hooks_are_python_from_pinned_pypi_packages(baked, dvc):
    for hook in hooks(baked(data_versioning=dvc)):
        assert hook["language"] == "python", hook["id"]
        for requirement in hook.get("additional_dependencies", []):
            assert PIN.match(requirement), requirement


def test_precommit_config_ruff_pin_is_requirements_dev_pin(baked):
    project = baked()
    dev_pin = re.search(r"^ruff==(\S+)", project.text("requirements-dev.in"), re.MULTILINE)
    ruff_pins = {
        requirement
        for hook in hooks(project)
        for requirement in hook.get("additional_dependencies", [])
        if requirement.startswith("ruff==")
    }
    assert ruff_pins == {f"ruff=={dev_pin.group(1)}"}


@pytest.mark.parametrize(
    ("dvc", "path", "stopped"),
    [
        ("none", "data/raw/wine.csv", True),
        ("none", "data/processed/sub/x.parquet", True),
        ("none", "data/raw/.gitkeep", False),
        ("none", "src/data.py", False),
        ("none", "data/raw.dvc", True),
        ("dvc", "data/raw.dvc", False),
        ("dvc", "data/raw/.gitignore", False),
        ("dvc", "data/raw/wine.csv", True),
    ],
)
def test_precommit_config_data_guard_selects_data_files_only(baked, dvc, path, stopped):
    project = baked(data_versioning=dvc)
    guard = next(hook for hook in hooks(project) if hook["id"] == "no-data-in-git")
    assert selects(guard, path) is stopped
