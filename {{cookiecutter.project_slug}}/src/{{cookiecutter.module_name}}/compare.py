"""Compare the declared outputs of two runs: files by SHA-256, metrics JSON key by key."""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from .hashing import files_below, sha256_file

MISSING = "(missing)"


@dataclass(frozen=True)
class Snapshot:
    """What a run produced: the SHA-256 of each output file and the values of each metrics file."""

    files: dict[str, str]
    metrics: dict[str, dict]


@dataclass(frozen=True)
class Difference:
    """One output that is not the same in both snapshots, with the metric keys that differ."""

    path: str
    status: str  # "different", "only in <first>", "only in <second>", "missing"
    keys: list[tuple[str, object, object]] = field(default_factory=list)


def take_snapshot(root: Path, outputs: list[str], metrics: list[str]) -> Snapshot:
    """Hash every file below each declared output; read each metrics file as JSON."""
    files = {}
    for output in outputs:
        if (root / output).exists():
            for file in files_below(root / output):
                relative = file.relative_to(root).as_posix()
                if relative not in metrics:  # metrics are compared by value, below
                    files[relative] = sha256_file(file)
    values = {}
    for path in metrics:
        if (root / path).exists():
            values[path] = json.loads((root / path).read_text(encoding="utf-8"))
    return Snapshot(files, values)


def flatten(data: object, prefix: str = "") -> dict[str, object]:
    """Nested JSON as {"dotted.key": value}; list items are numbered."""
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return {prefix: data}
    flat: dict[str, object] = {}
    for key, value in items:
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def values_match(first: object, second: object, rel_tol: float, abs_tol: float) -> bool:
    """Numbers match within the tolerance (NaN matches NaN); anything else must be equal."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (first, second))
    if not numbers:
        return first == second
    if math.isnan(first) and math.isnan(second):
        return True
    return math.isclose(first, second, rel_tol=rel_tol, abs_tol=abs_tol)


def metric_differences(
    first: dict, second: dict, rel_tol: float, abs_tol: float
) -> list[tuple[str, object, object]]:
    """Each key whose values differ beyond the tolerance, with both values."""
    a, b = flatten(first), flatten(second)
    return [
        (key, a.get(key, MISSING), b.get(key, MISSING))
        for key in sorted(a.keys() | b.keys())
        if key not in a or key not in b or not values_match(a[key], b[key], rel_tol, abs_tol)
    ]


def compare(
    first: Snapshot,
    second: Snapshot,
    names: tuple[str, str] = ("run 1", "run 2"),
    rel_tol: float = 0.0,
    abs_tol: float = 0.0,
) -> list[Difference]:
    """Every output that differs between two snapshots, in path order."""
    differences = []
    for path in sorted(first.files.keys() | second.files.keys()):
        if path not in second.files:
            differences.append(Difference(path, f"only in {names[0]}"))
        elif path not in first.files:
            differences.append(Difference(path, f"only in {names[1]}"))
        elif first.files[path] != second.files[path]:
            differences.append(Difference(path, "different"))
    for path in sorted(first.metrics.keys() | second.metrics.keys()):
        if path not in second.metrics:
            differences.append(Difference(path, f"only in {names[0]}"))
        elif path not in first.metrics:
            differences.append(Difference(path, f"only in {names[1]}"))
        elif keys := metric_differences(
            first.metrics[path], second.metrics[path], rel_tol, abs_tol
        ):
            differences.append(Difference(path, "different", keys))
    return differences


def under(path: str, output: str) -> bool:
    """Whether `path` is the declared `output` or a file below it."""
    return path == output or path.startswith(output.rstrip("/") + "/")


def missing_outputs(outputs: list[str], metrics: list[str], *snapshots: Snapshot) -> list[str]:
    """Declared outputs that no snapshot contains: a stale list, or a stage that wrote nothing."""
    found = [path for snapshot in snapshots for path in [*snapshot.files, *snapshot.metrics]]
    return [
        output
        for output in dict.fromkeys([*outputs, *metrics])
        if not any(under(path, output) for path in found)
    ]


def contains(path: Path, needle: bytes, chunk: int = 1 << 20) -> bool:
    """Whether a file holds `needle`, read in chunks (constant memory at any size)."""
    tail = b""
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            if needle in tail + block:
                return True
            tail = block[-(len(needle) - 1) :] if len(needle) > 1 else b""
    return False
