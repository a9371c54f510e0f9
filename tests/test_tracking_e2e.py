"""End to end, tracking=mlflow on the local sqlite store: the pipeline's run, register, predict,
serve, tune, `mlflow run`, and a tracking URI that cannot be reached."""

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from .helpers import Baked, bake, bake_locked, clean_env, invocations, nox, run, stop

pytestmark = pytest.mark.slow

MODEL = "models:/my-ml-project@champion"
QUERY_SETUP = """
import json, mlflow
client = mlflow.MlflowClient()
def runs(where):  # the runs of the project's experiment (tracking.experiment: the slug)
    return mlflow.search_runs(
        experiment_names=["my-ml-project"], filter_string=where, output_format="list")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def venv_bin(project: Baked) -> Path:
    return project.root / ".nox" / "pipeline" / "bin"


def on_path(project: Baked) -> str:
    """PATH with the project's environment first: `mlflow` starts `python` and `uvicorn` by name."""
    return f"{venv_bin(project)}{os.pathsep}{os.environ['PATH']}"


def store(project: Baked) -> dict[str, str]:
    return {"MLFLOW_TRACKING_URI": f"sqlite:///{project.root / 'mlflow.db'}"}


def query(project: Baked, code: str) -> dict:
    """Run `code` (it prints JSON) with MLflow in the project's environment, on its store."""
    script = QUERY_SETUP + code
    done = run([str(venv_bin(project) / "python"), "-c", script], project.root, **store(project))
    return json.loads(done.stdout.strip().splitlines()[-1])


def module(project: Baked, *args: str, check: bool = True, **env: str):
    """`python -m my_ml_project ARGS` in the project's pipeline environment."""
    command = [str(venv_bin(project) / "python"), "-m", "my_ml_project", *args]
    return run(command, project.root, check, PYTHONHASHSEED="0", **{**store(project), **env})


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Baked:
    """Default bake, locks committed, pipeline run, model registered as challenger then champion."""
    project = bake_locked(tmp_path_factory.mktemp("tracking"))
    nox(project, "-s", "pipeline", **store(project))
    nox(project, "-s", "register", **store(project))
    nox(project, "-s", "register", "--", "--alias", "champion", **store(project))
    return project


@pytest.fixture(scope="module")
def pipeline_run(project) -> dict:
    return query(
        project,
        """
(run,) = runs("tags.command = 'all'")
model = mlflow.pyfunc.load_model(run.data.tags["model_uri"])
print(json.dumps({"id": run.info.run_id, "params": run.data.params, "metrics": run.data.metrics,
                  "tags": run.data.tags, "predicts": len(model.predict(model.input_example))}))
""",
    )


def test_pipeline_run_has_seed_params_and_metrics(project, pipeline_run):
    assert pipeline_run["params"]["seed"] == "0"
    assert pipeline_run["params"]["model.n_estimators"] == "200"
    assert pipeline_run["metrics"] == json.loads(project.text("reports/metrics.json"))
    # Only what decides the results: no gate.* nor tracking.* settings as Python reprs.
    assert {key.split(".")[0] for key in pipeline_run["params"]} == {"seed", "data", "model"}


def test_pipeline_run_is_named_after_its_command_and_commit(project, pipeline_run):
    head = run(["git", "rev-parse", "--short=8", "HEAD"], project.root).stdout.strip()
    assert pipeline_run["tags"]["mlflow.runName"] == f"all-{head}"


def test_pipeline_in_a_uv_environment_logs_its_model_without_pip_warnings(project):
    assert not (venv_bin(project) / "pip").exists()  # uv builds environments without pip
    done = module(project, "train")
    assert "Failed to resolve installed pip version" not in done.stdout + done.stderr


def test_pipeline_run_is_tagged_with_the_manifest_by_value(project, pipeline_run):
    tags = pipeline_run["tags"]
    head = run(["git", "rev-parse", "HEAD"], project.root).stdout.strip()
    assert tags["git_commit"] == head
    assert tags["git_dirty"] == "False"
    for lock in ("requirements.txt", "requirements-dev.txt"):  # hashed as the project defines it
        code = "from pathlib import Path; from mlreprokit.hashing import sha256_tree as h; "
        code += f"print(h(Path({lock!r})))"
        digest = run([str(venv_bin(project) / "python"), "-c", code], project.root).stdout.strip()
        assert tags[f"locks_sha256.{lock}"] == digest
    manifest = json.loads(project.text("reports/manifest.json"))
    assert tags["params_sha256"] == manifest["params_sha256"]
    assert tags["python"] == manifest["python"] and tags["platform"] == manifest["platform"]
    assert len(tags["data_raw_sha256"]) == 64


def test_pipeline_run_logs_a_model_with_signature_that_predicts(pipeline_run):
    assert pipeline_run["predicts"] == 5  # the logged input example


def test_tracking_writes_nothing_into_compared_outputs(project):
    outputs = {
        path.relative_to(project.root).as_posix()
        for folder in ("data/processed", "models", "reports/figures")
        for path in (project.root / folder).rglob("*")
        if path.is_file() and path.name != ".gitkeep"
    }
    assert outputs == {
        "data/processed/train.csv",
        "data/processed/test.csv",
        "models/model.joblib",
        "models/profile.json",
        "reports/figures/evaluation.png",
    }
    assert (project.root / "mlflow.db").exists()
    ignored = run(["git", "status", "--porcelain"], project.root).stdout
    assert "mlflow.db" not in ignored and "mlruns" not in ignored


def test_register_points_aliases_at_the_pipeline_run_with_a_card(project, pipeline_run):
    found = query(
        project,
        """
aliases = ("challenger", "champion")
versions = {a: client.get_model_version_by_alias("my-ml-project", a) for a in aliases}
card = mlflow.artifacts.load_text(
    f"runs:/{versions['champion'].run_id}/model_cards/my-ml-project-v{versions['champion'].version}.md")
print(json.dumps({"runs": [v.run_id for v in versions.values()],
                  "versions": [v.version for v in versions.values()], "card": card}))
""",
    )
    assert found["runs"] == [pipeline_run["id"]] * 2
    assert found["versions"][0] == found["versions"][1]  # promoted, not registered twice
    assert pipeline_run["tags"]["git_commit"] in found["card"]
    assert pipeline_run["tags"]["data_raw_sha256"] in found["card"]


def test_predict_with_champion_writes_predictions(project, tmp_path):
    output = tmp_path / "predictions.csv"
    module(project, "predict", "--model", MODEL, "data/processed/test.csv", "--output", str(output))
    rows = output.read_text().splitlines()
    assert rows[0] == "row,prediction"  # the demo has no id column: the row number keys each
    assert [row.split(",")[0] for row in rows[1:3]] == ["0", "1"]
    assert len(rows) - 1 == len(project.text("data/processed/test.csv").splitlines()) - 1


def test_mlflow_models_serve_answers_invocations(project):
    port = free_port()
    server = subprocess.Popen(
        [str(venv_bin(project) / "mlflow"), "models", "serve", "-m", MODEL,
         "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port)],
        cwd=project.root, env=clean_env(PATH=on_path(project), **store(project)),
        start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"server did not start: {server.stderr.read()}") from None
                time.sleep(0.5)
        predictions = invocations(port, project.text("data/processed/test.csv"))
        assert len(predictions) == 3
        assert all(isinstance(value, int) for value in predictions)
    finally:
        stop(server)
        server.stderr.close()  # the pipe (left open, it is a ResourceWarning: warnings are errors)


def test_tune_makes_child_runs_under_one_parent_and_tags_the_best(project):
    done = module(project, "tune")
    found = query(
        project,
        """
(parent,) = runs("tags.command = 'tune'")
children = runs(f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
print(json.dumps({"best": parent.data.tags["best_run_id"],
                  "children": {c.info.run_id: [c.data.tags.get("best"), c.data.params["seed"],
                                               c.data.metrics] for c in children}}))
""",
    )
    children = found["children"]
    assert len(children) == 6  # tracking.tune.trials
    tagged = [run_id for run_id, (best, _, _) in children.items() if best == "true"]
    assert tagged == [found["best"]]
    assert {seed for _, seed, _ in children.values()} == {"0"}
    scores = {run_id: metrics["cv_accuracy"] for run_id, (_, _, metrics) in children.items()}
    top = max(scores.values())
    assert scores[found["best"]] == top
    table = module(project, "runs", "--metric", "cv_accuracy").stdout.splitlines()
    first = table[1].split()[0]  # ranked first: a child with the best score (ties in any order)
    assert any(score == top for run_id, score in scores.items() if run_id.startswith(first))
    diff = project.root / "reports/tune.diff"  # the best params proposed, never applied
    assert diff.is_file() or "already has" in done.stdout
    assert "git apply reports/tune.diff" in done.stdout or not diff.exists()


def test_mlflow_run_entry_point_all_in_local_env(project):
    env = {"PATH": on_path(project), **store(project)}
    command = [str(venv_bin(project) / "mlflow"), "run", ".", "-e", "all", "--env-manager", "local",
               "--experiment-name", "my-ml-project"]  # fmt: skip
    run(command, project.root, PYTHONHASHSEED="0", **env)
    found = query(
        project,
        """
print(json.dumps([[r.info.status, r.data.tags.get("mlflow.project.entryPoint"), r.data.metrics]
                  for r in runs("tags.`mlflow.source.type` = 'PROJECT'")]))
""",
    )
    ((status, entry_point, metrics),) = found
    assert (status, entry_point) == ("FINISHED", "all")
    assert metrics == json.loads(project.text("reports/metrics.json"))


def test_unreachable_tracking_uri_fails_fast_in_one_clear_line(project):
    manifest = project.root / "reports" / "manifest.json"
    before = manifest.stat().st_mtime_ns
    uri = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    done = module(project, "all", check=False, MLFLOW_TRACKING_URI=uri)
    elapsed = time.monotonic() - started
    assert done.returncode == 2
    assert elapsed < 60
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"error: tracking store {uri} is not usable (")
    assert "Connection refused" in line and "--no-track" in line
    assert manifest.stat().st_mtime_ns == before  # no stage started


def test_tracking_none_pipeline_runs_without_mlflow(tmp_path):
    project = bake(tmp_path, tracking="none")
    nox(project, "-s", "lock")
    assert "mlflow" not in project.text("requirements.txt").lower()
    nox(project, "-s", "pipeline")
    assert json.loads(project.text("reports/metrics.json"))["accuracy"] > 0.8
    assert not (project.root / "mlflow.db").exists() and not (project.root / "mlruns").exists()
