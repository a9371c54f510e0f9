"""The model registry: register a run's model, move an alias to it, predict with a registered model.

Aliases (`challenger`, `champion`) name versions; rolling back is moving `champion` to an older one.
"""

import time
from collections.abc import Mapping
from typing import Any

import mlflow
from mlflow.entities import Run
from mlflow.exceptions import MlflowException

from .errors import UsageError
from .mlflow_tracking import MODEL_URI_TAG

MAX_DESCRIPTION = 5000  # characters in a model version's description (MLflow's SQL schema)
CARD_TAGS = (
    "git_commit",
    "git_dirty",
    "data_raw_sha256",
    "params_sha256",
    "locks_sha256.requirements.txt",
)


def latest_model_run(client: mlflow.MlflowClient, experiment_name: str) -> Run:
    """The most recent finished run of the experiment that logged a model."""
    experiment = client.get_experiment_by_name(experiment_name)
    runs = (
        []
        if experiment is None
        else client.search_runs(
            [experiment.experiment_id],
            filter_string=f"status = 'FINISHED' and tags.{MODEL_URI_TAG} LIKE 'models:/%'",
            order_by=["attributes.start_time DESC"],
            max_results=1,
        )
    )
    if not runs:
        raise UsageError(
            f"no finished run with a model in experiment {experiment_name!r}: run `all` first"
        )
    return runs[0]


def model_run(client: mlflow.MlflowClient, config: Any, run_id: str | None) -> Run:
    """The run `run_id` (checked: finished, with a model), or the latest one with a model."""
    if run_id is None:
        return latest_model_run(client, config.tracking.experiment)
    try:
        run = client.get_run(run_id)
    except MlflowException:
        raise UsageError(f"run {run_id!r} not found in the tracking store") from None
    if run.info.status != "FINISHED" or MODEL_URI_TAG not in run.data.tags:
        raise UsageError(f"run {run_id} has no model to register (status {run.info.status})")
    return run


def table(rows: Mapping[str, object]) -> str:
    """A two-column markdown table, rows sorted by name."""
    lines = [f"| {key} | {value} |" for key, value in sorted(rows.items())]
    return "\n".join(["| name | value |", "|---|---|", *lines])


def data_table(run: Run) -> str:
    """The run's dataset inputs: split, name, digest, source."""
    rows = ["| context | name | digest | source |", "|---|---|---|---|"]
    for item in run.inputs.dataset_inputs if run.inputs else []:
        context = {tag.key: tag.value for tag in item.tags}.get("mlflow.data.context", "")
        data = item.dataset
        rows.append(f"| {context} | {data.name} | {data.digest} | {data.source} |")
    return "\n".join(rows) if len(rows) > 2 else "No dataset inputs logged."


def model_card(name: str, version: str, run: Run) -> str:
    """A markdown card for one model version: where it came from and how well it did."""
    tags = run.data.tags
    origin = {key: tags.get(key, "unknown") for key in CARD_TAGS}
    metrics = table(run.data.metrics) if run.data.metrics else "No metrics logged."
    return (
        f"# {name} version {version}\n\n"
        f"Registered {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC"
        f" from run `{run.info.run_id}`"
        f" ({tags.get('mlflow.runName', 'unnamed')}).\n\n"
        f"## Metrics (test split)\n\n{metrics}\n\n"
        f"## Data\n\n{data_table(run)}\n\n"
        f"## Origin\n\n{table(origin)}\n\n"
        f"## Parameters\n\n{table(run.data.params)}\n"
    )


def register(config: Any, run_id: str | None, alias: str, version: int | None) -> str:
    """Point `alias` at the model of a run (registering it once) or at an existing `version`."""
    client = mlflow.MlflowClient()
    name = config.tracking.model_name
    if version is not None:
        try:
            client.set_registered_model_alias(name, alias, str(version))
        except MlflowException as error:
            raise UsageError(
                f"cannot move {alias} to {name} version {version}: {error.message}"
            ) from None
        print(f"{name}@{alias} -> version {version}")
        return str(version)
    run = model_run(client, config, run_id)
    existing = client.search_model_versions(f"name = '{name}' and run_id = '{run.info.run_id}'")
    if existing:  # promoting a registered run moves the alias, without a duplicate version
        number = str(max(existing, key=lambda v: int(v.version)).version)
    else:
        number = new_version(client, name, run)
    client.set_registered_model_alias(name, alias, number)
    print(f"{name}@{alias} -> version {number} (run {run.info.run_id})")
    return number


def description(card: str) -> str:
    """The card as a version description, cut to what MLflow's SQL stores hold."""
    if len(card) <= MAX_DESCRIPTION:
        return card
    note = "\n\n(cut here: the whole card is the artifact in the version's `model_card` tag)"
    return card[: MAX_DESCRIPTION - len(note)] + note


def new_version(client: mlflow.MlflowClient, name: str, run: Run) -> str:
    """Register the run's model as a new version: the model card as its description (MLflow
    shows it as markdown), its origin and metrics as version tags, the card kept in the run."""
    tags = {key: run.data.tags[key] for key in CARD_TAGS if key in run.data.tags}
    tags |= {f"metrics.{key}": f"{value:.6g}" for key, value in run.data.metrics.items()}
    created = mlflow.register_model(run.data.tags[MODEL_URI_TAG], name, tags=tags)
    card = model_card(name, created.version, run)
    path = f"model_cards/{name}-v{created.version}.md"
    client.log_text(run.info.run_id, card, path)
    client.update_model_version(name, created.version, description(card))
    client.set_model_version_tag(
        name, created.version, "model_card", f"runs:/{run.info.run_id}/{path}"
    )
    return str(created.version)
