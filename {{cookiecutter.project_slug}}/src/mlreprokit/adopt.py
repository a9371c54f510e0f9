"""`adopt PATH_OR_URL --target COL [--id COL] [--task ...]`: make the project yours in one command.

Fetches the data once, records its source, format and SHA-256 in `params.yaml`, infers
`schema.yaml` from it (columns, kinds, allowed values, ranges with a margin, nulls, target, task,
id), sets the split, the task's metric (`metric:`, the table's first for the task), a gate at
the no-skill baseline of every metric of the task, and tuning, and says what to review.
"""

import argparse
import dataclasses
import importlib.util
import math
import re
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.dummy import DummyClassifier, DummyRegressor

from . import datasets, sources
from .artifacts import atomic_path, write_csv
from .config import ConfigError, load_config
from .hashing import sha256_file
from .metrics import Table, default_metric, for_task, score
from .paths import SCHEMA
from .project import load_pipeline
from .schema import KINDS, MAX_CATEGORIES, TASKS, Schema, infer_schema, model_inputs, to_mapping

HELP = "use your own data: record its source and hash, infer schema.yaml, set the task"
SCHEMA_HEADER = """\
# The raw data's schema: `python -m {module} adopt` inferred it from {source}; edit it freely.
# Every read of data/raw/ is checked against it (a break stops the pipeline with a report), and
# the model's preprocessing follows the kinds: numeric and integer columns are imputed and
# scaled, categorical ones one-hot encoded, date and text ones kept out (derive features from
# them in features.engineer); `target` is what the model predicts (`task`: classification or
# regression), `id` is kept out of training and beside each prediction.
# Ranges are the observed ones widened by 10% each side; `rows` spans half to ten times the
# rows seen. `allowed` lists every value a categorical column may take. `source` is the
# data.source of params.yaml it describes: a run stops when the two disagree.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source", help="https:// URL, s3://... (with fsspec), local path, bundled:NAME"
    )
    parser.add_argument("--target", required=True, help="the column to predict")
    parser.add_argument(
        "--id", help="an id column: kept out of training, written beside predictions"
    )
    parser.add_argument("--task", choices=TASKS, help="default: inferred from the target column")
    parser.add_argument("--format", choices=("csv", "parquet"), help="default: from the file name")


def source_format(source: str) -> str:
    return "parquet" if re.search(r"\.(parquet|pq)(\?|$)", source) else "csv"


def recorded_source(source: str, root: Path) -> str:
    """A local path inside the project as a relative path, so every clone finds it; one outside
    is refused: params.yaml is committed, and an absolute path (a home directory) works on this
    machine only."""
    if sources.source_kind(source) != "path":
        return source
    path = Path(source).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ConfigError(
            f"{source} is outside the project: copy it into the project (or serve it at a URL) "
            "and adopt that, so params.yaml names no path of this machine"
        )
    return path.relative_to(root.resolve()).as_posix()


REQUIREMENTS = Path("requirements.in")
PARQUET_READER = "pyarrow"


def require_parquet_reader(root: Path) -> bool:
    """Add pyarrow to requirements.in (Parquet needs it); True when it was added."""
    path = root / REQUIREMENTS
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not path.exists() or re.search(rf"(?mi)^{PARQUET_READER}\b", text):
        return False
    line = f"{PARQUET_READER}  # reads data.format parquet (added by `adopt`)\n"
    with atomic_path(path) as temporary:
        temporary.write_text(text + ("" if text.endswith("\n") else "\n") + line, encoding="utf-8")
    return True


def read_source(source: str, format: str, root: Path) -> tuple[pd.DataFrame, str]:
    """The data and the SHA-256 of its source file, fetched once into a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"source.{format}"
        if sources.source_kind(source) == "bundled":
            write_csv(datasets.load(source.removeprefix("bundled:")), target)
        else:
            sources.fetch(source, None, target, root)
        return sources.read_table(target, format, source=source), sha256_file(target)


def check_columns(frame: pd.DataFrame, args: argparse.Namespace) -> None:
    for option in ("target", "id"):
        name = getattr(args, option)
        if name is not None and name not in frame.columns:
            raise ConfigError(f"--{option} {name!r} is not a column: have {list(frame.columns)}")
    if args.id is not None and args.id == args.target:
        raise ConfigError("--id and --target name the same column")
    target = frame[args.target]
    numeric = pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(target)
    if args.task == "regression" and not numeric:
        raise ConfigError(f"--task regression needs a numeric target, but {args.target!r} is text")
    if args.task == "classification" and target.nunique() > MAX_CATEGORIES:
        raise ConfigError(
            f"--task classification: {args.target!r} has {target.nunique()} distinct values "
            f"(at most {MAX_CATEGORIES} classes): use --task regression"
        )
    if target.isna().any():
        raise ConfigError(
            f"--target {args.target!r} has {int(target.isna().sum())} null rows: drop them first"
        )


MIN_ROWS = 10  # fewer rows cannot fill a train and a test split that mean anything


def check_rows(frame: pd.DataFrame, source: str) -> None:
    if len(frame) < MIN_ROWS:
        raise ConfigError(
            f"{source}: {len(frame)} rows: at least {MIN_ROWS} are needed to train and test"
        )


def check_trainable(frame: pd.DataFrame, schema: Schema, source: str) -> None:
    """Refuse, at adopt time, data the pipeline could not train on; one line saying why."""
    target = frame[schema.target]
    if target.nunique() < 2:
        raise ConfigError(
            f"--target {schema.target!r} has the one value {target.iloc[0]!r} in every row: "
            "there is nothing to learn"
        )
    if schema.task == "classification":
        counts = target.value_counts()
        if counts.min() < 2:
            raise ConfigError(
                f"--target {schema.target!r}: class {counts.idxmin()!r} has only 1 row: every "
                "class needs 2 or more (one for each split); drop or merge it"
            )
    if not has_model_inputs(frame, schema):
        raise ConfigError(
            f"{source}: every column but the target and the id is a date or text, which the "
            "model does not take: derive numeric or categorical columns in features.engineer"
        )
    if schema.id is not None and (repeated := frame[schema.id][frame[schema.id].duplicated()]).size:
        raise ConfigError(
            f"--id {schema.id!r}: {repeated.size} rows repeat an id (e.g. {repeated.iloc[0]!r}): "
            "an id names one row"
        )


def has_model_inputs(frame: pd.DataFrame, schema: Schema) -> bool:
    """Whether the model gets a column: a raw one, or one `engineer` derives from the dates and
    text (an `engineer` written for the previous data's columns does not count)."""
    if not model_inputs(frame, schema).empty:
        return True
    try:
        return not model_inputs(load_pipeline().engineer(frame), schema).empty
    except Exception:  # noqa: BLE001 - any failure of the user's code on new columns is a no
        return False


def just_above(value: float) -> float:
    """The first 2-decimal value above `value`: 0.4891 -> 0.49, 0.49 -> 0.5, -1e-16 -> 0.0."""
    return (math.floor(round(value * 100, 9)) + 1) / 100


def just_below(value: float) -> float:
    """A 3-significant-digit value below `value`: 0.6931 -> 0.693, 77.1 -> 77.0; 0 for 0."""
    if value <= 0:
        return 0.0
    step = 10.0 ** (math.floor(math.log10(value)) - 2)
    return round((math.ceil(round(value / step, 9)) - 1) * step, 10)


def baseline_gate(
    frame: pd.DataFrame, schema: Schema, table: Table
) -> tuple[dict[str, float], dict[str, float]]:
    """(minimum, maximum) a model must beat: just beyond what predicting without the features
    scores on every metric of the task (the class shares; the mean value), so a model with no
    skill fails the gate."""
    target = frame[schema.target]
    if target.dtype == object or isinstance(target.dtype, pd.StringDtype):
        target = pd.Series(pd.factorize(target, sort=True)[0])  # labels as codes: a faster sort
    rows = np.zeros((len(frame), 1))  # no features
    classify = schema.task == "classification"
    no_skill = DummyClassifier(strategy="prior") if classify else DummyRegressor()
    no_skill.fit(rows, target)
    minimum, maximum = {}, {}
    with warnings.catch_warnings():  # e.g. F1 of a class never predicted: 0, as it should be
        warnings.simplefilter("ignore")
        for name, metric in for_task(table, schema.task).items():
            value = score(name, metric, no_skill, rows, target)
            if not math.isfinite(value):
                continue  # a metric a constant prediction leaves undefined bounds nothing
            if metric.higher_is_better:
                minimum[name] = just_above(value)
            else:
                maximum[name] = just_below(value)
    return minimum, maximum


def scalar(value: object) -> str:
    return yaml.safe_dump(value, default_flow_style=True).removesuffix("\n...\n").strip()


def set_value(text: str, section: str, key: str, value: object) -> str:
    """Replace `key:`'s value under top-level `section:`, keeping the line's comment."""
    block = re.search(rf"(?ms)^{section}:.*?(?=^\S|\Z)", text)
    if block is None:
        raise ConfigError(f"params.yaml has no {section}: section")
    pattern = re.compile(rf"(?m)^(\s+{re.escape(key)}:[ \t]*)([^#\n]*?)([ \t]*#.*)?$")
    inner, count = pattern.subn(
        lambda m: f"{m.group(1)}{scalar(value)}{m.group(3) or ''}", block.group(0), count=1
    )
    if not count:
        raise ConfigError(f"params.yaml has no {section}.{key}")
    return text[: block.start()] + inner + text[block.end() :]


def set_top(text: str, key: str, value: object) -> str:
    """Replace top-level `key:`'s value, keeping the line's comment."""
    pattern = re.compile(rf"(?m)^({re.escape(key)}:[ \t]*)([^#\n]*?)([ \t]*#.*)?$")
    text, count = pattern.subn(
        lambda m: f"{m.group(1)}{scalar(value)}{m.group(3) or ''}", text, count=1
    )
    if not count:
        raise ConfigError(f"params.yaml has no top-level {key}:")
    return text


def set_bounds(text: str, kind: str, bounds: dict[str, float]) -> str:
    """Rewrite `gate.<kind>:` with one line per metric (`{}` when none)."""
    pattern = re.compile(r"(?m)^(  " + kind + r":)([ \t]*\{\})?([ \t]*#.*)?\n((?:    .*\n)*)")
    lines = "".join(f"    {name}: {value}\n" for name, value in bounds.items())

    def section(match: re.Match[str]) -> str:
        head = f"{match.group(1)}{'' if bounds else ' {}'}{match.group(3) or ''}\n"
        return head + lines

    text, count = pattern.subn(section, text, count=1)
    if not count:
        raise ConfigError(f"params.yaml has no gate.{kind}")
    return text


def write_schema(schema: Schema, path: Path, source: str) -> None:
    header = SCHEMA_HEADER.format(module=load_pipeline().module, source=source)
    mapping = to_mapping(dataclasses.replace(schema, source=source))
    body = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=100)
    with atomic_path(path) as temporary:
        temporary.write_text(header + body, encoding="utf-8")


def write_both(schema: Schema, schema_path: Path, source: str, params: Path, text: str) -> None:
    """schema.yaml and params.yaml, both or neither: if writing params.yaml fails or is
    interrupted, the schema is put back as it was (each write itself is atomic)."""
    before = schema_path.read_bytes() if schema_path.exists() else None
    write_schema(schema, schema_path, source)
    try:
        with atomic_path(params) as temporary:
            temporary.write_text(text, encoding="utf-8")
    except BaseException:
        if before is None:
            schema_path.unlink(missing_ok=True)
        else:
            with atomic_path(schema_path) as temporary:
                temporary.write_bytes(before)
        raise


def run(args: argparse.Namespace) -> None:
    root = Path.cwd()
    load_config(args.params)  # a broken params.yaml is reported before anything is fetched
    format = args.format or source_format(args.source)
    source = recorded_source(args.source, root)
    added = format == "parquet" and require_parquet_reader(root)
    if format == "parquet" and importlib.util.find_spec(PARQUET_READER) is None:
        raise ConfigError(
            f"{source}: Parquet needs {PARQUET_READER}, "
            + (f"now in {REQUIREMENTS}" if added else f"which {REQUIREMENTS} lists")
            + ": run `nox -s lock`, then adopt again (in `nox -s pipeline -- adopt ...`)"
        )
    frame, sha256 = read_source(source, format, root)
    check_rows(frame, source)
    check_columns(frame, args)
    schema = infer_schema(frame, args.target, args.id, args.task)
    check_trainable(frame, schema, source)
    table = load_pipeline().metrics
    metric = default_metric(table, schema.task)
    minimum, maximum = baseline_gate(frame, schema, table)

    text = args.params.read_text(encoding="utf-8")
    for key, value in (("source", source), ("sha256", sha256), ("format", format)):
        text = set_value(text, "data", key, value)
    text = set_value(text, "data", "stratify", schema.task == "classification")
    text = set_top(text, "metric", metric)
    text = set_bounds(set_bounds(text, "minimum", minimum), "maximum", maximum)
    if re.search(r"(?m)^    metric:", text):  # tracking.tune.metric, when the project tracks
        text = set_value(text, "tracking", "metric", metric)
    write_both(schema, root / SCHEMA, source, args.params, text)
    load_config(args.params)  # what was written is valid

    summary(schema, frame, source, sha256, metric, minimum, maximum)
    if added:
        print(f"  {REQUIREMENTS}: added {PARQUET_READER} (Parquet needs it): run `nox -s lock`")


def summary(
    schema: Schema,
    frame: pd.DataFrame,
    source: str,
    sha256: str,
    metric: str,
    minimum: dict[str, float],
    maximum: dict[str, float],
) -> None:
    kinds = {kind: [c.name for c in schema.features if c.kind == kind] for kind in KINDS}
    target = schema.column(schema.target)
    classes = f", {len(target.allowed or ())} classes" if schema.task == "classification" else ""
    stratify = str(schema.task == "classification").lower()
    lines = [
        f"adopted {source} ({len(frame)} rows, SHA-256 {sha256[:12]}...)",
        f"  task: {schema.task} of {schema.target!r}{classes}; "
        f"id: {schema.id or 'none (predictions keep the row number)'}",
        "  features: "
        + "; ".join(f"{len(names)} {kind}" for kind, names in kinds.items() if names),
        f"  wrote {SCHEMA}: review its kinds, ranges and allowed values (the data is checked "
        "against them)",
        f"  params.yaml: data.source, data.sha256, data.format, data.stratify {stratify}, "
        f"metric {metric}, gate minimum {minimum} maximum {maximum} (just beyond the "
        "no-skill baseline, so a model that learned nothing fails: raise them)",
    ]
    lines += kept_out_notes(schema, frame)
    lines += next_steps(source)
    print("\n".join(lines))


def kept_out_notes(schema: Schema, frame: pd.DataFrame) -> list[str]:
    """Why each date and text column is not given to the model, and what to do instead."""
    notes = []
    for column in schema.features:
        if column.kind == "date":
            notes.append(
                f"  note: {column.name!r} holds dates: kept out of the model (one-hot encoding "
                "dates learns nothing); derive a month or weekday from it in features.engineer"
            )
        elif column.kind == "text":
            notes.append(
                f"  note: {column.name!r} is text ({frame[column.name].nunique()} distinct "
                f"values, more than {MAX_CATEGORIES}): kept out of the model; engineer features "
                "from it, or set its kind to categorical in schema.yaml to one-hot encode it"
            )
    return notes


def next_steps(source: str) -> list[str]:
    """What to commit so a clone and CI find the same data: a local file is committed too,
    except under data/, which stays out of git."""
    if sources.source_kind(source) != "path":
        return ["  next: commit params.yaml and schema.yaml, then `nox` (and `nox -s pipeline`)"]
    if Path(source).parts[0] == "data":
        return [
            f"  note: {source} is under data/, which stays out of git: a clone or CI will not "
            "find it; serve it at a URL (or track it with DVC), or move it out of data/",
            "  next: commit params.yaml and schema.yaml, then `nox` (and `nox -s pipeline`)",
        ]
    return [
        f"  next: commit params.yaml, schema.yaml and {source} (a clone and CI read it from "
        "git), then `nox` (and `nox -s pipeline`)"
    ]
