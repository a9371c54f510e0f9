"""Command line: `python -m {{ cookiecutter.module_name }} [all|STAGE]` runs the pipeline from `params.yaml`."""

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import adopt, gate, pipeline
from .config import Config, ConfigError, load_config
from .manifest import write_manifest
from .paths import PARAMS
from .schema import SchemaError
from .seed import seed_everything


class UsageError(Exception):
    """A problem the user can fix, reported as one line without a traceback."""


@dataclass(frozen=True)
class Command:
    """A subcommand: its help line, how it reads arguments, and what it runs."""

    help: str
    run: Callable[[argparse.Namespace], int | None]  # the exit status; None means 0
    arguments: Callable[[argparse.ArgumentParser], None] = field(default=lambda parser: None)


def prepare(args: argparse.Namespace) -> Config:
    """Load the configuration, then seed every generator from it: the start of every run."""
    config = load_config(args.params)
    seed_everything(config.seed)
    return config


def run_stages(args: argparse.Namespace) -> None:
    """Run `args.command` (one stage, or `all`) in the current directory."""
    names = list(pipeline.STAGE_NAMES) if args.command == "all" else [args.command]
    config = prepare(args)
    write_manifest(config, Path.cwd())
    try:
        pipeline.run(names, config, Path.cwd())
    except FileNotFoundError as error:
        raise UsageError(
            f"{error.filename} not found: run the earlier stages first (`all`)"
        ) from None


def pipeline_commands(
    runner: Callable[[argparse.Namespace], None] = run_stages,
) -> dict[str, Command]:
    """One command per stage plus `all`, each run by `runner`, and the quality `gate`."""
    commands = {"all": Command("run every stage in order (the default)", runner)}
    for name in pipeline.STAGE_NAMES:
        commands[name] = Command(f"run only the {name} stage", runner)
    commands["gate"] = Command(gate.HELP, gate.run, gate.add_arguments)
    commands["adopt"] = Command(adopt.HELP, adopt.run, adopt.add_arguments)
    return commands


def build_parser(commands: dict[str, Command]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m {{ cookiecutter.module_name }}", description=__doc__)
    parser.add_argument(
        "--params", type=Path, default=PARAMS, help="params file (default: %(default)s)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in commands.items():
        command.arguments(subparsers.add_parser(name, help=command.help, description=command.help))
    return parser


def main(argv: list[str] | None = None, commands: dict[str, Command] | None = None) -> int:
    """Parse `argv`, run the chosen command (default `all`), report usage errors in one line."""
    commands = commands or pipeline_commands()
    args = build_parser(commands).parse_args(argv)
    args.command = args.command or "all"
    try:
        return commands[args.command].run(args) or 0
    except (ConfigError, SchemaError, UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
