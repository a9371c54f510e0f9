"""`tune` with MLflow: the candidates of `tracking.tune` (see search.py), one child run each.

The best child is tagged `best: true`, and the parent run records it.
"""

import dataclasses
from pathlib import Path
from typing import Any

import mlflow

from . import tracking
from .manifest import build_manifest
from .paths import SCHEMA, TRAIN_DATA
from .project import load_pipeline
from .schema import load_schema, read_split
from .search import candidates, check_metric, cross_validate, model_params


def run(config: Any, root: Path) -> str:
    """Run the search under one parent run; return the best child's run id."""
    tune = config.tracking.tune
    schema = load_schema(root / SCHEMA)
    check_metric(tune.metric, schema)
    settings = candidates(tune, config.model, config.seed)
    key = f"cv_{tune.metric}"
    scores: dict[str, float] = {}
    with tracking.pipeline_run(config, "tune") as parent:  # fails first if the store is down
        load_pipeline().run(["data", "features"], config, root)  # the train split the search reads
        train = read_split(root / TRAIN_DATA, schema)
        tracking.log_manifest(build_manifest(config, root))
        for index, model in enumerate(settings):
            with mlflow.start_run(run_name=f"candidate-{index}", nested=True) as child:
                candidate = dataclasses.replace(config, model=model)
                params = model_params(model)
                mlflow.log_params({**params, "seed": config.seed})
                scores[child.info.run_id] = cross_validate(candidate, tune, schema, train)
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
