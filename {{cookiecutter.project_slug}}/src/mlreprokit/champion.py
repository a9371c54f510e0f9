"""The champion's metrics for the quality gate: from the team's MLflow server, when there is one."""

import sys
from typing import Any

from .tracking import adapter

ALIAS = "champion"


def champion_metrics(config: Any) -> dict[str, float] | None:
    """Metrics of the run behind `<tracking.model_name>@champion`; None without a team server."""
    tracking = config.tracking
    if tracking is None or tracking.tracker != "mlflow" or not tracking.enabled:
        return None
    mlflow_tracking = adapter(config)  # one line if MLflow is not installed
    import mlflow  # only when tracking with MLflow is on

    if mlflow_tracking.tracking_uri() == mlflow_tracking.LOCAL_STORE:
        return None  # a clone's own store: no team champion to hold the line against
    mlflow_tracking.connect()
    client = mlflow.MlflowClient()
    try:
        version = client.get_model_version_by_alias(config.tracking.model_name, ALIAS)
    except mlflow.exceptions.MlflowException:
        return None  # no registered model, or no champion yet
    if version.run_id is None:  # registered from a model file, not from a run
        return None
    metrics = dict(client.get_run(version.run_id).data.metrics)
    if not metrics:  # e.g. registered from a run that logged the model only
        print(
            f"WARNING: {config.tracking.model_name}@{ALIAS} (version {version.version}, run "
            f"{version.run_id}) has no metrics: the gate cannot compare with the champion",
            file=sys.stderr,
        )
    return metrics or None
