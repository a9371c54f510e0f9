"""Which adapter a tracked command talks to: `tracking.tracker` in params.yaml picks it.

Each tracker is a pair of modules with the same functions: `<tracker>_tracking` (`pipeline_run`,
`log_manifest`, `log_outputs`, `log_monitoring`) and `<tracker>_tune` (`run`). They are imported
only when a run is tracked, so an untracked run never loads a tracker's package.
"""

import importlib
from types import ModuleType
from typing import Any

from .errors import UsageError


def adapter(config: Any, part: str = "tracking") -> ModuleType:
    """The configured tracker's `tracking` (or `tune`) module; one line when its packages are
    missing (the tracker was switched in params.yaml but not yet in requirements.in)."""
    tracker = config.tracking.tracker
    try:
        return importlib.import_module(f"{__package__}.{tracker}_{part}")
    except ModuleNotFoundError as error:
        if error.name is None or error.name.startswith(__package__ or ""):
            raise
        raise UsageError(
            f"tracking.tracker is {tracker}, but {error.name} is not installed: add the "
            f"tracker's packages to requirements.in (src/{__package__}/TRACKING.md, "
            f'"Switch trackers"), then `nox -s lock`'
        ) from None
