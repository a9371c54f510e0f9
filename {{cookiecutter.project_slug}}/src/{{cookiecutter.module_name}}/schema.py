"""The raw data's schema: column names and types, value ranges, nulls and the row count.

`data.read_raw` checks every read of `data/raw/` against `RAW_SCHEMA`, so bad data stops the
pipeline before anything downstream is written. Edit `RAW_SCHEMA` when you change the source.
"""

from dataclasses import dataclass

import pandas as pd

from .errors import ProjectError


class SchemaError(ProjectError, ValueError):
    """The data breaks its schema; the message is a report of every problem found."""


@dataclass(frozen=True)
class Column:
    """What one column must hold: numbers within bounds, or values from a set; nulls or not."""

    name: str
    kind: type = float  # float, int (whole numbers) or str
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple | None = None
    nullable: bool = False


@dataclass(frozen=True)
class Schema:
    """The exact columns of a table and how many rows it may have."""

    columns: tuple[Column, ...]
    min_rows: int
    max_rows: int


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def plain(value: object) -> object:
    """A NumPy scalar as the Python number it holds, so a report shows `99.0`."""
    return value.item() if hasattr(value, "item") else value


def checks(column: Column, values: pd.Series) -> list[tuple[pd.Series, str]]:
    """(rows that break it, what is wrong) for each rule of the column."""
    nulls = values.isna()
    found = [] if column.nullable else [(nulls, "null (no nulls allowed)")]
    if column.kind is str:
        found.append((~nulls & ~values.map(lambda value: isinstance(value, str)), "not text"))
        known = values
    else:
        known = pd.to_numeric(values, errors="coerce")
        found.append((~nulls & known.isna(), f"not a number (expected {column.kind.__name__})"))
        if column.kind is int:
            found.append((known.notna() & (known % 1 != 0), "not a whole number"))
        if column.minimum is not None:
            found.append((known < column.minimum, f"below the minimum {column.minimum}"))
        if column.maximum is not None:
            found.append((known > column.maximum, f"above the maximum {column.maximum}"))
    if column.allowed is not None:
        outside = known.notna() & ~known.isin(column.allowed)
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
    return found


def validate(frame: pd.DataFrame, schema: Schema, source: str) -> pd.DataFrame:
    """Return `frame` if it conforms to `schema`; otherwise raise a SchemaError listing why."""
    found = problems(frame, schema)
    if found:
        heading = f"{source} does not match its schema ({plural(len(found), 'problem')}):"
        raise SchemaError("\n  ".join([heading, *found]))
    return frame


# scikit-learn's wine data: 13 chemical measurements of 178 wines from 3 cultivars. The bounds
# are what is plausible for each measurement, a little wider than the values in the data set.
RAW_SCHEMA = Schema(
    columns=(
        Column("alcohol", minimum=8, maximum=16),  # % by volume
        Column("malic_acid", minimum=0, maximum=10),
        Column("ash", minimum=0, maximum=5),
        Column("alcalinity_of_ash", minimum=0, maximum=40),
        Column("magnesium", minimum=0, maximum=250),
        Column("total_phenols", minimum=0, maximum=5),
        Column("flavanoids", minimum=0, maximum=7),
        Column("nonflavanoid_phenols", minimum=0, maximum=1),
        Column("proanthocyanins", minimum=0, maximum=5),
        Column("color_intensity", minimum=0, maximum=20),
        Column("hue", minimum=0, maximum=3),
        Column("od280/od315_of_diluted_wines", minimum=0, maximum=5),
        Column("proline", minimum=0, maximum=3000),
        Column("target", kind=int, allowed=(0, 1, 2)),  # the cultivar
    ),
    min_rows=150,  # 178 in the source: fewer means a truncated file, more a duplicated one
    max_rows=250,
)
