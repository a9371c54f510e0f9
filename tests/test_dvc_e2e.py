"""data_versioning=dvc, run for real: `dvc repro` skips what did not change, a param or shared-code
change reruns only the stages that depend on it, `dvc push` / `dvc pull` restore the data in a
fresh clone, and with MLflow one DVC execution is one run that `register` can make a version of."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from .helpers import Baked, bake_locked, nox, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Baked:
    """A DVC project with MLflow (the local store), locks committed, its generated tests passing
    in the dev env. (DVC without MLflow: the stages run untracked, as `--no-track` does.)"""
    baked = bake_locked(tmp_path_factory.mktemp("dvc"), data_versioning="dvc", tracking="mlflow")
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


QUERY = """
import json, mlflow
runs = mlflow.search_runs(experiment_names=["my-ml-project"], output_format="list")
client = mlflow.MlflowClient()
def card(version):
    return {"description": version.description, "tags": version.tags, "run": version.run_id}
"""


def query(project: Baked, code: str) -> object:
    """Run `code` (it prints JSON) with the dev environment's MLflow on the project's store."""
    python = str(project.root / ".nox/tests/bin/python")
    done = run([python, "-c", QUERY + code], project.root)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def first_repro(project) -> dict:
    """What the first `dvc repro` printed (its log lines too) and the MLflow runs it logged."""
    done = dvc(project, "repro")
    runs = query(
        project,
        """print(json.dumps([{"id": r.info.run_id, "tags": r.data.tags, "params": r.data.params,
    "metrics": r.data.metrics, "inputs": sorted(i.dataset.name for i in r.inputs.dataset_inputs)}
    for r in runs]))""",
    )
    return {"output": done.stdout + done.stderr, "runs": runs}


def test_dvc_repro_runs_every_stage_then_skips_them_all(project, first_repro):
    assert ran_stages(first_repro["output"]) == ["data", "features", "train", "evaluate", "profile"]
    second = dvc(project, "repro").stdout
    assert ran_stages(second) == []
    assert "Data and pipelines are up to date." in second


def test_dvc_repro_after_model_param_change_reruns_only_what_reads_the_model(project, first_repro):
    params = project.root / "params.yaml"
    original = params.read_text()
    values = yaml.safe_load(original)
    assert values["model"]["n_estimators"] != 50
    params.write_text(
        original.replace(f"n_estimators: {values['model']['n_estimators']}", "n_estimators: 50")
    )
    try:
        assert ran_stages(dvc(project, "repro").stdout) == ["train", "evaluate", "profile"]
    finally:
        params.write_text(original)
    dvc(project, "repro")  # back to the original outputs (from DVC's run cache)
    assert "up to date" in dvc(project, "status").stdout


def stale_stages(project: Baked) -> list[str]:
    import json

    return sorted(json.loads(dvc(project, "status", "--json").stdout))


def test_dvc_status_after_refresh_records_a_new_data_hash_reruns_from_data(project, first_repro):
    """`refresh` writes one value, data.sha256: DVC sees the data stage's params change, so
    `dvc repro` reruns it and, its output changed, everything after it."""
    params = project.root / "params.yaml"
    original = params.read_text()
    recorded = yaml.safe_load(original)["data"]["sha256"]
    params.write_text(original.replace(recorded, "0" * 64))
    try:
        assert stale_stages(project) == ["data"]
    finally:
        params.write_text(original)
    assert stale_stages(project) == []


@pytest.mark.parametrize(
    ("edited", "affected"),
    [
        ("src/mlreprokit/seed.py", ["data", "evaluate", "features", "profile", "train"]),
        ("src/my_ml_project/config.py", ["data", "evaluate", "features", "profile", "train"]),
        ("src/mlreprokit/schema.py", ["data", "evaluate", "features", "profile", "train"]),
        ("src/my_ml_project/model.py", ["train"]),  # builds the model; evaluate reads its file
        ("src/my_ml_project/features.py", ["features"]),  # the user's own stage, alone
        ("requirements.txt", ["data", "evaluate", "features", "profile", "train"]),
        ("src/mlreprokit/profile.py", ["profile"]),  # the kit's stage, alone
    ],
)
def test_dvc_status_after_shared_code_or_lock_edit_names_the_stages_it_affects(
    project, first_repro, edited, affected
):
    path = project.root / edited
    original = path.read_text()
    path.write_text(original + "\n# an edit\n")
    try:
        assert stale_stages(project) == affected
    finally:
        path.write_text(original)
    assert stale_stages(project) == []


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


def test_dvc_repro_is_one_mlflow_run_with_params_data_model_and_metrics(project, first_repro):
    assert "Failed to resolve installed pip version" not in first_repro["output"]
    assert [found["tags"]["command"] for found in first_repro["runs"]] == ["dvc repro"]
    (repro,) = first_repro["runs"]
    assert repro["metrics"] == json.loads(project.text("reports/metrics.json"))
    assert repro["tags"]["model_uri"].startswith("models:/")
    assert repro["params"]["model.n_estimators"]
    assert repro["inputs"] == ["test", "train"]


def test_dvc_register_makes_a_version_with_metrics_and_a_full_card(project, first_repro):
    (repro,) = first_repro["runs"]
    python = str(project.root / ".nox/tests/bin/python")
    run([python, "-m", "my_ml_project", "register", "--run-id", repro["id"]], project.root)
    version = query(
        project,
        'print(json.dumps(card(client.get_model_version_by_alias("my-ml-project", "challenger"))))',
    )
    assert version["run"] == repro["id"]
    accuracy = repro["metrics"]["accuracy"]
    assert version["tags"]["metrics.accuracy"] == f"{accuracy:.6g}"
    description = version["description"]
    assert f"| accuracy | {accuracy} |" in description
    for section in ("## Metrics (test split)", "## Data", "## Origin", "## Parameters"):
        assert section in description
    assert "| training | train |" in description and "| model.n_estimators |" in description


def test_dvc_exp_run_is_one_mlflow_run_named_after_the_experiment(project, first_repro):
    kept = ("params.yaml", "dvc.lock", "reports/metrics.json")  # metrics: in git, not the cache
    saved = {name: (project.root / name).read_text() for name in kept}
    try:
        dvc(project, "exp", "run", "-n", "smaller-forest", "-S", "model.n_estimators=20")
    finally:  # the experiment ran in the workspace: back to the committed params and outputs
        for name, text in saved.items():
            (project.root / name).write_text(text)
        dvc(project, "checkout", "--force")
    found = query(
        project,
        """print(json.dumps([r.data.tags for r in runs
    if r.data.tags.get("dvc.experiment") == "smaller-forest"]))""",
    )
    assert len(found) == 1
    (tags,) = found
    assert tags["command"] == "dvc exp run"
    assert tags["mlflow.runName"].startswith("smaller-forest-")
    assert tags["model_uri"].startswith("models:/")
    assert "up to date" in dvc(project, "status").stdout
