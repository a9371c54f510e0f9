"""Compare the declared outputs of two runs, each file by the kind of its output.

bytes: SHA-256 and file mode (less the write bits the umask decides). numeric: JSON, CSV or
.npy values within rel_tol/abs_tol, naming the first differing key, row or index and the largest
difference. exists: only present.
model: when the bytes differ, the predictions on the data the model is evaluated on.
"""

import csv
import json
import math
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..hashing import files_below, sha256_file
from ..project import load_pipeline
from .settings import Settings

if TYPE_CHECKING:
    from numpy.typing import NDArray

IDENTICAL, EQUIVALENT, DIFFERENT = "identical", "equivalent", "different"


# Outputs are written with the user's umask, as every other file they make: the group/other
# write bits are theirs to decide, so they never count as a difference. Other mode bits do.
UMASK_BITS = 0o022


@dataclass(frozen=True)
class Snapshot:
    """What a run produced: each file's SHA-256 and mode, and the folder the run left them in."""

    files: dict[str, tuple[str, int]]
    root: Path | None = None
    # A reference's recorded values: {path: flattened JSON} of each numeric .json output.
    values: dict[str, dict[str, object]] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """How one file compares: identical bytes, equivalent by its kind, or different (why)."""

    path: str
    status: str
    detail: str = ""
    drift: float = 0.0  # the largest numeric difference found

    @property
    def differs(self) -> bool:
        return self.status == DIFFERENT


def take_snapshot(root: Path, outputs: list[str]) -> Snapshot:
    """Hash every file below each declared output."""
    files: dict[str, tuple[str, int]] = {}
    for output in outputs:
        if (root / output).exists():
            for file in files_below(root / output):
                mode = stat.S_IMODE(file.stat().st_mode)
                files[file.relative_to(root).as_posix()] = (sha256_file(file), mode)
    return Snapshot(files, root)


def under(path: str, output: str) -> bool:
    """Whether `path` is the declared `output` or a file below it."""
    return path == output or path.startswith(output.rstrip("/") + "/")


def missing_outputs(outputs: list[str], *snapshots: Snapshot) -> list[str]:
    """Declared outputs that no snapshot contains: a stale list, or a stage that wrote nothing."""
    found = [path for snapshot in snapshots for path in snapshot.files]
    return [o for o in outputs if not any(under(path, o) for path in found)]


def flatten(data: object, prefix: str = "") -> dict[str, object]:
    """Nested JSON as {"dotted.key": value}; list items are numbered."""
    items: Iterable[tuple[object, object]]
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


def number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def value_gap(first: object, second: object, rel_tol: float, abs_tol: float) -> float | None:
    """None when the values match (numbers within tolerance, NaN = NaN); else their distance
    (inf for non-numbers)."""
    a, b = number(first), number(second)
    if a is None or b is None:
        return None if first == second else math.inf
    if (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol):
        return None
    return abs(a - b)


def compare_flat(
    a: dict[str, object], b: dict[str, object], rel_tol: float, abs_tol: float, unit: str
) -> tuple[str, float]:
    """("", largest gap) when all match, else (the first differing key with both values, gap)."""
    first, largest, count = "", 0.0, 0
    for key in sorted(a.keys() | b.keys(), key=sort_key):
        x, y = a.get(key, "(missing)"), b.get(key, "(missing)")
        gap = value_gap(x, y, rel_tol, abs_tol)
        if gap is None:
            continue
        count += 1
        largest = max(largest, gap)
        if not first:
            first = f"{unit} {key}: {x!r} vs {y!r}"
    if not count:
        return "", 0.0
    more = f" (and {count - 1} more)" if count > 1 else ""
    return first + more, largest


def sort_key(key: str) -> tuple[tuple[int, int, str], ...]:
    """Rows and list items in numeric order: 2 before 10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in key.split("."))


def read_values(path: Path) -> dict[str, object]:
    """A numeric file as {"key": value}: JSON by dotted key, CSV by "row.column", .npy by index."""
    if path.suffix == ".json":
        return flatten(json.loads(path.read_text(encoding="utf-8")))
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        header, body = (rows[0], rows[1:]) if rows else ([], [])
        flat: dict[str, object] = {f"header.{i}": name for i, name in enumerate(header)}
        for r, row in enumerate(body, start=1):
            flat.update(
                {f"{r}.{header[c] if c < len(header) else c}": v for c, v in enumerate(row)}
            )
        return flat
    if path.suffix == ".npy":
        import numpy as np

        array = np.load(path, allow_pickle=False)
        flat = {"shape": list(array.shape)}
        flat.update({".".join(map(str, i)): v.item() for i, v in np.ndenumerate(array)})
        return flat
    raise ValueError(f"{path.suffix or 'no suffix'}: numeric compares .json, .csv and .npy")


def described(first: str, gap: float) -> str:
    """The first difference, and the largest numeric one when a number differs at all."""
    return first if math.isinf(gap) else f"{first}; largest difference {gap:.3g}"


def compare_numeric(a: Path, b: Path, settings: Settings) -> tuple[str, str, float]:
    unit = {".json": "key", ".csv": "row", ".npy": "index"}.get(a.suffix, "key")
    try:
        first, gap = compare_flat(
            read_values(a), read_values(b), settings.rel_tol, settings.abs_tol, unit
        )
    except (ValueError, UnicodeDecodeError) as error:
        return DIFFERENT, f"cannot compare as numbers: {error}", math.inf
    if first:
        return DIFFERENT, described(first, gap), gap
    return EQUIVALENT, "bytes differ, values equal within rel_tol/abs_tol", 0.0


def evaluation_data(model: str) -> list[str]:
    """The CSV files the stage that reads `model` also reads: where its predictions are made."""
    for stage in load_pipeline().stages:
        deps = [dep.as_posix() for dep in stage.deps]
        if model in deps:
            return [dep for dep in deps if dep != model and dep.endswith(".csv")]
    return []


def predictions(root: Path, model_path: str, data: list[str]) -> dict[str, "NDArray[Any]"]:
    """The model's outputs on each evaluation file of its own run: {"file method": array}."""
    import joblib
    import numpy as np
    import pandas as pd

    model = joblib.load(root / model_path)
    found: dict[str, NDArray[Any]] = {}
    for name in data:
        frame = pd.read_csv(root / name)
        # The columns the model was fitted on (the split also holds the target, maybe an id).
        features = frame[list(getattr(model, "feature_names_in_", frame.columns))]
        for method in ("predict", "predict_proba"):
            if hasattr(model, method):
                found[f"{method} on {name}"] = np.asarray(getattr(model, method)(features))
    return found


def compare_model(path: str, first: Path, second: Path) -> tuple[str, str, float]:
    """Load each run's model with joblib; compare what it predicts on its run's evaluation data
    (the same bytes in both runs, or that output is reported too)."""
    import numpy as np

    data = [name for name in evaluation_data(path) if (first / name).is_file()]
    if not data:
        return DIFFERENT, "pickles differently; no evaluation data to predict on", math.inf
    try:
        a, b = (predictions(root, path, data) for root in (first, second))
    except Exception as error:  # any failure to load or predict is a difference
        return DIFFERENT, f"pickles differently and cannot be compared: {error}", math.inf
    detail, gaps = "", []
    for what, x in a.items():
        y = b.get(what)
        if y is None or x.shape != y.shape:
            return DIFFERENT, f"{what}: shape {x.shape} vs {getattr(y, 'shape', None)}", math.inf
        rows = np.nonzero((x != y).reshape(len(x), -1).any(axis=1))[0]
        if len(rows) and not detail:
            detail = (
                f"predicts differently: {what} differs in {len(rows)} of {len(x)} rows, "
                f"first row {int(rows[0]) + 1}"
            )
        if len(rows) and x.dtype.kind == "f" and y.dtype.kind == "f":
            # A numeric drift only where the output is a number (a regressor's prediction, a
            # probability): class labels that differ are counted in rows, not as a distance.
            gaps.append(float(np.abs(x - y).max()))
    if detail:
        return DIFFERENT, detail, max(gaps, default=math.inf)
    return EQUIVALENT, f"pickles differently but predicts identically on {', '.join(data)}", 0.0


def compare_file(path: str, first: Snapshot, second: Snapshot, settings: Settings) -> Verdict:
    kind = settings.kind(path)
    (hash_a, mode_a), (hash_b, mode_b) = first.files[path], second.files[path]
    if kind == "exists":
        return Verdict(path, IDENTICAL if hash_a == hash_b else EQUIVALENT, "present in both")
    if mode_a & ~UMASK_BITS != mode_b & ~UMASK_BITS:
        return Verdict(path, DIFFERENT, f"file mode {mode_a:04o} vs {mode_b:04o}")
    if hash_a == hash_b:
        return Verdict(path, IDENTICAL)
    if first.root is None and kind == "numeric" and path in first.values:  # a reference
        assert second.root is not None, "a reference is compared with a run's snapshot"
        a = first.values[path]
        b = flatten(json.loads((second.root / path).read_text(encoding="utf-8")))
        detail, gap = compare_flat(a, b, settings.rel_tol, settings.abs_tol, "key")
        if not detail:
            return Verdict(path, EQUIVALENT, "values equal within rel_tol/abs_tol")
        return Verdict(path, DIFFERENT, described(detail, gap), gap)
    if first.root is None or second.root is None or kind == "bytes":
        return Verdict(path, DIFFERENT, "SHA-256 differs")
    if kind == "numeric":
        return Verdict(path, *compare_numeric(first.root / path, second.root / path, settings))
    return Verdict(path, *compare_model(path, first.root, second.root))


def compare(
    first: Snapshot,
    second: Snapshot,
    settings: Settings,
    names: tuple[str, str] = ("run 1", "run 2"),
) -> list[Verdict]:
    """A verdict for every file either snapshot holds, in path order."""
    verdicts: list[Verdict] = []
    for path in sorted(first.files.keys() | second.files.keys()):
        if path not in second.files:
            verdicts.append(Verdict(path, DIFFERENT, f"only in {names[0]}"))
        elif path not in first.files:
            verdicts.append(Verdict(path, DIFFERENT, f"only in {names[1]}"))
        else:
            verdicts.append(compare_file(path, first, second, settings))
    return verdicts


def contains(path: Path, needle: bytes, chunk: int = 1 << 20) -> bool:
    """Whether a file holds `needle`, read in chunks (constant memory at any size)."""
    tail = b""
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            if needle in tail + block:
                return True
            tail = block[-(len(needle) - 1) :] if len(needle) > 1 else b""
    return False
