"""The raw data's schema, read from `schema.yaml`: columns, kinds, ranges, allowed values, nulls,
row count, and which column is the target (and the id).

`python -m <module> adopt` infers it from your data; edit it by hand after.
`data.read_raw` checks every read of `data/raw/` against it, so bad data stops the pipeline
before anything downstream is written. The model's preprocessing is built from the same kinds;
`date` and `text` columns are checked but kept out of the model: derive features from them in
`features.engineer` (a month, a weekday, a length), and those reach the model.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .errors import ProjectError

# integer: whole numbers; categorical: values from a set (one-hot encoded); date: ISO 8601
# dates (YYYY-MM-DD, a time may follow); text: free text. The last two are kept out of the model.
KINDS = ("numeric", "integer", "categorical", "date", "text")
KEPT_OUT = ("date", "text")
NUMERIC = ("numeric", "integer")
TASKS = ("classification", "regression")
MAX_CATEGORIES = 50  # more distinct values than this: `adopt` makes the column text
ISO_DATE = r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
MARGIN = 0.1  # `adopt` widens each observed range by this share of its width, on both sides


class SchemaError(ProjectError, ValueError):
    """The data breaks its schema, or the schema file is wrong; the message says where."""


@dataclass(frozen=True)
class Column:
    """What one column must hold: numbers within bounds, or values from a set; nulls or not."""

    name: str
    kind: str = "numeric"
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[object, ...] | None = None
    nullable: bool = False

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC

    @property
    def to_model(self) -> bool:
        """False for date and text columns, which the model does not take as they are."""
        return self.kind not in KEPT_OUT


@dataclass(frozen=True)
class Schema:
    """The exact columns of a table, its row count, its target, task and id column."""

    columns: tuple[Column, ...]
    min_rows: int
    max_rows: int
    target: str = "target"
    task: str = "classification"
    id: str | None = None
    source: str | None = None  # the `data.source` it was written for (by `adopt`, `refresh`)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def features(self) -> tuple[Column, ...]:
        """The input columns: all but the target and the id (date and text ones included)."""
        return tuple(c for c in self.columns if c.name not in (self.target, self.id))

    @property
    def kept_out(self) -> tuple[str, ...]:
        """The date and text columns, which reach the model only through `engineer`."""
        return tuple(c.name for c in self.features if not c.to_model)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def plain(value: object) -> object:
    """A NumPy scalar as the Python number it holds, so a report shows `99.0`."""
    return value.item() if hasattr(value, "item") else value


def checks(column: Column, values: pd.Series) -> list[tuple[pd.Series, str]]:
    """(rows that break it, what is wrong) for each rule of the column."""
    nulls = values.isna()
    found = [] if column.nullable else [(nulls, "null (no nulls allowed)")]
    known = values
    if column.is_numeric:
        known = pd.to_numeric(values, errors="coerce")
        found.append((~nulls & known.isna(), f"not a number (expected {column.kind})"))
        if column.kind == "integer":
            found.append((known.notna() & (known % 1 != 0), "not a whole number"))
        if column.minimum is not None:
            found.append((known < column.minimum, f"below the minimum {column.minimum}"))
        if column.maximum is not None:
            found.append((known > column.maximum, f"above the maximum {column.maximum}"))
    if column.kind == "date":
        text = values.astype("string")
        found.append((~nulls & ~text.str.fullmatch(ISO_DATE, na=False), "not a date (YYYY-MM-DD)"))
    if column.allowed is not None:
        outside = ~nulls & ~known.isin(column.allowed)
        found.append((outside, f"not one of {', '.join(map(str, column.allowed))}"))
    return found


def column_problems(column: Column, values: pd.Series) -> list[str]:
    """One line per rule a column breaks, with how many rows break it and an example."""
    found = []
    for broken, what in checks(column, values):
        if count := int(broken.sum()):
            first = values[broken].iloc[0]
            example = "" if pd.isna(first) else f", e.g. {plain(first)!r}"
            found.append(f"column {column.name!r}: {plural(count, 'row')} {what}{example}")
    return found


def problems(frame: pd.DataFrame, schema: Schema) -> list[str]:
    """Every way `frame` breaks `schema`, one line each; empty when it conforms."""
    expected = [column.name for column in schema.columns]
    found = [f"column {name!r}: missing" for name in expected if name not in frame.columns]
    found += [f"column {name!r}: not in the schema" for name in frame if name not in expected]
    if not schema.min_rows <= len(frame) <= schema.max_rows:
        bounds = f"expected {schema.min_rows} to {schema.max_rows}"
        found.append(f"{plural(len(frame), 'row')}: {bounds}")
    for column in schema.columns:
        if column.name in frame.columns:
            found += column_problems(column, frame[column.name])
    if schema.id in frame.columns and (repeated := int(frame[schema.id].duplicated().sum())):
        found.append(f"column {schema.id!r}: {plural(repeated, 'row')} repeat an id")
    return found


def validate(frame: pd.DataFrame, schema: Schema, source: str) -> pd.DataFrame:
    """Return `frame` if it conforms to `schema`; otherwise raise a SchemaError listing why."""
    found = problems(frame, schema)
    if found:
        heading = f"{source} does not match its schema ({plural(len(found), 'problem')}):"
        raise SchemaError("\n  ".join([heading, *found]))
    return frame


def model_inputs(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """The columns a model takes: every column but the target and the id, so a column the
    features stage adds reaches the model (and `predict`)."""
    left_out = {schema.target, schema.id, *schema.kept_out}
    return frame[[c for c in frame.columns if c not in left_out]]


def read_split(path: Path, schema: Schema) -> pd.DataFrame:
    """A CSV the pipeline wrote (a split), with the schema's text columns read back as text."""
    return pd.read_csv(path, dtype=text_columns(schema))


def text_columns(schema: Schema) -> dict[str, type]:
    """The columns to read as text, so codes like `007` keep their zeros."""
    return {
        c.name: str
        for c in schema.columns
        if c.kind in KEPT_OUT
        or (c.kind == "categorical" and all(isinstance(v, str) for v in c.allowed or ()))
    }


# --- schema.yaml ------------------------------------------------------------------------------


def load_schema(path: Path) -> Schema:
    """Read and check `schema.yaml`; a SchemaError naming the key that is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError(
            f"{path} not found: run from the project root, or `adopt` your data to write it"
        ) from None
    except yaml.YAMLError as error:
        raise SchemaError(f"{path} is not valid YAML: {error}") from None
    return from_mapping(raw, path.as_posix())


def from_mapping(raw: object, source: str) -> Schema:
    if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict) or not raw["columns"]:
        raise SchemaError(f"{source}: needs `columns:`, a mapping of column name to its rules")
    unknown = sorted(set(raw) - {"source", "target", "task", "id", "rows", "columns"})
    if unknown:
        raise SchemaError(f"{source}: unknown key {unknown[0]!r}")
    columns = tuple(
        parse_column(str(name), rules, source) for name, rules in raw["columns"].items()
    )
    rows = raw.get("rows") or {}
    schema = Schema(
        columns=columns,
        min_rows=int(rows.get("min", 1)),
        max_rows=int(rows.get("max", 10**12)),
        target=str(raw.get("target", "target")),
        task=str(raw.get("task", "classification")),
        id=None if raw.get("id") is None else str(raw["id"]),
        source=None if raw.get("source") is None else str(raw["source"]),
    )
    names = [column.name for column in columns]
    for key in ("target", "id"):
        name = getattr(schema, key)
        if name is not None and name not in names:
            raise SchemaError(f"{source}: {key} {name!r} is not one of the columns {names}")
    if schema.task not in TASKS:
        raise SchemaError(f"{source}: task must be one of {', '.join(TASKS)}, got {schema.task!r}")
    target = schema.column(schema.target)
    if schema.task == "regression" and not target.is_numeric:
        raise SchemaError(
            f"{source}: task regression needs a numeric target, but {target.name!r} is "
            f"{target.kind}: use task classification"
        )
    if schema.task == "classification" and target.is_numeric:
        raise SchemaError(
            f"{source}: task classification needs a categorical target (with its classes as "
            f"`allowed`), but {target.name!r} is {target.kind}: use task regression"
        )
    if not schema.features:
        raise SchemaError(f"{source}: no feature columns besides the target and the id")
    return schema


def parse_column(name: str, rules: object, source: str) -> Column:
    where = f"{source}: columns.{name}"
    rules = rules or {}
    if not isinstance(rules, dict):
        raise SchemaError(f"{where} must be a mapping (kind, min, max, allowed, nullable)")
    unknown = sorted(set(rules) - {"kind", "min", "max", "allowed", "nullable"})
    if unknown:
        raise SchemaError(f"{where}: unknown key {unknown[0]!r}")
    kind = rules.get("kind", "numeric")
    if kind not in KINDS:
        raise SchemaError(f"{where}.kind must be one of {', '.join(KINDS)}, got {kind!r}")
    for bound in ("min", "max"):
        value = rules.get(bound)
        if value is not None and (kind not in NUMERIC or not isinstance(value, int | float)):
            raise SchemaError(
                f"{where}.{bound} must be a number on a numeric column, got {value!r}"
            )
    allowed = rules.get("allowed")
    if allowed is not None and not isinstance(allowed, list):
        raise SchemaError(f"{where}.allowed must be a list of values, got {allowed!r}")
    if allowed is not None and kind in KEPT_OUT:
        raise SchemaError(f"{where}.allowed: a {kind} column has no allowed values")
    if not isinstance(rules.get("nullable", False), bool):
        raise SchemaError(f"{where}.nullable must be true or false")
    return Column(
        name,
        kind=kind,
        minimum=rules.get("min"),
        maximum=rules.get("max"),
        allowed=None if allowed is None else tuple(allowed),
        nullable=rules.get("nullable", False),
    )


def to_mapping(schema: Schema) -> dict[str, object]:
    """The schema as the mapping `schema.yaml` holds (only the rules a column has)."""
    columns: dict[str, dict[str, object]] = {}
    for column in schema.columns:
        rules: dict[str, object] = {"kind": column.kind}
        for key, value in (("min", column.minimum), ("max", column.maximum)):
            if value is not None:
                rules[key] = value
        if column.allowed is not None:
            rules["allowed"] = list(column.allowed)
        if column.nullable:
            rules["nullable"] = True
        columns[column.name] = rules
    source = {} if schema.source is None else {"source": schema.source}
    return source | {
        "target": schema.target,
        "task": schema.task,
        "id": schema.id,
        "rows": {"min": schema.min_rows, "max": schema.max_rows},
        "columns": columns,
    }


# --- inference (`adopt`) ----------------------------------------------------------------------


def widen(low: float, high: float, whole: bool) -> tuple[float, float]:
    """The observed range widened by MARGIN of its width each side, rounded outward; a column
    with no negative values gets no negative minimum."""
    pad = (high - low) * MARGIN or abs(high) * MARGIN or 1.0
    low, high = (low - pad if low < 0 else max(0.0, low - pad)), high + pad
    if whole:
        return int(math.floor(low)), int(math.ceil(high))
    digits = max(0, 2 - int(math.floor(math.log10(high - low))))
    step = 10.0**-digits
    return (
        round(math.floor(low / step + 1e-9) * step, digits),
        round(math.ceil(high / step - 1e-9) * step, digits),
    )


def infer_column(name: str, values: pd.Series, categorical: bool) -> Column:
    nullable = bool(values.isna().any())
    known = values.dropna()
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric and not categorical:
        whole = bool(len(known)) and bool((known % 1 == 0).all())
        low, high = (
            widen(float(known.min()), float(known.max()), whole) if len(known) else (None,) * 2
        )
        kind = "integer" if whole else "numeric"
        return Column(name, kind=kind, minimum=low, maximum=high, nullable=nullable)
    if not categorical and is_dates(known):
        return Column(name, kind="date", nullable=nullable)
    distinct = sorted({plain(value) for value in known.unique()}, key=str)
    if len(distinct) <= MAX_CATEGORIES:
        return Column(name, kind="categorical", allowed=tuple(distinct), nullable=nullable)
    return Column(name, kind="categorical" if categorical else "text", nullable=nullable)


def is_dates(known: pd.Series) -> bool:
    """Whether every value is an ISO 8601 date (and there is at least one)."""
    text = pd.Series(known.unique()).astype("string")
    first = text.head(100)  # most columns that are not dates show it in their first values
    return bool(len(text)) and all(part.str.fullmatch(ISO_DATE).all() for part in (first, text))


def infer_task(target: pd.Series) -> str:
    """classification for text, booleans and whole numbers with at most 20 distinct values."""
    known = target.dropna()
    numeric = pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(target)
    if numeric and not ((known % 1 == 0).all() and known.nunique() <= 20):
        return "regression"
    return "classification"


def infer_schema(frame: pd.DataFrame, target: str, id: str | None, task: str | None) -> Schema:
    """A schema that `frame` conforms to, with margins, for `adopt` to write into schema.yaml."""
    task = task or infer_task(frame[target])
    columns = tuple(
        infer_column(
            str(name),
            frame[name],
            categorical=(name == target and task == "classification") or name == id,
        )
        for name in frame.columns
    )
    columns = tuple(
        Column(c.name, kind=c.kind, nullable=c.nullable) if c.name == id else c for c in columns
    )
    return Schema(columns, max(1, len(frame) // 2), len(frame) * 10, target, task, id)
