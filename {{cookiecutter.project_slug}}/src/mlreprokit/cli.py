"""The command line: `python -m <module> [all|STAGE|COMMAND]`, configured by `params.yaml`.

A run is: load the config once, seed once, write the manifest, run the stages. Every error a
user can cause (`ProjectError`) is one line on stderr and exit status 2.
"""

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import adopt, doctor, gate, monitor, refresh
from .config import load_config
from .errors import ProjectError, UsageError
from .manifest import write_manifest
from .paths import MANIFEST, METRICS, PARAMS
from .project import load_pipeline
from .seed import seed_everything
from .trackers import NoTracker, Tracker

__all__ = ["Command", "main"]


@dataclass(frozen=True)
class Command:
    """A subcommand: its help line, how it reads arguments, and what it runs."""

    help: str
    run: Callable[[argparse.Namespace], int | None]  # the exit status; None means 0
    arguments: Callable[[argparse.ArgumentParser], None] = field(default=lambda parser: None)


def prepare(args: argparse.Namespace, config: Any = None) -> Any:
    """Load the configuration (unless the caller already has), then seed every generator from
    it: the start of every run."""
    if config is None:
        config = load_config(args.params)
    seed_everything(config.seed)
    return config


def run_stages(
    args: argparse.Namespace, config: Any = None, tracker: Tracker | None = None
) -> dict[str, object]:
    """Run `args.command` (one stage, or `all`) in the current directory; return its manifest.

    Load the config (unless the caller has), seed, open the tracker's run (default: none), run
    the stages, write the manifest, hand it and the outputs to the tracker, end its run. The
    manifest is written once the stages are done, so it describes the inputs the run used and
    the outputs it wrote; the previous one goes first, so a run that fails or is interrupted
    leaves no manifest of other outputs behind.
    """
    pipeline = load_pipeline()
    names = list(pipeline.names) if args.command == "all" else [args.command]
    config = prepare(args, config)
    tracker = NoTracker() if tracker is None else tracker
    tracker.start(config, args.command)  # a tracker that cannot be used fails before any stage
    try:
        (Path.cwd() / MANIFEST).unlink(missing_ok=True)
        try:
            pipeline.run(names, config, Path.cwd())
        except FileNotFoundError as error:
            raise UsageError(
                f"{error.filename} not found: run the earlier stages first (`all`)"
            ) from None
        manifest: dict[str, object] = write_manifest(config, Path.cwd())
        tracker.log_manifest(manifest)
        tracker.log_outputs(names, Path.cwd())
    except BaseException as error:
        tracker.end(error)
        raise
    tracker.end(None)
    if any(METRICS in stage.outs for stage in pipeline.stages if stage.name in names):
        print_metrics(Path.cwd() / METRICS)
    return manifest


def print_metrics(path: Path) -> None:
    """Print the metrics a run computed, one `name: value` line each, so a run shows its result."""
    metrics = json.loads(path.read_text(encoding="utf-8"))
    print(f"metrics ({METRICS}):")
    for name, value in sorted(metrics.items()):
        shown = f"{value:.4f}" if isinstance(value, float) else json.dumps(value)
        print(f"  {name}: {shown}")


def stages_command(args: argparse.Namespace) -> None:
    """The command behind `all` and each stage (its status is 0 unless it raises)."""
    run_stages(args)


def pipeline_commands(
    runner: Callable[[argparse.Namespace], None] = stages_command,
) -> dict[str, Command]:
    """One command per stage plus `all`, each run by `runner`, and the kit's commands (`gate`,
    `doctor`, `adopt`, `monitor`, `refresh`)."""
    commands = {"all": Command("run every stage in order (the default)", runner)}
    for name in load_pipeline().names:
        commands[name] = Command(f"run only the {name} stage", runner)
    commands["gate"] = Command(gate.HELP, gate.run, gate.add_arguments)
    commands["doctor"] = Command(doctor.HELP, doctor.run)
    commands["adopt"] = Command(adopt.HELP, adopt.run, adopt.add_arguments)
    commands["monitor"] = Command(monitor.HELP, monitor.run, monitor.add_arguments)
    commands["refresh"] = Command(refresh.HELP, refresh.run, refresh.add_arguments)
    return commands


def build_parser(commands: dict[str, Command], prog: str | None = None) -> argparse.ArgumentParser:
    if prog is None:
        prog = f"python -m {load_pipeline().module}"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    parser.add_argument(
        "--params", type=Path, default=PARAMS, help="params file (default: %(default)s)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in commands.items():
        command.arguments(subparsers.add_parser(name, help=command.help, description=command.help))
    return parser


Commands = dict[str, Command]


def main(
    argv: list[str] | None = None,
    commands: Commands | Callable[[], Commands] | None = None,
    prog: str | None = None,
) -> int:
    """Parse `argv`, run the chosen command (default `all`), report usage errors in one line.

    `commands`: the table, or what makes it (default: the pipeline's commands, untracked).
    """
    try:
        if commands is None:
            commands = pipeline_commands
        table = commands() if callable(commands) else commands
        args = build_parser(table, prog).parse_args(argv)
        args.command = args.command or "all"
        return table[args.command].run(args) or 0
    except ProjectError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: one line, the shell's status for SIGINT
        print(
            "interrupted: outputs written so far are whole (each is written atomically)",
            file=sys.stderr,
        )
        return 130
