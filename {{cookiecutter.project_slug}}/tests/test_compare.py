import json

from {{ cookiecutter.module_name }}.compare import (
    compare,
    contains,
    metric_differences,
    missing_outputs,
    take_snapshot,
)


def write(root, relative, text):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_take_snapshot_hashes_files_and_reads_metrics_by_value(tmp_path):
    write(tmp_path, "models/model.bin", "weights")
    write(tmp_path, "models/.gitkeep", "")
    write(tmp_path, "reports/metrics.json", json.dumps({"accuracy": 0.9}))
    snapshot = take_snapshot(tmp_path, ["models", "reports/metrics.json"], ["reports/metrics.json"])
    assert list(snapshot.files) == ["models/model.bin"]
    assert snapshot.metrics == {"reports/metrics.json": {"accuracy": 0.9}}


def test_compare_names_changed_added_and_removed_files(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write(first, "out/same.csv", "1")
    write(second, "out/same.csv", "1")
    write(first, "out/changed.csv", "1")
    write(second, "out/changed.csv", "2")
    write(first, "out/gone.csv", "1")
    write(second, "out/new.csv", "1")
    differences = compare(take_snapshot(first, ["out"], []), take_snapshot(second, ["out"], []))
    assert [(d.path, d.status) for d in differences] == [
        ("out/changed.csv", "different"),
        ("out/gone.csv", "only in run 1"),
        ("out/new.csv", "only in run 2"),
    ]


def test_metric_differences_lists_keys_with_both_values():
    first = {"accuracy": 0.9, "per_class": {"a": 1.0}, "n": 10}
    second = {"accuracy": 0.8, "per_class": {"a": 1.0}, "extra": "x"}
    assert metric_differences(first, second, 0.0, 0.0) == [
        ("accuracy", 0.9, 0.8),
        ("extra", "(missing)", "x"),
        ("n", 10, "(missing)"),
    ]


def test_metric_differences_within_tolerance_match():
    assert metric_differences({"f1": 0.5}, {"f1": 0.5 + 1e-12}, 0.0, 0.0)
    assert not metric_differences({"f1": 0.5}, {"f1": 0.5 + 1e-12}, 1e-9, 0.0)
    assert not metric_differences({"f1": float("nan")}, {"f1": float("nan")}, 0.0, 0.0)
    assert metric_differences({"model": "a"}, {"model": "b"}, 0.0, 1.0)


def test_missing_outputs_names_declared_outputs_no_run_wrote(tmp_path):
    write(tmp_path, "models/model.bin", "w")
    snapshot = take_snapshot(tmp_path, ["models", "reports/figures"], [])
    assert missing_outputs(["models", "reports/figures"], [], snapshot) == ["reports/figures"]


def test_contains_finds_text_across_chunk_boundaries(tmp_path):
    path = tmp_path / "blob"
    path.write_bytes(b"x" * 10 + b"/tmp/run" + b"y" * 10)
    assert contains(path, b"/tmp/run", chunk=12)
    assert not contains(path, b"/tmp/other", chunk=12)
