"""The one place the pipeline talks to MLflow: where runs go and what each run records.

The store is `MLFLOW_TRACKING_URI` from the environment or from a git-ignored `.env`, else the
local `sqlite:///mlflow.db` (artifacts in `mlruns/`), so a fresh clone tracks with no server.
"""

import os

# Before MLflow is imported: no usage data leaves the machine (export it as false to opt in).
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import importlib.metadata
import logging
import platform
import re
import urllib.parse
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import joblib
import mlflow
import pandas as pd
from dotenv import load_dotenv
from mlflow.data.pandas_dataset import from_pandas
from mlflow.models import infer_signature

from .errors import UsageError
from .hashing import sha256_file, sha256_tree
from .metrics import load_metrics
from .monitor import Outcome, scores
from .paths import FIGURE, METRICS, MODEL, PROFILE, SCHEMA, TEST_DATA, TRAIN_DATA
from .runinfo import execution_tags, manifest_scalars, run_name, run_params
from .schema import load_schema, model_inputs, read_split

LOCAL_STORE = "sqlite:///mlflow.db"
MODEL_ARTIFACT = "model"
DIGEST_LENGTH = 16  # characters of a dataset digest (MLflow stores at most 36)
MODEL_URI_TAG = "model_uri"  # set on runs that logged a model: what `register` picks from
# What the logged model needs at serving time (`mlflow models serve` without --env-manager local).
MODEL_REQUIREMENTS = ("scikit-learn", "skops", "numpy", "pandas", "mlflow-skinny")
QUIET_LOGGERS = ("mlflow.store.db.utils", "alembic.runtime.migration")  # set-up, not news
METRIC_NAME = re.compile(r"[^A-Za-z0-9_\-. /]")  # what MLflow refuses in a metric's name


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
    # A new local store's "Creating initial MLflow database tables" reads as a problem: it isn't.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
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


@contextmanager
def pipeline_run(config: Any, command: str) -> Iterator[mlflow.ActiveRun]:
    """Check the store answers (one line if not), then open the run of one pipeline invocation
    in the configured experiment, with its params."""
    connect()
    if "MLFLOW_RUN_ID" not in os.environ:  # `mlflow run` already chose the experiment and run
        mlflow.set_experiment(config.tracking.experiment)
    if config.tracking.autolog:
        mlflow.autolog(log_models=False, silent=True)  # the model is logged below, with a signature
    tags = execution_tags(command)
    with mlflow.start_run(run_name=run_name(tags, Path.cwd()), tags=tags) as run:
        mlflow.log_params(run_params(config))
        yield run


def log_manifest(manifest: dict[str, Any]) -> None:
    """Tag the active run with the manifest and keep the whole manifest as an artifact."""
    mlflow.set_tags(manifest_scalars(manifest))
    mlflow.log_dict(manifest, "manifest.json")


def log_outputs(stages: list[str], root: Path) -> None:
    """Log what the stages just wrote: model (`train`), metrics and figure (`evaluate`), the
    training profile (`profile`)."""
    # The data the model was fitted on (the manifest hashed data/raw before the stages ran).
    mlflow.set_tag("data_raw_sha256", str(sha256_tree(root / "data" / "raw")))
    if "train" in stages:
        schema = load_schema(root / SCHEMA)
        train = read_split(root / TRAIN_DATA, schema)
        log_dataset(train, root, TRAIN_DATA, "training", schema.target)
        log_model(joblib.load(root / MODEL), model_inputs(train, schema))
    if "evaluate" in stages:
        schema = load_schema(root / SCHEMA)
        test = read_split(root / TEST_DATA, schema)
        log_dataset(test, root, TEST_DATA, "evaluation", schema.target)
        mlflow.log_metrics(load_metrics(root / METRICS))
        mlflow.log_artifact(str(root / FIGURE), "figures")
    if "profile" in stages:  # what `monitor` compares new data with
        mlflow.log_artifact(str(root / PROFILE))


def log_monitoring(outcome: Outcome) -> None:
    """Log a monitored batch: its drift scores as metrics, the report and figure as files."""
    mlflow.set_tags({"monitor.batch": outcome.report["batch"], "drift": str(outcome.drift)})
    # MLflow takes letters, digits, spaces and _-./ in a metric's name: a column may hold more.
    found = scores(outcome.report)
    mlflow.log_metrics({METRIC_NAME.sub("_", name): value for name, value in found.items()})
    root = Path.cwd()
    for path in (outcome.json_path, outcome.figure_path):
        mlflow.log_artifact(str(root / path), "monitoring")


@contextmanager
def without_mlflow_hints() -> Iterator[None]:
    """Silence MLflow's hints on integer columns (class labels) and on local dataset sources."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer")
        warnings.filterwarnings("ignore", message="The specified dataset source can be")
        yield


def log_dataset(frame: pd.DataFrame, root: Path, path: Path, context: str, target: str) -> None:
    """Record a split as the run's dataset input: name, digest (of the file), source path.

    The digest is the file's SHA-256 (cut to fit MLflow's column), as in the manifest; MLflow's
    own digest of the frame calls pandas in a way pandas 3 deprecates (a Pandas4Warning).
    """
    with without_mlflow_hints():
        dataset = from_pandas(
            frame,
            source=path.as_posix(),
            name=path.stem,
            targets=target,
            digest=sha256_file(root / path)[:DIGEST_LENGTH],
        )
        mlflow.log_input(dataset, context=context)  # infers the dataset's schema: the hint again


def log_model(model: Any, features: pd.DataFrame) -> str:
    """Log a scikit-learn model with its signature and an input example; return its URI."""
    import skops.io

    # Column labels as objects: MLflow 3.17 writes the example with `columns == range(n)`, which
    # pandas 3 deprecates (Pandas4Warning) for its default string labels, not for object ones.
    example = features.head(5).set_axis(features.columns.astype(object), axis="columns")
    with without_mlflow_hints():
        signature = infer_signature(example, model.predict(example))
        # The input example is checked against the signature here: the same hint again.
        info = mlflow.sklearn.log_model(
            model,
            name=MODEL_ARTIFACT,
            signature=signature,
            input_example=example,
            # Types of the model this run just fitted: trusted when it is loaded again.
            skops_trusted_types=skops.io.get_untrusted_types(data=skops.io.dumps(model)),
            conda_env=model_environment(),
        )
    mlflow.set_tag(MODEL_URI_TAG, info.model_uri)
    return str(info.model_uri)


def model_environment() -> dict[str, Any]:
    """The logged model's environment, stated rather than inferred.

    Inference loads the model in a subprocess and takes seconds. And MLflow's own conda.yaml
    pins pip to the running pip's version, which a uv-built environment has none of ("Failed to
    resolve installed pip version"): this one names pip without a version, as conda needs it.
    """
    requirements = [f"{name}=={importlib.metadata.version(name)}" for name in MODEL_REQUIREMENTS]
    return {
        "name": "mlflow-env",
        "channels": ["conda-forge"],
        "dependencies": [f"python={platform.python_version()}", "pip", {"pip": requirements}],
    }


def runs_table(experiment: str, metric: str, limit: int, higher_is_better: bool = True) -> str:
    """The experiment's runs as a text table, best `metric` first (runs without it last)."""
    order = "DESC" if higher_is_better else "ASC"
    runs = mlflow.search_runs(
        experiment_names=[experiment], order_by=[f"metrics.{metric} {order}"], max_results=limit
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
                for column in map(str, runs.columns)
                if column.startswith("params.model.")
            },
            "commit": runs.get("tags.git_commit", pd.Series(dtype=str)).str[:8],
        }
    )
    return table.fillna("").to_string(index=False)
