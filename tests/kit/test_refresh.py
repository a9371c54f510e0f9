import shutil

import pandas as pd
import pytest
from mlreprokit.cli import main
from mlreprokit.config import load_config
from mlreprokit.hashing import sha256_file
from mlreprokit.paths import PARAMS, SCHEMA
from mlreprokit.refresh import widened_column
from mlreprokit.schema import Column, load_schema

from .toy import PROJECT


def table(rows: int = 60, shift: float = 0.0, sexes: str = "FM") -> pd.DataFrame:
    """A regression table with an id and a text column, as a real source might hold."""
    index = pd.RangeIndex(rows)
    return pd.DataFrame(
        {
            "patient_id": [f"P{i:03d}" for i in index],
            "sex": [sexes[i % len(sexes)] for i in index],
            "age": 20 + index % 50 + shift,
            "progression": 50.0 + 3 * (index % 50) + (index % 7),
        }
    )


@pytest.fixture
def adopted(tmp_path, monkeypatch):
    """A project that adopted `patients.csv`, with the project's own params.yaml."""
    shutil.copy(PROJECT / PARAMS, tmp_path / PARAMS)
    shutil.copy(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.chdir(tmp_path)
    table().to_csv(tmp_path / "patients.csv", index=False)
    assert main(["adopt", "patients.csv", "--target", "progression", "--id", "patient_id"]) == 0
    return tmp_path


def test_refresh_unchanged_source_changes_nothing(adopted, capsys):
    before = {name: (adopted / name).read_bytes() for name in (PARAMS, SCHEMA)}
    capsys.readouterr()
    assert main(["refresh"]) == 0
    assert "is unchanged" in capsys.readouterr().out
    assert {name: (adopted / name).read_bytes() for name in (PARAMS, SCHEMA)} == before


def test_refresh_records_the_new_hash_and_only_that(adopted, capsys):
    params, schema = (adopted / PARAMS).read_text(), (adopted / SCHEMA).read_bytes()
    table(rows=80).to_csv(adopted / "patients.csv", index=False)
    assert main(["refresh"]) == 0
    new = sha256_file(adopted / "patients.csv")
    assert load_config(adopted / PARAMS).data.sha256 == new
    changed = set((adopted / PARAMS).read_text().splitlines()) ^ set(params.splitlines())
    assert len(changed) == 2 and all("sha256:" in line for line in changed)  # comments kept
    assert (adopted / SCHEMA).read_bytes() == schema
    out = capsys.readouterr().out
    assert "refreshed patients.csv: 80 rows" in out and f"-> {new[:12]}..." in out
    assert "nox -s pipeline" in out


def test_refresh_refuses_rows_the_schema_does_not_take_and_writes_nothing(adopted, capsys):
    before = {name: (adopted / name).read_bytes() for name in (PARAMS, SCHEMA)}
    table(shift=100.0, sexes="FMX").to_csv(adopted / "patients.csv", index=False)
    assert main(["refresh"]) == 2
    err = capsys.readouterr().err
    assert "does not match schema.yaml" in err and "refresh --widen" in err
    assert "column 'age'" in err and "column 'sex'" in err
    assert {name: (adopted / name).read_bytes() for name in (PARAMS, SCHEMA)} == before


def test_refresh_widen_takes_the_new_rows_in_and_says_what_changed(adopted, capsys):
    old = load_schema(adopted / SCHEMA)
    table(shift=100.0, sexes="FMX").to_csv(adopted / "patients.csv", index=False)
    capsys.readouterr()
    assert main(["refresh", "--widen"]) == 0
    new = load_schema(adopted / SCHEMA)
    age = new.column("age")
    assert age.maximum >= 169 and age.minimum == old.column("age").minimum
    assert new.column("sex").allowed == ("F", "M", "X")
    assert new.column("progression") == old.column("progression")
    assert load_config(adopted / PARAMS).data.sha256 == sha256_file(adopted / "patients.csv")
    out = capsys.readouterr().out
    assert "column 'age' maximum" in out and "column 'sex' allowed" in out
    assert main(["all"]) == 0  # the pipeline trains on the new version


def test_refresh_widen_refuses_a_changed_set_of_columns(adopted, capsys):
    before = (adopted / PARAMS).read_bytes()
    table().drop(columns="sex").to_csv(adopted / "patients.csv", index=False)
    assert main(["refresh", "--widen"]) == 2
    err = capsys.readouterr().err
    assert "column 'sex': missing" in err and "`adopt` it as new data" in err
    assert (adopted / PARAMS).read_bytes() == before


def test_refresh_of_the_bundled_demo_data_is_one_line(tmp_path, monkeypatch, capsys):
    shutil.copy(PROJECT / PARAMS, tmp_path / PARAMS)
    shutil.copy(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.chdir(tmp_path)
    assert main(["refresh"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: data.source 'bundled:") and err.count("\n") == 1


WIDENED = {  # id: (column, new values, the column after widening)
    "above-max": (Column("n", "integer", 0, 10), [3, 12], Column("n", "integer", 0, 14)),
    "nulls": (
        Column("n", "numeric", 1.0, 2.0),
        [1.5, None],
        Column("n", "numeric", 1.0, 2.0, None, True),
    ),
    "new-category": (
        Column("c", "categorical", allowed=("a",)),
        ["a", "b"],
        Column("c", "categorical", allowed=("a", "b")),
    ),
    "within": (Column("n", "numeric", 0.0, 5.0), [1.0, 4.0], Column("n", "numeric", 0.0, 5.0)),
}


@pytest.mark.parametrize(("column", "values", "expected"), WIDENED.values(), ids=WIDENED)
def test_widened_column_loosens_only_the_rule_the_values_break(column, values, expected):
    assert widened_column(column, pd.Series(values)) == expected
