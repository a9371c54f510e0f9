"""Name the variation that changes each differing output: rerun with one varied at a time."""

from typing import Protocol

from .compare import Snapshot, compare
from .report import COMBINED, NOTHING
from .settings import Settings
from .variations import Variation


class Run(Protocol):
    """A finished run (repro.main's Result): what it produced."""

    @property
    def snapshot(self) -> Snapshot: ...


class Runner(Protocol):
    """What reruns the pipeline (repro.main's Runner) with the named variations varied."""

    def run(self, label: str, varied: set[str]) -> Run: ...


def only(snapshot: Snapshot, paths: set[str]) -> Snapshot:
    return Snapshot({p: f for p, f in snapshot.files.items() if p in paths}, snapshot.root)


def bisect(
    runner: Runner,
    control: Run,
    differing: list[str],
    applied: list[Variation],
    settings: Settings,
) -> dict[str, str]:
    """{path: cause} for each differing path: NOTHING when a plain rerun already changes it,
    else the first variation that changes it alone, else COMBINED. Stops once all are named."""
    if not differing:
        return {}
    pending = set(differing)
    causes: dict[str, str] = {}
    print(f"\nBisecting {len(pending)} differing file(s): one variation at a time", flush=True)
    steps = [("control run again", None), *((f"only {v.name}", v.name) for v in applied)]
    for label, name in steps:
        if not pending:
            break
        result = runner.run(label, set() if name is None else {name})
        base, again = only(control.snapshot, pending), only(result.snapshot, pending)
        for verdict in compare(base, again, settings):
            if verdict.differs and verdict.path in pending:
                causes[verdict.path] = name or NOTHING
        pending -= causes.keys()
    causes.update(dict.fromkeys(pending, COMBINED))
    return causes
