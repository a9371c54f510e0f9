"""`tune` with W&B: the Optuna study of `tracking.tune` (see search.py), one run per trial,
grouped.

The runs of one search share the group `tune-<commit>-<id>` and the job type `tune`; the best is
tagged `best` (the first of equal scores). The study ends before any run opens, so a run's tags
are final when it is written.
"""

import secrets
from pathlib import Path
from typing import Any

from . import proposal
from . import wandb_tracking as tracking
from .config import as_mapping
from .manifest import build_manifest
from .paths import PARAMS, SCHEMA
from .project import load_pipeline
from .runinfo import short_commit
from .schema import load_schema
from .search import best, check_metric, check_space, model_params, search
from .tune_config import TuneConfig


def run(
    config: Any, root: Path, workers: int = 1, storage: str | None = None, params: Path = PARAMS
) -> str:
    """Run the study, then log one run per trial; propose the best parameters; return the
    best run's id."""
    settings = tracking.settings(config)
    tune: TuneConfig = config.tracking.tune  # run_tune checked it is there
    check_metric(tune.metric, load_schema(root / SCHEMA))
    check_space(tune, config.model)
    tracking.run_mode(config)  # fails in one line, before any fit, if W&B cannot be used
    load_pipeline().run(["data", "features"], config, root)  # the train split the study reads
    trials = search(config, root, settings.project, workers, storage)
    top = best(trials)
    key = f"cv_{tune.metric}"
    group = f"tune-{short_commit(root)}-{secrets.token_hex(3)}"
    manifest = build_manifest(config, root)
    runs: dict[int, str] = {}
    for trial in trials:
        with tracking.start_run(
            config,
            name=f"{group}-trial-{trial.number}",
            group=group,
            job_type="tune",
            tags=("best",) if trial is top else (),
            params={**model_params(trial.model), "seed": config.seed, "tune.metric": tune.metric},
        ) as child:
            tracking.log_manifest(manifest)
            child.log({key: trial.score})
            runs[trial.number] = child.id
    print(
        f"best: trial {top.number}, run {runs[top.number]} ({key} {top.score:.4f}) in group {group}"
    )
    tuned = {name: as_mapping(top.model)[name] for name in tune.space}
    print(proposal.report(proposal.write(root / params, root, tuned), tuned))
    return runs[top.number]
