import json
import shutil
from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.module_name }}.cli import main
from {{ cookiecutter.module_name }}.config import ConfigError, GateConfig, load_config
from {{ cookiecutter.module_name }}.gate import render, shortfalls
from {{ cookiecutter.module_name }}.paths import METRICS, METRICS_REPORT

PROJECT_PARAMS = Path(__file__).parents[1] / "params.yaml"
GATE = GateConfig(minimum={"accuracy": 0.9}, max_drop=0.02)


def test_shortfalls_none_when_every_minimum_is_met():
    assert shortfalls({"accuracy": 0.9, "f1_macro": 0.1}, GATE, {}) == []


def test_shortfalls_names_metric_and_amount_below_minimum():
    assert shortfalls({"accuracy": 0.85}, GATE, {}) == [
        "accuracy 0.8500 is 0.0500 below its minimum 0.9000"
    ]


def test_shortfalls_allows_drop_up_to_max_drop_against_each_reference():
    references = {"reference": {"accuracy": 0.97}, "champion": {"accuracy": 0.99}}
    assert shortfalls({"accuracy": 0.95}, GATE, {"reference": references["reference"]}) == []
    assert shortfalls({"accuracy": 0.95}, GATE, references) == [
        "accuracy 0.9500 is 0.0400 below the champion's 0.9900 (allowed drop 0.0200)"
    ]


def test_shortfalls_rejects_minimum_for_unknown_metric():
    with pytest.raises(ConfigError, match="gate.minimum.accuracy is not a metric"):
        shortfalls({"f1_macro": 1.0}, GATE, {})


def test_render_shows_change_against_reference_and_verdict():
    report = render({"accuracy": 0.95}, GATE, {"reference": {"accuracy": 0.97}}, ["why"])
    assert "| accuracy | 0.9500 | 0.9000 | 0.9700 (-0.0200) |" in report
    assert report.endswith("**Gate failed:**\n- why\n")


def test_load_config_reads_project_gate_section():
    gate = load_config(PROJECT_PARAMS).gate
    assert set(gate.minimum) == {"accuracy", "f1_macro"}
    assert gate.max_drop >= 0


def test_load_config_rejects_non_numeric_minimum(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text(
        PROJECT_PARAMS.read_text().replace("accuracy: 0.9", "accuracy: high", 1), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="gate.minimum.accuracy must be float"):
        load_config(params)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project root with the real params.yaml and metrics that pass it."""
    shutil.copy(PROJECT_PARAMS, tmp_path / "params.yaml")
    (tmp_path / "reports").mkdir()
    (tmp_path / METRICS).write_text(json.dumps({"accuracy": 0.96, "f1_macro": 0.95}))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_main_gate_passes_and_writes_report(project, capsys):
    assert main(["gate"]) == 0
    assert "**Gate passed.**" in (project / METRICS_REPORT).read_text()
    assert "**Gate passed.**" in capsys.readouterr().out


def test_main_gate_fails_against_reference_beyond_max_drop(project):
    (project / "main.json").write_text(json.dumps({"accuracy": 1.0, "f1_macro": 0.95}))
    assert main(["gate", "--reference", "main.json"]) == 1
    report = (project / METRICS_REPORT).read_text()
    assert "accuracy 0.9600 is 0.0400 below the reference's 1.0000" in report


def test_main_gate_ignores_absent_reference(project):
    assert main(["gate", "--reference", "no-such-file.json"]) == 0


@pytest.mark.slow
def test_main_gate_passes_on_example_and_fails_on_raised_minimum(tmp_path, monkeypatch):
    params = yaml.safe_load(PROJECT_PARAMS.read_text())
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    monkeypatch.chdir(tmp_path)
    assert main(["all"]) == 0
    assert main(["gate"]) == 0
    accuracy = json.loads(METRICS.read_text())["accuracy"]
    params["gate"]["minimum"]["accuracy"] = accuracy + 0.01
    (tmp_path / "raised.yaml").write_text(yaml.safe_dump(params))
    assert main(["--params", "raised.yaml", "gate"]) == 1
    assert f"accuracy {accuracy:.4f} is 0.0100 below its minimum" in METRICS_REPORT.read_text()


def test_main_gate_without_metrics_says_what_to_run(project, capsys):
    (project / METRICS).unlink()
    assert main(["gate"]) == 2
    assert "run the pipeline first" in capsys.readouterr().err
