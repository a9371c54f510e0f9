"""`refresh [--widen]`: take in a new version of the declared source, so that retraining is
reproducible.

Fetches `data.source` again. When its bytes changed, checks the new rows against `schema.yaml`
and records their SHA-256 as `data.sha256` in `params.yaml` (its comments kept), so the commit
that retrains names exactly the bytes it trained on. `--widen` first widens the schema to take
the new rows in: numeric ranges, allowed values, nulls and row bounds, never the columns or
their kinds (a changed table is new data: `adopt` it). Retraining is then the pipeline, the
gate (against the champion, with a team server) and a reviewed commit.
"""

import argparse
import dataclasses
from pathlib import Path

import pandas as pd

from . import sources
from .adopt import check_trainable, read_source, set_value, write_both
from .artifacts import atomic_path
from .config import ConfigError, load_config
from .paths import PARAMS, SCHEMA
from .project import load_pipeline
from .schema import (
    MAX_CATEGORIES,
    Column,
    Schema,
    SchemaError,
    load_schema,
    plain,
    problems,
    widen,
)

HELP = "record a new version of data.source: its SHA-256 (--widen: and the schema's ranges)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--widen",
        action="store_true",
        help="widen schema.yaml's ranges, allowed values, nulls and row bounds to the new rows "
        "and rewrite it (default: refuse rows that break it, leave schema.yaml as it is)",
    )


def widened_column(column: Column, values: pd.Series) -> Column:
    """The column's rules loosened just enough to take `values` in."""
    known = values.dropna()
    minimum, maximum, allowed = column.minimum, column.maximum, column.allowed
    if column.is_numeric and len(known):
        numbers = pd.to_numeric(known, errors="coerce").dropna()
        low = float(numbers.min()) if minimum is None else min(float(numbers.min()), minimum)
        high = float(numbers.max()) if maximum is None else max(float(numbers.max()), maximum)
        wide_low, wide_high = widen(low, high, column.kind == "integer")
        if minimum is not None and low < minimum:
            minimum = wide_low
        if maximum is not None and high > maximum:
            maximum = wide_high
    if allowed is not None and (new := {plain(value) for value in known} - set(allowed)):
        values_now = sorted({*allowed, *new}, key=str)
        allowed = tuple(values_now) if len(values_now) <= MAX_CATEGORIES else None
    nullable = column.nullable or bool(values.isna().any())
    return Column(column.name, column.kind, minimum, maximum, allowed, nullable)


def widened(schema: Schema, frame: pd.DataFrame) -> Schema:
    """`schema` loosened to take `frame` in: the same columns and kinds, wider rules."""
    columns = tuple(
        widened_column(column, frame[column.name]) if column.name in frame else column
        for column in schema.columns
    )
    rows = len(frame)
    return dataclasses.replace(
        schema,
        columns=columns,
        min_rows=min(schema.min_rows, max(1, rows // 2)),
        max_rows=max(schema.max_rows, rows * 10),
    )


def changed_rules(before: Schema, after: Schema) -> list[str]:
    """One line per rule `--widen` changed."""
    lines = []
    for old, new in zip(before.columns, after.columns, strict=True):
        for field in ("minimum", "maximum", "allowed", "nullable"):
            if getattr(old, field) != getattr(new, field):
                lines.append(
                    f"  schema.yaml: column {old.name!r} {field} "
                    f"{getattr(old, field)} -> {getattr(new, field)}"
                )
    if (before.min_rows, before.max_rows) != (after.min_rows, after.max_rows):
        lines.append(
            f"  schema.yaml: rows {before.min_rows}-{before.max_rows} -> "
            f"{after.min_rows}-{after.max_rows}"
        )
    return lines


def check_fits(frame: pd.DataFrame, schema: Schema, source: str, widening: bool) -> None:
    """Refuse rows the (widened) schema does not take, listing every problem."""
    found = problems(frame, schema)
    if not found:
        return
    advice = (
        "the columns or their kinds changed: `adopt` it as new data"
        if widening
        else "if the new rows are right, `refresh --widen` widens schema.yaml to them"
    )
    heading = f"{source}: the new version does not match schema.yaml ({advice}):"
    raise SchemaError("\n  ".join([heading, *found]))


def run(args: argparse.Namespace) -> None:
    root = Path.cwd()
    params: Path = args.params
    data = load_config(params).data
    if sources.source_kind(data.source) == "bundled":
        raise ConfigError(
            f"data.source {data.source!r} is a demo dataset that never changes: `adopt` your "
            "data first, then `refresh` takes in its new versions"
        )
    frame, sha256 = read_source(data.source, data.format, root)
    if sha256 == data.sha256:
        print(f"refresh: {data.source} is unchanged (SHA-256 {sha256[:12]}...): nothing to do")
        return
    before = load_schema(root / SCHEMA)
    schema = widened(before, frame) if args.widen else before
    check_fits(frame, schema, data.source, args.widen)
    check_trainable(frame, schema, data.source)
    text = set_value(params.read_text(encoding="utf-8"), "data", "sha256", sha256)
    if schema != before:
        write_both(schema, root / SCHEMA, data.source, params, text)
    else:  # schema.yaml, comments and all, is left as it is
        with atomic_path(params) as temporary:
            temporary.write_text(text, encoding="utf-8")
    load_config(params)  # what was written is valid
    old = "none" if data.sha256 is None else f"{data.sha256[:12]}..."
    module = load_pipeline().module
    print(
        "\n".join(
            [
                f"refreshed {data.source}: {len(frame)} rows, SHA-256 {old} -> {sha256[:12]}...",
                f"  {PARAMS.as_posix()}: data.sha256",
                *changed_rules(before, schema),
                f"next: `nox -s pipeline` retrains on it, `python -m {module} gate` checks the "
                "model; review and commit params.yaml"
                + (" and schema.yaml" if schema != before else ""),
            ]
        )
    )
