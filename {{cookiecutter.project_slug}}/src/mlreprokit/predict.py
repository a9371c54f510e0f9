"""`predict`: one prediction per input row, beside its id (or row number), from a registered model.

The input is checked against `schema.yaml` first: missing or unknown columns and values of the
wrong kind are one line naming them, not a stack trace from inside the model.
"""

from pathlib import Path

import pandas as pd

from .artifacts import write_csv
from .errors import UsageError
from .paths import SCHEMA
from .project import load_pipeline
from .schema import Schema, column_problems, load_schema, model_inputs, text_columns

ROW = "row"  # the id column of the output when the schema has none: the input's row number


def read_input(source: Path, schema: Schema) -> pd.DataFrame:
    """The input rows, checked: every feature column present, none unknown, values of their kind."""
    try:
        frame = pd.read_csv(source, dtype=text_columns(schema))
    except FileNotFoundError:
        raise UsageError(f"{source} not found") from None
    known = {column.name for column in schema.columns}
    missing = [c.name for c in schema.features if c.name not in frame.columns]
    if missing:
        raise UsageError(f"{source}: missing column(s) {', '.join(map(repr, missing))}")
    extra = [name for name in frame.columns if name not in known]
    if extra:
        raise UsageError(f"{source}: column(s) not in {SCHEMA}: {', '.join(map(repr, extra))}")
    found = [line for c in schema.features for line in column_problems(c, frame[c.name])]
    if found:
        raise UsageError(f"{source}: {'; '.join(found)}")
    return frame


def row_keys(frame: pd.DataFrame, schema: Schema) -> tuple[str, list[object]]:
    """What names each prediction: the schema's id column when the rows have it, else the row
    number (rows without their id still get predictions)."""
    if schema.id is not None and schema.id in frame.columns:
        return schema.id, frame[schema.id].tolist()
    return ROW, list(range(len(frame)))


def predict(model_uri: str, source: Path, target: Path, root: Path) -> None:
    """Write `id` (or `row`) and `prediction` for each row of `source` to `target`."""
    import mlflow
    from mlflow.exceptions import MlflowException

    schema = load_schema(root / SCHEMA)
    frame = read_input(source, schema)
    try:
        model = mlflow.pyfunc.load_model(model_uri)
    except MlflowException as error:
        raise UsageError(f"cannot load {model_uri}: {error.message.splitlines()[0]}") from None
    rows = model_inputs(load_pipeline().engineer(frame), schema)  # as the model was fitted
    key, ids = row_keys(frame, schema)
    output = pd.DataFrame({key: ids, "prediction": model.predict(rows)})
    write_csv(output, target)
    print(f"wrote {len(output)} predictions with their {key} to {target}")
