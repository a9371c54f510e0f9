"""The pipeline's stages, in order: the one list every runner (CLI, nox, DVC) reads."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import data, evaluate, features, train
from .config import Config
from .paths import FIGURE, METRICS, MODEL, RAW_DATA, SCHEMA, TEST_DATA, TRAIN_DATA

MODEL_CODE = Path("src", __package__, "model.py")  # the preprocessing and forest train builds


@dataclass(frozen=True)
class Stage:
    """A step of the pipeline: what it reads, what it writes, which params it depends on."""

    name: str
    run: Callable[[Config, Path], None]
    deps: tuple[Path, ...]
    outs: tuple[Path, ...]
    params: tuple[str, ...]


STAGES: tuple[Stage, ...] = (
    # The source and its hash are params: a new source or new data reruns everything after.
    Stage(
        "data",
        data.run,
        deps=(),
        outs=(RAW_DATA,),
        params=("data.source", "data.sha256", "data.format"),
    ),
    # schema.yaml is an input of every stage that reads it: editing it reruns them.
    Stage(
        "features",
        features.run,
        deps=(RAW_DATA, SCHEMA),
        outs=(TRAIN_DATA, TEST_DATA),
        params=("seed", "data.test_size", "data.stratify"),
    ),
    Stage(
        "train",
        train.run,
        deps=(TRAIN_DATA, SCHEMA, MODEL_CODE),
        outs=(MODEL,),
        params=("seed", "model"),
    ),
    Stage(
        "evaluate",
        evaluate.run,
        deps=(MODEL, TEST_DATA, SCHEMA),
        outs=(METRICS, FIGURE),
        params=(),
    ),
)
STAGE_NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)


def run(names: list[str], config: Config, root: Path) -> None:
    """Run the named stages in pipeline order; each reads its inputs from disk."""
    for stage in STAGES:
        if stage.name in names:
            print(f"stage {stage.name}", flush=True)
            stage.run(config, root)
