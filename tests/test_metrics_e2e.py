"""The metrics table in a baked project: a metric added in one entry of `metrics.py` is scored
by the evaluate stage and accepted by the gate; a gate entry against the table's direction is
one line; `adopt` of a regression CSV writes the task's metric and a gate from the table, and
the pipeline and gate pass."""

import json

import pytest
import yaml

from .helpers import Baked, bake_locked, nox, run

pytestmark = pytest.mark.slow

DIABETES = """
import sys
from sklearn.datasets import load_diabetes
load_diabetes(as_frame=True).frame.to_csv(sys.argv[1], index=False)
"""


def edit_params(project: Baked, change) -> None:
    path = project.root / "params.yaml"
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(params)
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")


def test_metrics_table_added_metric_wrong_direction_and_regression_adopt(tmp_path):
    project = bake_locked(tmp_path / "bake", tracking="none")
    table = project.root / "src" / project.module / "metrics.py"
    text = table.read_text(encoding="utf-8")
    text = text.replace(
        "    accuracy_score,\n", "    accuracy_score,\n    balanced_accuracy_score,\n"
    )
    text = text.replace(
        "METRICS: dict[str, Metric] = {\n",
        "METRICS: dict[str, Metric] = {\n"
        '    "balanced_accuracy": Metric(balanced_accuracy_score, "higher", "classification"),\n',
    )
    table.write_text(text, encoding="utf-8")  # one entry (and its import)
    edit_params(project, lambda params: params["gate"]["minimum"].update(balanced_accuracy=0.5))

    nox(project, "-s", "pipeline")
    metrics = json.loads(project.text("reports/metrics.json"))
    assert set(metrics) == {"accuracy", "balanced_accuracy", "f1_macro", "log_loss"}
    gate = nox(project, "-s", "pipeline", "--", "gate")
    assert "| balanced_accuracy |" in gate.stdout and ">= 0.5000" in gate.stdout
    assert "Gate passed." in gate.stdout

    def wrong_direction(params):
        params["gate"]["maximum"]["balanced_accuracy"] = params["gate"]["minimum"].pop(
            "balanced_accuracy"
        )

    edit_params(project, wrong_direction)
    refused = nox(project, "-s", "pipeline", "--", "gate", check=False)
    assert refused.returncode != 0
    output = (refused.stdout + refused.stderr).splitlines()
    errors = [line for line in output if line.startswith("error:")]
    assert errors == [
        "error: gate.maximum.balanced_accuracy: higher balanced_accuracy is better, "
        "so it goes under gate.minimum"
    ]
    edit_params(project, lambda params: params["gate"]["maximum"].pop("balanced_accuracy"))

    python = project.root / ".nox" / "pipeline" / "bin" / "python"
    csv = project.root / "data" / "raw" / "diabetes.csv"  # adopt takes files inside the project
    run([str(python), "-c", DIABETES, str(csv)], project.root)  # scikit-learn's diabetes
    adopted = nox(project, "-s", "pipeline", "--", "adopt", str(csv), "--target", "target")
    assert "metric r2" in adopted.stdout
    params = yaml.safe_load(project.text("params.yaml"))
    assert params["metric"] == "r2"
    assert set(params["gate"]["minimum"]) == {"r2"}
    assert set(params["gate"]["maximum"]) == {"rmse", "mae"}
    nox(project, "-s", "pipeline")
    assert set(json.loads(project.text("reports/metrics.json"))) == {"r2", "rmse", "mae"}
    assert "Gate passed." in nox(project, "-s", "pipeline", "--", "gate").stdout
