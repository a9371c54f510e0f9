import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from mlreprokit.cli import main
from mlreprokit.config import ColumnDrift, MonitorConfig, load_config
from mlreprokit.metrics import default_metric
from mlreprokit.monitor import build_report, scores
from mlreprokit.paths import MONITORING, PARAMS, PROFILE, SCHEMA, TRAIN_DATA
from mlreprokit.project import load_pipeline
from mlreprokit.schema import load_schema, read_split
from mlreprokit.synthetic import SOURCE, synthetic

# Every kind of column, whatever schema.yaml the project has: a number carrying the target, an
# integer, a three-value and a two-value category, and a nullable number.
MIXED = {
    "target": "label",
    "task": "classification",
    "id": None,
    "rows": {"min": 400, "max": 4000},
    "columns": {
        "size": {"kind": "numeric", "min": 0.0, "max": 100.0},
        "count": {"kind": "integer", "min": 0, "max": 50},
        "colour": {"kind": "categorical", "allowed": ["blue", "green", "red"]},
        "member": {"kind": "categorical", "allowed": ["no", "yes"]},
        "weight": {"kind": "numeric", "min": 0.0, "max": 100.0, "nullable": True},
        "label": {"kind": "categorical", "allowed": ["a", "b"]},
    },
}
FALSE_ALARM_BOUND = 0.2  # measured 0.0 over 200 resamples (bench/monitor.py); loose, never flaky


@pytest.fixture
def trained(project: Path) -> Path:
    """The project on a mixed table, its pipeline run (model, profile)."""
    params = yaml.safe_load((project / PARAMS).read_text(encoding="utf-8"))
    params["data"]["stratify"] = True
    params["metric"] = default_metric(load_pipeline(project).metrics, MIXED["task"])
    params.pop("gate", None)
    (project / PARAMS).write_text(yaml.safe_dump(params), encoding="utf-8")
    (project / SCHEMA).write_text(yaml.safe_dump(MIXED, sort_keys=False), encoding="utf-8")
    schema = load_schema(project / SCHEMA)
    synthetic(schema).to_csv(project / SOURCE, index=False)
    config = load_config(project / PARAMS)
    pipeline = load_pipeline(project)
    pipeline.run(list(pipeline.names), config, project)
    return project


def resample(project: Path, seed: int, rows: int = 150) -> pd.DataFrame:
    train = read_split(project / TRAIN_DATA, load_schema(project / SCHEMA))
    return train.sample(rows, replace=True, random_state=seed).reset_index(drop=True)


def monitor(project: Path, batch: pd.DataFrame | str, *args: str) -> int:
    path = batch
    if isinstance(batch, pd.DataFrame):
        path = "batch.csv"
        batch.to_csv(project / path, index=False)
    return main(["monitor", str(path), *args])


def test_monitor_resample_of_training_data_exits_0(trained, capsys):
    assert monitor(trained, resample(trained, seed=1)) == 0
    out = capsys.readouterr().out
    assert "no drift" in out and not [
        line for line in out.splitlines() if line.startswith("drift:")
    ]
    report = json.loads((trained / MONITORING / "batch.json").read_text())
    assert report["drift"] is False and report["metrics"]["accuracy"] > 0.5
    assert (trained / MONITORING / "batch.png").stat().st_size > 0


def test_monitor_without_a_batch_reads_the_current_version_of_data_source(trained, capsys):
    assert main(["monitor"]) == 0  # the source as trained on: nothing moved
    assert (trained / MONITORING / "source.json").is_file()
    current = pd.read_csv(trained / SOURCE)
    current["size"] = current["size"] * 0.2 + 80  # a new version of the source, shifted
    current["count"] = 50 - current["count"]
    current["colour"] = "red"
    current.to_csv(trained / SOURCE, index=False)
    assert main(["monitor"]) == 1
    report = json.loads((trained / MONITORING / "source.json").read_text())
    assert report["drift"] and {"size", "colour"} <= set(report["dataset"]["drifted"])


def test_scores_flatten_the_report_for_a_tracker(trained):
    config = load_config(trained / PARAMS)
    report = build_report(resample(trained, seed=3), "resample", "r", config, trained)
    found = scores(report)
    tested = [name for name, result in report["columns"].items() if result is not None]
    assert {f"drift.{name}" for name in tested} | {"drift.prediction"} <= set(found)
    assert found["drift"] == float(report["drift"]) and "drift.share" in found
    assert found["batch.accuracy"] == report["metrics"]["accuracy"]
    assert all(isinstance(value, float) for value in found.values())


def test_monitor_false_alarm_rate_over_seeded_resamples_is_low(trained):
    config = load_config(trained / PARAMS)
    flagged = [
        build_report(resample(trained, seed), "resample", "r", config, trained)["drift"]
        for seed in range(20)
    ]
    assert sum(flagged) / len(flagged) <= FALSE_ALARM_BOUND


def test_monitor_names_exactly_the_shifted_number_and_category(trained, capsys):
    batch = resample(trained, seed=2).drop(columns="label")
    batch["size"] = batch["size"] * 0.5 + 25  # squeezed to the middle, within its range
    batch["colour"] = ["red"] * (len(batch) - 10) + ["blue"] * 10
    assert monitor(trained, batch) == 0  # 2 of 5 feature columns: under drift_share 0.5
    report = json.loads((trained / MONITORING / "batch.json").read_text())
    assert report["schema"] == [] and report["metrics"] is None
    assert set(report["dataset"]["drifted"]) == {"size", "colour"}
    out = capsys.readouterr().out.splitlines()
    drift_lines = [line for line in out if line.startswith("drift:")]
    assert {line.split(":")[1].strip() for line in drift_lines} <= {"size", "colour", "prediction"}
    assert any(line.startswith("drift: size: ks p-value") for line in drift_lines)
    assert any(line.startswith("drift: colour: chisquare p-value") for line in drift_lines)
    set_monitor(trained, {"drift_share": 0.4})
    assert monitor(trained, batch) == 1
    assert json.loads((trained / MONITORING / "batch.json").read_text())["dataset"]["drift"]


def set_monitor(project: Path, section: dict) -> None:
    params = yaml.safe_load((project / PARAMS).read_text(encoding="utf-8"))
    params["monitor"] = section
    (project / PARAMS).write_text(yaml.safe_dump(params), encoding="utf-8")


def test_monitor_schema_breaks_are_one_line_each_and_drift(trained, capsys):
    batch = resample(trained, seed=3).drop(columns="member")
    batch["extra"] = 1
    batch.loc[0, "count"] = 99
    assert monitor(trained, batch) == 1
    out = capsys.readouterr().out.splitlines()
    schema_lines = [line for line in out if line.startswith("schema:")]
    assert schema_lines == [
        "schema: column 'member': missing",
        "schema: column 'extra': not in schema.yaml",
        "schema: column 'count': 1 row above the maximum 50, e.g. 99.0",
    ]


def test_monitor_reads_parquet_and_names_the_report_after_the_file(trained):
    pytest.importorskip("pyarrow")
    resample(trained, seed=4).to_parquet(trained / "week-07.parquet")
    assert main(["monitor", "week-07.parquet"]) == 0
    assert (trained / MONITORING / "week-07.json").is_file()


def write(project: Path, name: str, text: str) -> str:
    (project / name).write_text(text, encoding="utf-8")
    return name


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: "nowhere.csv", "nowhere.csv not found"),
        (lambda p: write(p, "page.csv", "<html><body>login</body></html>"), "an HTML page"),
        (lambda p: write(p, "empty.csv", "size,count\n"), "no rows to monitor"),
        (lambda p: write(p, "other.csv", "a,b\n1,2\n"), "no feature column of schema.yaml"),
    ],
    ids=["missing", "html", "header-only", "other-columns"],
)
def test_monitor_bad_input_is_one_line_and_exits_2(trained, capsys, make, message):
    assert monitor(trained, make(trained)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_monitor_without_a_profile_exits_2(trained, capsys):
    (trained / PROFILE).unlink()
    assert monitor(trained, resample(trained, seed=5)) == 2
    assert "models/profile.json not found: run the pipeline first" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"p_value": 2}, "monitor.p_value must be between 0 and 1"),
        ({"columns": {"nope": {"test": "ks"}}}, "monitor.columns.nope: not a column"),
        ({"columns": {"size": {"test": "t"}}}, "monitor.columns.size.test must be one of"),
        ({"share": 0.5}, "unknown key 'monitor.share'"),
    ],
)
def test_monitor_bad_section_is_one_line_and_exits_2(trained, capsys, section, message):
    set_monitor(trained, section)
    assert monitor(trained, resample(trained, seed=6)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_monitor_column_override_changes_its_test_and_threshold(trained):
    config = load_config(trained / PARAMS)
    override = MonitorConfig(columns={"size": ColumnDrift(test="wasserstein", threshold=3.0)})
    report = build_report(
        resample(trained, seed=7), "b", "b", dataclasses.replace(config, monitor=override), trained
    )
    assert (report["columns"]["size"]["test"], report["columns"]["size"]["threshold"]) == (
        "wasserstein",
        3.0,
    )
    assert report["columns"]["count"]["test"] == "ks"


def test_monitor_report_keys_are_sorted_and_stable(trained):
    batch = resample(trained, seed=8)
    assert monitor(trained, batch) == 0
    first = (trained / MONITORING / "batch.json").read_bytes()
    assert monitor(trained, batch) == 0
    assert (trained / MONITORING / "batch.json").read_bytes() == first
    keys = list(json.loads(first))
    assert keys == sorted(keys)
