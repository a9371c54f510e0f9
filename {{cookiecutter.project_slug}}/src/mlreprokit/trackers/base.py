"""The interface between the runner and an experiment tracker: start, log, end.

The runner (cli.run_stages) loads the config, seeds, then calls `start` before any stage runs
(a tracker that cannot be used fails there, in one line), runs the stages, writes the manifest,
hands it and the stages' outputs to the tracker, and ends the run with the error, if any.
"""

from pathlib import Path
from typing import Any, Protocol


class Tracker(Protocol):
    """What the runner tells a tracker about one command."""

    def start(self, config: Any, command: str) -> None:
        """Open the run of `command` with its params; raise a ProjectError if it cannot."""

    def log_manifest(self, manifest: dict[str, object]) -> None:
        """Record the run manifest (commit, hashes, seed, platform)."""

    def log_outputs(self, stages: list[str], root: Path) -> None:
        """Record what `stages` wrote under `root` (model, metrics, figures)."""

    def end(self, error: BaseException | None) -> None:
        """Close the run: finished when `error` is None, failed otherwise."""


class NoTracker:
    """An untracked run: the manifest and the outputs stay on disk only."""

    def start(self, config: Any, command: str) -> None:
        pass

    def log_manifest(self, manifest: dict[str, object]) -> None:
        pass

    def log_outputs(self, stages: list[str], root: Path) -> None:
        pass

    def end(self, error: BaseException | None) -> None:
        pass
