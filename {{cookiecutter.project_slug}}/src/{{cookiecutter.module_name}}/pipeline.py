"""The pipeline's stages, in order: the one list every runner (CLI, nox, DVC) reads."""

from collections.abc import Callable
from pathlib import Path

from . import data, evaluate, features, train
from .config import Config

Stage = Callable[[Config, Path], None]

STAGES: dict[str, Stage] = {
    "data": data.run,
    "features": features.run,
    "train": train.run,
    "evaluate": evaluate.run,
}


def run(names: list[str], config: Config, root: Path) -> None:
    """Run the named stages in pipeline order; each reads its inputs from disk."""
    for name, stage in STAGES.items():
        if name in names:
            print(f"stage {name}", flush=True)
            stage(config, root)
