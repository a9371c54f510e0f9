"""The pipeline's commands with the configured tracker observing: every stage and `monitor`
(each with `--no-track`), and `tune`.

`tracking.adapter` imports the tracker's module only for a run that is tracked, so `--no-track`
runs and projects with `tracker: none` never load a tracker's package.
"""

import argparse
import dataclasses
import os
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from . import cli
from .cli import Command
from .config import load_config
from .errors import UsageError
from .project import load_pipeline
from .tracking import adapter


def tracker_name(config: Any) -> str:
    """`tracking.tracker` of params.yaml; none without a `tracking:` section."""
    return "none" if config.tracking is None else str(config.tracking.tracker)


def tracking_on(args: argparse.Namespace, config: Any) -> bool:
    """Tracking is on unless `--no-track` was given or params.yaml turns it off."""
    return (
        not getattr(args, "no_track", False)
        and tracker_name(config) != "none"
        and config.tracking.enabled
    )


def tracked_config(args: argparse.Namespace, tracker: str | None = None) -> Any:
    """The configuration of a command that needs a tracker (`tracker`, if given), on."""
    config = load_config(args.params)
    name = tracker_name(config)
    if name == "none" or (tracker is not None and name != tracker):
        raise UsageError(
            f"`{args.command}` needs {tracker or 'a tracker'}, but tracking.tracker is {name} in "
            f"{args.params} (src/{__package__}/TRACKING.md)"
        )
    if not tracking_on(args, config):
        raise UsageError(
            f"`{args.command}` needs tracking, but tracking.enabled is false in {args.params}"
        )
    return config


def under_dvc() -> bool:
    """DVC runs each stage as its own command (`dvc repro`, `dvc exp run`) and says which."""
    return "DVC_STAGE" in os.environ


class TrackerRun:
    """The configured tracker's adapter as the runner's observer (trackers.Tracker).

    Under DVC, the last stage logs the outputs of the whole pipeline.
    """

    def __init__(self) -> None:
        self._run = ExitStack()
        self._tracking: Any = None

    def start(self, config: Any, command: str) -> None:
        self._tracking = adapter(config)
        # pipeline_run fails in one line, before any stage runs, if the tracker cannot be used.
        self._run.enter_context(self._tracking.pipeline_run(config, command))

    def log_manifest(self, manifest: dict[str, object]) -> None:
        self._tracking.log_manifest(manifest)

    def log_outputs(self, stages: list[str], root: Path) -> None:
        self._tracking.log_outputs(list(load_pipeline().names) if under_dvc() else stages, root)

    def end(self, error: BaseException | None) -> None:
        if error is None:
            self._run.close()
        else:
            self._run.__exit__(type(error), error, error.__traceback__)


def run_tracked(args: argparse.Namespace) -> None:
    """Run the stages of `args.command` with the tracker observing (or none, if tracking is off).

    Under DVC one execution is one run: the stages before the last log nothing, and the last
    logs the whole pipeline (params, data, model, metrics), tagged with the DVC experiment.
    """
    config = load_config(args.params)
    last_stage = args.command == load_pipeline().names[-1]
    off = not tracking_on(args, config) or (under_dvc() and not last_stage)
    cli.run_stages(args, config, tracker=None if off else TrackerRun())


def run_monitor(args: argparse.Namespace) -> int:
    """`monitor`, its report and scores logged as a run of its own (unless tracking is off)."""
    from . import monitor

    config = load_config(args.params)
    if not tracking_on(args, config):
        return monitor.run(args)
    tracking = adapter(config)
    with tracking.pipeline_run(config, "monitor"):
        outcome = monitor.check(args)
        tracking.log_monitoring(outcome)
    return monitor.finish(outcome)


def monitor_arguments(parser: argparse.ArgumentParser) -> None:
    from . import monitor

    monitor.add_arguments(parser)
    no_track_argument(parser)


def run_tune(args: argparse.Namespace) -> None:
    config = tracked_config(args)
    if config.tracking.tune is None:
        raise UsageError(f"`tune` needs a tracking.tune section in {args.params} (TRACKING.md)")
    tune = adapter(config, "tune")
    # Seeded once, as every command is (cli.prepare), before the study starts.
    config = cli.prepare(args, config)
    tune.run(config, Path.cwd(), workers=args.workers, storage=args.storage, params=args.params)


MAX_WORKERS = 256  # processes on one machine; more machines share a --storage database


def positive(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"must be 1 to {MAX_WORKERS}, got {value}")
    return value


def tune_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=positive,
        default=1,
        metavar="N",
        help="processes on this machine splitting tracking.tune.trials, sharing a journal in "
        ".optuna/ (default: %(default)s; more than 1 is not reproducible trial for trial, one is)",
    )
    parser.add_argument(
        "--storage",
        metavar="URL",
        help="the study's database, e.g. your team's postgresql+psycopg2://... (its driver in "
        "requirements.in): the study named after the experiment, joined if it exists",
    )


def no_track_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-track",
        action="store_true",
        help="run without tracking (as `tracking.enabled: false` does)",
    )


def tracked_commands() -> dict[str, Command]:
    """The pipeline commands and `monitor`, tracked and with `--no-track`, plus `tune`."""
    tracked = cli.pipeline_commands(run_tracked)
    for name in ("all", *load_pipeline().names):
        tracked[name] = dataclasses.replace(tracked[name], arguments=no_track_argument)
    tracked["monitor"] = dataclasses.replace(
        tracked["monitor"], run=run_monitor, arguments=monitor_arguments
    )
    tracked["tune"] = Command(
        "an Optuna study of tracking.tune.space, one tracked run per trial",
        run_tune,
        tune_arguments,
    )
    return tracked
