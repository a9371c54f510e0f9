"""`tune` with W&B: the candidates of `tracking.tune` (see search.py), one run each, grouped.

The runs of one search share the group `tune-<commit>-<id>` and the job type `tune`; the best is
tagged `best` (the first of equal scores). Scores are computed before any run opens, so a run's
tags are final when it is written.
"""

import dataclasses
import secrets
from pathlib import Path
from typing import Any

from . import tracking
from .manifest import build_manifest
from .paths import SCHEMA, TRAIN_DATA
from .project import load_pipeline
from .runinfo import short_commit
from .schema import load_schema, read_split
from .search import candidates, check_metric, cross_validate, model_params


def run(config: Any, root: Path) -> str:
    """Score every candidate, then log one run per candidate; return the best run's id."""
    tune = tracking.settings(config).tune
    schema = load_schema(root / SCHEMA)
    check_metric(tune.metric, schema)
    settings = candidates(tune, config.model, config.seed)
    tracking.run_mode(config)  # fails in one line, before any fit, if W&B cannot be used
    load_pipeline().run(["data", "features"], config, root)  # the train split the search reads
    train = read_split(root / TRAIN_DATA, schema)
    key = f"cv_{tune.metric}"
    scores = []
    for index, model in enumerate(settings):
        candidate = dataclasses.replace(config, model=model)
        scores.append(cross_validate(candidate, tune, schema, train))
        print(f"candidate {index}: {model_params(model)} {key} {scores[-1]:.4f}", flush=True)
    best = scores.index(max(scores))
    group = f"tune-{short_commit(root)}-{secrets.token_hex(3)}"
    manifest = build_manifest(config, root)
    run_ids = []
    for index, (model, score) in enumerate(zip(settings, scores, strict=True)):
        with tracking.start_run(
            config,
            name=f"{group}-candidate-{index}",
            group=group,
            job_type="tune",
            tags=("best",) if index == best else (),
            params={**model_params(model), "seed": config.seed, "tune.metric": tune.metric},
        ) as child:
            tracking.log_manifest(manifest)
            child.log({key: score})
            run_ids.append(child.id)
    print(
        f"best: candidate {best}, run {run_ids[best]} ({key} {scores[best]:.4f}) in group {group}"
    )
    return run_ids[best]
