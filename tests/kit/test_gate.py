import json

import pytest
import yaml
from mlreprokit.cli import main
from mlreprokit.config import ConfigError, GateConfig, load_config
from mlreprokit.gate import render
from mlreprokit.gate import shortfalls as gate_shortfalls
from mlreprokit.metrics import Metric, MetricsError, for_task
from mlreprokit.paths import METRICS, METRICS_REPORT, PARAMS
from mlreprokit.project import load_pipeline
from sklearn.metrics import accuracy_score, root_mean_squared_error

from .toy import PROJECT

GATE = GateConfig(minimum={"accuracy": 0.9}, maximum={"rmse": 10.0}, max_drop=0.02)
TABLE = {
    "accuracy": Metric(accuracy_score, "higher", "classification"),
    "f1_macro": Metric(accuracy_score, "higher", "classification"),
    "rmse": Metric(root_mean_squared_error, "lower", "regression"),
}


def shortfalls(metrics, gate, references):
    return gate_shortfalls(metrics, gate, references, TABLE)


def test_shortfalls_none_when_every_bound_is_met():
    assert shortfalls({"accuracy": 0.9, "rmse": 10.0, "f1_macro": 0.1}, GATE, {}) == []


def test_shortfalls_names_metric_and_amount_past_its_bound():
    assert shortfalls({"accuracy": 0.85, "rmse": 12.5}, GATE, {}) == [
        "accuracy 0.8500 is 0.0500 below its minimum 0.9000",
        "rmse 12.5000 is 2.5000 above its maximum 10.0000",
    ]


def test_shortfalls_allows_drop_up_to_max_drop_against_each_reference():
    references = {"reference": {"accuracy": 0.97}, "champion": {"accuracy": 0.99}}
    metrics = {"accuracy": 0.95, "rmse": 1.0}
    assert shortfalls(metrics, GATE, {"reference": references["reference"]}) == []
    assert shortfalls(metrics, GATE, references) == [
        "accuracy 0.9500 is 0.0400 below the champion's 0.9900 (allowed drop 0.0200)"
    ]


def test_shortfalls_max_drop_of_a_lower_is_better_metric_is_a_rise():
    metrics = {"accuracy": 0.95, "rmse": 5.0}
    assert shortfalls(metrics, GATE, {"reference": {"rmse": 6.0}}) == []  # improved
    assert shortfalls(metrics, GATE, {"reference": {"rmse": 4.0}}) == [
        "rmse 5.0000 is 1.0000 above the reference's 4.0000 (allowed drop 0.0200)"
    ]


def test_shortfalls_rejects_a_bound_for_a_metric_the_run_lacks():
    with pytest.raises(ConfigError, match="gate.minimum.accuracy is not a metric of this run"):
        shortfalls({"rmse": 1.0}, GATE, {})


@pytest.mark.parametrize(
    ("gate", "message"),
    [
        (
            GateConfig(max_drop=0.0, minimum={"rmse": 55}),
            "gate.minimum.rmse: lower rmse is better, so it goes under gate.maximum",
        ),
        (
            GateConfig(max_drop=0.0, maximum={"accuracy": 0.5}),
            "gate.maximum.accuracy: higher accuracy is better",
        ),
        (
            GateConfig(max_drop=0.0, minimum={"auc": 0.5}),
            "gate.minimum 'auc' is not a metric of the project's metrics table",
        ),
    ],
)
def test_shortfalls_rejects_wrong_direction_and_unknown_metric(gate, message):
    with pytest.raises(ConfigError, match=message):
        shortfalls({"rmse": 1.0, "accuracy": 1.0}, gate, {})


def test_gate_wrong_direction_in_params_is_one_line(project, capsys):
    params = yaml.safe_load((project / PARAMS).read_text())
    task = yaml.safe_load((project / "schema.yaml").read_text()).get("task", "classification")
    table = for_task(load_pipeline().metrics, task)
    higher = next(name for name, metric in table.items() if metric.higher_is_better)
    params["gate"] = {"minimum": {}, "maximum": {higher: 0.5}, "max_drop": 0.0}
    (project / "wrong.yaml").write_text(yaml.safe_dump(params))
    assert main(["--params", "wrong.yaml", "gate"]) == 2
    err = capsys.readouterr().err
    assert f"gate.maximum.{higher}: higher {higher} is better" in err and err.count("\n") == 1


def test_render_shows_bounds_change_against_reference_and_verdict():
    report = render(
        {"accuracy": 0.95, "rmse": 3.0}, GATE, {"reference": {"accuracy": 0.97}}, ["why"]
    )
    assert "| accuracy | 0.9500 | >= 0.9000 | 0.9700 (-0.0200) |" in report
    assert "| rmse | 3.0000 | <= 10.0000 |  |" in report
    assert report.endswith("**Gate failed:**\n- why\n")


def test_load_config_reads_project_gate_section():
    gate = load_config(PROJECT / PARAMS).gate
    assert set(gate.minimum) | set(gate.maximum) <= set(load_pipeline().metrics)
    assert gate.max_drop >= 0


@pytest.fixture
def gated(project):
    """A project with metrics that meet every bound of its gate."""
    gate = load_config(project / PARAMS).gate
    metrics = {**{n: v + 0.01 for n, v in gate.minimum.items()}, **gate.maximum}
    (project / "reports").mkdir()
    (project / METRICS).write_text(json.dumps(metrics))
    return project


def test_main_gate_passes_and_writes_report(gated, capsys):
    assert main(["gate"]) == 0
    assert "**Gate passed.**" in (gated / METRICS_REPORT).read_text()
    assert "**Gate passed.**" in capsys.readouterr().out


def test_main_gate_fails_against_reference_beyond_max_drop(gated):
    metrics = json.loads((gated / METRICS).read_text())
    name = sorted(load_config(gated / PARAMS).gate.minimum)[0]
    (gated / "main.json").write_text(json.dumps({**metrics, name: metrics[name] + 0.5}))
    assert main(["gate", "--reference", "main.json"]) == 1
    assert (
        f"{name} {metrics[name]:.4f} is 0.5000 below the reference's"
        in (gated / METRICS_REPORT).read_text()
    )


def test_main_gate_ignores_absent_reference(gated):
    assert main(["gate", "--reference", "no-such-file.json"]) == 0


def test_main_gate_nested_metrics_are_one_line(gated, capsys):
    (gated / "main.json").write_text(json.dumps({"per_class": {"a": 1.0}}))
    assert main(["gate", "--reference", "main.json"]) == 2
    err = capsys.readouterr().err
    assert "metric 'per_class' must be a finite number" in err and err.count("\n") == 1
    assert issubclass(MetricsError, ConfigError)


@pytest.mark.slow
def test_main_gate_passes_at_its_bounds_and_fails_past_them(project):
    assert main(["all"]) == 0
    metrics = json.loads(METRICS.read_text())
    params = yaml.safe_load((project / PARAMS).read_text())
    gate = params["gate"]
    for bounds in (gate["minimum"], gate["maximum"]):
        bounds.update({name: metrics[name] for name in bounds})  # exactly met: passes
    (project / "met.yaml").write_text(yaml.safe_dump(params))
    assert main(["--params", "met.yaml", "gate"]) == 0
    # a bound just past the metric, where the metric could still meet it (accuracy 1.0 cannot
    # be beaten, and a minimum above 1 is refused as a setting)
    kind, name = next(
        (kind, name)
        for kind in ("minimum", "maximum")
        for name in gate[kind]
        if (metrics[name] + 0.01 <= 1 if kind == "minimum" else metrics[name] >= 0.01)
    )
    gate[kind][name] = metrics[name] + (0.01 if kind == "minimum" else -0.01)
    (project / "raised.yaml").write_text(yaml.safe_dump(params))
    assert main(["--params", "raised.yaml", "gate"]) == 1
    where = "below its minimum" if kind == "minimum" else "above its maximum"
    assert f"{name} {metrics[name]:.4f} is 0.0100 {where}" in METRICS_REPORT.read_text()


def test_main_gate_without_metrics_says_what_to_run(project, capsys):
    assert main(["gate"]) == 2
    assert "run the pipeline first" in capsys.readouterr().err
