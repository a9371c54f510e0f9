"""`monitor [PATH_OR_URL]`: does a batch of new rows still look like the training data?

Without a batch it reads the current version of `data.source`: what a scheduled check asks
(has the data the model was trained on moved on?); `refresh` then takes it in.

The batch (CSV or Parquet, with or without the target) is checked against `schema.yaml` first
(one line per missing or new column, wrong kind, value out of range), then each column is tested
against `models/profile.json` (drift.py), and the model's predictions on the batch against its
predictions on the test split; with the target, the batch's metrics go through the gate. The
report is `reports/monitoring/<batch>.json` (sorted keys) and `.png`; exit status 0: no drift,
1: drift (the schema, the data set, the predictions or the gate), 2: bad input.
"""

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import joblib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import datasets
from .artifacts import atomic_path, write_json
from .config import ConfigError, MonitorConfig, load_config
from .drift import P_VALUE_TESTS, Result, check_column
from .errors import UsageError
from .gate import shortfalls
from .metrics import load_metrics, score_all
from .paths import METRICS, MODEL, MONITORING, PROFILE, SCHEMA
from .profile import PREDICTION, VERSION
from .project import load_pipeline
from .schema import Schema, column_problems, load_schema, model_inputs, text_columns
from .sources import fetch, read_table, source_kind

HELP = "compare a batch of new rows (CSV or Parquet) with the training data; exit 1 on drift"
DRIFT = 1  # exit status when drift is found (as `gate` returns 1 when it fails)


@dataclass(frozen=True)
class Outcome:
    """What `check` found: the report (as written), where it went, and the verdict."""

    report: dict[str, Any]
    json_path: Path
    figure_path: Path

    @property
    def drift(self) -> bool:
        return bool(self.report["drift"])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        nargs="?",
        help="the batch: a path, an https URL, s3:// ..., bundled:NAME (default: data.source, "
        "as it is now)",
    )
    parser.add_argument(
        "--format",
        choices=("csv", "parquet"),
        help="the batch's format (default: parquet for .parquet/.pq, else csv)",
    )
    parser.add_argument("--name", help="the report's name (default: the file's name, no suffix)")


def batch_name(source: str) -> str:
    """`new-rows` for `data/new-rows.csv` or `https://host/x/new-rows.parquet?v=2`."""
    path = urlsplit(source).path if "://" in source else source
    return PurePosixPath(path.replace(":", "-")).stem or "batch"


def read_batch(source: str, format: str | None, schema: Schema, root: Path) -> pd.DataFrame:
    """The batch's rows, fetched as the `data` stage fetches (no hash to check)."""
    if source_kind(source) == "bundled":
        return datasets.load(source.removeprefix("bundled:"))
    suffix = PurePosixPath(urlsplit(source).path).suffix.lower()
    format = format or ("parquet" if suffix in (".parquet", ".pq") else "csv")
    if source_kind(source) == "path" and not (root / source).is_file():
        raise UsageError(f"{source} not found")
    with tempfile.TemporaryDirectory(prefix="monitor-") as folder:
        local = Path(folder) / f"batch.{format}"
        fetch(source, None, local, root)
        frame = read_table(local, format, dtype=text_columns(schema), source=source)
    if frame.empty:
        raise UsageError(f"{source}: no rows to monitor")
    return frame


def schema_check(frame: pd.DataFrame, schema: Schema) -> tuple[list[str], set[str]]:
    """One line per break of `schema.yaml`, and the columns that cannot be tested (missing, or
    not of their kind). The target and the id may be missing."""
    expected = {column.name for column in schema.columns}
    lines = [f"column {c.name!r}: missing" for c in schema.features if c.name not in frame]
    lines += [f"column {name!r}: not in {SCHEMA}" for name in frame if name not in expected]
    untestable = {c.name for c in schema.columns if c.name not in frame}
    for column in schema.columns:
        if column.name in frame and column.name != schema.id:
            found = column_problems(column, frame[column.name])
            lines += found
            if any("not a number" in line for line in found):
                untestable.add(column.name)
    return lines, untestable


def overrides_known(config: MonitorConfig, profile: dict[str, Any]) -> None:
    unknown = sorted(set(config.columns) - set(profile["columns"]) - {PREDICTION})
    if unknown:
        raise ConfigError(
            f"monitor.columns.{unknown[0]}: not a column of {PROFILE} "
            f"(have {', '.join(profile['columns'])})"
        )


def load_profile(root: Path) -> dict[str, Any]:
    try:
        profile: dict[str, Any] = json.loads((root / PROFILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{PROFILE} not found: run the pipeline first (`all`)") from None
    if profile.get("version") != VERSION:
        raise UsageError(f"{PROFILE} is from another kit version: run the pipeline again")
    return profile


def drift_results(
    frame: pd.DataFrame, profile: dict[str, Any], config: MonitorConfig, skip: set[str]
) -> dict[str, Result | None]:
    """Each profiled column's test result (None: no values to test on one side)."""
    results = {}
    for name, reference in profile["columns"].items():
        if name in skip:
            continue
        test, threshold = config.test(name)
        results[name] = check_column(
            reference, frame[name], test, threshold, config.p_value, config.distance
        )
    return results


def predictions(frame: pd.DataFrame, schema: Schema, root: Path) -> np.ndarray:
    model = joblib.load(root / MODEL)
    return np.asarray(model.predict(model_inputs(load_pipeline().engineer(frame), schema)))


def batch_metrics(frame: pd.DataFrame, schema: Schema, root: Path) -> dict[str, float]:
    """Every metric of the task in the project's table, on the batch (it has the target)."""
    model = joblib.load(root / MODEL)
    rows = model_inputs(load_pipeline().engineer(frame), schema)
    table = load_pipeline().metrics
    return score_all(table, schema.task, model, rows, frame[schema.target])


def build_report(
    frame: pd.DataFrame, source: str, name: str, config: Any, root: Path
) -> dict[str, Any]:
    """The monitoring report of one batch: schema lines, each column's test, the data set's,
    the predictions', and with the target the metrics and the gate's verdict on them."""
    schema = load_schema(root / SCHEMA)
    profile = load_profile(root)
    monitor: MonitorConfig = getattr(config, "monitor", None) or MonitorConfig()
    overrides_known(monitor, profile)
    lines, skip = schema_check(frame, schema)
    if all(column.name in skip for column in schema.features):
        raise UsageError(f"{source}: no feature column of {SCHEMA} to monitor")
    results = drift_results(frame, profile, monitor, skip)
    features = [c.name for c in schema.features if results.get(c.name) is not None]
    drifted = [name for name in features if results[name].drifted]  # type: ignore[union-attr]
    share = len(drifted) / len(features) if features else 0.0
    report: dict[str, Any] = {
        "batch": name,
        "source": source,
        "rows": len(frame),
        "reference_rows": profile["rows"],
        "schema": lines,
        "columns": {
            column: None
            if result is None
            else result.as_dict() | null_rates(profile["columns"][column], frame[column])
            for column, result in results.items()
        },
        "dataset": {
            "columns": len(features),
            "drifted": drifted,
            "share": share,
            "threshold": monitor.drift_share,
            "drift": share >= monitor.drift_share,
        },
        PREDICTION: None,
        "metrics": None,
        "training_metrics": None,
        "gate": [],
    }
    if not any(c.name in skip for c in schema.features):
        predicted = predictions(frame, schema, root)
        test, threshold = monitor.test(PREDICTION)
        result = check_column(
            profile[PREDICTION],
            pd.Series(predicted),
            test,
            threshold,
            monitor.p_value,
            monitor.distance,
        )
        report[PREDICTION] = None if result is None else result.as_dict()
        if schema.target in frame and schema.target not in skip:
            report["metrics"] = batch_metrics(frame, schema, root)
            report["gate"] = gate_failures(report["metrics"], config)
            if (root / METRICS).is_file():
                report["training_metrics"] = load_metrics(root / METRICS)
    prediction_drift = bool(report[PREDICTION] and report[PREDICTION]["drifted"])
    report["drift"] = bool(
        lines or report["dataset"]["drift"] or prediction_drift or report["gate"]
    )
    return report


def null_rates(reference: dict[str, Any], values: pd.Series) -> dict[str, float]:
    return {"null_rate": float(values.isna().mean()), "reference_null_rate": reference["null_rate"]}


def gate_failures(metrics: dict[str, float], config: Any) -> list[str]:
    """The batch's metrics against the gate's bounds. Not against `max_drop` from the training
    run: on a batch of a few hundred rows that drop is mostly sampling noise (bench/monitor.py)."""
    gate = getattr(config, "gate", None)
    return [] if gate is None else shortfalls(metrics, gate, {}, load_pipeline().metrics)


def plot(report: dict[str, Any]) -> Figure:
    """Each tested column's drift score against its threshold; drifted ones in red."""
    tested = [(name, entry) for name, entry in report["columns"].items() if entry is not None]
    if report[PREDICTION] is not None:
        tested.append((PREDICTION, report[PREDICTION]))
    figure = Figure(figsize=(7, 1.5 + 0.28 * len(tested)), dpi=100)
    axes = figure.subplots()
    positions = np.arange(len(tested))
    scores = [entry["score"] for _, entry in tested]
    colours = ["tab:red" if entry["drifted"] else "tab:blue" for _, entry in tested]
    axes.barh(positions, scores, color=colours)
    axes.scatter(
        [entry["threshold"] for _, entry in tested], positions, marker="|", s=200, color="black"
    )
    labels = [
        f"{name} ({entry['test']}, {'p' if entry['test'] in P_VALUE_TESTS else 'distance'})"
        for name, entry in tested
    ]
    axes.set_yticks(positions, labels, fontsize=7)
    axes.invert_yaxis()
    axes.set(
        xlabel="score (p-value: drift below the mark; distance: drift at or above it)",
        title=f"Drift of {report['batch']}: red columns drifted",
    )
    figure.tight_layout()
    return figure


def write_report(report: dict[str, Any], root: Path) -> tuple[Path, Path]:
    """Write the report's JSON and figure under reports/monitoring/; return both paths."""
    json_path = root / MONITORING / f"{report['batch']}.json"
    figure_path = json_path.with_suffix(".png")
    write_json(report, json_path)
    with atomic_path(figure_path) as temporary:
        plot(report).savefig(temporary, format="png")
    return json_path, figure_path


def summary(outcome: Outcome) -> list[str]:
    """The lines a person reads: schema breaks, then one per drifted column, then the verdict."""
    report = outcome.report
    lines = [f"schema: {line}" for line in report["schema"]]
    entries = [*report["columns"].items(), (PREDICTION, report[PREDICTION])]
    for name, entry in entries:
        if entry and entry["drifted"]:
            what = "p-value" if entry["test"] in P_VALUE_TESTS else "distance"
            lines.append(
                f"drift: {name}: {entry['test']} {what} {entry['score']:.4g} "
                f"{entry['direction']} {entry['threshold']:g}"
            )
    lines += [f"gate: {line}" for line in report["gate"]]
    dataset = report["dataset"]
    lines.append(
        f"{len(dataset['drifted'])} of {dataset['columns']} feature columns drifted "
        f"(share {dataset['share']:.2f}, data set drifts at {dataset['threshold']:g}); "
        f"{'DRIFT' if outcome.drift else 'no drift'}: {outcome.json_path.as_posix()}"
    )
    return lines


def check(args: argparse.Namespace, root: Path | None = None) -> Outcome:
    """Monitor `args.source`: read it, build the report, write it; the report and its paths."""
    root = Path.cwd() if root is None else root
    config = load_config(args.params)
    schema = load_schema(root / SCHEMA)
    source, format = args.source, args.format
    if source is None:  # the declared source as it is now, in its declared format
        source, format = config.data.source, format or config.data.format
    frame = read_batch(source, format, schema, root)
    report = build_report(frame, source, args.name or batch_name(source), config, root)
    json_path, figure_path = write_report(report, root)
    return Outcome(report, json_path.relative_to(root), figure_path.relative_to(root))


def run(args: argparse.Namespace) -> int:
    """The `monitor` command: print the summary; 1 when drift is found, else 0."""
    return finish(check(args))


def finish(outcome: Outcome) -> int:
    """Print the summary of a checked batch; the command's exit status (1: drift)."""
    print("\n".join(summary(outcome)))
    return DRIFT if outcome.drift else 0


def scores(report: dict[str, Any]) -> dict[str, float]:
    """The report as flat numbers, for a tracker: each tested column's and the predictions'
    drift score, the share of drifted columns, the verdict (1 drift, 0 not) and, with the
    target, the batch's metrics."""
    found: dict[str, float] = {}
    tested = {**report["columns"], PREDICTION: report[PREDICTION]}
    for name, result in tested.items():
        if result is not None:
            found[f"drift.{name}"] = float(result["score"])
    found["drift.share"] = float(report["dataset"]["share"])
    found["drift"] = float(bool(report["drift"]))
    for name, value in (report["metrics"] or {}).items():
        found[f"batch.{name}"] = float(value)
    return found
