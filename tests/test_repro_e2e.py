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
        record = json.loads((root / "reports/repro.json").read_text())["check"]
        assert record["identical"] == record["declared"] >= 6  # every stage output
        assert done.stdout.rstrip().endswith(
            f"{record['declared']} of {record['declared']} declared outputs identical across "
            "10 variations (largest numeric drift 0)"
        ), done.stdout[-2000:]
        after = tree_state(root)
    finally:
        (root / "reports/repro.json").unlink(missing_ok=True)
    assert after[1].pop("reports/repro.json")  # the one file a check writes in the tree
    # git-ignored, so `git status` stays clean: the check leaves a clean tree clean
    assert set(after[0].splitlines()) == {*before[0].splitlines(), "!! reports/repro.json"}
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


METRICS_CALL = "write_metrics(scores, root / METRICS)"


def extra_metric(key: str, expression: str) -> tuple[str, str, str]:
    """A fault in evaluate.py: one more key in metrics.json, computed by `expression` (written
    past `write_metrics`, which takes numbers only, so a fault can put text there too)."""
    metrics = f'{{**scores, "{key}": {expression}}}'
    call = f'(root / METRICS).write_text(__import__("json").dumps({metrics}))'
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
}


# One fault per new variation, each in its own file below reports/faults (declared as an extra
# output), all injected at once: one check must name each file's own variation and no other.
# Each written through the atomic writer, but for the umask fault, whose content records a mode.
VARIATION_FAULTS = {
    "cpus": ("CPUs the run may use", "len(os.sched_getaffinity(0))"),
    "locale": ("LC_ALL/LANG", '__import__("locale").setlocale(__import__("locale").LC_ALL, "")'),
    "timezone": ("TZ", '__import__("time").strftime("%z")'),
    "home": ("HOME", 'str(__import__("pathlib").Path.home())'),
    "file_order": ("directory listing order", 'os.listdir(root / "src/my_ml_project")[0]'),
    "clock": (
        "SOURCE_DATE_EPOCH",
        # the UTC date: a local date would also change with TZ (UTC+13:45 is often tomorrow)
        'str(__import__("datetime").datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH",'
        ' __import__("time").time())), __import__("datetime").timezone.utc).date())',
    ),
}


def test_repro_names_the_one_variation_behind_each_fault(locked_project, tmp_path):
    root = locked_project.root
    evaluate, pyproject = root / MODULE_DIR / "evaluate.py", root / "pyproject.toml"
    lines = ["    import os", "    from mlreprokit.artifacts import write_json"]
    lines += ['    faults = root / "reports/faults"', "    faults.mkdir()"]
    lines += [
        f'    write_json({{"value": {expression}}}, faults / "{name}.json")'
        for name, (_, expression) in VARIATION_FAULTS.items()
    ]
    # Content that records a file's permissions (as an archive would): the umask shows in it.
    lines.append('    (faults / "probe").touch()')
    lines.append('    (faults / "umask.txt").write_text(oct((faults / "probe").stat().st_mode))')
    lines.append('    (faults / "probe").unlink()')
    source, settings = evaluate.read_text(), pyproject.read_text()
    assert source.count(METRICS_CALL) == 1 and settings.count("\noutputs = []\n") == 1
    evaluate.write_text(source.replace(METRICS_CALL, METRICS_CALL + "\n" + "\n".join(lines)))
    pyproject.write_text(settings.replace("\noutputs = []\n", '\noutputs = ["reports/faults"]\n'))
    try:
        done = nox(locked_project, "-s", "repro", check=False, TMPDIR=str(tmp_path))
    finally:
        run(["git", "checkout", "--", f"{MODULE_DIR}/evaluate.py", "pyproject.toml"], root)
        (root / "reports/repro.json").unlink(missing_ok=True)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "NOT REPRODUCIBLE: 7 output file(s) differ" in done.stdout, done.stdout[-3000:]
    expected = {f"reports/faults/{name}.json": what for name, (what, _) in VARIATION_FAULTS.items()}
    expected["reports/faults/umask.txt"] = "umask"
    for path, what in expected.items():
        assert f"cause: {path} differs when only {what} changes" in done.stdout, done.stdout[-4000:]
    assert "Bisecting 7 differing file(s)" in done.stdout
    assert not list(tmp_path.glob("my_ml_project-repro-*"))


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
