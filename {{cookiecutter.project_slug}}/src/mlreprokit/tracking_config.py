"""`tracking:` in params.yaml: which tracker runs report to (`tracker`), and its settings.

Every project carries every adapter, so switching trackers is an edit, not a re-bake: set
`tracker:` and that tracker's keys here, and its packages in requirements.in (TRACKING.md,
"Switch trackers"). A key of another tracker is refused in one line, as any unknown key is.
"""

import dataclasses
import typing

from .errors import ConfigError
from .tune_config import TuneConfig

TRACKERS = ("mlflow", "wandb", "none")
# Each tracker's own keys, beside `tracker`, `enabled` and `tune`; the first ones are required.
KEYS = {"mlflow": ("experiment", "model_name", "autolog"), "wandb": ("project", "entity", "mode")}
REQUIRED = {"mlflow": ("experiment", "model_name"), "wandb": ("project",)}
Mode = typing.Literal["offline", "online", "disabled"]  # W&B's
MODES: tuple[Mode, ...] = typing.get_args(Mode)
# The environment variables (prefixes) that name a team's tracker: the tests clear them.
TEAM_VARIABLES = (
    "MLFLOW_TRACKING_",
    "MLFLOW_RUN_ID",
    "MLFLOW_EXPERIMENT_",
    "WANDB_API_KEY",
    "WANDB_MODE",
)


@dataclasses.dataclass(frozen=True)
class TrackingConfig:
    tracker: str  # mlflow, wandb or none
    enabled: bool = True  # false (or `--no-track`) runs without the tracker
    tune: TuneConfig | None = None  # `tune`'s Optuna study (needs a tracker: a run per trial)
    # MLflow: the experiment runs go to, the registered model `register` adds versions to.
    experiment: str = ""
    model_name: str = ""
    autolog: bool = False
    # W&B: the project (and user or team) runs go to; offline (`wandb sync` uploads), online.
    project: str = ""
    entity: str | None = None
    mode: str = "offline"

    def __post_init__(self) -> None:
        if self.tracker not in TRACKERS:
            raise ConfigError(
                f"tracking.tracker must be one of {', '.join(TRACKERS)}, got {self.tracker!r}"
            )
        own = KEYS.get(self.tracker, ())
        defaults = TrackingConfig.__dataclass_fields__
        for tracker, keys in KEYS.items():
            for key in keys:
                if key not in own and getattr(self, key) != defaults[key].default:
                    raise ConfigError(
                        f"tracking.{key} is a setting of {tracker}, but tracking.tracker is "
                        f"{self.tracker}: {self.tracker} takes {allowed(self.tracker)}"
                    )
        for key in REQUIRED.get(self.tracker, ()):
            if not getattr(self, key):
                raise ConfigError(f"tracking.{key} is required for tracker {self.tracker}")
        if self.mode not in MODES:
            raise ConfigError(f"tracking.mode must be one of {', '.join(MODES)}, got {self.mode!r}")


def allowed(tracker: str) -> str:
    """The keys `tracking:` takes with `tracker`, for an error message."""
    return ", ".join(("tracker", "enabled", "tune", *KEYS.get(tracker, ())))
