"""This project's settings: the sections of `params.yaml`, as typed dataclasses.

`mlreprokit.config.load_config` reads `params.yaml` into `Config` and rejects unknown keys and
wrong types in one line. Add a section (or a key) here and in `params.yaml` together; the
`model:` section is `kinds.ModelConfig` (a kind and its hyperparameters); `metric:` and the
names under `gate:` are checked against `metrics.METRICS` for the task in `schema.yaml`.
"""

import dataclasses

from mlreprokit.config import DataConfig, GateConfig, MonitorConfig
from mlreprokit.errors import ConfigError
from mlreprokit.tracking_config import TrackingConfig

from .kinds import ModelConfig


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int
    data: DataConfig
    model: ModelConfig
    metric: str  # the metric runs are ranked and tuned by: a name of metrics.METRICS for the task
    tracking: TrackingConfig | None = None
    gate: GateConfig | None = None
    monitor: MonitorConfig | None = None  # None: the defaults (config.py of the kit)

    def __post_init__(self) -> None:
        if not 0 <= self.seed < 2**32:
            raise ConfigError(f"seed must be between 0 and 2**32 - 1, got {self.seed}")
