"""End to end, tracking=wandb in offline mode: what the pipeline's run and `tune` write, read
back from W&B's own run files; `--no-track`, `repro` and a missing login; and `nox` green."""

import json
from pathlib import Path

import pytest

from .helpers import Baked, bake_locked, nox, run

pytestmark = pytest.mark.slow

READER = Path(__file__).parent / "wandb" / "read_offline_runs.py"


def wandb_env(project: Baked) -> dict[str, str]:
    """W&B's folders beside the project (never the home of the machine running the tests)."""
    home = project.root.parent / "wandb-home"
    return {
        "WANDB_CACHE_DIR": str(home / "cache"),
        "WANDB_DATA_DIR": str(home / "data"),
        "WANDB_CONFIG_DIR": str(home / "config"),
        "NETRC": str(home / "netrc"),  # no login is found
    }


def offline_runs(project: Baked) -> dict[str, dict]:
    """Every offline run in the project's wandb/, by run id, parsed from its run file."""
    python = project.root / ".nox" / "pipeline" / "bin" / "python"
    done = run([str(python), str(READER), str(project.root / "wandb")], project.root)
    return {parsed["id"]: parsed for parsed in json.loads(done.stdout)}


def new_runs(project: Baked, before: dict[str, dict]) -> list[dict]:
    return [parsed for run_id, parsed in offline_runs(project).items() if run_id not in before]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Baked:
    return bake_locked(tmp_path_factory.mktemp("wandb"), tracking="wandb", ci="github")


@pytest.fixture(scope="module")
def pipeline_run(project) -> dict:
    """The run of one `nox -s pipeline` (offline: tracking.mode's default)."""
    nox(project, "-s", "pipeline", **wandb_env(project))
    before = offline_runs(project)
    nox(project, "-s", "pipeline", **wandb_env(project))
    (parsed,) = new_runs(project, before)
    return parsed


def test_wandb_run_is_named_after_command_and_commit_in_the_project(project, pipeline_run):
    commit = run(["git", "rev-parse", "--short=8", "HEAD"], project.root).stdout.strip()
    assert pipeline_run["name"] == f"all-{commit}"
    assert pipeline_run["job_type"] == "all"
    assert pipeline_run["project"] == "my-ml-project"
    assert f"commit-{commit}" in pipeline_run["tags"]


def test_wandb_run_config_is_params_and_manifest(project, pipeline_run):
    config = pipeline_run["config"]
    assert config["seed"] == 0
    assert config["model.n_estimators"] == 200
    assert config["data.source"] == "bundled:breast_cancer"
    assert not [key for key in config if key.startswith(("gate.", "tracking."))]
    manifest = json.loads((project.root / "reports/manifest.json").read_text())
    assert config["manifest.git_commit"] == manifest["git_commit"]
    assert config["manifest.git_dirty"] == str(manifest["git_dirty"])
    assert config["manifest.params_sha256"] == manifest["params_sha256"]
    lock = "manifest.locks_sha256.requirements.txt"
    assert config[lock] == manifest["locks_sha256"]["requirements.txt"]
    assert len(config["data_raw_sha256"]) == 64


def test_wandb_run_logs_the_metrics_and_the_figure(project, pipeline_run):
    metrics = json.loads((project.root / "reports/metrics.json").read_text())
    (row,) = pipeline_run["history"]
    assert {name: row[name] for name in metrics} == pytest.approx(metrics)
    assert {name: pipeline_run["summary"][name] for name in metrics} == pytest.approx(metrics)
    assert row["figures/evaluation._type"] == "image-file"
    assert row["figures/evaluation.path"] in pipeline_run["files"]


def test_wandb_run_logs_the_model_artifact_and_the_manifest_file(project, pipeline_run):
    (artifact,) = pipeline_run["artifacts"]
    assert (artifact["name"], artifact["type"], artifact["files"]) == (
        "model",
        "model",
        ["model.joblib"],
    )
    assert "latest" in artifact["aliases"]
    assert artifact["metadata"]["seed"] == 0
    (folder,) = (project.root / "wandb").glob(f"offline-run-*-{pipeline_run['id']}")
    kept = json.loads((folder / "files" / "manifest.json").read_text())
    assert kept["packages"] and kept["git_commit"] == pipeline_run["config"]["manifest.git_commit"]


def test_wandb_sync_sees_the_offline_run_as_waiting_for_upload(project, pipeline_run):
    wandb = project.root / ".nox" / "pipeline" / "bin" / "wandb"
    done = run([str(wandb), "sync", "--dry-run"], project.root, **wandb_env(project))
    output = done.stdout + done.stderr
    assert "Would sync" in output and f"run-{pipeline_run['id']}.wandb" in output


def test_wandb_no_track_and_repro_write_no_run(project, pipeline_run):
    before = offline_runs(project)
    nox(project, "-s", "pipeline", "--", "all", "--no-track", **wandb_env(project))
    done = nox(project, "-s", "repro", "--", "--no-bisect", **wandb_env(project))
    assert "identical" in done.stdout + done.stderr
    assert new_runs(project, before) == []


def test_wandb_tune_groups_one_run_per_trial_and_tags_the_best(project):
    before = offline_runs(project)
    nox(project, "-s", "pipeline", "--", "tune", **wandb_env(project))
    candidates = new_runs(project, before)
    assert len(candidates) == 6  # tracking.tune.trials
    assert len({parsed["group"] for parsed in candidates}) == 1
    assert candidates[0]["group"].startswith("tune-")
    assert {parsed["job_type"] for parsed in candidates} == {"tune"}
    scores = {parsed["id"]: parsed["summary"]["cv_accuracy"] for parsed in candidates}
    (best,) = [parsed["id"] for parsed in candidates if "best" in parsed["tags"]]
    assert scores[best] == max(scores.values())
    assert {parsed["config"]["seed"] for parsed in candidates} == {0}


def test_wandb_online_without_login_stops_before_any_stage_in_one_line(project, pipeline_run):
    before = offline_runs(project)
    manifest = project.root / "reports/manifest.json"
    written = manifest.stat().st_mtime_ns
    done = nox(project, "-s", "pipeline", check=False, WANDB_MODE="online", **wandb_env(project))
    assert done.returncode != 0
    output = (done.stdout + done.stderr).splitlines()  # nox passes the command's stderr on stdout
    errors = [line for line in output if line.startswith("error:")]
    assert errors == [
        "error: W&B online mode needs a login: run `wandb login` or set WANDB_API_KEY; or keep "
        "runs offline (tracking.mode: offline) or run without tracking: --no-track"
    ]
    assert manifest.stat().st_mtime_ns == written
    assert new_runs(project, before) == []


def test_wandb_project_nox_is_green_with_its_slow_tests(project):
    done = nox(project, CI="true", **wandb_env(project))
    output = done.stdout + done.stderr
    for session in ("lint", "tests", "repro"):
        assert f"* {session}: success" in output
