"""`tracking:` in params.yaml, for MLflow: where runs go and what `register` and `tune` do."""

import dataclasses

from .tune_config import TuneConfig

# The environment variables (prefixes) that name a team's server: the tests clear them.
TEAM_VARIABLES = ("MLFLOW_TRACKING_", "MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_")


@dataclasses.dataclass(frozen=True)
class TrackingConfig:
    enabled: bool
    experiment: str
    model_name: str  # the registered model `register` adds versions to
    autolog: bool
    tune: TuneConfig
