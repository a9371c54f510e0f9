"""The hyperparameter search behind `tune`, whichever tracker logs it: candidates and their scores.

Every candidate's model and folds take the configured seed, so only hyperparameters differ.
The test split is never looked at: candidates are cross-validated on the train split.
"""

import itertools
import random
from typing import Any

import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

from .config import as_mapping, parse
from .metrics import check_name, scorer
from .project import load_pipeline
from .schema import Schema, model_inputs
from .tune_config import TuneConfig


def check_metric(metric: str, schema: Schema) -> None:
    """tracking.tune.metric must name a metric of the project's table for the schema's task."""
    check_name(load_pipeline().metrics, schema.task, metric, "tracking.tune.metric")


def candidates(tune: TuneConfig, model: Any, seed: int) -> list[Any]:
    """The model settings to try: `model` with each point of the grid, or `draws` of them drawn
    with `seed`."""
    grid = tune.grid
    combos = [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
    if tune.draws is not None and tune.draws < len(combos):
        combos = random.Random(seed).sample(combos, tune.draws)
    base = as_mapping(model)
    model_config = load_pipeline().model_config
    return [parse(model_config, {**base, **combo}, "tracking.tune.grid.") for combo in combos]


def cross_validate(config: Any, tune: TuneConfig, schema: Schema, train: pd.DataFrame) -> float:
    """Mean score of `tune.metric` over folds of the train split: stratified for classification
    (every fold keeps the class shares), plain shuffled folds for regression. Greater is
    better, as for scikit-learn's scorers: a loss comes back negated."""
    splitter = StratifiedKFold if schema.task == "classification" else KFold
    folds = splitter(n_splits=tune.folds, shuffle=True, random_state=config.seed)
    inputs = model_inputs(train, schema)
    scores = cross_val_score(
        load_pipeline().build_model(config, schema, inputs),
        inputs,
        train[schema.target],
        cv=folds,
        scoring=scorer(load_pipeline().metrics[tune.metric]),
    )
    return float(scores.mean())


def model_params(model: Any) -> dict[str, object]:
    """A candidate's hyperparameters as `model.<name>` params, as the pipeline's runs log them."""
    return {f"model.{key}": value for key, value in as_mapping(model).items()}
