"""Commands with MLflow: every pipeline stage tracked, plus `register`, `predict`, `tune`, `runs`.

MLflow is imported only by a command that uses it, so `--no-track` runs never load it.
"""

import argparse
import dataclasses
import os
from pathlib import Path

from . import cli, gate, pipeline
from .cli import Command, UsageError
from .config import Config, load_config

PREDICTIONS = Path("reports/predictions.csv")  # git-ignored, and not an output `repro` compares


def tracking_on(args: argparse.Namespace, config: Config) -> bool:
    """Tracking is on unless `--no-track` was given or params.yaml turns it off."""
    return (
        not getattr(args, "no_track", False)
        and config.tracking is not None
        and config.tracking.enabled
    )


def tracked_config(args: argparse.Namespace) -> Config:
    """The configuration of a command that needs MLflow, which tracking must not turn off."""
    config = load_config(args.params)
    if not tracking_on(args, config):
        raise UsageError(
            f"`{args.command}` needs MLflow, but tracking.enabled is false in {args.params}"
        )
    return config


def under_dvc() -> bool:
    """DVC runs each stage as its own command (`dvc repro`, `dvc exp run`) and says which."""
    return "DVC_STAGE" in os.environ


def run_tracked(args: argparse.Namespace) -> None:
    """Run the stages of `args.command` inside one MLflow run (or untracked, if tracking is off).

    Under DVC one execution is one run: the stages before the last log nothing, and the last
    logs the whole pipeline (params, data, model, metrics), tagged with the DVC experiment.
    """
    config = load_config(args.params)
    last_stage = args.command == pipeline.STAGE_NAMES[-1]
    if not tracking_on(args, config) or (under_dvc() and not last_stage):
        cli.run_stages(args, config)
        return
    from . import tracking

    tracking.connect()  # fails in one line, before any work, if the store is unreachable
    with tracking.pipeline_run(config, args.command):
        tracking.log_manifest(cli.run_stages(args, config))
        whole = args.command == "all" or under_dvc()
        tracking.log_outputs(list(pipeline.STAGE_NAMES) if whole else [args.command], Path.cwd())


def run_register(args: argparse.Namespace) -> None:
    from . import registry, tracking

    config = tracked_config(args)
    tracking.connect()
    registry.register(config, run_id=args.run_id, alias=args.alias, version=args.version)


def run_predict(args: argparse.Namespace) -> None:
    from . import predict, tracking

    config = tracked_config(args)
    tracking.connect()
    model = args.model or f"models:/{config.tracking.model_name}@champion"
    predict.predict(model, args.input, args.output, Path.cwd())


def run_tune(args: argparse.Namespace) -> None:
    from . import tune

    tune.run(tracked_config(args), Path.cwd())


def run_runs(args: argparse.Namespace) -> None:
    from . import tracking

    config = tracked_config(args)
    tracking.connect()
    print(tracking.runs_table(config.tracking.experiment, args.metric, args.limit))


def run_gate(args: argparse.Namespace) -> int:
    """The quality gate, also against the team server's champion when there is one."""
    from . import champion

    return gate.run(args, champion=champion.champion_metrics)


def no_track_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-track",
        action="store_true",
        help="run without MLflow (as `tracking.enabled: false` does)",
    )


def register_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--run-id", help="the run whose model to register (default: the latest finished run)"
    )
    parser.add_argument(
        "--alias", default="challenger", help="the alias to move (default: %(default)s)"
    )
    parser.add_argument(
        "--version", type=int, help="move the alias to this existing version instead (a rollback)"
    )


def predict_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input",
        type=Path,
        help="CSV of the schema's feature columns (the id and target may be there)",
    )
    parser.add_argument(
        "--model", help="model URI (default: models:/<tracking.model_name>@champion)"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=PREDICTIONS,
        help="where to write the predictions (default: %(default)s)",
    )


def runs_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--metric", default="accuracy", help="rank runs by this metric (default: %(default)s)"
    )
    parser.add_argument(
        "--limit", type=int, default=20, help="show at most this many runs (default: %(default)s)"
    )


def tracked_commands() -> dict[str, Command]:
    """The pipeline commands, tracked and with `--no-track`, plus the MLflow commands."""
    commands = cli.pipeline_commands(run_tracked)
    for name in ("all", *pipeline.STAGE_NAMES):
        commands[name] = dataclasses.replace(commands[name], arguments=no_track_argument)
    commands["tune"] = Command(
        "search the hyperparameters of tracking.tune, one child run per candidate", run_tune
    )
    commands["runs"] = Command("list the experiment's runs, best first", run_runs, runs_arguments)
    commands["register"] = Command(
        "register a run's model and point an alias at it", run_register, register_arguments
    )
    commands["predict"] = Command("predict with a registered model", run_predict, predict_arguments)
    commands["gate"] = dataclasses.replace(commands["gate"], run=run_gate)
    return commands
