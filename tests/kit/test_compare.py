import json
import math

import joblib
import numpy as np
import pandas as pd
from mlreprokit.paths import MODEL
from mlreprokit.repro.compare import (
    DIFFERENT,
    EQUIVALENT,
    IDENTICAL,
    Verdict,
    compare,
    contains,
    evaluation_data,
    missing_outputs,
    take_snapshot,
)
from mlreprokit.repro.report import figure
from mlreprokit.repro.settings import Settings
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier


def write(root, relative, text):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def verdicts(tmp_path, name, first, second, **settings):
    a, b = tmp_path / "a", tmp_path / "b"
    write(a, name, first)
    write(b, name, second)
    chosen = Settings(outputs=[name], **settings)
    return compare(take_snapshot(a, [name]), take_snapshot(b, [name]), chosen)


def test_take_snapshot_hashes_files_below_outputs_but_not_placeholders(tmp_path):
    write(tmp_path, "models/model.bin", "weights")
    write(tmp_path, "models/.gitkeep", "")
    assert list(take_snapshot(tmp_path, ["models"]).files) == ["models/model.bin"]


def test_compare_names_changed_added_and_removed_files(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for root in (first, second):
        write(root, "out/same.csv", "1")
    write(first, "out/changed.csv", "1")
    write(second, "out/changed.csv", "2")
    write(first, "out/gone.csv", "1")
    write(second, "out/new.csv", "1")
    found = compare(
        take_snapshot(first, ["out"]), take_snapshot(second, ["out"]), Settings(["out"])
    )
    assert [(v.path, v.status, v.detail) for v in found] == [
        ("out/changed.csv", DIFFERENT, "SHA-256 differs"),
        ("out/gone.csv", DIFFERENT, "only in run 1"),
        ("out/new.csv", DIFFERENT, "only in run 2"),
        ("out/same.csv", IDENTICAL, ""),
    ]


def test_compare_bytes_sees_a_file_mode_change_the_umask_does_not_decide(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root, mode in ((a, 0o644), (b, 0o744)):
        write(root, "out.txt", "1")
        (root / "out.txt").chmod(mode)
    [verdict] = compare(take_snapshot(a, ["out.txt"]), take_snapshot(b, ["out.txt"]),
                        Settings(["out.txt"]))  # fmt: skip
    assert verdict.detail == "file mode 0644 vs 0744"


def test_compare_bytes_leaves_the_umask_write_bits_to_the_user(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root, mode in ((a, 0o644), (b, 0o664)):  # written under umask 022 and 002
        write(root, "out.txt", "1")
        (root / "out.txt").chmod(mode)
    [verdict] = compare(take_snapshot(a, ["out.txt"]), take_snapshot(b, ["out.txt"]),
                        Settings(["out.txt"]))  # fmt: skip
    assert not verdict.differs


def test_compare_numeric_json_names_first_key_and_largest_difference(tmp_path):
    first = json.dumps({"accuracy": 0.9, "per_class": {"a": 1.0, "b": 0.5}, "n": 10})
    second = json.dumps({"per_class": {"a": 1.0, "b": 0.25}, "accuracy": 0.8, "n": 10})
    [verdict] = verdicts(tmp_path, "m.json", first, second, kinds={"m.json": "numeric"})
    assert verdict.status == DIFFERENT
    assert verdict.detail == "key accuracy: 0.9 vs 0.8 (and 1 more); largest difference 0.25"
    assert verdict.drift == 0.25


def test_compare_numeric_within_tolerance_is_equivalent(tmp_path):
    kinds = {"m.json": "numeric"}
    first, second = json.dumps({"f1": 0.5}), json.dumps({"f1": 0.5 + 1e-12})
    assert verdicts(tmp_path, "m.json", first, second, kinds=kinds)[0].status == DIFFERENT
    [verdict] = verdicts(tmp_path, "m.json", first, second, kinds=kinds, rel_tol=1e-9)
    assert verdict.status == EQUIVALENT


def test_compare_numeric_csv_names_row_and_column(tmp_path):
    first, second = "x,y\n1,2\n3,4.0\n", "x,y\n1,2\n3,4.5\n"
    [verdict] = verdicts(tmp_path, "t.csv", first, second, kinds={"t.csv": "numeric"})
    assert verdict.detail == "row 2.y: '4.0' vs '4.5'; largest difference 0.5"
    [same] = verdicts(tmp_path, "u.csv", "x\n1\n", "x\n1.0\n", kinds={"u.csv": "numeric"})
    assert same.status == EQUIVALENT


def test_compare_numeric_npy_names_index(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root, values in ((a, [[0.0, 1.0], [2.0, 3.0]]), (b, [[0.0, 1.0], [2.0, 3.5]])):
        root.mkdir()
        np.save(root / "x.npy", np.array(values))
    settings = Settings(["x.npy"], kinds={"x.npy": "numeric"})
    [verdict] = compare(take_snapshot(a, ["x.npy"]), take_snapshot(b, ["x.npy"]), settings)
    assert verdict.detail == "index 1.1: 3.0 vs 3.5; largest difference 0.5"


def test_compare_exists_ignores_content(tmp_path):
    [verdict] = verdicts(tmp_path, "log.txt", "1", "2", kinds={"log.txt": "exists"})
    assert not verdict.differs


def test_compare_model_tells_pickling_apart_from_predictions(tmp_path):
    [test_csv] = evaluation_data(MODEL.as_posix())
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "label": [0, 0, 1, 1]})
    model = DecisionTreeClassifier(random_state=0).fit(frame[["x"]], frame["label"])
    other = DecisionTreeClassifier(random_state=0).fit(frame[["x"]], [1, 1, 0, 0])
    settings = Settings([MODEL.as_posix()], kinds={MODEL.as_posix(): "model"})
    snapshots = []
    for name, fitted, note in (("a", model, "a"), ("b", model, "b"), ("c", other, "a")):
        root = tmp_path / name
        (root / MODEL).parent.mkdir(parents=True)
        (root / test_csv).parent.mkdir(parents=True)
        frame.to_csv(root / test_csv, index=False)
        fitted.note_ = note  # pickles differently, predicts the same
        joblib.dump(fitted, root / MODEL)
        snapshots.append(take_snapshot(root, [MODEL.as_posix()]))
    [same] = compare(snapshots[0], snapshots[1], settings)
    assert same.status == EQUIVALENT
    assert same.detail == f"pickles differently but predicts identically on {test_csv}"
    [changed] = compare(snapshots[0], snapshots[2], settings)
    assert changed.detail.startswith(f"predicts differently: predict on {test_csv} differs in 4")
    assert not math.isinf(changed.drift)


def test_compare_model_drift_is_the_probabilities_not_the_class_labels(tmp_path):
    [test_csv] = evaluation_data(MODEL.as_posix())
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "label": [0, 0, 0, 1, 1, 1]})
    model = LogisticRegression().fit(frame[["x"]], frame["label"])
    other = LogisticRegression().fit(frame[["x"]], [0, 0, 1, 1, 1, 1])
    settings = Settings([MODEL.as_posix()], kinds={MODEL.as_posix(): "model"})
    snapshots = []
    for name, fitted in (("a", model), ("b", other)):
        root = tmp_path / name
        (root / MODEL).parent.mkdir(parents=True)
        (root / test_csv).parent.mkdir(parents=True)
        frame.to_csv(root / test_csv, index=False)
        joblib.dump(fitted, root / MODEL)
        snapshots.append(take_snapshot(root, [MODEL.as_posix()]))
    [changed] = compare(snapshots[0], snapshots[1], settings)
    assert changed.detail.startswith(f"predicts differently: predict on {test_csv} differs in 1")
    probabilities = model.predict_proba(frame[["x"]]) - other.predict_proba(frame[["x"]])
    assert changed.drift == float(np.abs(probabilities).max()) < 1  # labels would say 1


def test_figure_names_the_output_with_the_largest_numeric_drift():
    outputs = ["models/model.joblib", "reports/metrics.json"]
    found = [
        Verdict(outputs[0], DIFFERENT, "predicts differently", math.inf),
        Verdict(outputs[1], DIFFERENT, "key accuracy: 0.95 vs 0.92", 0.0293),
    ]
    result = figure(Settings(outputs), found, 10)
    assert result["largest_numeric_drift"] == 0.0293
    assert result["summary"].endswith("(largest numeric drift 0.0293 in reports/metrics.json)")


def test_missing_outputs_names_declared_outputs_no_run_wrote(tmp_path):
    write(tmp_path, "models/model.bin", "w")
    snapshot = take_snapshot(tmp_path, ["models", "reports/figures"])
    assert missing_outputs(["models", "reports/figures"], snapshot) == ["reports/figures"]


def test_contains_finds_text_across_chunk_boundaries(tmp_path):
    path = tmp_path / "blob"
    path.write_bytes(b"x" * 10 + b"/tmp/run" + b"y" * 10)
    assert contains(path, b"/tmp/run", chunk=12)
    assert not contains(path, b"/tmp/other", chunk=12)
