import dataclasses

import pandas as pd
import pytest
import yaml
from mlreprokit.schema import (
    Column,
    Schema,
    SchemaError,
    from_mapping,
    infer_schema,
    model_inputs,
    problems,
    to_mapping,
    validate,
)


@pytest.fixture
def numeric(schema) -> Column:
    """A bounded numeric feature of the project's schema."""
    found = [c for c in schema.features if c.is_numeric and c.maximum is not None]
    if not found:
        pytest.skip("schema.yaml has no bounded numeric feature")
    return found[0]


def test_synthetic_frame_conforms_to_the_project_schema(frame, schema):
    assert problems(frame, schema) == []
    assert validate(frame, schema, "data") is frame


def test_problems_wrong_type_names_column_and_count(frame, schema, numeric):
    frame[numeric.name] = frame[numeric.name].astype(object)
    frame.loc[[3, 8], numeric.name] = "twelve"
    assert problems(frame, schema) == [
        f"column {numeric.name!r}: 2 rows not a number (expected {numeric.kind}), e.g. 'twelve'"
    ]


def test_problems_null_names_column_and_count(frame, schema):
    column = next(c for c in schema.columns if not c.nullable)
    frame[column.name] = frame[column.name].astype(object)
    frame.loc[5, column.name] = None
    assert problems(frame, schema) == [f"column {column.name!r}: 1 row null (no nulls allowed)"]


def test_problems_out_of_range_names_column_bound_and_value(frame, schema, numeric):
    frame[numeric.name] = frame[numeric.name].astype(float)
    frame.loc[7, numeric.name] = numeric.maximum + 1
    assert problems(frame, schema) == [
        f"column {numeric.name!r}: 1 row above the maximum {numeric.maximum}, "
        f"e.g. {float(numeric.maximum + 1)!r}"
    ]


def test_problems_unknown_value_of_a_categorical_column(frame, schema):
    column = next((c for c in schema.columns if c.allowed), None)
    if column is None:
        pytest.skip("schema.yaml has no column with allowed values")
    frame[column.name] = frame[column.name].astype(object)
    frame.loc[0, column.name] = "no such value"
    allowed = ", ".join(map(str, column.allowed))
    assert problems(frame, schema) == [
        f"column {column.name!r}: 1 row not one of {allowed}, e.g. 'no such value'"
    ]


def test_problems_missing_and_extra_columns(frame, schema):
    dropped = schema.features[0].name
    frame = frame.drop(columns=dropped).assign(unexpected_column=1)
    assert problems(frame, schema) == [
        f"column {dropped!r}: missing",
        "column 'unexpected_column': not in the schema",
    ]


def test_problems_row_count_outside_bounds(frame, schema):
    small = dataclasses.replace(schema, min_rows=len(frame) + 1)
    assert problems(frame, small) == [
        f"{len(frame)} rows: expected {len(frame) + 1} to {schema.max_rows}"
    ]


def test_problems_nullable_whole_number_column():
    schema = Schema(
        (Column("count", kind="integer", nullable=True),),
        min_rows=1,
        max_rows=10,
        target="count",
        task="regression",
    )
    frame = pd.DataFrame({"count": [1, None, 2.5]})
    assert problems(frame, schema) == ["column 'count': 1 row not a whole number, e.g. 2.5"]


def test_problems_repeated_id():
    columns = (Column("key", kind="categorical"), Column("x"), Column("y"))
    schema = Schema(columns, 1, 10, target="y", task="regression", id="key")
    frame = pd.DataFrame({"key": ["a", "b", "a"], "x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0]})
    assert problems(frame, schema) == ["column 'key': 1 row repeat an id"]


def test_validate_reports_every_problem_at_once(frame, schema, numeric):
    other = next(c for c in schema.columns if not c.nullable and c.name != numeric.name)
    frame[other.name] = frame[other.name].astype(object)
    frame.loc[1, other.name] = None
    frame[numeric.name] = frame[numeric.name].astype(float)
    frame.loc[2, numeric.name] = numeric.maximum + 1
    with pytest.raises(SchemaError) as caught:
        validate(frame, schema, "data/raw/data.csv")
    lines = str(caught.value).splitlines()
    assert lines[0] == "data/raw/data.csv does not match its schema (2 problems):"
    assert sorted(lines[1:]) == sorted(
        [
            f"  column {numeric.name!r}: 1 row above the maximum {numeric.maximum}, "
            f"e.g. {float(numeric.maximum + 1)!r}",
            f"  column {other.name!r}: 1 row null (no nulls allowed)",
        ]
    )


def test_problems_text_column_with_allowed_values():
    columns = (Column("colour", kind="categorical", allowed=("red", "white")), Column("y"))
    schema = Schema(columns, 1, 10, target="y", task="regression")
    frame = pd.DataFrame({"colour": ["red", "rose", None], "y": [1.0, 2.0, 3.0]})
    assert problems(frame, schema) == [
        "column 'colour': 1 row null (no nulls allowed)",
        "column 'colour': 1 row not one of red, white, e.g. 'rose'",
    ]


def test_schema_file_round_trips(schema):
    assert from_mapping(to_mapping(schema), "schema.yaml") == schema


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"task": "ranking"}, "task must be one of classification, regression"),
        ({"target": "no_such_column"}, "target 'no_such_column' is not one of the columns"),
        ({"colour": 1}, "unknown key 'colour'"),
    ],
)
def test_from_mapping_names_the_wrong_key(schema, change, message):
    with pytest.raises(SchemaError, match=message):
        from_mapping({**to_mapping(schema), **change}, "schema.yaml")


def test_from_mapping_rejects_unknown_kind_and_wrong_task_for_target():
    raw = {"target": "y", "task": "regression", "columns": {"x": {"kind": "datetime"}, "y": {}}}
    with pytest.raises(SchemaError, match=r"columns.x.kind must be one of numeric, integer"):
        from_mapping(raw, "schema.yaml")
    raw["columns"] = {"x": {}, "y": {"kind": "categorical", "allowed": ["a", "b"]}}
    with pytest.raises(SchemaError, match="task regression needs a numeric target"):
        from_mapping(raw, "schema.yaml")


def test_infer_schema_kinds_ranges_task_and_id():
    frame = pd.DataFrame(
        {
            "patient": [101, 102, 103, 104],
            "sex": ["F", "M", "F", None],
            "age": [20, 30, 40, 60],
            "bmi": [18.5, 22.0, None, 30.5],
            "progression": [151.0, 75.5, 141.0, 206.0],
        }
    )
    schema = infer_schema(frame, target="progression", id="patient", task=None)
    assert schema.task == "regression" and schema.id == "patient"
    assert schema.column("sex") == Column(
        "sex", kind="categorical", allowed=("F", "M"), nullable=True
    )
    assert schema.column("age") == Column("age", kind="integer", minimum=16, maximum=64)
    assert schema.column("bmi").nullable and schema.column("bmi").minimum == 17.3
    assert [c.name for c in schema.features] == ["sex", "age", "bmi"]
    assert problems(frame, schema) == []


def test_infer_schema_classification_of_a_few_whole_numbers():
    frame = pd.DataFrame({"x": [0.5, 1.5, 2.5, 3.5], "label": [0, 1, 0, 1]})
    schema = infer_schema(frame, target="label", id=None, task=None)
    assert schema.task == "classification"
    assert schema.column("label").allowed == (0, 1)


def test_infer_schema_keeps_dates_and_free_text_out_of_the_model():
    rows = 120
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2012-01-01", periods=rows).strftime("%Y-%m-%d"),
            "note": [f"visit {i}" for i in range(rows)],
            "city": ["a", "b", "c"] * (rows // 3),
            "temp": [float(i % 30) for i in range(rows)],
            "weather": ["sun", "rain"] * (rows // 2),
        }
    )
    schema = infer_schema(frame, target="weather", id=None, task=None)
    kinds = [schema.column(name).kind for name in ("date", "note", "city")]
    assert kinds == ["date", "text", "categorical"]
    assert schema.kept_out == ("date", "note")
    assert list(model_inputs(frame, schema).columns) == ["city", "temp"]
    assert problems(frame, schema) == []
    assert load_schema_text(to_mapping(schema)) == schema  # the kinds round-trip


def load_schema_text(mapping):
    return from_mapping(yaml.safe_load(yaml.safe_dump(mapping, sort_keys=False)), "schema.yaml")


def test_problems_value_that_is_not_a_date():
    columns = {"day": {"kind": "date"}, "target": {"kind": "categorical", "allowed": [0, 1]}}
    schema = from_mapping({"columns": columns}, "schema.yaml")
    frame = pd.DataFrame({"day": ["2024-02-29", "29/02/2024"], "target": [0, 1]})
    assert problems(frame, schema) == [
        "column 'day': 1 row not a date (YYYY-MM-DD), e.g. '29/02/2024'"
    ]


def test_from_mapping_rejects_allowed_values_on_a_text_column():
    raw = {"columns": {"x": {"kind": "text", "allowed": ["a"]}, "target": {"kind": "categorical"}}}
    with pytest.raises(SchemaError, match="columns.x.allowed: a text column has no allowed values"):
        from_mapping(raw, "schema.yaml")
