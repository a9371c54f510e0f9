"""`tracking:` in params.yaml, for MLflow: where runs go and what `register` and `tune` do."""

import dataclasses

from .tune_config import TuneConfig


@dataclasses.dataclass(frozen=True)
class TrackingConfig:
    enabled: bool
    experiment: str
    model_name: str  # the registered model `register` adds versions to
    autolog: bool
    tune: TuneConfig
