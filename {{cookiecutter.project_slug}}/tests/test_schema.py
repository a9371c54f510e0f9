import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.data import load_raw
from {{ cookiecutter.module_name }}.schema import (
    RAW_SCHEMA,
    Column,
    Schema,
    SchemaError,
    problems,
    validate,
)


@pytest.fixture
def wine() -> pd.DataFrame:
    return load_raw()


def test_raw_schema_accepts_the_example_data(wine):
    assert problems(wine, RAW_SCHEMA) == []
    assert validate(wine, RAW_SCHEMA, "wine") is wine


def test_problems_wrong_type_names_column_and_count(wine):
    wine["ash"] = wine["ash"].astype(object)
    wine.loc[[3, 8], "ash"] = "twelve"
    assert problems(wine, RAW_SCHEMA) == [
        "column 'ash': 2 rows not a number (expected float), e.g. 'twelve'"
    ]


def test_problems_null_names_column_and_count(wine):
    wine.loc[5, "hue"] = None
    assert problems(wine, RAW_SCHEMA) == ["column 'hue': 1 row null (no nulls allowed)"]


def test_problems_out_of_range_names_column_bound_and_value(wine):
    wine.loc[7, "alcohol"] = 99.0
    wine.loc[9, "magnesium"] = -1.0
    assert problems(wine, RAW_SCHEMA) == [
        "column 'alcohol': 1 row above the maximum 16, e.g. 99.0",
        "column 'magnesium': 1 row below the minimum 0, e.g. -1.0",
    ]


def test_problems_unknown_class_in_target(wine):
    wine.loc[0, "target"] = 3
    assert problems(wine, RAW_SCHEMA) == ["column 'target': 1 row not one of 0, 1, 2, e.g. 3"]


def test_problems_missing_and_extra_columns(wine):
    wine = wine.drop(columns="proline").assign(colour="red")
    assert problems(wine, RAW_SCHEMA) == [
        "column 'proline': missing",
        "column 'colour': not in the schema",
    ]


def test_problems_row_count_outside_bounds(wine):
    assert problems(wine.head(20), RAW_SCHEMA) == ["20 rows: expected 150 to 250"]


def test_problems_nullable_whole_number_column():
    schema = Schema((Column("count", kind=int, nullable=True),), min_rows=1, max_rows=10)
    frame = pd.DataFrame({"count": [1, None, 2.5]})
    assert problems(frame, schema) == ["column 'count': 1 row not a whole number, e.g. 2.5"]


def test_validate_reports_every_problem_at_once(wine):
    wine.loc[1, "hue"] = None
    wine.loc[2, "alcohol"] = 99.0
    with pytest.raises(SchemaError) as caught:
        validate(wine, RAW_SCHEMA, "data/raw/wine.csv")
    assert str(caught.value).splitlines() == [
        "data/raw/wine.csv does not match its schema (2 problems):",
        "  column 'alcohol': 1 row above the maximum 16, e.g. 99.0",
        "  column 'hue': 1 row null (no nulls allowed)",
    ]


def test_problems_text_column_with_allowed_values():
    schema = Schema((Column("colour", kind=str, allowed=("red", "white")),), 1, 10)
    frame = pd.DataFrame({"colour": ["red", "rose", 3, None]})
    assert problems(frame, schema) == [
        "column 'colour': 1 row null (no nulls allowed)",
        "column 'colour': 1 row not text, e.g. 3",
        "column 'colour': 2 rows not one of red, white, e.g. 'rose'",
    ]
