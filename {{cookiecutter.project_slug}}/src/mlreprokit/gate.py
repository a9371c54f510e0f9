"""Quality gate: fail when the metrics fall short of `gate:` in `params.yaml`; report why.

Every metric in `gate.minimum` (higher is better) must reach its value, every metric in
`gate.maximum` (lower is better) must stay at or below it, and none may get worse by more than
`gate.max_drop` (in the metric's own units) than each reference run given (main's latest
metrics, the champion's). Which way is worse comes from the project's metrics table. The table
and the verdict go to `reports/metrics.md` (CI publishes it) and to stdout.
"""

import argparse
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .artifacts import atomic_path
from .config import ConfigError, GateConfig, load_config
from .metrics import Table, check_gate, load_metrics
from .paths import METRICS, METRICS_REPORT
from .project import load_pipeline

Metrics = Mapping[str, float]
HELP = "check reports/metrics.json against params.yaml's gate: section; write reports/metrics.md"
TOLERANCE = 1e-9  # float noise: 0.97 - 0.95 must not exceed a max_drop of 0.02


def bounds(gate: GateConfig) -> dict[str, tuple[str, float]]:
    """Each gated metric -> ("minimum" or "maximum", its bound)."""
    found = {name: ("minimum", value) for name, value in gate.minimum.items()}
    return found | {name: ("maximum", value) for name, value in gate.maximum.items()}


def shortfalls(
    metrics: Metrics, gate: GateConfig, references: Mapping[str, Metrics], table: Table
) -> list[str]:
    """Return one line per failed check, naming the metric and by how much it falls short.

    `table`: the metrics table, which says which way each gated metric is better.
    """
    check_gate(table, None, gate.minimum, gate.maximum)
    gated = bounds(gate)
    for name, (kind, _) in gated.items():
        if name not in metrics:
            raise ConfigError(
                f"gate.{kind}.{name} is not a metric of this run: have {sorted(metrics)}"
            )
    failures = []
    for name, (kind, bound) in gated.items():
        value = metrics[name]
        higher = table[name].higher_is_better
        sign = 1 if higher else -1  # sign * (value - other) > 0: value is the better one
        if sign * (value - bound) < -TOLERANCE:
            where = "below its minimum" if kind == "minimum" else "above its maximum"
            failures.append(f"{name} {value:.4f} is {abs(value - bound):.4f} {where} {bound:.4f}")
        for label, reference in references.items():
            if name not in reference:
                continue
            worse = sign * (reference[name] - value)
            if worse > gate.max_drop + TOLERANCE:
                where = "below" if higher else "above"
                failures.append(
                    f"{name} {value:.4f} is {worse:.4f} {where} the {label}'s "
                    f"{reference[name]:.4f} (allowed drop {gate.max_drop:.4f})"
                )
    return failures


def render(
    metrics: Metrics, gate: GateConfig, references: Mapping[str, Metrics], failures: list[str]
) -> str:
    """The markdown report: each metric, its bound, its change against each reference."""
    gated = bounds(gate)
    header = ["metric", "value", "bound", *(f"{label} (change)" for label in references)]
    lines = ["## Metrics", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, value in sorted(metrics.items()):
        kind, bound = gated.get(name, ("", None))
        sign = ">=" if kind == "minimum" else "<="
        cells = [name, f"{value:.4f}", "" if bound is None else f"{sign} {bound:.4f}"]
        for reference in references.values():
            before = reference.get(name)
            cells.append("" if before is None else f"{before:.4f} ({value - before:+.4f})")
        lines.append("| " + " | ".join(cells) + " |")
    verdict = ["**Gate passed.**"]
    if failures:
        verdict = ["**Gate failed:**", *(f"- {failure}" for failure in failures)]
    return "\n".join([*lines, "", *verdict]) + "\n"


def check_run(params: Path, metrics: Path) -> list[str]:
    """The gate's shortfalls for one run's metrics, without reference runs (what `repro` checks
    on its control run, so `nox` fails where CI's gate would); none when there is no gate."""
    if not params.exists():
        return []
    config = load_config(params)
    if config.gate is None or not metrics.exists():
        return []
    return shortfalls(load_metrics(metrics), config.gate, {}, load_pipeline().metrics)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--metrics", type=Path, default=METRICS, help="metrics to check (default: %(default)s)"
    )
    parser.add_argument(
        "--reference", type=Path, help="a reference run's metrics, e.g. main's (ignored if absent)"
    )
    parser.add_argument(
        "--report", type=Path, default=METRICS_REPORT, help="markdown report (default: %(default)s)"
    )


def run(args: argparse.Namespace, champion: Callable[[Any], Metrics | None] | None = None) -> int:
    """Check the metrics; write and print the report; return 1 when the gate fails."""
    config = load_config(args.params)
    if config.gate is None:
        raise ConfigError(
            f"{args.params} has no gate: section (minimum:, maximum: per metric, max_drop:)"
        )
    if not args.metrics.exists():
        print(f"error: {args.metrics} not found: run the pipeline first (`all`)", file=sys.stderr)
        return 2
    references: dict[str, Metrics] = {}
    if args.reference and args.reference.exists():
        references["reference"] = load_metrics(args.reference)
    champion_metrics = champion(config) if champion else None
    if champion_metrics:
        references["champion"] = champion_metrics
    metrics = load_metrics(args.metrics)
    failures = shortfalls(metrics, config.gate, references, load_pipeline().metrics)
    report = render(metrics, config.gate, references, failures)
    with atomic_path(args.report) as temporary:
        temporary.write_text(report, encoding="utf-8")
    print(report, end="")
    return 1 if failures else 0
