"""`tune`: cross-validate the candidates of `tracking.tune` on the train split, one child run each.

Every candidate's model and folds take the parent's seed, so only hyperparameters differ; the best
child is tagged `best: true` and the parent records it. The test split is never looked at.
"""

import dataclasses
import itertools
import random
from pathlib import Path

import mlflow
import pandas as pd
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

from . import pipeline, tracking
from .config import Config, ConfigError, ModelConfig, parse
from .manifest import build_manifest
from .model import build_model, features
from .paths import SCHEMA, TRAIN_DATA
from .schema import Schema, load_schema
from .seed import seed_everything
from .train import read_split

# Scorers of regression models; every other scikit-learn scorer needs classes.
REGRESSION_SCORERS = ("r2", "explained_variance", "max_error", "neg_mean", "neg_median", "neg_root")


def scorer_task(metric: str) -> str:
    """The task a scikit-learn scorer measures: regression or classification."""
    return (
        "regression"
        if metric.startswith(REGRESSION_SCORERS) or metric.startswith("d2_")
        else "classification"
    )


def check_metric(metric: str, schema: Schema) -> None:
    """tracking.tune.metric must be a scorer, for the schema's task: one line otherwise."""
    if metric not in get_scorer_names():
        raise ConfigError(f"tracking.tune.metric {metric!r} is not a scikit-learn scorer name")
    if scorer_task(metric) != schema.task:
        fits = (
            "accuracy, f1_macro"
            if schema.task == "classification"
            else "r2, neg_root_mean_squared_error"
        )
        raise ConfigError(
            f"tracking.tune.metric {metric!r} scores {scorer_task(metric)}, but {SCHEMA} says "
            f"task: {schema.task}: use e.g. {fits}"
        )


def candidates(config: Config) -> list[ModelConfig]:
    """The model settings to try: the grid, or `draws` of it drawn with the configured seed."""
    grid = config.tracking.tune.grid
    combos = [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
    draws = config.tracking.tune.draws
    if draws is not None and draws < len(combos):
        combos = random.Random(config.seed).sample(combos, draws)
    base = dataclasses.asdict(config.model)
    return [parse(ModelConfig, {**base, **combo}, "tracking.tune.grid.") for combo in combos]


def cross_validate(config: Config, schema: Schema, train: pd.DataFrame) -> float:
    """Mean score of `tracking.tune.metric` over folds of the train split: stratified for
    classification (every fold keeps the class shares), plain shuffled folds for regression."""
    tune = config.tracking.tune
    splitter = StratifiedKFold if schema.task == "classification" else KFold
    folds = splitter(n_splits=tune.folds, shuffle=True, random_state=config.seed)
    scores = cross_val_score(
        build_model(config, schema),
        features(train, schema),
        train[schema.target],
        cv=folds,
        scoring=tune.metric,
    )
    return float(scores.mean())


def run(config: Config, root: Path) -> str:
    """Run the search under one parent run; return the best child's run id."""
    metric = config.tracking.tune.metric
    schema = load_schema(root / SCHEMA)
    check_metric(metric, schema)
    settings = candidates(config)
    tracking.connect()
    seed_everything(config.seed)
    pipeline.run(["data", "features"], config, root)  # the train split the search reads
    train = read_split(root / TRAIN_DATA, schema)
    key = f"cv_{metric}"
    scores: dict[str, float] = {}
    with tracking.pipeline_run(config, "tune") as parent:
        tracking.log_manifest(build_manifest(config, root))
        for index, model in enumerate(settings):
            with mlflow.start_run(run_name=f"candidate-{index}", nested=True) as child:
                candidate = dataclasses.replace(config, model=model)
                params = {f"model.{k}": v for k, v in dataclasses.asdict(model).items()}
                mlflow.log_params({**params, "seed": config.seed})
                scores[child.info.run_id] = cross_validate(candidate, schema, train)
                mlflow.log_metric(key, scores[child.info.run_id])
                print(
                    f"candidate {index}: {params} {key} {scores[child.info.run_id]:.4f}", flush=True
                )
        best = max(scores, key=scores.__getitem__)  # the first of equal scores
        mlflow.MlflowClient().set_tag(best, "best", "true")
        mlflow.set_tag("best_run_id", best)
        mlflow.log_metric(f"best_{key}", scores[best])
    print(f"best: run {best} ({key} {scores[best]:.4f}) under parent {parent.info.run_id}")
    return best
