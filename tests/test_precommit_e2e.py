"""End to end, default options: the generated pre-commit hooks pass a clean project and stop each
thing that must not be committed. Each fault is staged in the one locked project, then undone."""

import json
import re

import pytest

from .helpers import nox, run

pytestmark = pytest.mark.slow

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": 3,
            "metadata": {},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["42\n"]}],
            "source": ["print(42)"],
        }
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}
KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n"
# AWS's own documentation example of a key pair (not a live key).
AWS_KEYS = (
    "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
)


@pytest.fixture(scope="module")
def pre_commit(locked_project):
    """The pre-commit of the project's own `lint` environment (installed from its dev lock)."""
    nox(locked_project, "-s", "lint", "--install-only")
    return str(locked_project.root / ".nox" / "lint" / "bin" / "pre-commit")


def test_nox_lint_passes_on_fresh_project(locked_project, pre_commit):
    done = nox(locked_project, "-s", "lint")
    assert "lock files match requirements" in done.stdout + done.stderr


def test_pre_commit_passes_on_fresh_bake_before_lock(baked, pre_commit):
    project = baked(project_name="Fresh Hooks")
    run(["git", "add", "-A"], project.root)
    done = run([pre_commit, "run", "--all-files"], project.root, check=False)
    assert done.returncode == 0, done.stdout[-4000:]


def test_pre_commit_ruff_pin_is_the_dev_lock_pin(locked_project):
    lock = locked_project.text("requirements-dev.txt")
    locked = re.search(r"^ruff==(\S+)", lock, re.MULTILINE).group(1)
    pinned = set(re.findall(r"ruff==([\w.]+)", locked_project.text(".pre-commit-config.yaml")))
    assert pinned == {locked}


@pytest.mark.parametrize(
    ("fault", "hook_output"),
    [
        ("notebook_with_outputs", "files were modified by this hook"),
        ("unlocked_requirement", "requirements.in requires `humanize` but requirements.txt"),
        ("force_added_data", "data/raw/wine_copy.csv: data stays out of git"),
        ("private_key", "Private key found: deploy_key"),
        ("aws_key_pair", "Secret Type: AWS Access Key"),
    ],
)
def test_pre_commit_stops_commit_of(locked_project, pre_commit, fault, hook_output):
    root = locked_project.root
    if fault == "notebook_with_outputs":
        path = "notebooks/explore.ipynb"
        (root / path).write_text(json.dumps(NOTEBOOK, indent=1))
    elif fault == "unlocked_requirement":
        path = "requirements.in"
        (root / path).write_text(locked_project.text(path).rstrip("\n") + "\nhumanize\n")
    elif fault == "force_added_data":
        path = "data/raw/wine_copy.csv"
        (root / path).write_text("a,b\n1,2\n")
    elif fault == "aws_key_pair":
        path = "credentials.ini"
        (root / path).write_text(AWS_KEYS)
    else:
        path = "deploy_key"
        (root / path).write_text(KEY)
    run(["git", "add", "--force", path], root)
    try:
        done = run([pre_commit, "run"], root, check=False)  # the staged files, as a commit does
    finally:
        run(["git", "reset", "-q", "--", path], root)
        if fault == "unlocked_requirement":
            run(["git", "checkout", "--", path], root)
        else:
            (root / path).unlink()
    assert done.returncode != 0
    assert hook_output in done.stdout, done.stdout[-4000:]


def test_nox_lint_on_a_dirty_tree_does_not_show_your_edits_as_the_hooks(locked_project):
    """Outside CI, a failing hook is reported without `git diff` of the whole tree."""
    root = locked_project.root
    path = root / "tools" / "check_locks.py"
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\nMY_OWN_EDIT = 1\nx=1\n", encoding="utf-8")  # unformatted
    try:
        done = nox(locked_project, "-s", "lint", check=False, CI="")
    finally:
        path.write_text(original, encoding="utf-8")
    assert done.returncode != 0
    assert "ruff format" in done.stdout
    assert "All changes made by hooks" not in done.stdout
    assert "MY_OWN_EDIT" not in done.stdout


def test_nox_dev_makes_venv_with_the_package_and_tools(locked_project):
    done = nox(locked_project, "-s", "dev")
    assert "pre-commit install" in done.stdout + done.stderr
    assert re.search(r"making \.venv from requirements-dev\.txt: done in [\d.]+ s", done.stderr)
    venv = locked_project.root / ".venv" / "bin"
    assert (venv / "pre-commit").exists() and (venv / "mypy").exists()
    imported = run(
        [str(venv / "python"), "-c", f"import pandas, {locked_project.module}; print('ok')"],
        locked_project.root,
    )
    assert imported.stdout.strip() == "ok"
