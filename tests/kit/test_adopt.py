import dataclasses
import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mlreprokit.cli import main
from mlreprokit.config import load_config
from mlreprokit.hashing import sha256_file
from mlreprokit.metrics import default_metric, for_task, score
from mlreprokit.paths import METRICS, PARAMS, SCHEMA
from mlreprokit.project import load_pipeline
from mlreprokit.schema import load_schema
from sklearn.dummy import DummyClassifier, DummyRegressor

from .toy import PROJECT


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A project root with the project's own params.yaml and pyproject.toml, no schema yet."""
    shutil.copy(PROJECT / PARAMS, tmp_path / PARAMS)
    shutil.copy(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def patients(rows: int = 60) -> pd.DataFrame:
    """A regression table with an id and a text column, the shape of a first real data set."""
    index = pd.RangeIndex(rows)
    return pd.DataFrame(
        {
            "patient_id": [f"P{i:03d}" for i in index],
            "sex": ["F" if i % 3 else "M" for i in index],
            "age": 20 + index % 50,
            "bmi": 18 + (index % 17) * 0.7,
            "progression": 50.0 + 3 * (index % 50) + (index % 7),
        }
    )


def test_adopt_records_source_hash_schema_and_task(fresh, capsys):
    patients().to_csv(fresh / "patients.csv", index=False)
    assert main(["adopt", "patients.csv", "--target", "progression", "--id", "patient_id"]) == 0
    config = load_config(fresh / PARAMS)
    assert config.data.source == "patients.csv" and config.data.format == "csv"
    assert config.data.sha256 == sha256_file(fresh / "patients.csv")
    assert config.data.stratify is False
    table = for_task(load_pipeline().metrics, "regression")
    assert config.metric == default_metric(table, "regression")
    assert set(config.gate.minimum) | set(config.gate.maximum) == set(table)
    assert all(table[name].higher_is_better for name in config.gate.minimum)
    schema = load_schema(fresh / SCHEMA)
    assert (schema.task, schema.target, schema.id) == ("regression", "progression", "patient_id")
    assert schema.column("sex").allowed == ("F", "M")
    out = capsys.readouterr().out
    assert "task: regression of 'progression'" in out and "review" in out


def test_adopt_keeps_the_comments_of_params_yaml(fresh):
    before = [line for line in (fresh / PARAMS).read_text().splitlines() if "#" in line]
    patients().to_csv(fresh / "patients.csv", index=False)
    assert main(["adopt", "patients.csv", "--target", "progression"]) == 0
    after = (fresh / PARAMS).read_text()
    for line in before:
        assert line.split("#", 1)[1] in after


@pytest.mark.slow
def test_adopt_then_the_pipeline_and_gate_pass(fresh):
    patients().to_csv(fresh / "patients.csv", index=False)
    assert main(["adopt", "patients.csv", "--target", "progression", "--id", "patient_id"]) == 0
    assert main(["all"]) == 0
    table = for_task(load_pipeline().metrics, "regression")
    assert set(json.loads((fresh / METRICS).read_text())) == set(table)
    assert main(["gate"]) == 0


def test_adopt_infers_classification_and_stratifies(fresh):
    frame = patients().assign(label=lambda f: (f["age"] > 40).map({True: "old", False: "young"}))
    frame.drop(columns="progression").to_csv(fresh / "labels.csv", index=False)
    assert main(["adopt", "labels.csv", "--target", "label", "--id", "patient_id"]) == 0
    assert load_schema(fresh / SCHEMA).task == "classification"
    config = load_config(fresh / PARAMS)
    assert config.data.stratify is True
    assert config.metric == default_metric(load_pipeline().metrics, "classification")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "outcome"], "--target 'outcome' is not a column: have ['patient_id'"),
        (["--target", "sex", "--task", "regression"], "--task regression needs a numeric target"),
        (["--target", "bmi", "--id", "bmi"], "--id and --target name the same column"),
    ],
)
def test_adopt_wrong_columns_are_one_line(fresh, capsys, args, message):
    patients().to_csv(fresh / "patients.csv", index=False)
    before = (fresh / PARAMS).read_text()
    assert main(["adopt", "patients.csv", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert (fresh / PARAMS).read_text() == before and not (fresh / SCHEMA).exists()


def table(rows: int = 20, **columns) -> str:
    """A small CSV: x, then y (two classes), then any column given as a function of the row."""
    header = ["x", "y", *columns]
    lines = [",".join(header)]
    for i in range(rows):
        values = [str(i), "ab"[i % 2], *(str(make(i)) for make in columns.values())]
        lines.append(",".join(values))
    return "\n".join(lines) + "\n"


BAD_SOURCES = {
    "empty": (b"", ["--target", "y"], "the file is empty"),
    "header_only": (b"x,y\n", ["--target", "y"], "0 rows: at least 10 are needed"),
    "one_row": (b"x,y\n1,a\n", ["--target", "y"], "1 rows: at least 10 are needed"),
    "html": (b"<!DOCTYPE html><html><body>Sign in</body></html>", ["--target", "y"], "HTML page"),
    "binary": (bytes(range(256)) * 4, ["--target", "y"], "a binary file"),
    "latin1": (
        table().replace(",a\n", ",\xe9\n").encode("latin-1"),
        ["--target", "y"],
        "not UTF-8",
    ),
    "semicolons": (table().replace(",", ";").encode(), ["--target", "y"], "separated by ';'"),
    "repeated_column": (b"x,x,y\n" + b"1,2,a\n" * 20, ["--target", "y"], "'x' appears twice"),
    "constant_target": (table().replace(",b\n", ",a\n").encode(), ["--target", "y"], "one value"),
    "single_row_class": (
        table().replace("19,b", "19,c").encode(),
        ["--target", "y"],
        "class 'c' has only 1 row",
    ),
    "repeated_id": (
        table(key=lambda i: i // 2).encode(),
        ["--target", "y", "--id", "key"],
        "--id 'key': 10 rows repeat an id",
    ),
}


@pytest.mark.parametrize("case", list(BAD_SOURCES))
def test_adopt_refuses_what_cannot_train_in_one_line(fresh, capsys, case):
    content, args, message = BAD_SOURCES[case]
    (fresh / "new.csv").write_bytes(content)
    before = (fresh / PARAMS).read_text()
    assert main(["adopt", "new.csv", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert (fresh / PARAMS).read_text() == before and not (fresh / SCHEMA).exists()


def test_adopt_missing_file_is_one_line(fresh, capsys):
    assert main(["adopt", "absent.csv", "--target", "y"]) == 2
    assert "works only where that file exists" in capsys.readouterr().err


def test_adopt_refuses_a_file_outside_the_project_in_one_line(fresh, capsys):
    outside = fresh.parent / f"{fresh.name}-outside.csv"
    patients().to_csv(outside, index=False)
    before = (fresh / PARAMS).read_text()
    assert main(["adopt", str(outside), "--target", "progression"]) == 2
    err = capsys.readouterr().err
    assert "is outside the project: copy it into the project" in err and len(err.splitlines()) == 1
    assert (fresh / PARAMS).read_text() == before and not (fresh / SCHEMA).exists()


def test_adopt_records_an_absolute_path_inside_the_project_as_relative(fresh):
    patients().to_csv(fresh / "patients.csv", index=False)
    assert main(["adopt", str(fresh / "patients.csv"), "--target", "progression"]) == 0
    assert load_config(fresh / PARAMS).data.source == "patients.csv"


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, OSError])
def test_adopt_interrupted_writing_params_leaves_both_files_as_they_were(
    fresh, monkeypatch, interrupt
):
    import mlreprokit.adopt as adopt

    shutil.copy(PROJECT / SCHEMA, fresh / SCHEMA)
    before = {name: (fresh / name).read_bytes() for name in (PARAMS, SCHEMA)}
    patients().to_csv(fresh / "patients.csv", index=False)
    real = adopt.atomic_path

    def failing(path):  # the schema is written, then params.yaml fails
        if Path(path).name == "params.yaml":
            raise interrupt("between the two writes")
        return real(path)

    monkeypatch.setattr(adopt, "atomic_path", failing)
    with pytest.raises(interrupt):
        adopt.run(
            adopt.argparse.Namespace(
                source="patients.csv",
                target="progression",
                id=None,
                task=None,
                format=None,
                params=fresh / PARAMS,
            )
        )
    assert {name: (fresh / name).read_bytes() for name in (PARAMS, SCHEMA)} == before


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("patients.csv", "next: commit params.yaml, schema.yaml and patients.csv"),
        ("data/raw/patients.csv", "note: data/raw/patients.csv is under data/, which stays out"),
    ],
    ids=["beside-the-code", "under-data"],
)
def test_adopt_of_a_local_file_says_how_a_clone_finds_it(fresh, capsys, where, said):
    (fresh / where).parent.mkdir(parents=True, exist_ok=True)
    patients().to_csv(fresh / where, index=False)
    assert main(["adopt", where, "--target", "progression"]) == 0
    assert said in capsys.readouterr().out


def weather(rows: int = 400) -> pd.DataFrame:
    """Daily rows whose label has a 49 % majority class and a date column (seattle-weather)."""
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "date": pd.date_range("2012-01-01", periods=rows).strftime("%Y-%m-%d"),
            "wind": rng.uniform(0, 9, rows).round(1),
            "weather": rng.choice(["sun", "rain", "fog"], rows, p=[0.49, 0.41, 0.10]),
        }
    )


@pytest.mark.parametrize(
    ("frame", "target"),
    [(weather(), "weather"), (patients(), "progression")],
    ids=["classification", "regression"],
)
def test_adopt_writes_a_gate_a_no_skill_model_fails_on_every_bound(fresh, frame, target):
    frame.to_csv(fresh / "new.csv", index=False)
    assert main(["adopt", "new.csv", "--target", target]) == 0
    gate, task = load_config(fresh / PARAMS).gate, load_schema(fresh / SCHEMA).task
    rows, truth = np.zeros((len(frame), 1)), frame[target]
    no_skill = DummyClassifier(strategy="prior") if task == "classification" else DummyRegressor()
    no_skill.fit(rows, truth)
    table = for_task(load_pipeline().metrics, task)
    scores = {name: score(name, metric, no_skill, rows, truth) for name, metric in table.items()}
    assert all(scores[name] < bound for name, bound in gate.minimum.items()), (scores, gate)
    assert all(scores[name] > bound for name, bound in gate.maximum.items()), (scores, gate)
    assert gate.minimum  # something is gated


def test_adopt_keeps_a_date_and_free_text_out_of_the_model_and_says_so(fresh, capsys):
    frame = weather().assign(note=lambda f: [f"entry {i}" for i in range(len(f))])
    frame.to_csv(fresh / "new.csv", index=False)
    assert main(["adopt", "new.csv", "--target", "weather"]) == 0
    schema = load_schema(fresh / SCHEMA)
    assert schema.kept_out == ("date", "note")
    out = capsys.readouterr().out
    assert "'date' holds dates: kept out of the model" in out
    assert "'note' is text (400 distinct values, more than 50): kept out of the model" in out


def test_adopt_refuses_data_with_only_dates_and_text_besides_the_target(fresh, capsys):
    weather().drop(columns="wind").to_csv(fresh / "new.csv", index=False)
    assert main(["adopt", "new.csv", "--target", "weather"]) == 2
    err = capsys.readouterr().err
    assert "every column but the target and the id is a date or text" in err
    assert err.count("\n") == 1 and not (fresh / SCHEMA).exists()


def test_adopt_of_parquet_adds_its_reader_to_the_requirements(fresh, capsys):
    shutil.copy(PROJECT / "requirements.in", fresh / "requirements.in")
    patients().to_parquet(fresh / "patients.parquet")
    assert main(["adopt", "patients.parquet", "--target", "progression"]) == 0
    assert "pyarrow  # reads data.format parquet" in (fresh / "requirements.in").read_text()
    assert "requirements.in: added pyarrow (Parquet needs it): run `nox -s lock`" in (
        capsys.readouterr().out
    )
    assert load_config(fresh / PARAMS).data.format == "parquet"


def test_adopt_of_parquet_without_its_reader_says_to_lock_in_one_line(fresh, capsys, monkeypatch):
    shutil.copy(PROJECT / "requirements.in", fresh / "requirements.in")
    patients().to_parquet(fresh / "patients.parquet")
    before = (fresh / PARAMS).read_text()
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "pyarrow" else find_spec(name, *a),
    )
    assert main(["adopt", "patients.parquet", "--target", "progression"]) == 2
    err = capsys.readouterr().err
    assert "Parquet needs pyarrow, now in requirements.in: run `nox -s lock`, then adopt" in err
    assert err.count("\n") == 1
    assert "pyarrow" in (fresh / "requirements.in").read_text()
    assert (fresh / PARAMS).read_text() == before and not (fresh / SCHEMA).exists()


def test_adopt_records_the_source_the_schema_describes_and_a_run_checks_it(fresh, capsys):
    patients().to_csv(fresh / "patients.csv", index=False)
    assert main(["adopt", "patients.csv", "--target", "progression"]) == 0
    assert load_schema(fresh / SCHEMA).source == "patients.csv"
    patients().drop(columns="bmi").to_csv(fresh / "other.csv", index=False)
    text = (fresh / PARAMS).read_text().replace("source: patients.csv", "source: other.csv")
    text = text.replace(sha256_file(fresh / "patients.csv"), sha256_file(fresh / "other.csv"))
    (fresh / PARAMS).write_text(text)  # as an edit of one file, or a half-done adopt, leaves it
    capsys.readouterr()
    assert main(["data"]) == 2
    err = capsys.readouterr().err
    assert "schema.yaml describes patients.csv but params.yaml data.source is other.csv" in err
    assert "column 'bmi': missing" in err and "data/raw/data.csv does not match its schema" in err


def test_adopt_new_data_while_engineer_still_expects_the_old_columns(fresh, monkeypatch):
    def engineer(frame):
        return frame.assign(month=frame["date"].str[5:7])  # written for the previous data

    pipeline = dataclasses.replace(load_pipeline(), engineer=engineer)
    monkeypatch.setattr("mlreprokit.adopt.load_pipeline", lambda: pipeline)
    patients().to_csv(fresh / "patients.csv", index=False)
    assert main(["adopt", "patients.csv", "--target", "progression"]) == 0
