"""data_versioning=dvc, run for real: `dvc repro` skips what did not change, a param change reruns
only the stages that depend on it, and `dvc push` / `dvc pull` restore the data in a fresh clone."""

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from .helpers import Baked, bake, nox, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Baked:
    """A DVC project (tracking off), locked, with its generated tests passing in the dev env."""
    baked = bake(tmp_path_factory.mktemp("dvc"), data_versioning="dvc", tracking="none")
    nox(baked, "-s", "lock")
    nox(baked, "-s", "tests")  # installs the dev lock (dvc included) into .nox/tests
    return baked


def dvc(project: Baked, *args: str, cwd: Path | None = None, **env: str):
    """Run the dev environment's dvc, with its python first on PATH and a home of its own
    (the default remote lives under `~`)."""
    bin_dir = project.root / ".nox" / "tests" / "bin"
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    home = project.root.parent / "home"
    home.mkdir(exist_ok=True)
    command = [str(bin_dir / "dvc"), *args]
    return run(command, cwd or project.root, PATH=path, HOME=str(home), **env)


def ran_stages(output: str) -> list[str]:
    return re.findall(r"Running stage '(\w+)'", output)


@pytest.fixture(scope="module")
def first_repro(project) -> str:
    return dvc(project, "repro").stdout


def test_dvc_repro_runs_every_stage_then_skips_them_all(project, first_repro):
    assert ran_stages(first_repro) == ["data", "features", "train", "evaluate"]
    second = dvc(project, "repro").stdout
    assert ran_stages(second) == []
    assert "Data and pipelines are up to date." in second


def test_dvc_repro_after_model_param_change_reruns_only_train_and_evaluate(project, first_repro):
    params = project.root / "params.yaml"
    original = params.read_text()
    values = yaml.safe_load(original)
    assert values["model"]["n_estimators"] != 50
    params.write_text(
        original.replace(f"n_estimators: {values['model']['n_estimators']}", "n_estimators: 50")
    )
    try:
        assert ran_stages(dvc(project, "repro").stdout) == ["train", "evaluate"]
    finally:
        params.write_text(original)
    dvc(project, "repro")  # back to the original outputs (from DVC's run cache)
    assert "up to date" in dvc(project, "status").stdout


def test_dvc_push_then_pull_in_fresh_clone_restores_data_byte_for_byte(
    project, first_repro, tmp_path
):
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com"]
    run([*git, "add", "dvc.lock", "reports/metrics.json"], project.root)
    run([*git, "commit", "-q", "--no-verify", "-m", "Run the pipeline"], project.root)
    dvc(project, "push")
    assert (project.root.parent / "home/dvc-remotes/my-ml-project").is_dir()
    clone = tmp_path / "elsewhere" / "clone"  # anywhere on the machine: the remote is under ~
    run(["git", "clone", "-q", str(project.root), str(clone)], tmp_path)
    assert not (clone / "data/raw/data.csv").exists()
    dvc(project, "pull", cwd=clone)
    outputs = yaml.safe_load((project.root / "dvc.lock").read_text())["stages"]
    paths = [out["path"] for stage in outputs.values() for out in stage["outs"]]
    assert "data/raw/data.csv" in paths
    for path in paths:
        assert (clone / path).read_bytes() == (project.root / path).read_bytes(), path
    assert "up to date" in dvc(project, "status", cwd=clone).stdout


def test_dvc_analytics_are_off_without_the_environment_variable(project):
    done = dvc(project, "status", "--verbose", DVC_NO_ANALYTICS="")
    assert "Analytics is disabled." in done.stdout + done.stderr


def test_dvc_repro_writes_no_gitignore_of_its_own(project, first_repro):
    # The project's .gitignore already ignores every output, so DVC adds none beside them.
    untracked = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"],
        cwd=project.root,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert [path for path in untracked if path.endswith(".gitignore")] == []
    assert "data/raw/data.csv" not in untracked


def test_repro_session_matches_dvc_lock(project, first_repro):
    done = nox(project, "-s", "repro")
    assert "MATCHES dvc.lock" in done.stdout


def test_repro_session_names_output_that_drifts_from_dvc_lock(project, first_repro):
    lock = project.root / "dvc.lock"
    original = lock.read_text()
    recorded = yaml.safe_load(original)["stages"]["train"]["outs"][0]
    assert recorded["path"] == "models/model.joblib"
    lock.write_text(original.replace(recorded["md5"], "f" * 32))
    try:
        done = nox(project, "-s", "repro", check=False)
    finally:
        lock.write_text(original)
    assert done.returncode != 0
    assert "models/model.joblib: differs from dvc.lock" in done.stdout


def test_data_guard_lets_dvc_pointers_and_lock_through(project, first_repro):
    (project.root / "data/external/table.csv").write_text("a\n1\n")
    (project.root / "data/external/table.csv.dvc").write_text("outs:\n- path: table.csv\n")
    try:
        done = run(
            [
                str(project.root / ".nox/tests/bin/pre-commit"),
                "run",
                "no-data-in-git",
                "--files",
                "data/external/table.csv",
                "data/external/table.csv.dvc",
                "dvc.lock",
            ],
            project.root,
            check=False,
        )
    finally:
        (project.root / "data/external/table.csv").unlink()
        (project.root / "data/external/table.csv.dvc").unlink()
    assert done.returncode == 1
    assert "data/external/table.csv:" in done.stdout
    assert "table.csv.dvc" not in done.stdout
    assert "dvc.lock" not in done.stdout


def test_lock_files_hook_accepts_dvc_pinned_once_for_lock_and_git_hooks(project):
    pre_commit = str(project.root / ".nox/tests/bin/pre-commit")
    run([pre_commit, "run", "lock-files", "--all-files"], project.root)
