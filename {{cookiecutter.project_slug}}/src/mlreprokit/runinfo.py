"""What a tracked run is called and records, whichever tracker logs it: name, params, what ran."""

import os
import subprocess
from pathlib import Path
from typing import Any

from .config import as_mapping
from .metrics import flatten

# What DVC sets for each stage command it runs (`dvc repro`, `dvc exp run`), and in experiments.
DVC_STAGE = "DVC_STAGE"
DVC_EXP_NAME = "DVC_EXP_NAME"
DVC_EXP_BASELINE_REV = "DVC_EXP_BASELINE_REV"


def run_params(config: Any) -> dict[str, object]:
    """What decides the results: the seed, the data split and the model (not gate, tracking)."""
    return flatten(
        {"seed": config.seed, "data": as_mapping(config.data), "model": as_mapping(config.model)}
    )


def manifest_scalars(manifest: dict[str, object]) -> dict[str, str]:
    """The run manifest as flat strings (every entry but the package list, kept as a file)."""
    scalars = {key: value for key, value in manifest.items() if key not in ("packages", "ci")}
    ci = manifest.get("ci")  # its `ci.*` entries are named already
    flat = {**flatten(scalars), **(ci if isinstance(ci, dict) else {})}
    return {key: str(value) for key, value in flat.items()}


def execution_tags(command: str) -> dict[str, str]:
    """What ran: the command, or under DVC `dvc repro` / `dvc exp run` with the experiment."""
    if DVC_STAGE not in os.environ:
        return {"command": command}
    experiment = os.environ.get(DVC_EXP_NAME)
    tags = {"command": "dvc exp run" if experiment else "dvc repro"}
    if experiment:
        tags["dvc.experiment"] = experiment
        tags["dvc.baseline"] = os.environ.get(DVC_EXP_BASELINE_REV, "")
    return {key: value for key, value in tags.items() if value}


def short_commit(root: Path) -> str:
    """The checked-out commit, abbreviated; "no-commit" outside git, before a first commit or
    where git is not installed (the slim Docker image)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short=8", "HEAD"], cwd=root, capture_output=True, text=True
        )
    except FileNotFoundError:
        return "no-commit"
    return done.stdout.strip() if done.returncode == 0 else "no-commit"


def run_name(tags: dict[str, str], root: Path) -> str:
    """`<command>-<short commit>` (`all-1a2b3c4d`), the DVC experiment's name in its place."""
    what = tags.get("dvc.experiment") or tags["command"].replace(" ", "-")
    return f"{what}-{short_commit(root)}"
