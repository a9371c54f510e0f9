"""End to end, S3 for a team: MLflow artifacts and the DVC remote in a bucket, on a local S3.

moto's S3 server on 127.0.0.1 stands in for AWS (fake credentials, `endpointurl`). One
data_versioning=dvc bake, set up as the kit's manuals tell a team:
- MLflow: `mlflow server --artifacts-destination s3://...` (proxied artifacts, the server holds
  the bucket credentials) in an environment of its own; the project changes nothing but
  MLFLOW_TRACKING_URI (its `.env`) and needs no boto3. Model, figure and manifest land in the
  bucket; `register`, `predict` and `mlflow models serve` load the model back through the server.
- DVC: `dvc[s3]` in requirements-dev.in, `dvc remote add` + `endpointurl`, the credentials in the
  git-ignored `.dvc/config.local`; push, wipe cache and outputs, pull: byte for byte.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
import yaml

from .helpers import Baked, bake, clean_env, invocations, nox, run, stop
from .test_mlflow_server_e2e import search_runs, wait_until
from .test_tracking_e2e import free_port

pytestmark = pytest.mark.slow

MODEL = "my-ml-project"
ARTIFACTS, DVC_BUCKET = "team-mlflow", "team-dvc"
# Fake credentials for moto, which accepts any: the names a team sets, the values it would not.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def without_s3(**extra: str) -> dict[str, str]:
    """The baked project's environment with no AWS_* or S3 variable: what it reads from S3 it
    reads through the MLflow server, or with the credentials of `.dvc/config.local`."""
    env = clean_env(**extra)
    return {k: v for k, v in env.items() if not k.startswith("AWS_") and "S3" not in k}


def call(args: list[str], cwd: Path, **extra: str) -> subprocess.CompletedProcess:
    """helpers.run, in `without_s3()`."""
    done = subprocess.run(args, cwd=cwd, env=without_s3(**extra), capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {done.returncode}\n--- stdout\n{done.stdout[-6000:]}"
            f"\n--- stderr\n{done.stderr[-6000:]}"
        )
    return done


@contextmanager
def serving(args: list[str], health: str, log_path: Path, **popen) -> Iterator[None]:
    """Run a server in a session of its own, its output in `log_path`, until `health` answers
    200; stop it (and what it started) on exit."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **popen
        )
        try:

            def healthy() -> bool:
                try:
                    return urllib.request.urlopen(health, timeout=2).status == 200
                except OSError:
                    return False

            try:
                wait_until(healthy, Path(args[0]).name, 180, process)
            except AssertionError as error:
                raise AssertionError(f"{error}\n{log_path.read_text()[-3000:]}") from None
            yield
        finally:
            stop(process)


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """moto's S3 server on a free port of 127.0.0.1, healthy, stopped at the end; yields its
    URL after making the two buckets."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    moto_server = Path(sys.executable).parent / "moto_server"
    with serving([str(moto_server), "-H", "127.0.0.1", "-p", str(port)], f"{url}/moto-api/",
                 log_path, env=clean_env()):  # fmt: skip
        client = bucket_client(url)
        for bucket in (ARTIFACTS, DVC_BUCKET):
            client.create_bucket(Bucket=bucket)
        yield url


def bucket_client(url: str):
    return boto3.client(
        "s3",
        endpoint_url=url,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
    )


def keys(url: str, bucket: str) -> list[str]:
    pages = bucket_client(url).get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Baked:
    """A DVC + MLflow project with `dvc[s3]` (and `python-dateutil<3`) added as the kit's README
    says, then locked (locks committed), its pipeline environment and `.venv` (`nox -s dev`)
    built."""
    baked = bake(tmp_path_factory.mktemp("s3-project"), data_versioning="dvc", tracking="mlflow")
    dev_in = baked.root / "requirements-dev.in"
    text = dev_in.read_text()
    pin = re.search(r"^dvc==(\S+)", text, re.M)[1]
    dev_in.write_text(text.replace(f"dvc=={pin}", f"dvc[s3]=={pin}", 1))
    with (baked.root / "requirements.in").open("a") as runtime:  # the README's second line
        runtime.write("python-dateutil<3  # botocore (dvc[s3]) needs it below 3\n")
    nox(baked, "-s", "lock")
    run(["git", "add", "requirements.in", "requirements-dev.in", "requirements.txt",
         "requirements-dev.txt"], baked.root)  # fmt: skip
    run(["git", "commit", "-q", "--no-verify", "-m", "DVC with S3; lock files"], baked.root)
    nox(baked, "-s", "pipeline", "--", "data", "--no-track")  # builds the environment only
    nox(baked, "-s", "dev")
    return baked


@pytest.fixture(scope="module")
def server(project, s3, tmp_path_factory):
    """`mlflow server` (the project's MLflow, with boto3) proxying artifacts to
    s3://team-mlflow/mlflow; the server alone holds the S3 endpoint and credentials."""
    version = re.search(r"^mlflow-skinny==(\S+)", project.text("requirements.txt"), re.M)[1]
    home = tmp_path_factory.mktemp("mlflow-s3-server")
    venv = home / "venv"
    uv = [sys.executable, "-m", "uv"]
    run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], home)
    run([*uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         f"mlflow=={version}", "boto3"], home)  # fmt: skip
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = home / "server.log"
    args = [str(venv / "bin" / "mlflow"), "server",
            "--backend-store-uri", f"sqlite:///{home / 'mlflow.db'}",
            "--artifacts-destination", f"s3://{ARTIFACTS}/mlflow",
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]  # fmt: skip
    env = clean_env(
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false", MLFLOW_S3_ENDPOINT_URL=s3, **CREDENTIALS
    )
    with serving(args, f"{url}/health", log_path, env=env, cwd=home):
        yield url


def python(project: Baked) -> str:
    return str(project.root / ".nox" / "pipeline" / "bin" / "python")


@pytest.fixture(scope="module")
def tracked(project, server, s3) -> dict:
    """The team walk of TRACKING.md: `.env` names the server; pipeline, then register @champion.
    The project's environment has no boto3 and no S3 variable: the server moves the bytes."""
    (project.root / ".env").write_text(f"MLFLOW_TRACKING_URI={server}\n")
    before = set(keys(s3, ARTIFACTS))
    nox_ = [sys.executable, "-m", "nox", "--reuse-venv", "yes", "-s"]
    call([*nox_, "pipeline"], project.root)
    call([*nox_, "register", "--", "--alias", "champion"], project.root)
    (found,) = search_runs(server, "tags.command = 'all'")
    return {"run": found, "keys": sorted(set(keys(s3, ARTIFACTS)) - before)}


def test_project_environment_has_no_boto3_for_proxied_artifacts(project):
    assert not re.search(r"^boto3==", project.text("requirements.txt"), re.M)
    done = run([python(project), "-c", "import boto3"], project.root, check=False)
    assert done.returncode != 0


def test_pipeline_model_figure_and_manifest_land_in_the_bucket(tracked):
    run_id = tracked["run"]["info"]["run_id"]
    assert tracked["run"]["info"]["artifact_uri"].startswith("mlflow-artifacts:")
    landed = tracked["keys"]
    assert all(key.startswith("mlflow/") for key in landed), landed
    in_run = [key for key in landed if f"/{run_id}/artifacts/" in key]
    assert any(key.endswith("/manifest.json") for key in in_run), landed
    assert any(key.endswith(".png") for key in in_run), landed
    assert any(key.endswith("/MLmodel") for key in landed), landed
    assert any(key.endswith("/model.skops") for key in landed), landed


def test_register_and_predict_load_the_champion_from_the_bucket(project, tracked, tmp_path):
    output = tmp_path / "predictions.csv"
    command = [
        python(project),
        "-m",
        "my_ml_project",
        "predict",
        "--model",
        f"models:/{MODEL}@champion",
        "data/processed/test.csv",
        "--output",
        str(output),
    ]
    call(command, project.root, PYTHONHASHSEED="0")
    rows = output.read_text().splitlines()
    assert rows[0] == "row,prediction"
    assert len(rows) - 1 == len(project.text("data/processed/test.csv").splitlines()) - 1


def test_mlflow_models_serve_loads_the_champion_from_the_bucket(project, server, tracked):
    port = free_port()
    bin_dir = Path(python(project)).parent
    with (project.root.parent / "serve.log").open("w") as log:
        serving = subprocess.Popen(
            [str(bin_dir / "mlflow"), "models", "serve", "-m", f"models:/{MODEL}@champion",
             "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port)],
            cwd=project.root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            # `mlflow` reads no .env: the server's URI from the shell, as TRACKING.md says
            env=without_s3(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                           MLFLOW_TRACKING_URI=server),
        )  # fmt: skip
        try:

            def pong() -> bool:
                try:
                    ping = urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2)
                    return ping.status == 200
                except OSError:
                    return False

            wait_until(pong, "mlflow models serve", 120, serving)
            predictions = invocations(port, project.text("data/processed/test.csv"))
            assert len(predictions) == 3
        finally:
            stop(serving)


def dvc(project: Baked, *args: str) -> subprocess.CompletedProcess:
    """`.venv`'s dvc (what `nox -s dev` made), no AWS variable set: credentials come from
    `.dvc/config.local` only."""
    bin_dir = project.root / ".venv" / "bin"
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    home = project.root.parent / "home"
    home.mkdir(exist_ok=True)
    return call([str(bin_dir / "dvc"), *args], project.root, PATH=path, HOME=str(home))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cached_outputs(project: Baked) -> dict[str, str]:
    """Every output DVC caches (pushes and pulls), with its MD5 from dvc.lock: `cache: false`
    ones (metrics.json, kept in git) left out."""
    uncached = set()
    for stage in yaml.safe_load(project.text("dvc.yaml"))["stages"].values():
        for kind in ("outs", "metrics", "plots"):
            for entry in stage.get(kind, []):
                if isinstance(entry, dict):
                    uncached |= {p for p, o in entry.items() if (o or {}).get("cache") is False}
    stages = yaml.safe_load(project.text("dvc.lock"))["stages"].values()
    outs = {out["path"]: out["md5"] for stage in stages for out in stage.get("outs", [])}
    return {path: md5 for path, md5 in outs.items() if path not in uncached}


def test_dvc_push_to_s3_wipe_then_pull_is_byte_identical(project, s3):
    remote = f"s3://{DVC_BUCKET}/my-ml-project"
    dvc(project, "remote", "add", "-d", "storage", remote)
    dvc(project, "remote", "modify", "storage", "endpointurl", s3)
    dvc(project, "remote", "modify", "--local", "storage", "access_key_id", "testing")
    dvc(project, "remote", "modify", "--local", "storage", "secret_access_key", "testing")
    config = project.text(".dvc/config")
    assert "testing" not in config and remote in config
    assert "secret_access_key" in project.text(".dvc/config.local")
    run(["git", "check-ignore", "-q", ".dvc/config.local"], project.root)  # never committed

    dvc(project, "repro")
    cached = cached_outputs(project)
    paths = sorted(cached)
    assert "data/raw/data.csv" in paths and "models/model.joblib" in paths
    before = {path: sha256(project.root / path) for path in paths}
    dvc(project, "push")
    pushed = keys(s3, DVC_BUCKET)
    expected = {f"my-ml-project/files/md5/{md5[:2]}/{md5[2:]}" for md5 in cached.values()}
    assert set(pushed) == expected

    shutil.rmtree(project.root / ".dvc" / "cache")
    for path in paths:
        (project.root / path).unlink()
    dvc(project, "pull")
    assert {path: sha256(project.root / path) for path in paths} == before
    assert "up to date" in dvc(project, "status").stdout
