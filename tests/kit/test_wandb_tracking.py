import dataclasses
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import wandb
import yaml
from mlreprokit import wandb_tracking as tracking
from mlreprokit.cli import main
from mlreprokit.commands import commands
from mlreprokit.config import ConfigError, parse
from mlreprokit.paths import MANIFEST, PARAMS, PROFILE
from mlreprokit.synthetic import tune_space
from mlreprokit.tracking_config import TrackingConfig
from mlreprokit.tune_config import TuneConfig

from .toy import PROJECT


@pytest.fixture(autouse=True)
def wandb_home(tmp_path, monkeypatch) -> Iterator[Path]:
    """No W&B setting of yours or of CI (a WANDB_API_KEY secret must not make a test go online),
    W&B's own folders (logs, artifact staging, settings, login) in the test's folder, and W&B's
    process-wide state (its settings, read once) reset after each test."""
    for name in [name for name in os.environ if name.startswith("WANDB_")]:
        monkeypatch.delenv(name)
    home = tmp_path / "wandb-home"
    for name in ("WANDB_CACHE_DIR", "WANDB_DATA_DIR", "WANDB_CONFIG_DIR"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.setenv("NETRC", str(home / "netrc"))  # no login of yours is found
    yield home
    wandb.teardown()


def tracked(config, mode="offline"):
    space = tune_space(PROJECT, first=True)
    tune = parse(TuneConfig, {"metric": "accuracy", "folds": 2, "trials": 1, "space": space}, "")
    settings = TrackingConfig(tracker="wandb", project="test", mode=mode, tune=tune)
    return dataclasses.replace(config, tracking=settings)


def small_project(root: Path, **settings: object) -> Path:
    """The `project` fixture's params (synthetic data, a small model), switched to W&B as
    TRACKING.md says (`tracking.tracker: wandb` and its keys), with `settings`."""
    params = yaml.safe_load((root / PARAMS).read_text(encoding="utf-8"))
    params["tracking"] = {"tracker": "wandb", "project": "test", "mode": "offline", **settings}
    (root / PARAMS).write_text(yaml.safe_dump(params), encoding="utf-8")
    return root


def offline_runs(root: Path) -> list[Path]:
    return sorted((root / "wandb").glob("offline-run-*"))


def test_tracking_config_rejects_an_unknown_mode(config):
    with pytest.raises(ConfigError, match="tracking.mode must be one of offline, online, disabled"):
        tracked(config, mode="cloud")


def test_run_mode_environment_wins_over_params(config, monkeypatch):
    assert tracking.run_mode(tracked(config)) == "offline"
    monkeypatch.setenv("WANDB_MODE", "disabled")
    assert tracking.run_mode(tracked(config)) == "disabled"
    monkeypatch.setenv("WANDB_MODE", "dryrun")
    with pytest.raises(tracking.TrackingError, match="WANDB_MODE must be one of"):
        tracking.run_mode(tracked(config))


def test_online_without_login_fails_in_one_line_naming_the_fixes(config):
    with pytest.raises(tracking.TrackingError) as raised:
        tracking.run_mode(tracked(config, mode="online"))
    message = str(raised.value)
    assert "wandb login" in message and "--no-track" in message and "\n" not in message


def test_untracked_project_has_no_settings_for_wandb(config):
    with pytest.raises(tracking.TrackingError, match="no `tracking:` section"):
        tracking.settings(dataclasses.replace(config, tracking=None))


@pytest.mark.slow  # a whole pipeline run
def test_no_track_writes_no_wandb_folder(project):
    small_project(project)
    assert main(["all", "--no-track"], commands()) == 0
    assert not (project / "wandb").exists()


@pytest.mark.slow  # a whole pipeline run
def test_tracking_disabled_in_params_writes_no_wandb_folder(project):
    small_project(project, enabled=False)
    assert main(["all"], commands()) == 0
    assert not (project / "wandb").exists()


@pytest.mark.slow  # a whole tracked pipeline run
def test_offline_run_keeps_manifest_and_waits_for_sync(project, capsys):
    small_project(project)
    assert main(["all"], commands()) == 0
    (run,) = offline_runs(project)
    assert len(list(run.glob("run-*.wandb"))) == 1  # what `wandb sync` uploads
    kept = json.loads((run / "files" / "manifest.json").read_text(encoding="utf-8"))
    assert kept == json.loads((project / MANIFEST).read_text(encoding="utf-8"))
    assert list((run / "files").rglob("evaluation*.png"))  # the figure, as a W&B image
    assert (run / "files" / "profile.json").read_bytes() == (project / PROFILE).read_bytes()
    assert "wandb sync" in capsys.readouterr().err


@pytest.mark.slow  # a whole tracked pipeline run
def test_disabled_mode_runs_the_tracked_code_and_writes_no_run(project, monkeypatch):
    small_project(project)
    monkeypatch.setenv("WANDB_MODE", "disabled")
    assert main(["all"], commands()) == 0
    assert offline_runs(project) == []
    assert wandb.run is None  # finished, not left active (W&B's `with run:` would leave it)


@pytest.mark.slow  # a pipeline run and a monitored batch
def test_offline_monitor_run_keeps_the_report_and_the_scores(project):
    small_project(project)
    assert main(["all", "--no-track"], commands()) == 0
    assert main(["monitor"], commands()) == 0  # data.source as trained on: no drift
    (run,) = offline_runs(project)
    report = json.loads((run / "files" / "monitoring.json").read_text(encoding="utf-8"))
    assert report == json.loads((project / "reports/monitoring/source.json").read_text())
    assert list((run / "files").rglob("monitoring*.png"))  # the figure, as a W&B image
