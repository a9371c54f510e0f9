"""Every command of `python -m <module>`: the pipeline's stages and `monitor` observed by the
configured tracker, `tune` (tracked.py), the kit's own (`gate`, `doctor`, `adopt`, `refresh`),
and MLflow's `register`, `predict`, `runs`, with a `gate` that also holds the champion's line.

The MLflow commands say in one line when `tracking.tracker` is another; MLflow is imported only
by a command that uses it, so `--no-track` runs never load it.
"""

import argparse
import dataclasses
from pathlib import Path
from types import ModuleType
from typing import Any

from . import gate
from .cli import Command
from .project import load_pipeline
from .tracked import tracked_commands, tracked_config
from .tracking import adapter

PREDICTIONS = Path("reports/predictions.csv")  # git-ignored, and not an output `repro` compares


def connected(args: argparse.Namespace) -> tuple[Any, ModuleType]:
    """The config and the MLflow adapter, connected: one line first when the tracker is another
    (or MLflow is not installed), so no MLflow import comes before the check."""
    config = tracked_config(args, "mlflow")
    tracking = adapter(config)
    tracking.connect()
    return config, tracking


def run_register(args: argparse.Namespace) -> None:
    config, _ = connected(args)
    from . import registry

    registry.register(config, run_id=args.run_id, alias=args.alias, version=args.version)


def run_predict(args: argparse.Namespace) -> None:
    config, _ = connected(args)
    from . import predict

    model = args.model or f"models:/{config.tracking.model_name}@champion"
    predict.predict(model, args.input, args.output, Path.cwd())


def run_runs(args: argparse.Namespace) -> None:
    config, tracking = connected(args)
    metric = args.metric or config.metric
    table = load_pipeline().metrics
    # A metric of the table ranks its own way; tune's cv_ scores are greater-is-better.
    higher = metric not in table or table[metric].higher_is_better
    print(tracking.runs_table(config.tracking.experiment, metric, args.limit, higher))


def run_gate(args: argparse.Namespace) -> int:
    """The quality gate, also against the team MLflow server's champion when there is one."""
    from . import champion

    return gate.run(args, champion=champion.champion_metrics)


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
        "--metric", help="rank runs by this metric, best first (default: `metric:` of params.yaml)"
    )
    parser.add_argument(
        "--limit", type=int, default=20, help="show at most this many runs (default: %(default)s)"
    )


def commands() -> dict[str, Command]:
    """Every command: the tracked pipeline commands and `tune` (tracked.py), and MLflow's."""
    commands = tracked_commands()
    commands["runs"] = Command(
        "list the MLflow experiment's runs, best first", run_runs, runs_arguments
    )
    commands["register"] = Command(
        "register a run's model in MLflow and point an alias at it",
        run_register,
        register_arguments,
    )
    commands["predict"] = Command(
        "predict with a model of the MLflow registry", run_predict, predict_arguments
    )
    commands["gate"] = dataclasses.replace(commands["gate"], run=run_gate)
    return commands
