"""`nox -s repro`: run the pipeline twice in fresh copies of the project and compare the outputs.

The two runs differ in what must not matter (hash seed, directory, thread count), so hash-order,
path and thread dependence show up as differing outputs. What is compared is declared once, in
`[tool.repro]` of pyproject.toml. Exit status: 0 reproducible, 1 the runs differ, 2 a run or the
settings failed, 3 the runs agree but differ from the committed reference `reports/repro.json`.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import pipeline
from .artifacts import write_json
from .compare import (
    Difference,
    Snapshot,
    compare,
    contains,
    missing_outputs,
    take_snapshot,
    under,
)
from .errors import ProjectError
from .hashing import sha256_file

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

try:  # data_versioning=dvc: the dvc.lock of the last `dvc repro` is a committed reference too
    from .dvcfiles import DVC_LOCK, check_lock
except ModuleNotFoundError:
    check_lock = None

PYPROJECT = Path("pyproject.toml")
REFERENCE = Path("reports/repro.json")
LOCK = Path("requirements.txt")  # the runtime lock the repro environment is installed from
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
# Never copied into a run: git's own folder, environments, caches and local secrets.
NOT_COPIED = {".git", ".nox", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".env"}


class ReproError(ProjectError):
    """A problem that stops the check before it can compare anything."""


@dataclass(frozen=True)
class Settings:
    """`[tool.repro]`: the outputs to compare, the tolerance for metrics, the command to run."""

    outputs: list[str]
    metrics: list[str] = field(default_factory=list)
    rel_tol: float = 0.0
    abs_tol: float = 0.0
    command: list[str] = field(default_factory=lambda: ["python", "-m", __package__, "all"])


@dataclass(frozen=True)
class Run:
    """One rerun and the conditions that set it apart from the other."""

    name: str
    hash_seed: int
    threads: int
    folder: str  # different names and depths, so a path baked into an output shows

    def environment(self, copy: Path) -> dict[str, str]:
        env = dict(os.environ)
        env.update({name: str(self.threads) for name in THREAD_VARIABLES})
        env.update(
            PYTHONHASHSEED=str(self.hash_seed),
            PYTHONPATH=str(copy / "src"),  # the copy's code, not the editable install's tree
        )
        return env


RUNS = (Run("run 1", 1, 1, "a"), Run("run 2", 2, 2, "second-run/b"))


def load_settings(pyproject: Path = PYPROJECT) -> Settings:
    """Read and check `[tool.repro]`."""
    try:
        table = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["repro"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as error:
        raise ReproError(f"cannot read [tool.repro] from {pyproject}: {error}") from None
    allowed = {
        "outputs": list,
        "metrics": list,
        "rel_tol": (int, float),
        "abs_tol": (int, float),
        "command": list,
    }
    for key, value in table.items():
        if key not in allowed:
            raise ReproError(f"[tool.repro] {key}: unknown key; allowed: {', '.join(allowed)}")
        if not isinstance(value, allowed[key]) or isinstance(value, bool):
            raise ReproError(f"[tool.repro] {key}: wrong type {type(value).__name__}")
    settings = Settings(**{"outputs": [], **table})
    for key in ("outputs", "metrics", "command"):
        if not all(isinstance(path, str) and path for path in getattr(settings, key)):
            raise ReproError(f"[tool.repro] {key}: give a list of non-empty strings")
    if not settings.outputs:
        raise ReproError("[tool.repro] outputs: list at least one output to compare")
    if not settings.command:
        raise ReproError("[tool.repro] command: give the command that runs the whole pipeline")
    if settings.rel_tol < 0 or settings.abs_tol < 0:
        raise ReproError("[tool.repro] rel_tol and abs_tol must be 0 or more")
    return settings


def project_files(root: Path) -> list[Path]:
    """The files a run starts from: what git tracks (or would track), as in the work tree."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:  # git is not installed
        listed = None
    if listed and listed.returncode == 0:
        paths = [Path(name) for name in listed.stdout.decode().split("\0") if name]
    else:  # not a git work tree: everything but environments, caches and produced data
        paths = []
        for folder, dirs, names in os.walk(root):
            dirs[:] = [name for name in dirs if name not in NOT_COPIED]
            paths += [Path(folder, name).relative_to(root) for name in names]
        paths = [p for p in paths if p.parts[0] != "data" or p.parts[:2] == ("data", "raw")]
    return [p for p in paths if not NOT_COPIED & set(p.parts) and (root / p).is_file()]


def copy_project(root: Path, target: Path, outputs: list[str]) -> None:
    """Copy the project files and `data/raw` into `target`, leaving out the declared outputs."""

    def produced(path: Path) -> bool:
        return path.name != ".gitkeep" and any(
            path == Path(o) or Path(o) in path.parents for o in outputs
        )

    files = set(project_files(root))
    raw = root / "data" / "raw"
    if raw.is_dir():
        files |= {p.relative_to(root) for p in raw.rglob("*") if p.is_file()}
    for path in sorted(files):
        if not produced(path):
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / path, target / path)


def run_pipeline(run: Run, copy: Path, command: list[str]) -> None:
    """Run the pipeline in a fresh process inside `copy`, its output shown as it comes."""
    print(f"{run.name}: PYTHONHASHSEED={run.hash_seed}, {run.threads} thread(s), in {copy}")
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            [sys.executable if command[0] == "python" else command[0], *command[1:]],
            cwd=copy,
            env=run.environment(copy),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    except OSError as error:
        raise ReproError(f"[tool.repro] command cannot start: {error}") from None
    for line in process.stdout:
        print(f"  [{run.name}] {line}", end="", flush=True)
    process.stdout.close()  # the pipe, read to its end (unclosed, it is a ResourceWarning)
    if code := process.wait():
        raise ReproError(f"{run.name} failed (exit {code}); its output is above")
    print(f"{run.name} finished in {time.perf_counter() - started:.1f} s", flush=True)


def load_reference(root: Path) -> dict | None:
    """The committed reference (output hashes, metrics, lock hash, platform), or None."""
    path = root / REFERENCE
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ReproError(
            f"{REFERENCE} is not valid JSON ({error}): rewrite it with "
            "`nox -s repro -- --update-reference`"
        ) from None


def environment_record(root: Path) -> dict:
    """What the outputs of a reference depend on besides the code: the lock and the platform."""
    lock = root / LOCK
    return {
        "lock_sha256": sha256_file(lock) if lock.exists() else None,
        "python": platform.python_version(),
        "platform": f"{platform.system()}-{platform.machine()}",
    }


def write_reference(root: Path, snapshot: Snapshot) -> None:
    write_json(
        {"files": snapshot.files, "metrics": snapshot.metrics, **environment_record(root)},
        root / REFERENCE,
    )


def print_table(title: str, settings: Settings, differences: list[Difference], after: Snapshot):
    """One row per declared output, or per differing file in it; metric keys with both values."""
    print(f"\n{'output':<44} {title}")
    shown: set[str] = set()
    for output in dict.fromkeys([*settings.outputs, *settings.metrics]):
        found = [d for d in differences if under(d.path, output) and d.path not in shown]
        if not found:
            count = sum(under(path, output) for path in [*after.files, *after.metrics])
            print(f"{output:<44} same ({count} file{'' if count == 1 else 's'})")
        for difference in found:
            shown.add(difference.path)
            print(f"{difference.path:<44} {difference.status.upper()}")
            for key, first, second in difference.keys:
                print(f"    {key}: {first!r} vs {second!r}")


def first_stage(differences: list[Difference]) -> str | None:
    """The earliest pipeline stage that wrote a differing output, if a stage declares it."""
    differing = {difference.path for difference in differences}
    for stage in pipeline.STAGES:
        if differing & {out.as_posix() for out in stage.outs}:
            return stage.name
    return None


def likely_causes(differences: list[Difference], copies: list[Path]) -> list[str]:
    """Causes found in the differing files; the causes that cannot be told apart for the rest."""
    hints, unexplained = [], []
    today = date.today().isoformat().encode()
    for difference in differences:
        runs = [(copy, copy / difference.path) for copy in copies]
        runs = [(copy, file) for copy, file in runs if file.is_file()]
        if any(contains(file, str(copy).encode()) for copy, file in runs):
            hints.append(
                f"{difference.path} contains its run's directory: write paths relative to the "
                "project root, or leave them out"
            )
        elif any(contains(file, today) for _, file in runs):
            hints.append(
                f"{difference.path} contains today's date: a timestamp belongs in the run "
                "manifest or logs, not in a compared output"
            )
        else:
            unexplained.append(difference.path)
    if unexplained:
        hints.append(
            f"{', '.join(unexplained)}: the runs differed at once in PYTHONHASHSEED (1 vs 2), "
            "directory and thread count (1 vs 2); usual causes: an unseeded random draw, iterating "
            "a set (or a dict built from one) of strings, a timestamp or run id, thread-dependent "
            "float sums"
        )
    if stage := first_stage(differences):
        hints.append(
            f"the earliest stage with a differing output is `{stage}`: fix it first, later "
            "stages may differ only because of it"
        )
    return hints


def check(root: Path, update_reference: bool = False, keep: bool = False) -> int:
    """Run twice, compare, report; return the exit status."""
    settings = load_settings(root / PYPROJECT)
    reference = load_reference(root)
    workspace = Path(tempfile.mkdtemp(prefix=f"{__package__}-repro-")).resolve()
    copies = [workspace / run.folder / root.resolve().name for run in RUNS]
    snapshots = []
    for run, copy in zip(RUNS, copies, strict=True):
        copy_project(root, copy, [*settings.outputs, *settings.metrics])
        run_pipeline(run, copy, settings.command)
        snapshots.append(take_snapshot(copy, settings.outputs, settings.metrics))

    differences = compare(*snapshots, rel_tol=settings.rel_tol, abs_tol=settings.abs_tol)
    print_table("run 1 vs run 2", settings, differences, snapshots[0])
    status = 0
    if missing := missing_outputs(settings.outputs, settings.metrics, *snapshots):
        print(
            f"\nNOT CHECKED: no run wrote {', '.join(missing)}: "
            "fix the pipeline or the outputs listed in [tool.repro] of pyproject.toml"
        )
        status = 1
    if differences:
        print(
            f"\nNOT REPRODUCIBLE: {len(differences)} output(s) differ between two fresh runs: "
            + ", ".join(d.path for d in differences)
        )
        for hint in likely_causes(differences, copies):
            print(f"  - {hint}")
        status = 1
    elif not missing:
        print("\nREPRODUCIBLE: two fresh runs gave the same outputs.")

    if status == 0 and update_reference:
        write_reference(root, snapshots[0])
        print(f"Wrote {REFERENCE}: commit it so later runs are compared with these outputs.")
    elif reference is not None and not update_reference:
        status = status or compare_reference(root, reference, snapshots[0], settings)
    if check_lock is not None and (root / DVC_LOCK).exists():
        status = status or check_lock(root, copies[0])

    if status or keep:
        print(f"\nRun copies kept for inspection: diff -r {copies[0]} {copies[1]}")
    else:
        shutil.rmtree(workspace, ignore_errors=True)
    return status


def compare_reference(root: Path, reference: dict, snapshot: Snapshot, settings: Settings) -> int:
    """Report drift of the (reproducible) outputs from the committed reference: 0 or 3."""
    recorded = Snapshot(reference.get("files", {}), reference.get("metrics", {}))
    drift = compare(
        recorded,
        snapshot,
        ("reference", "this run"),
        rel_tol=settings.rel_tol,
        abs_tol=settings.abs_tol,
    )
    print_table(f"{REFERENCE} vs this run", settings, drift, snapshot)
    if not drift:
        print(f"MATCHES REFERENCE: the outputs are those recorded in {REFERENCE}.")
        return 0
    print(
        f"\nDRIFT FROM REFERENCE: {len(drift)} output(s) differ from {REFERENCE}: "
        + ", ".join(d.path for d in drift)
    )
    now = environment_record(root)
    changed = [
        f"{key} {reference.get(key)} -> {now[key]}" for key in now if reference.get(key) != now[key]
    ]
    if changed:
        print("  - since the reference was recorded: " + "; ".join(changed))
    print(
        "  - if the change is intended, run `nox -s repro -- --update-reference` and commit "
        f"{REFERENCE}"
    )
    return 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.repro",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--update-reference",
        action="store_true",
        help=f"when the runs agree, record their outputs in {REFERENCE}",
    )
    parser.add_argument("--keep", action="store_true", help="keep both run copies")
    args = parser.parse_args(argv)
    try:
        return check(Path.cwd(), args.update_reference, args.keep)
    except ReproError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
