"""`tune` with MLflow: the Optuna study of `tracking.tune` (see search.py), one child run per
trial under one parent run.

The best child is tagged `best: true`, and the parent run records it. The children are logged
when the study ends, from this process, whichever worker ran the trial.
"""

from pathlib import Path
from typing import Any

import mlflow

from . import mlflow_tracking as tracking
from . import proposal
from .config import as_mapping
from .manifest import build_manifest
from .paths import PARAMS, SCHEMA
from .project import load_pipeline
from .schema import load_schema
from .search import best, check_metric, check_space, model_params, search


def run(
    config: Any, root: Path, workers: int = 1, storage: str | None = None, params: Path = PARAMS
) -> str:
    """Run the study under one parent run; propose its best parameters; return the best
    child's run id."""
    tune = config.tracking.tune
    check_metric(tune.metric, load_schema(root / SCHEMA))
    check_space(tune, config.model)
    key = f"cv_{tune.metric}"
    with tracking.pipeline_run(config, "tune") as parent:  # fails first if the store is down
        load_pipeline().run(["data", "features"], config, root)  # the train split the study reads
        tracking.log_manifest(build_manifest(config, root))
        mlflow.log_params({"tune.trials": tune.trials, "tune.workers": workers})
        trials = search(config, root, config.tracking.experiment, workers, storage)
        runs: dict[int, str] = {}
        for trial in trials:
            with mlflow.start_run(run_name=f"trial-{trial.number}", nested=True) as child:
                mlflow.log_params({**model_params(trial.model), "seed": config.seed})
                mlflow.log_metric(key, trial.score)
                runs[trial.number] = child.info.run_id
        top = best(trials)
        mlflow.MlflowClient().set_tag(runs[top.number], "best", "true")
        mlflow.set_tag("best_run_id", runs[top.number])
        mlflow.log_metric(f"best_{key}", top.score)
    print(
        f"best: trial {top.number}, run {runs[top.number]} ({key} {top.score:.4f}) "
        f"under parent {parent.info.run_id}"
    )
    tuned = {name: as_mapping(top.model)[name] for name in tune.space}
    print(proposal.report(proposal.write(root / params, root, tuned), tuned))
    return runs[top.number]
