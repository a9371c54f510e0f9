"""`python -m mlreprokit.repro`: run the pipeline in two fresh copies (the control run and the run
with every variation applied), compare the declared outputs, and name the variation that changes
each differing output. Exit status: 0 reproducible, 1 the runs differ, 2 a run or the settings
failed, 3 the runs agree but differ from the committed reference `reports/repro.json`,
4 the runs agree but their metrics fail params.yaml's quality gate (as CI's gate would),
130 interrupted. The copies are removed in every case (but with --keep).
"""

import argparse
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ProjectError
from ..gate import check_run
from ..paths import METRICS, PARAMS
from ..project import load_pipeline
from .bisect import bisect
from .compare import Snapshot, Verdict, compare, flatten, missing_outputs, take_snapshot
from .report import (
    REFERENCE,
    cause_line,
    environment_record,
    figure,
    likely_causes,
    load_record,
    print_table,
    write_record,
)
from .settings import PYPROJECT, ReproError, Settings, load_settings
from .variations import VARIATION_NAMES, Variation, build_variations, launch
from .workspace import Workspace, copy_project, run_pipelines

try:  # data_versioning=dvc: the dvc.lock of the last `dvc repro` is a committed reference too
    from ..dvcfiles import DVC_LOCK, check_lock

    DVC = True
except ModuleNotFoundError:
    DVC = False


@dataclass(frozen=True)
class Result:
    """A finished run: its label, the folder it ran in, and its snapshot (of the kept copy)."""

    label: str
    ran_in: Path
    snapshot: Snapshot

    @property
    def kept(self) -> Path:
        """The folder the run's copy is kept in, which its snapshot was taken of."""
        assert self.snapshot.root is not None, "a run's snapshot is taken of its kept copy"
        return self.snapshot.root


class Runner:
    """Runs the pipeline in a fresh copy per run, with the chosen variations varied."""

    def __init__(self, root: Path, workspace: Path, settings: Settings, applied: list[Variation]):
        self.root, self.workspace, self.settings, self.applied = root, workspace, settings, applied
        self.env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        self.count = 0

    def run(self, label: str, varied: set[str]) -> Result:
        """Run the pipeline once in a fresh copy, with the named variations varied."""
        return self.run_together([(label, varied)])[0]

    def run_together(self, runs: list[tuple[str, set[str]]]) -> list[Result]:
        """Run the pipeline in a fresh copy per (label, varied) at the same time, or one after
        the other when their copies would share a folder (the path is not varied)."""
        starts = [(label, launch(self.applied, varied, self.env)) for label, varied in runs]
        folders = [conditions.folder for _, conditions in starts]
        if len(set(folders)) < len(folders):
            return [result for run in runs for result in self.run_together([run])]
        copies = []
        for label, conditions in starts:
            copy = self.workspace / conditions.folder / self.root.resolve().name
            copy_project(self.root, copy, self.settings.outputs, bool(conditions.reverse_order))
            copies.append((label, conditions, copy))
        run_pipelines(copies, self.settings.command)
        results = []
        for label, _, copy in copies:
            self.count += 1
            kept = self.workspace / "done" / str(self.count)  # frees the path for the next run
            kept.parent.mkdir(exist_ok=True)
            shutil.move(copy, kept)
            shutil.rmtree(copy.parent / "home", ignore_errors=True)
            results.append(Result(label, copy, take_snapshot(kept, self.settings.outputs)))
        return results


def choose(settings: Settings) -> tuple[list[Variation], dict[str, str]]:
    """The variations to apply, and why each other one is not applied."""
    applied: list[Variation] = []
    skipped: dict[str, str] = {}
    for variation in build_variations():
        if not settings.vary.get(variation.name, True):
            skipped[variation.name] = "off in [tool.repro] vary"
        elif variation.unavailable:
            skipped[variation.name] = variation.unavailable
        else:
            applied.append(variation)
    return applied, skipped


def print_variations(applied: list[Variation], skipped: dict[str, str]) -> None:
    print("Variations, control run vs varied run:")
    for v in applied:
        print(f"  {v.name:<11} {v.what}: {v.control} vs {v.varied}")
    for name, reason in skipped.items():
        print(f"  {name:<11} not applied: {reason}")


def check(
    root: Path, update_reference: bool = False, keep: bool = False, bisection: bool = True
) -> int:
    """Run, compare, bisect, report; return the exit status."""
    settings = load_settings(root / PYPROJECT, VARIATION_NAMES)
    try:
        record = load_record(root)
    except ValueError as error:
        raise ReproError(str(error)) from None
    reference = record.get("reference")
    applied, skipped = choose(settings)
    print_variations(applied, skipped)
    with Workspace(f"{load_pipeline().module}-repro-", keep) as workspace:
        runner = Runner(root, workspace.path, settings, applied)
        control, varied = runner.run_together(
            [("control run", set()), ("varied run", {v.name for v in applied})]
        )
        verdicts = compare(control.snapshot, varied.snapshot, settings, ("control", "varied"))
        differing = [v.path for v in verdicts if v.differs]
        causes = bisect(runner, control, differing, applied, settings) if bisection else {}
        named = {v.name: v for v in applied}
        lines = {path: cause_line(path, cause, named) for path, cause in causes.items()}
        print_table("control vs varied", settings, verdicts, lines)
        status = verdict(settings, verdicts, causes, [control, varied], len(applied))
        result = figure(settings, verdicts, len(applied))
        result.update(
            variations_applied=[v.name for v in applied],
            variations_not_applied=skipped,
            causes=causes,
            bisected=bisection,
        )
        print(result["summary"])
        if status == 0 and update_reference:
            reference = make_reference(root, control, settings)
            print(f"Recorded the outputs as the reference in {REFERENCE}: `git add -f` it, commit.")
        elif reference and not update_reference:
            status = status or compare_reference(root, reference, control.snapshot, settings)
        if DVC and (root / DVC_LOCK).exists():
            status = status or check_lock(root, control.kept)
        status = status or quality_gate(root, control)
    write_record(root, reference, result)
    return status


def verdict(
    settings: Settings,
    verdicts: list[Verdict],
    causes: dict[str, str],
    runs: list[Result],
    applied: int,
) -> int:
    status = 0
    if missing := missing_outputs(settings.outputs, *(run.snapshot for run in runs)):
        print(
            f"\nNOT CHECKED: no run wrote {', '.join(missing)}: fix the pipeline, or exclude "
            "the output with its reason in [tool.repro] exclude"
        )
        status = 1
    differing = [v.path for v in verdicts if v.differs]
    if differing:
        print(
            f"\nNOT REPRODUCIBLE: {len(differing)} output file(s) differ between the control "
            f"and the varied run: {', '.join(differing)}"
        )
        folders = [(run.ran_in, run.kept) for run in runs]
        for hint in likely_causes(differing, folders, causes):
            print(f"  - {hint}")
        if not causes:
            print("  - rerun without --no-bisect to name the variation that changes each one")
        status = 1
    elif not missing:
        print(f"\nREPRODUCIBLE: the control run and the run with {applied} variations agree.")
    return status


def quality_gate(root: Path, control: Result) -> int:
    """4 when the control run's metrics fail the gate CI runs (its bounds; CI also compares
    with main's metrics), so a local `nox` is not green where the first pull request is red."""
    failures = check_run(root / PARAMS, control.kept / METRICS)
    if not failures:
        return 0
    print(f"\nQUALITY GATE FAILED (the gate CI runs, {PARAMS} gate:): " + "; ".join(failures))
    print("  - improve the model (params.yaml model:, features.engineer), or lower the bound")
    return 4


def make_reference(root: Path, run: Result, settings: Settings) -> dict[str, object]:
    snapshot = run.snapshot
    values = {
        path: flatten(json.loads((run.kept / path).read_text(encoding="utf-8")))
        for path in snapshot.files
        if settings.kind(path) == "numeric" and path.endswith(".json")
    }
    files = {path: digest for path, (digest, _) in snapshot.files.items()}
    return {"files": files, "values": values, **environment_record(root)}


def compare_reference(
    root: Path, reference: dict[str, Any], snapshot: Snapshot, settings: Settings
) -> int:
    """Report drift of the (reproducible) outputs from the committed reference: 0 or 3."""
    modes = {path: mode for path, (_, mode) in snapshot.files.items()}
    recorded = Snapshot(
        {path: (digest, modes.get(path, 0)) for path, digest in reference["files"].items()},
        None,
        reference.get("values", {}),
    )
    drift = compare(recorded, snapshot, settings, ("the reference", "this run"))
    print_table(f"{REFERENCE} vs this run", settings, drift, {})
    differing = [v.path for v in drift if v.differs]
    if not differing:
        print(f"MATCHES REFERENCE: the outputs are those recorded in {REFERENCE}.")
        return 0
    print(
        f"\nDRIFT FROM REFERENCE: {len(differing)} output(s) differ from {REFERENCE}: "
        + ", ".join(differing)
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
        prog="python -m mlreprokit.repro",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--update-reference",
        action="store_true",
        help=f"when the runs agree, record their outputs in {REFERENCE}",
    )
    parser.add_argument("--keep", action="store_true", help="keep every run copy")
    parser.add_argument(
        "--no-bisect",
        action="store_true",
        help="when outputs differ, do not rerun with one variation at a time to name the cause",
    )
    args = parser.parse_args(argv)
    try:
        return check(Path.cwd(), args.update_reference, args.keep, not args.no_bisect)
    except ProjectError as error:  # ReproError, or no pipeline entry
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: every run copy was removed", file=sys.stderr)
        return 130
