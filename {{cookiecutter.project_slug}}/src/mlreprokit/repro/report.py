"""What the check prints and keeps: one row per output, the cause, hints, the figure."""

import json
import platform
from datetime import date
from pathlib import Path
from typing import Any

from ..artifacts import write_json
from ..hashing import sha256_file
from ..project import load_pipeline
from .compare import DIFFERENT, EQUIVALENT, Verdict, contains, under
from .settings import Settings
from .variations import Variation

REFERENCE = Path("reports/repro.json")
LOCK = Path("requirements.txt")  # the runtime lock the repro environment is installed from
NOTHING = "nothing"  # the cause of an output that differs with nothing varied
COMBINED = "combined"  # ...that differs only when several variations combine
FIXES = {
    "hash_seed": "iterating a set (or a dict built from one) of strings: sort it first",
    "path": "a path written into the output: write paths relative to the project root",
    "threads": "a thread-count-dependent reduction: fix the thread count or sum in a fixed order",
    "cpus": "a value that depends on the CPU count (os.cpu_count(), or a sum whose order follows "
    "the threads, as a forest predicting with n_jobs > 1): fix n_jobs where it does",
    "locale": "locale-dependent formatting, parsing or encoding: pass encoding= and format "
    "numbers without the locale",
    "timezone": "local time in an output: use UTC, or keep times in the manifest",
    "umask": "content that records file permissions (an archive, a copied mode): normalise the "
    "modes it stores",
    "home": "something read from or written to HOME (~/.cache, ~/.config): pass it explicitly",
    "file_order": "a result that depends on the order of os.listdir/glob/iterdir: sort the list",
    "clock": "a date stamped from the clock or SOURCE_DATE_EPOCH: keep it out of outputs",
    NOTHING: "an unseeded random draw, the clock (time.time(), datetime.now()) or a race",
    COMBINED: "only several variations together change it: fix each single cause above first",
}


def cause_line(path: str, cause: str, variations: dict[str, Variation]) -> str:
    if cause == NOTHING:
        return f"{path} differs between two runs with nothing varied"
    if cause == COMBINED:
        return f"{path} differs only when several variations combine"
    v = variations[cause]
    return f"{path} differs when only {v.what} changes ({v.control} vs {v.varied}): {cause}"


def output_status(output: str, verdicts: list[Verdict]) -> str:
    mine = [v for v in verdicts if under(v.path, output)]
    if not mine:
        return "missing"
    if any(v.differs for v in mine):
        return DIFFERENT
    return EQUIVALENT if any(v.status == EQUIVALENT for v in mine) else "identical"


def print_table(
    title: str, settings: Settings, verdicts: list[Verdict], causes: dict[str, str]
) -> None:
    """One row per declared output; below it each file that is not byte-identical, and why."""
    print(f"\n{'output':<44} {title}")
    for output in settings.outputs:
        mine = [v for v in verdicts if under(v.path, output)]
        status = output_status(output, verdicts)
        count = f"{len(mine)} file{'' if len(mine) == 1 else 's'}"
        print(f"{output:<44} {status.upper() if status == DIFFERENT else status} ({count})")
        for verdict in mine:
            if verdict.status == "identical":
                continue
            name = "" if verdict.path == output else verdict.path
            print(f"    {name}{': ' if name else ''}{verdict.detail}")
            if verdict.path in causes:
                print(f"    cause: {causes[verdict.path]}")


def first_stage(paths: list[str]) -> str | None:
    """The earliest pipeline stage that wrote a differing output, if a stage declares it."""
    for stage in load_pipeline().stages:
        if any(under(path, out.as_posix()) for path in paths for out in stage.outs):
            return stage.name
    return None


def likely_causes(
    paths: list[str], runs: list[tuple[Path, Path]], causes: dict[str, str]
) -> list[str]:
    """Hints from the differing files' contents and from the variation that changes each.

    `runs`: (the folder a run ran in, the folder its copy is kept in)."""
    hints = []
    today = date.today().isoformat().encode()
    for path in paths:
        files = [(ran, kept / path) for ran, kept in runs if (kept / path).is_file()]
        if any(contains(file, str(ran).encode()) for ran, file in files):
            hints.append(f"{path} contains its run's directory: {FIXES['path']}")
        elif any(contains(file, today) for _, file in files):
            hints.append(
                f"{path} contains today's date: a timestamp belongs in the run manifest or "
                "logs, not in a compared output"
            )
        if path in causes:
            hints.append(f"{path}: usual cause: {FIXES[causes[path]]}")
    if stage := first_stage(paths):
        hints.append(
            f"the earliest stage with a differing output is `{stage}`: fix it first, later "
            "stages may differ only because of it"
        )
    return hints


def figure(settings: Settings, verdicts: list[Verdict], applied: int) -> dict[str, object]:
    """N of M declared outputs reproduced across K variations, and the largest numeric drift."""
    statuses = {o: output_status(o, verdicts) for o in settings.outputs}
    same = sum(status in ("identical", EQUIVALENT) for status in statuses.values())
    numeric = [v for v in verdicts if v.drift != float("inf")]
    largest = max(numeric, key=lambda v: v.drift, default=None)
    drift = largest.drift if largest else 0.0
    where = f" in {largest.path}" if largest and drift else ""
    return {
        "identical": same,
        "declared": len(settings.outputs),
        "variations": applied,
        "largest_numeric_drift": drift,
        "outputs": statuses,
        "summary": f"{same} of {len(settings.outputs)} declared outputs identical across "
        f"{applied} variations (largest numeric drift {drift:.3g}{where})",
    }


def environment_record(root: Path) -> dict[str, str | None]:
    """What the outputs of a reference depend on besides the code: the lock and the platform."""
    lock = root / LOCK
    return {
        "lock_sha256": sha256_file(lock) if lock.exists() else None,
        "python": platform.python_version(),
        "platform": f"{platform.system()}-{platform.machine()}",
    }


def load_record(root: Path) -> dict[str, Any]:
    """`reports/repro.json` as written last ({} when absent): the reference and the last check."""
    path = root / REFERENCE
    if not path.exists():
        return {}
    try:
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return record
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{REFERENCE} is not valid JSON ({error}): rewrite it with "
            "`nox -s repro -- --update-reference`"
        ) from None


def write_record(root: Path, reference: dict[str, Any] | None, check: dict[str, object]) -> None:
    """Keep the check's result (no times, no paths: a rerun with the same result rewrites the
    same bytes) beside the committed reference."""
    record: dict[str, object] = {"check": check}
    if reference:
        record["reference"] = reference
    write_json(record, root / REFERENCE)
