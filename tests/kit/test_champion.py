import json

import pytest
from mlreprokit.champion import champion_metrics
from mlreprokit.cli import main
from mlreprokit.commands import commands as tracked_commands
from mlreprokit.config import load_config
from mlreprokit.paths import METRICS, METRICS_REPORT
from mlreprokit.project import load_pipeline

from .test_commands import small_project


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = small_project(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return root


def test_champion_metrics_none_without_team_server(project):
    assert champion_metrics(load_config(project / "params.yaml")) is None


@pytest.mark.slow  # creates an MLflow store (its migrations take seconds)
def test_champion_metrics_none_before_any_champion(project, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{project / 'team.db'}")
    assert champion_metrics(load_config(project / "params.yaml")) is None


@pytest.mark.slow  # a tracked pipeline run and a registration
def test_gate_fails_below_champion_beyond_max_drop(project, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{project / 'team.db'}")
    assert main(["all"], tracked_commands()) == 0
    assert main(["register", "--alias", "champion"], tracked_commands()) == 0
    champion = champion_metrics(load_config(project / "params.yaml"))
    assert champion == json.loads(METRICS.read_text())
    gate = load_config(project / "params.yaml").gate
    name = sorted([*gate.minimum, *gate.maximum])[0]  # a gated metric
    worse = -0.05 if load_pipeline().metrics[name].higher_is_better else 0.05
    METRICS.write_text(json.dumps({**champion, name: champion[name] + worse}))
    assert main(["gate"], tracked_commands()) == 1
    assert f"the champion's {champion[name]:.4f}" in METRICS_REPORT.read_text()
