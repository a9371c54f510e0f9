"""The one place the pipeline talks to Weights & Biases: how runs start and what each records.

Runs are offline unless `tracking.mode` (or `WANDB_MODE`, which wins, as in every W&B script)
says otherwise: they land in the git-ignored `wandb/` folder, and `wandb sync`
uploads them once you are logged in. Nothing here reaches the network in offline mode.
"""

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import wandb
import wandb.errors

from .errors import UsageError
from .hashing import sha256_tree
from .metrics import load_metrics
from .monitor import Outcome, scores
from .paths import FIGURE, METRICS, MODEL, PROFILE
from .runinfo import execution_tags, manifest_scalars, run_name, run_params, short_commit
from .tracking_config import MODES, Mode, TrackingConfig

MODEL_ARTIFACT = "model"  # the artifact each training run adds a version to (`model:latest`)


class TrackingError(UsageError):
    """W&B cannot be used as configured; the message says what to change."""


def settings(config: Any) -> TrackingConfig:
    """The `tracking:` section of params.yaml, which a tracked command needs."""
    if config.tracking is None:
        raise TrackingError("params.yaml has no `tracking:` section: W&B needs its project")
    tracking: TrackingConfig = config.tracking
    return tracking


def run_mode(config: Any) -> Mode:
    """offline, online or disabled: `WANDB_MODE` if set, else `tracking.mode`.

    Raises TrackingError, before any work, for an unknown mode or online mode without a login.
    """
    mode = os.environ.get("WANDB_MODE") or settings(config).mode
    if mode not in MODES:
        raise TrackingError(f"WANDB_MODE must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "online":
        try:
            wandb.login(verify=False)
        except wandb.errors.UsageError:
            raise TrackingError(
                "W&B online mode needs a login: run `wandb login` or set WANDB_API_KEY; or keep "
                "runs offline (tracking.mode: offline) or run without tracking: --no-track"
            ) from None
    return mode


@contextmanager
def start_run(
    config: Any,
    name: str,
    job_type: str,
    params: dict[str, object],
    group: str | None = None,
    tags: tuple[str, ...] = (),
) -> Iterator[wandb.Run]:
    """Open a run in the configured project and mode, with its params as the run's config."""
    tracking = settings(config)
    try:
        run = wandb.init(
            # Runs go to wandb/ in the project root (the working directory), unless WANDB_DIR says.
            dir=os.environ.get("WANDB_DIR") or Path.cwd(),
            project=tracking.project,
            entity=tracking.entity,
            mode=run_mode(config),
            name=name,
            job_type=job_type,
            config=params,
            group=group,
            tags=tags,
        )
    except wandb.errors.UsageError as error:  # e.g. a login W&B asks for and cannot get
        message = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise TrackingError(
            f"W&B could not start a run: {message}; or run without tracking: --no-track"
        ) from None
    finished = False
    try:
        yield run
        finished = True
    finally:  # not `with run:`, which leaves a disabled run active (wandb.run) after it
        run.finish(exit_code=0 if finished else 1)


@contextmanager
def pipeline_run(config: Any, command: str) -> Iterator[wandb.Run]:
    """Open the run of one pipeline invocation, with its params, named `<command>-<commit>`."""
    tags = execution_tags(command)
    with start_run(
        config,
        name=run_name(tags, Path.cwd()),
        job_type=tags["command"].replace(" ", "-"),
        params={**run_params(config), **{f"run.{key}": value for key, value in tags.items()}},
    ) as run:
        yield run


def log_manifest(manifest: dict[str, object]) -> None:
    """Add the manifest to the active run's config, and keep the whole of it as a run file."""
    run = active_run()
    scalars = {f"manifest.{key}": value for key, value in manifest_scalars(manifest).items()}
    settings: Any = run.config  # wandb's Config is untyped
    settings.update(scalars)
    run.tags = (*(run.tags or ()), f"commit-{short_commit(Path.cwd())}")
    if run.settings.mode != "disabled":  # a disabled run has no folder to keep files in
        manifest_file = Path(run.dir) / "manifest.json"
        manifest_file.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def log_outputs(stages: list[str], root: Path) -> None:
    """Log what the stages just wrote: model (`train`), metrics and figure (`evaluate`), the
    training profile (`profile`, a run file)."""
    run = active_run()
    # The data the model was fitted on (the manifest hashed data/raw before the stages ran).
    data = {"data_raw_sha256": sha256_tree(root / "data" / "raw")}
    settings: Any = run.config  # wandb's Config is untyped
    settings.update(data, allow_val_change=True)
    if "train" in stages:
        model = wandb.Artifact(MODEL_ARTIFACT, type="model", metadata=dict(run.config))
        model.add_file(str(root / MODEL))
        run.log_artifact(model, aliases=["latest", f"commit-{short_commit(root)}"])
    if "evaluate" in stages:
        figure = wandb.Image(str(root / FIGURE))
        run.log({**load_metrics(root / METRICS), f"figures/{FIGURE.stem}": figure})
    if "profile" in stages and run.settings.mode != "disabled":  # what `monitor` compares with
        shutil.copyfile(root / PROFILE, Path(run.dir) / PROFILE.name)


def log_monitoring(outcome: Outcome) -> None:
    """Log a monitored batch: its drift scores and figure, and the report as a run file."""
    run = active_run()
    run.tags = (*(run.tags or ()), f"drift-{str(outcome.drift).lower()}")
    figure = wandb.Image(str(Path.cwd() / outcome.figure_path))
    run.log({**scores(outcome.report), "figures/monitoring": figure})
    if run.settings.mode != "disabled":  # a disabled run has no folder to keep files in
        report = Path(run.dir) / "monitoring.json"
        report.write_text(json.dumps(outcome.report, indent=2, sort_keys=True), encoding="utf-8")


def active_run() -> wandb.Run:
    """The run `pipeline_run` or `start_run` opened."""
    if wandb.run is None:
        raise RuntimeError("no W&B run is active: open one with pipeline_run()")
    return wandb.run
