"""End to end, default options: `nox -s repro` passes on a fresh project and catches each usual
way a rerun breaks (every fault is applied to the one locked project, then undone with git)."""

import hashlib
import os
from pathlib import Path

import pytest

from .helpers import nox, run

pytestmark = pytest.mark.slow

MODULE_DIR = "src/my_ml_project"


def tree_state(root: Path) -> tuple[str, dict[str, tuple[int, str]]]:
    """`git status` plus the mtime and SHA-256 of every file outside `.git/` and `.nox/`."""
    status = run(["git", "status", "--porcelain", "--ignored"], root).stdout
    files = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".git", ".nox")]
        for name in names:
            path = Path(folder, name)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            files[path.relative_to(root).as_posix()] = (path.stat().st_mtime_ns, digest)
    return status, files


def test_repro_passes_on_fresh_project_and_leaves_tree_untouched(locked_project):
    root = locked_project.root
    nox(locked_project, "-s", "repro", "--install-only")  # the environment is not under test
    before = tree_state(root)
    done = nox(locked_project, "-s", "repro")
    assert "REPRODUCIBLE: two fresh runs gave the same outputs." in done.stdout
    assert tree_state(root) == before


def test_repro_reference_records_outputs_then_reports_drift(locked_project):
    root = locked_project.root
    try:
        nox(locked_project, "-s", "repro", "--", "--update-reference")
        assert (root / "reports/repro.json").exists()
        params = root / "params.yaml"
        params.write_text(params.read_text().replace("n_estimators: 200", "n_estimators: 50"))
        done = nox(locked_project, "-s", "repro", check=False)
        assert "REPRODUCIBLE: two fresh runs gave the same outputs." in done.stdout
        assert "DRIFT FROM REFERENCE" in done.stdout
        assert "models/model.joblib" in done.stdout.split("DRIFT FROM REFERENCE")[1]
        assert done.returncode != 0
    finally:
        run(["git", "checkout", "--", "params.yaml"], root)
        (root / "reports/repro.json").unlink(missing_ok=True)


# Each fault: the file it edits, the text it edits at, what it puts there, the output that must be
# named, and a phrase the hints must contain.
FAULTS = {
    "unseeded_draw": (
        "evaluate.py",
        "write_metrics(scores, root / METRICS)",
        'write_metrics({**scores, "noise": float(np.random.default_rng().random())}, '
        "root / METRICS)",
        "reports/metrics.json",
        "noise: ",
    ),
    "hash_seed_order": (
        "features.py",
        "    write_csv(train, root / TRAIN_DATA)",
        "    order = list(set(train.columns))\n    train, test = train[order], test[order]\n"
        "    write_csv(train, root / TRAIN_DATA)",
        "data/processed/train.csv",
        "earliest stage with a differing output is `features`",
    ),
    "working_directory": (
        "train.py",
        "        joblib.dump(model, temporary)",
        "        model.trained_in_ = str(root.resolve())\n        joblib.dump(model, temporary)",
        "models/model.joblib",
        "models/model.joblib contains its run's directory",
    ),
    "timestamp": (
        "evaluate.py",
        "write_metrics(scores, root / METRICS)",
        # metrics are numbers only (write_metrics refuses text), so the timestamp bypasses it
        '(root / METRICS).write_text(__import__("json").dumps({**scores, "finished": '
        '__import__("datetime").datetime.now().isoformat()}))',
        "reports/metrics.json",
        "reports/metrics.json contains today's date",
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_repro_fails_naming_the_output_a_fault_breaks(locked_project, fault):
    module, anchor, replacement, output, hint = FAULTS[fault]
    path = locked_project.root / MODULE_DIR / module
    source = path.read_text()
    assert source.count(anchor) == 1, f"{module} changed: update the fault's anchor"
    path.write_text(source.replace(anchor, replacement))
    try:
        done = nox(locked_project, "-s", "repro", check=False)
    finally:
        run(["git", "checkout", "--", f"{MODULE_DIR}/{module}"], locked_project.root)
    assert done.returncode != 0
    verdict = next(line for line in done.stdout.splitlines() if "NOT REPRODUCIBLE" in line)
    assert output in verdict, done.stdout[-3000:]
    assert hint in done.stdout, done.stdout[-3000:]
