"""The pipeline's stages, in order: the one list every runner (the CLI, `nox`, `repro`, DVC)
reads. `pyproject.toml` names `PIPELINE` under `[tool.mlreprokit]`; add a stage here."""

from pathlib import Path

from mlreprokit import profile
from mlreprokit.paths import (
    FIGURE,
    METRICS,
    MODEL,
    PROFILE,
    RAW_DATA,
    SCHEMA,
    TEST_DATA,
    TRAIN_DATA,
)
from mlreprokit.project import Pipeline, Stage

from . import data, evaluate, features, metrics, train
from .config import Config
from .model import build_model

MODEL_CODE = Path("src", __package__, "model.py")  # what builds the model train fits

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
    # What the model learned from and how it predicts: `monitor` compares new rows with it.
    Stage(
        "profile",
        profile.run,
        deps=(TRAIN_DATA, TEST_DATA, MODEL, SCHEMA),
        outs=(PROFILE,),
        params=(),
    ),
)
PIPELINE = Pipeline(
    STAGES,
    config=Config,
    build_model=build_model,
    metrics=metrics.METRICS,
    engineer=features.engineer,
)
