"""End to end, a team's MLflow server: PostgreSQL store, proxied artifacts, on 127.0.0.1.

The baked project logs and registers to it with nothing changed but MLFLOW_TRACKING_URI;
two pipelines at once both land. The server runs full `mlflow` + psycopg2 in a venv of its own.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from .helpers import Baked, bake_locked, clean_env, nox, run, stop
from .test_tracking_e2e import free_port

pytestmark = pytest.mark.slow

EXPERIMENT, MODEL = "my-ml-project", "my-ml-project"


def wait_until(ready, what: str, seconds: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not ready after {seconds} s")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL cluster on 127.0.0.1 with databases `mlflow` and `optuna`; yields
    the URI of `mlflow`."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb")]
    if found[-1] is None:
        pytest.fail("PostgreSQL is not installed: `apt-get install -y postgresql` (.ci/run does)")
    bindir = Path(found[-1]).parent
    # initdb refuses to run as root: run the cluster as `postgres` then, in a folder it owns.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    base = Path(tempfile.mkdtemp(prefix="mlflow-pg-"))
    base.chmod(0o755)
    if as_user:
        shutil.chown(base, "postgres", "postgres")
    data, port = base / "data", free_port()

    def pg(tool: str, *args: str) -> None:
        run([*as_user, str(bindir / tool), *args], base)

    try:
        pg("initdb", "-A", "trust", "-U", "postgres", "-D", str(data))
        pg("pg_ctl", "-D", str(data), "-l", str(base / "log"), "-w", "-o",
           f"-h 127.0.0.1 -p {port} -k {base}", "start")  # fmt: skip
        try:
            for database in ("mlflow", "optuna"):  # `tune --storage`: a database of its own
                pg("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database)
            # The driver named: SQLAlchemy 2.1 would take `postgresql://` to mean psycopg 3.
            yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/mlflow"
        finally:
            pg("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Baked:
    """The default project, locked (locks committed) with its pipeline environment built."""
    project = bake_locked(tmp_path_factory.mktemp("server-project"))
    nox(project, "-s", "pipeline", "--", "data", "--no-track")  # builds the environment only
    return project


@pytest.fixture(scope="module")
def server(project, postgres, tmp_path_factory):
    """`mlflow server` (the project's MLflow version) on the PostgreSQL store; yields its URL."""
    version = re.search(r"^mlflow-skinny==(\S+)", project.text("requirements.txt"), re.M)[1]
    home = tmp_path_factory.mktemp("mlflow-server")
    venv = home / "venv"
    uv = [sys.executable, "-m", "uv"]
    run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], home)
    server_python = str(venv / "bin" / "python")
    run([*uv, "pip", "install", "--quiet", "--python", server_python, f"mlflow=={version}",
         "psycopg2-binary"], home)  # fmt: skip
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (home / "server.log").open("w")
    process = subprocess.Popen(
        [str(venv / "bin" / "mlflow"), "server", "--backend-store-uri", postgres,
         "--artifacts-destination", (home / "artifacts").as_uri(), "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1"],
        cwd=home, env=clean_env(MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false"),
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip

    def healthy() -> bool:
        try:
            return urllib.request.urlopen(f"{url}/health", timeout=2).status == 200
        except OSError:
            return False

    try:
        try:
            wait_until(healthy, "mlflow server", 180, process)
        except AssertionError as error:
            log.flush()
            tail = (home / "server.log").read_text()[-3000:]
            raise AssertionError(f"{error}\n--- server.log\n{tail}") from None
        yield url
    finally:
        stop(process)
        log.close()


def rest(url: str, endpoint: str, body: dict | None = None, **query: str) -> dict:
    """Call the MLflow REST API: GET with query parameters, or POST a JSON body."""
    address = f"{url}/api/2.0/mlflow/{endpoint}"
    if query:
        address += "?" + urllib.parse.urlencode(query)
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(address, data, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def search_runs(url: str, filter_string: str = "") -> list[dict]:
    experiment = rest(url, "experiments/get-by-name", experiment_name=EXPERIMENT)["experiment"]
    body = {"experiment_ids": [experiment["experiment_id"]], "filter": filter_string}
    return rest(url, "runs/search", body).get("runs", [])


def as_dict(entries: list[dict]) -> dict[str, object]:
    return {entry["key"]: entry["value"] for entry in entries}


def test_pipeline_and_register_land_on_the_server(project, server):
    tracking = {"MLFLOW_TRACKING_URI": server}
    nox(project, "-s", "pipeline", **tracking)
    nox(project, "-s", "register", "--", "--alias", "champion", **tracking)

    (found,) = search_runs(server, "tags.command = 'all'")
    params, tags = as_dict(found["data"]["params"]), as_dict(found["data"]["tags"])
    metrics = as_dict(found["data"]["metrics"])
    assert found["info"]["status"] == "FINISHED"
    assert params["seed"] == "0" and params["model.n_estimators"] == "200"
    assert metrics == json.loads(project.text("reports/metrics.json"))
    assert tags["git_commit"] == run(["git", "rev-parse", "HEAD"], project.root).stdout.strip()

    version = rest(server, "registered-models/alias", name=MODEL, alias="champion")
    version = version["model_version"]
    assert version["run_id"] == found["info"]["run_id"]
    detail = rest(server, "model-versions/get", name=MODEL, version=version["version"])
    assert detail["model_version"]["status"] == "READY"
    assert found["info"]["run_id"] in detail["model_version"]["description"]


def test_two_pipelines_at_once_both_land(project, server, tmp_path):
    python = project.root / ".nox" / "pipeline" / "bin" / "python"
    copies = []
    for name in ("one", "two"):
        copy = tmp_path / name
        shutil.copytree(project.root, copy, ignore=shutil.ignore_patterns(".nox", "mlruns"))
        copies.append(copy)
    before = len(search_runs(server))
    env = clean_env(MLFLOW_TRACKING_URI=server, PYTHONHASHSEED="0")
    processes = [
        subprocess.Popen(
            [str(python), "-m", "my_ml_project", "all"],
            cwd=copy,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for copy in copies
    ]
    outputs = [process.communicate(timeout=600) for process in processes]
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr[-3000:]
    runs = search_runs(server)
    assert len(runs) == before + 2
    newest = sorted(runs, key=lambda r: int(r["info"]["start_time"]))[-2:]
    for found in newest:
        assert found["info"]["status"] == "FINISHED"
        assert as_dict(found["data"]["metrics"]).keys() == {"accuracy", "f1_macro", "log_loss"}


def test_tune_two_workers_share_a_study_on_postgresql(project, server, postgres):
    python = project.root / ".nox" / "pipeline" / "bin" / "python"
    uv = [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python)]
    run([*uv, "psycopg2-binary"], project.root)  # the driver a team adds for --storage
    storage = postgres.rsplit("/", 1)[0] + "/optuna"
    env = {"MLFLOW_TRACKING_URI": server, "PYTHONHASHSEED": "0"}
    tune = [str(python), "-m", "my_ml_project", "tune", "--workers", "2", "--storage", storage]
    done = run(tune, project.root, **env)
    trials = yaml.safe_load(project.text("params.yaml"))["tracking"]["tune"]["trials"]
    assert len(re.findall(r"^trial \d+: ", done.stdout, re.M)) == trials
    (parent,) = search_runs(server, "tags.command = 'tune'")
    children = search_runs(server, f"tags.mlflow.parentRunId = '{parent['info']['run_id']}'")
    assert len(children) == trials
    best = [c for c in children if as_dict(c["data"].get("tags", [])).get("best") == "true"]
    assert [c["info"]["run_id"] for c in best] == [as_dict(parent["data"]["tags"])["best_run_id"]]
    study = f"optuna.load_study(study_name={EXPERIMENT!r}, storage={storage!r})"
    again = run(tune, project.root, **env)  # a second search joins the same study
    assert "trial" in again.stdout
    stored = run(
        [str(python), "-c", f"import optuna; print(len({study}.trials))"], project.root
    ).stdout
    assert int(stored) == 2 * trials
    assert project.root.joinpath("reports/tune.diff").is_file() or "already has" in done.stdout
