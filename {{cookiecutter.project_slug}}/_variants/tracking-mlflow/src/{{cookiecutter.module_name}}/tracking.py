"""The one place the pipeline talks to MLflow: where runs go and what each run records.

The store is `MLFLOW_TRACKING_URI` from the environment or from a git-ignored `.env`, else the
local `sqlite:///mlflow.db` (artifacts in `mlruns/`), so a fresh clone tracks with no server.
"""

import os

# Before MLflow is imported: no usage data leaves the machine (export it as false to opt in).
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import importlib.metadata
import re
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import joblib
import mlflow
import pandas as pd
from dotenv import load_dotenv
from mlflow.models import infer_signature

from .cli import UsageError
from .config import Config
from .hashing import sha256_tree
from .metrics import flatten, load_metrics
from .model import features
from .paths import FIGURE, METRICS, MODEL, SCHEMA, TRAIN_DATA
from .schema import load_schema
from .train import read_split

LOCAL_STORE = "sqlite:///mlflow.db"
MODEL_ARTIFACT = "model"
MODEL_URI_TAG = "model_uri"  # set on runs that logged a model: what `register` picks from
# What the logged model needs at serving time (`mlflow models serve` without --env-manager local).
MODEL_REQUIREMENTS = ("scikit-learn", "skops", "numpy", "pandas", "mlflow-skinny")


class TrackingError(UsageError):
    """The tracking store cannot be reached or used; the message names the URI."""


def tracking_uri() -> str:
    """The tracking URI: environment, then `.env` in the working directory, then the local store."""
    load_dotenv(Path.cwd() / ".env", override=False)
    return os.environ.get("MLFLOW_TRACKING_URI") or LOCAL_STORE


def redact(uri: str) -> str:
    """The URI without a password, fit for an error message."""
    parts = urllib.parse.urlsplit(uri)
    if parts.password is None:
        return uri
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def connect() -> str:
    """Point MLflow at the tracking store and check it answers, in seconds, before any work.

    Raises TrackingError with one line naming the URI and what failed.
    """
    uri = tracking_uri()
    probe = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": "10"}
    saved = {name: os.environ.get(name) for name in probe}
    os.environ.update(probe)
    try:
        mlflow.set_tracking_uri(uri)
        mlflow.MlflowClient().search_experiments(max_results=1)
    except Exception as error:  # any failure here means: no tracking, so no run
        raise TrackingError(
            f"tracking store {redact(uri)} is not usable ({failure(error)}); fix "
            "MLFLOW_TRACKING_URI (environment or .env) or run without tracking: --no-track"
        ) from None
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return uri


def failure(error: Exception) -> str:
    """What went wrong, in a few words: the OS error or HTTP status inside MLflow's long message."""
    text = re.sub(r"://[^/@\s:]+:[^/@\s]+@", "://***@", str(error))  # no password in the message
    found = re.search(r"\[Errno -?\d+\] [^'\")]+", text) or re.search(r"error code \d+", text)
    return (
        found.group(0) if found else (text.strip().splitlines() or [type(error).__name__])[0][:200]
    )


def manifest_tags(manifest: dict) -> dict[str, str]:
    """The run manifest as tags (every entry but the package list, which goes in as a file)."""
    scalars = {key: value for key, value in manifest.items() if key not in ("packages", "ci")}
    tags = {**flatten(scalars), **manifest.get("ci", {})}  # the `ci.*` entries are named already
    return {key: str(value) for key, value in tags.items()}


@contextmanager
def pipeline_run(config: Config, command: str) -> Iterator[mlflow.ActiveRun]:
    """Open the run of one pipeline invocation in the configured experiment, with its params."""
    if "MLFLOW_RUN_ID" not in os.environ:  # `mlflow run` already chose the experiment and run
        mlflow.set_experiment(config.tracking.experiment)
    if config.tracking.autolog:
        mlflow.autolog(log_models=False, silent=True)  # the model is logged below, with a signature
    with mlflow.start_run(tags={"command": command}) as run:
        mlflow.log_params(flatten(asdict(config)))
        yield run


def log_manifest(manifest: dict) -> None:
    """Tag the active run with the manifest and keep the whole manifest as an artifact."""
    mlflow.set_tags(manifest_tags(manifest))
    mlflow.log_dict(manifest, "manifest.json")


def log_outputs(stages: list[str], root: Path) -> None:
    """Log what the stages just wrote: model (`train`), metrics and figure (`evaluate`)."""
    # The data the model was fitted on (the manifest hashed data/raw before the stages ran).
    mlflow.set_tag("data_raw_sha256", str(sha256_tree(root / "data" / "raw")))
    if "train" in stages:
        schema = load_schema(root / SCHEMA)
        train = features(read_split(root / TRAIN_DATA, schema), schema)
        log_model(joblib.load(root / MODEL), train)
    if "evaluate" in stages:
        mlflow.log_metrics(load_metrics(root / METRICS))
        mlflow.log_artifact(str(root / FIGURE), "figures")


def log_model(model: object, features: pd.DataFrame) -> str:
    """Log a scikit-learn model with its signature and an input example; return its URI."""
    import skops.io

    example = features.head(5)
    info = mlflow.sklearn.log_model(
        model,
        name=MODEL_ARTIFACT,
        signature=infer_signature(example, model.predict(example)),
        input_example=example,
        # Types of the model this run just fitted: trusted when it is loaded again.
        skops_trusted_types=skops.io.get_untrusted_types(data=skops.io.dumps(model)),
        # Stated, not inferred: inference loads the model in a subprocess and takes seconds.
        pip_requirements=[
            f"{name}=={importlib.metadata.version(name)}" for name in MODEL_REQUIREMENTS
        ],
    )
    mlflow.set_tag(MODEL_URI_TAG, info.model_uri)
    return info.model_uri


def runs_table(experiment: str, metric: str, limit: int) -> str:
    """The experiment's runs as a text table, best `metric` first (runs without it last)."""
    runs = mlflow.search_runs(
        experiment_names=[experiment], order_by=[f"metrics.{metric} DESC"], max_results=limit
    )
    if runs.empty:
        return f"no runs in experiment {experiment!r} yet"
    table = pd.DataFrame(
        {
            "run": runs["run_id"].str[:8],
            "started": runs["start_time"].dt.strftime("%Y-%m-%d %H:%M"),
            "status": runs["status"],
            "command": runs.get("tags.command"),
            "parent": runs.get("tags.mlflow.parentRunId", pd.Series(dtype=str)).str[:8],
            metric: runs.get(f"metrics.{metric}"),
            **{
                column[len("params.") :]: runs[column]
                for column in runs
                if column.startswith("params.model.")
            },
            "commit": runs.get("tags.git_commit", pd.Series(dtype=str)).str[:8],
        }
    )
    return table.fillna("").to_string(index=False)
