"""End to end, default options: `nox -s repro` passes on a fresh project with every variation on,
and catches each usual way a rerun breaks, naming the variation that exposes it (every fault is
applied to the one locked project, then undone with git)."""

import hashlib
import json
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


def test_repro_passes_on_fresh_project_and_leaves_tree_untouched(locked_project, tmp_path):
    root = locked_project.root
    nox(locked_project, "-s", "repro", "--install-only")  # the environment is not under test
    before = tree_state(root)
    try:
        done = nox(locked_project, "-s", "repro", TMPDIR=str(tmp_path))
        assert "REPRODUCIBLE: the control run and the run with 10 variations agree." in done.stdout
        assert done.stdout.rstrip().endswith(
            "6 of 6 declared outputs identical across 10 variations (largest numeric drift 0)"
        ), done.stdout[-2000:]
        record = json.loads((root / "reports/repro.json").read_text())
        assert record["check"]["identical"] == record["check"]["declared"] == 6
        after = tree_state(root)
    finally:
        (root / "reports/repro.json").unlink(missing_ok=True)
    assert after[1].pop("reports/repro.json")  # the one file a check writes in the tree
    assert set(after[0].splitlines()) == {*before[0].splitlines(), "?? reports/repro.json"}
    assert after[1] == before[1]
    assert not list(tmp_path.glob("my_ml_project-repro-*"))


def test_repro_reference_records_outputs_then_reports_drift(locked_project):
    root = locked_project.root
    try:
        nox(locked_project, "-s", "repro", "--", "--update-reference")
        assert (root / "reports/repro.json").exists()
        params = root / "params.yaml"
        params.write_text(params.read_text().replace("n_estimators: 200", "n_estimators: 50"))
        done = nox(locked_project, "-s", "repro", check=False)
        assert "REPRODUCIBLE: the control run" in done.stdout
        assert "DRIFT FROM REFERENCE" in done.stdout
        assert "models/model.joblib" in done.stdout.split("DRIFT FROM REFERENCE")[1]
        assert done.returncode != 0
    finally:
        run(["git", "checkout", "--", "params.yaml"], root)
        (root / "reports/repro.json").unlink(missing_ok=True)


METRICS_CALL = "write_json(score(test[TARGET], predicted), root / METRICS)"


def extra_metric(key: str, expression: str) -> tuple[str, str, str]:
    """A fault in evaluate.py: one more key in metrics.json, computed by `expression`."""
    metrics = f'{{**score(test[TARGET], predicted), "{key}": {expression}}}'
    call = f"write_json({metrics}, root / METRICS)"
    return "evaluate.py", METRICS_CALL, call


# Each fault: (the file it edits, the text it edits at, what it puts there), the output that must
# be named, a phrase the hints must contain, and the cause bisection must name.
FAULTS = {
    "unseeded_draw": (
        extra_metric("noise", "float(np.random.default_rng().random())"),
        "reports/metrics.json",
        "key noise: ",
        "reports/metrics.json differs between two runs with nothing varied",
    ),
    "hash_seed_order": (
        (
            "features.py",
            "    write_csv(train, root / TRAIN_DATA)",
            "    order = list(set(train.columns))\n    train, test = train[order], test[order]\n"
            "    write_csv(train, root / TRAIN_DATA)",
        ),
        "data/processed/train.csv",
        "earliest stage with a differing output is `features`",
        "data/processed/train.csv differs when only PYTHONHASHSEED changes",
    ),
    "working_directory": (
        extra_metric("model_path", "str((root / MODEL).resolve())"),
        "reports/metrics.json",
        "reports/metrics.json contains its run's directory",
        "reports/metrics.json differs when only the project's folder changes",
    ),
    "timestamp": (
        extra_metric("finished", '__import__("datetime").datetime.now().isoformat()'),
        "reports/metrics.json",
        "reports/metrics.json contains today's date",
        "reports/metrics.json differs between two runs with nothing varied",
    ),
    "cpu_count": (
        extra_metric("cpus", 'len(__import__("os").sched_getaffinity(0))'),
        "reports/metrics.json",
        "largest difference 1",
        "reports/metrics.json differs when only CPUs the run may use changes",
    ),
    "locale": (
        extra_metric("locale", '__import__("locale").setlocale(__import__("locale").LC_ALL, "")'),
        "reports/metrics.json",
        "key locale: ",
        "reports/metrics.json differs when only LC_ALL/LANG changes",
    ),
    "timezone": (
        extra_metric("utc_offset", '__import__("time").strftime("%z")'),
        "reports/metrics.json",
        "key utc_offset: '+0000' vs '+1345'",
        "reports/metrics.json differs when only TZ changes",
    ),
    "umask": (
        (
            "evaluate.py",
            METRICS_CALL,
            '(root / METRICS).write_text(__import__("json").dumps(score(test[TARGET], predicted)))',
        ),
        "reports/metrics.json",
        "file mode 0644 vs 0664",
        "reports/metrics.json differs when only umask changes",
    ),
    "home": (
        extra_metric("home", 'str(__import__("pathlib").Path.home())'),
        "reports/metrics.json",
        "key home: ",
        "reports/metrics.json differs when only HOME changes",
    ),
    "file_order": (
        extra_metric("first_module", '__import__("os").listdir(root / "src/my_ml_project")[0]'),
        "reports/metrics.json",
        "key first_module: ",
        "reports/metrics.json differs when only directory listing order changes",
    ),
    "clock": (
        extra_metric(
            "built",
            '__import__("datetime").date.fromtimestamp(int(__import__("os").environ.get('
            '"SOURCE_DATE_EPOCH", __import__("time").time()))).isoformat()',
        ),
        "reports/metrics.json",
        "key built: ",
        "reports/metrics.json differs when only SOURCE_DATE_EPOCH changes",
    ),
}


def test_repro_tells_a_model_that_pickles_differently_but_predicts_the_same(locked_project):
    path = locked_project.root / MODULE_DIR / "train.py"
    anchor = "        joblib.dump(model, temporary)"
    source = path.read_text()
    leak = "        model.trained_in_ = str(root.resolve())\n"  # in the pickle, not in predictions
    path.write_text(source.replace(anchor, leak + anchor))
    try:
        done = nox(locked_project, "-s", "repro")
    finally:
        run(["git", "checkout", "--", f"{MODULE_DIR}/train.py"], locked_project.root)
        (locked_project.root / "reports/repro.json").unlink(missing_ok=True)
    assert "models/model.joblib                          equivalent (1 file)" in done.stdout
    assert "pickles differently but predicts identically on data/processed/test.csv" in done.stdout


@pytest.mark.parametrize("fault", list(FAULTS))
def test_repro_fails_naming_the_output_and_the_variation_a_fault_breaks(
    locked_project, fault, tmp_path
):
    (module, anchor, replacement), output, hint, cause = FAULTS[fault]
    path = locked_project.root / MODULE_DIR / module
    source = path.read_text()
    assert source.count(anchor) == 1, f"{module} changed: update the fault's anchor"
    path.write_text(source.replace(anchor, replacement))
    try:
        done = nox(locked_project, "-s", "repro", check=False, TMPDIR=str(tmp_path))
    finally:
        run(["git", "checkout", "--", f"{MODULE_DIR}/{module}"], locked_project.root)
        (locked_project.root / "reports/repro.json").unlink(missing_ok=True)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    verdict = next(line for line in done.stdout.splitlines() if "NOT REPRODUCIBLE" in line)
    assert output in verdict, done.stdout[-3000:]
    assert hint in done.stdout, done.stdout[-3000:]
    assert f"cause: {cause}" in done.stdout, done.stdout[-3000:]
    assert not list(tmp_path.glob("my_ml_project-repro-*"))
