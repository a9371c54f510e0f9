"""`tracking:` in params.yaml, for Weights & Biases: which project runs go to, and how."""

import dataclasses
import typing

from .errors import ConfigError
from .tune_config import TuneConfig

Mode = typing.Literal["offline", "online", "disabled"]
MODES: tuple[Mode, ...] = typing.get_args(Mode)
# The environment variables that send runs to a team's W&B: the tests clear them.
TEAM_VARIABLES = ("WANDB_API_KEY", "WANDB_MODE")


@dataclasses.dataclass(frozen=True)
class TrackingConfig:
    enabled: bool
    project: str  # the W&B project runs are logged to
    entity: str | None  # the W&B user or team owning the project; null: your default entity
    mode: str  # offline (runs in wandb/, `wandb sync` uploads them), online, or disabled
    tune: TuneConfig

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"tracking.mode must be one of {', '.join(MODES)}, got {self.mode!r}")
