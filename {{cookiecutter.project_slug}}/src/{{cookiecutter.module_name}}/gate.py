"""Quality gate: fail when the metrics fall short of `gate:` in `params.yaml`; report why.

Every metric named in `gate.minimum` must reach its minimum, and may fall at most
`gate.max_drop` below each reference run given (main's latest metrics, the champion's).
The table and the verdict go to `reports/metrics.md` (CI publishes it) and to stdout.
"""

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from .artifacts import atomic_path
from .config import Config, ConfigError, GateConfig, load_config
from .paths import METRICS, METRICS_REPORT

Metrics = Mapping[str, float]
HELP = "check reports/metrics.json against params.yaml's gate: section; write reports/metrics.md"
TOLERANCE = 1e-9  # float noise: 0.97 - 0.95 must not exceed a max_drop of 0.02


def load_metrics(path: Path) -> dict[str, float]:
    """Read a metrics file: a JSON object of metric name to number."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {name: float(value) for name, value in raw.items()}


def shortfalls(metrics: Metrics, gate: GateConfig, references: Mapping[str, Metrics]) -> list[str]:
    """Return one line per failed check, naming the metric and by how much it falls short."""
    missing = sorted(set(gate.minimum) - set(metrics))
    if missing:
        raise ConfigError(f"gate.minimum.{missing[0]} is not a metric: have {sorted(metrics)}")
    failures = []
    for name, minimum in gate.minimum.items():
        value = metrics[name]
        if value < minimum:
            failures.append(
                f"{name} {value:.4f} is {minimum - value:.4f} below its minimum {minimum:.4f}"
            )
        for label, reference in references.items():
            drop = reference.get(name, value) - value
            if drop > gate.max_drop + TOLERANCE:
                failures.append(
                    f"{name} {value:.4f} is {drop:.4f} below the {label}'s {reference[name]:.4f} "
                    f"(allowed drop {gate.max_drop:.4f})"
                )
    return failures


def render(
    metrics: Metrics, gate: GateConfig, references: Mapping[str, Metrics], failures: list[str]
) -> str:
    """The markdown report: each metric, its minimum, its change against each reference."""
    header = ["metric", "value", "minimum", *(f"{label} (change)" for label in references)]
    lines = ["## Metrics", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, value in sorted(metrics.items()):
        minimum = gate.minimum.get(name)
        cells = [name, f"{value:.4f}", "" if minimum is None else f"{minimum:.4f}"]
        for reference in references.values():
            before = reference.get(name)
            cells.append("" if before is None else f"{before:.4f} ({value - before:+.4f})")
        lines.append("| " + " | ".join(cells) + " |")
    verdict = ["**Gate passed.**"]
    if failures:
        verdict = ["**Gate failed:**", *(f"- {failure}" for failure in failures)]
    return "\n".join([*lines, "", *verdict]) + "\n"


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


def run(
    args: argparse.Namespace, champion: Callable[[Config], Metrics | None] | None = None
) -> int:
    """Check the metrics; write and print the report; return 1 when the gate fails."""
    config = load_config(args.params)
    if config.gate is None:
        raise ConfigError(f"{args.params} has no gate: section (minimum: per metric, max_drop:)")
    if not args.metrics.exists():
        print(f"error: {args.metrics} not found: run the pipeline first (`all`)", file=sys.stderr)
        return 2
    references = {}
    if args.reference and args.reference.exists():
        references["reference"] = load_metrics(args.reference)
    champion_metrics = champion(config) if champion else None
    if champion_metrics:
        references["champion"] = champion_metrics
    metrics = load_metrics(args.metrics)
    failures = shortfalls(metrics, config.gate, references)
    report = render(metrics, config.gate, references, failures)
    with atomic_path(args.report) as temporary:
        temporary.write_text(report, encoding="utf-8")
    print(report, end="")
    return 1 if failures else 0
