"""Measure what an S3 artifact store costs one tracked pipeline run (`nox -s bench`).

One default bake, locked; its pipeline (`python -m my_ml_project all`, tracked) timed against
three MLflow stores: the project's own (sqlite + local artifacts), an `mlflow server` keeping
artifacts in a local folder, and the same server keeping them in S3 (moto's S3 server on
127.0.0.1, standing in for a team's bucket). Prints one Markdown table; asserts nothing.

    python bench/s3.py --repeats 3
"""

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3

from bench import MODULE, Row, bake, fmt, must, nox, project_env, table, timed

BUCKET = "bench-mlflow"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(args: list[str], health: str, env: dict[str, str], log: Path) -> Iterator[None]:
    """Run a server in a session of its own until `health` answers; stop it on exit."""
    with log.open("w") as out:
        process = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if urllib.request.urlopen(health, timeout=2).status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"bench: {args[0]} did not start\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def server_args(venv: Path, home: Path, port: int, artifacts: str) -> list[str]:
    return [
        str(venv / "bin" / "mlflow"), "server",
        "--backend-store-uri", f"sqlite:///{home / 'mlflow.db'}",
        "--artifacts-destination", artifacts,
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip


def median_pipeline(project: Path, env: dict[str, str], repeats: int) -> float:
    """One untimed run (it makes the store's tables and caches the imports), then the median."""
    command = [str(project / ".nox" / "pipeline" / "bin" / "python"), "-m", MODULE, "all"]
    must(timed(command, project, env), "pipeline (warm-up)")
    return statistics.median(must(timed(command, project, env), "pipeline") for _ in range(repeats))


def measure(work: Path, repeats: int) -> list[Row]:
    env = project_env(work / "caches")
    env = {k: v for k, v in env.items() if not k.startswith(("AWS_", "MLFLOW_TRACKING"))}
    _, project = bake(work / "s3")
    must(nox(project, env, "lock"), "nox -s lock")
    must(nox(project, env, "pipeline", "--", "data", "--no-track"), "pipeline env")
    version = re.search(r"^mlflow-skinny==(\S+)", (project / "requirements.txt").read_text(), re.M)
    assert version, "the default lock pins mlflow-skinny"
    venv = work / "server-venv"
    uv = [sys.executable, "-m", "uv"]
    must(timed([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], work, env), "venv")
    install = [*uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python")]
    must(timed([*install, f"mlflow=={version[1]}", "boto3"], work, env), "mlflow server env")

    local_s = median_pipeline(project, env, repeats)
    s3_port, folder_port, bucket_port = free_port(), free_port(), free_port()
    s3_home, folder_home = work / "s", work / "f"
    s3_home.mkdir()
    folder_home.mkdir()
    s3_url = f"http://127.0.0.1:{s3_port}"
    server_env = {
        **env,
        **CREDENTIALS,
        "AWS_DEFAULT_REGION": REGION,
        "MLFLOW_S3_ENDPOINT_URL": s3_url,
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    }
    moto = [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)]
    with serving(moto, f"{s3_url}/moto-api/", env, work / "moto.log"):
        client = boto3.client("s3", endpoint_url=s3_url, region_name=REGION, **{
            "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        })  # fmt: skip
        client.create_bucket(Bucket=BUCKET)
        folder = server_args(venv, folder_home, folder_port, str(folder_home / "artifacts"))
        with serving(folder, f"http://127.0.0.1:{folder_port}/health", server_env, work / "f.log"):
            tracked = {**env, "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{folder_port}"}
            folder_s = median_pipeline(project, tracked, repeats)
        bucket = server_args(venv, s3_home, bucket_port, f"s3://{BUCKET}/mlflow")
        with serving(bucket, f"http://127.0.0.1:{bucket_port}/health", server_env, work / "s.log"):
            tracked = {**env, "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{bucket_port}"}
            s3_s = median_pipeline(project, tracked, repeats)
        stored = client.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0)
    how = f"median of {repeats} after a warm-up, tracked `python -m {MODULE} all`, default bake"
    return [
        Row("pipeline, project's own store (sqlite + mlruns/)", fmt(local_s), "", how),
        Row("pipeline, `mlflow server`, artifacts in a folder", fmt(folder_s), "", how),
        Row(
            "pipeline, `mlflow server`, artifacts in S3 (moto)", fmt(s3_s), "", f"{stored} objects"
        ),
        Row("S3 store / project's own store", f"{s3_s / local_s:.2f}x", "", "one pipeline run"),
        Row("S3 store / server with a folder", f"{s3_s / folder_s:.2f}x", "", "the S3 part alone"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed pipeline runs per store")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        sys.exit("bench: --repeats must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bench-s3-") as tmp:
        rows = measure(Path(tmp), args.repeats)
    print("\nS3 artifact store against local ones (`nox -s bench`, bench/s3.py):\n")
    print(table(rows), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
