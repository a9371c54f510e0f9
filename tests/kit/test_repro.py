import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from mlreprokit.paths import MANIFEST
from mlreprokit.repro import main as repro
from mlreprokit.repro.compare import under
from mlreprokit.repro.settings import ReproError, load_settings, stage_outputs
from mlreprokit.repro.variations import (
    SHIM,
    VARIATION_NAMES,
    build_variations,
    launch,
)
from mlreprokit.repro.workspace import Workspace, copy_project

from .toy import MODULE, PROJECT

PYPROJECT = PROJECT / "pyproject.toml"
# Where the kit finds the stages: every pyproject.toml a test writes starts with it.
ENTRY = '[tool.mlreprokit]\npipeline = "' + MODULE + '.pipeline:PIPELINE"\n'


def write(root, relative, text=""):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def exclude(outputs):
    """An `exclude` table that leaves out `outputs`, each for a reason."""
    return "exclude = { " + ", ".join(f'"{o}" = "not made by this test"' for o in outputs) + " }"


@pytest.fixture(autouse=True)
def private_tmp(tmp_path, monkeypatch):
    """Every temporary folder of these tests goes here, so a test can see what is left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_load_settings_compares_every_stage_output_but_not_the_manifest():
    settings = load_settings(PYPROJECT, VARIATION_NAMES)
    assert set(stage_outputs()) <= set(settings.outputs) | set(settings.exclude)
    assert not any(under(MANIFEST.as_posix(), output) for output in settings.outputs)
    assert settings.kind("reports/metrics.json") == "numeric"


def test_pyproject_lists_every_variation():
    assert set(load_settings(PYPROJECT, VARIATION_NAMES).vary) == set(VARIATION_NAMES)
    assert [v.name for v in build_variations()] == list(VARIATION_NAMES)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("colour = 1", "colour: unknown key"),
        ('outputs = "models"', "outputs: wrong type"),
        ("command = []", "command: give the command"),
        ("rel_tol = -1", "0 or more"),
        ('kinds = { "models" = "fuzzy" }', "kinds.models: 'fuzzy'; allowed: bytes"),
        (
            'exclude = { "models/model.joblib" = "" }',
            "exclude.models/model.joblib: give the reason",
        ),
        ('exclude = { "elsewhere" = "why" }', "elsewhere is not a declared output"),
        ("vary = { weather = true }", "vary.weather: unknown variation"),
        ("vary = { umask = 0 }", "vary.umask: give true or false"),
    ],
)
def test_load_settings_rejects_bad_table_in_one_line(tmp_path, table, message):
    (tmp_path / "pyproject.toml").write_text(f"{ENTRY}[tool.repro]\n{table}\n")
    with pytest.raises(ReproError, match=message):
        load_settings(tmp_path / "pyproject.toml", VARIATION_NAMES)


def test_load_settings_excluded_output_is_not_compared(tmp_path):
    output = stage_outputs()[-1]
    (tmp_path / "pyproject.toml").write_text(f"{ENTRY}[tool.repro]\n{exclude([output])}\n")
    assert output not in load_settings(tmp_path / "pyproject.toml").outputs


def test_launch_control_and_varied_differ_in_every_variation():
    variations = [v for v in build_variations() if not v.unavailable]
    control = launch(variations, set(), {"HOME": "/home/me"})
    for variation in variations:
        one = launch(variations, {variation.name}, {"HOME": "/home/me"})
        assert one != control, variation.name


def test_file_order_shim_reverses_python_listings(tmp_path):
    for name in ("a", "b", "c"):
        write(tmp_path, f"listed/{name}")
    code = "import os; print(os.listdir('listed'), [e.name for e in os.scandir('listed')])"
    for order, expected in (("sorted", "abc"), ("reversed", "cba")):
        env = {"PYTHONPATH": str(SHIM), "REPRO_FILE_ORDER": order, "PATH": ""}
        done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                              capture_output=True, text=True, check=True)  # fmt: skip
        assert done.stdout.split() == [str(list(expected)).replace(" ", "")] * 2 or (
            done.stdout.strip() == f"{list(expected)} {list(expected)}"
        ), order


def test_copy_project_takes_work_tree_and_raw_data_but_no_outputs(tmp_path):
    root, target = tmp_path / "project", tmp_path / "copy"
    ignored = ["/data/*/*", "!/data/*/.gitkeep", "/models/*", "!/models/.gitkeep", "/notes.txt"]
    write(root, ".gitignore", "\n".join(ignored))
    write(root, "src/pkg/a.py", "committed")
    write(root, "data/raw/input.csv", "1")
    write(root, "data/processed/old.csv", "stale")
    write(root, "models/.gitkeep")
    write(root, "models/model.bin", "stale")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    (root / "src/pkg/a.py").write_text("edited, not committed")
    write(root, "src/pkg/new.py", "untracked")
    write(root, "notes.txt", "ignored")
    copy_project(root, target, ["models", "data/processed", "data/raw/input.csv"], reverse=True)
    copied = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert copied == {".gitignore", "src/pkg/a.py", "src/pkg/new.py", "data/raw/input.csv",
                      "models/.gitkeep"}  # fmt: skip
    assert (target / "src/pkg/a.py").read_text() == "edited, not committed"


def test_copy_project_outside_git_leaves_out_environments_and_produced_data(tmp_path):
    root, target = tmp_path / "project", tmp_path / "copy"
    for relative in ("src/pkg/a.py", "data/raw/in.csv", "data/interim/x.csv", ".nox/s/bin/python",
                     "models/model.bin", ".env"):  # fmt: skip
        write(root, relative, "x")
    copy_project(root, target, ["models"])
    copied = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert copied == {"src/pkg/a.py", "data/raw/in.csv"}


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_workspace_is_removed_on_error_and_interrupt(private_tmp, error):
    with pytest.raises(error), Workspace("x-") as workspace:
        write(workspace.path, "a/b.txt", "x")
        raise error()
    assert not list(private_tmp.iterdir())


SETTINGS = '[tool.repro]\noutputs = ["extra.txt"]\nkinds = { "reports/metrics.json" = "numeric" }\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project whose pipeline is replaced by `value(launch)` written into every output."""
    root = tmp_path / "project"
    write(root, "pyproject.toml", ENTRY + SETTINGS)
    monkeypatch.chdir(root)
    made = {"value": lambda conditions: "1"}

    def fake_pipelines(runs, command):
        for _label, conditions, copy in runs:
            for output in [*stage_outputs(), "extra.txt"]:
                write(copy, output, "0")
            write(copy, "extra.txt", made["value"](conditions))
            write(copy, "reports/metrics.json", json.dumps({"accuracy": 0.5}))

    monkeypatch.setattr(repro, "run_pipelines", fake_pipelines)
    return made


def test_main_passes_when_runs_agree_and_keeps_the_figure(project, private_tmp, capsys):
    assert repro.main([]) == 0
    out = capsys.readouterr().out
    count = len(stage_outputs()) + 1
    assert f"{count} of {count} declared outputs identical across" in out.splitlines()[-1]
    record = json.loads(Path("reports/repro.json").read_text())
    assert record["check"]["identical"] == count
    assert not list(private_tmp.iterdir())


def test_main_rewrites_the_same_record_when_nothing_changed(project):
    assert repro.main([]) == 0
    first = Path("reports/repro.json").read_bytes()
    assert repro.main([]) == 0
    assert Path("reports/repro.json").read_bytes() == first


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        (lambda c: c.env["PYTHONHASHSEED"], "hash_seed"),
        (lambda c: c.env["TZ"], "timezone"),
        (lambda c: str(c.umask), "umask"),
        (lambda c: str(c.reverse_order), "file_order"),
        (lambda c: c.env.get("SOURCE_DATE_EPOCH", ""), "clock"),
        (lambda c: c.folder, "path"),
    ],
)
def test_main_names_the_variation_that_changes_an_output(
    project, private_tmp, capsys, value, cause
):
    project["value"] = value
    assert repro.main([]) == 1
    out = capsys.readouterr().out
    assert "NOT REPRODUCIBLE: 1 output file(s) differ" in out
    assert "cause: extra.txt differs when only" in out and f"): {cause}" in out
    assert json.loads(Path("reports/repro.json").read_text())["check"]["causes"] == {
        "extra.txt": cause
    }
    assert not list(private_tmp.iterdir())


def test_main_names_a_difference_with_nothing_varied(project, capsys):
    counter = iter(range(100))
    project["value"] = lambda c: str(next(counter))
    assert repro.main([]) == 1
    assert "extra.txt differs between two runs with nothing varied" in capsys.readouterr().out


def test_main_no_bisect_skips_the_reruns(project, capsys):
    project["value"] = lambda c: c.env["PYTHONHASHSEED"]
    assert repro.main(["--no-bisect"]) == 1
    out = capsys.readouterr().out
    assert "Bisecting" not in out and "rerun without --no-bisect" in out


def test_main_reports_drift_from_reference_apart_from_reruns(project, capsys):
    assert repro.main(["--update-reference"]) == 0
    reference = json.loads(Path("reports/repro.json").read_text())["reference"]
    assert "extra.txt" in reference["files"]
    assert reference["values"] == {"reports/metrics.json": {"accuracy": 0.5}}
    project["value"] = lambda c: "2"
    capsys.readouterr()
    assert repro.main([]) == 3
    out = capsys.readouterr().out
    assert "REPRODUCIBLE: the control run" in out
    assert "DRIFT FROM REFERENCE: 1 output(s) differ from reports/repro.json: extra.txt" in out


def test_main_runs_the_command_in_each_copy_with_its_hash_seed(tmp_path, monkeypatch, capsys):
    script = "import os, pathlib; p = pathlib.Path('extra'); p.mkdir(); " + (
        "(p / 'seed.txt').write_text(os.environ['PYTHONHASHSEED'])"
    )
    root = tmp_path / "project"
    table = f'outputs = ["extra"]\ncommand = ["python", "-c", "{script}"]\n'
    write(root, "pyproject.toml", f"{ENTRY}[tool.repro]\n{table}{exclude(stage_outputs())}\n")
    monkeypatch.chdir(root)
    assert repro.main(["--no-bisect"]) == 1
    assert "differ between the control and the varied run: extra/seed.txt" in (
        capsys.readouterr().out
    )
    assert not (root / "extra").exists()


def test_main_failing_run_stops_the_check_and_leaves_nothing(
    tmp_path, monkeypatch, capsys, private_tmp
):
    root = tmp_path / "project"
    write(
        root, "pyproject.toml", ENTRY + '[tool.repro]\ncommand = ["python", "-c", "print(1 / 0)"]\n'
    )
    monkeypatch.chdir(root)
    assert repro.main([]) == 2
    captured = capsys.readouterr()
    failed = re.search(
        r"(control run|varied run) failed \(exit 1\); its output is above", captured.err
    )
    assert failed, captured.err  # both fail: the first to end is named, its output shown
    assert f"[{failed.group(1)}] ZeroDivisionError" in captured.out
    assert not list(private_tmp.iterdir())


def write_and_wait(folder, count):
    """A run command: mark this run in `folder`, then wait (at most 20 s) for `count` marks."""
    code = (
        f"import os, pathlib, time; f = pathlib.Path({str(folder)!r}); "
        "(f / os.environ['PYTHONHASHSEED']).touch(); "
        "end = time.time() + 20\n"
        f"while len(list(f.iterdir())) < {count} and time.time() < end: time.sleep(0.05)\n"
        f"raise SystemExit(len(list(f.iterdir())) < {count})"
    )
    return json.dumps(["python", "-c", code])


def test_main_runs_control_and_varied_at_once(tmp_path, monkeypatch, capsys):
    marks = tmp_path / "marks"
    marks.mkdir()
    root = tmp_path / "project"
    table = f"command = {write_and_wait(marks, 2)}\n{exclude(stage_outputs())}\n"
    write(root, "pyproject.toml", f'{ENTRY}[tool.repro]\noutputs = ["x"]\n{table}')
    monkeypatch.chdir(root)
    repro.main(["--no-bisect"])  # NOT CHECKED: nothing writes x; both runs must have ended well
    out = capsys.readouterr().out
    assert "control run finished in" in out and "varied run finished in" in out
    assert sorted(p.name for p in marks.iterdir()) == ["1", "2"]  # PYTHONHASHSEED of each


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="the cpus variation needs 2 CPUs")
def test_main_pins_the_control_run_to_half_the_cpus_and_lowers_the_varied_one(
    tmp_path, monkeypatch
):
    marks = tmp_path / "marks"
    marks.mkdir()
    code = (
        f"import os, pathlib; f = pathlib.Path({str(marks)!r}) / os.environ['PYTHONHASHSEED']; "
        "f.write_text(f'{len(os.sched_getaffinity(0))} {os.nice(0)}')"
    )
    root = tmp_path / "project"
    table = f"command = {json.dumps(['python', '-c', code])}\n{exclude(stage_outputs())}\n"
    write(root, "pyproject.toml", f'{ENTRY}[tool.repro]\noutputs = ["x"]\n{table}')
    monkeypatch.chdir(root)
    repro.main(["--no-bisect"])
    every, base = len(os.sched_getaffinity(0)), os.nice(0)
    assert (marks / "1").read_text() == f"{every // 2} {base}"  # the control run
    assert (marks / "2").read_text() == f"{every} {min(base + 10, 19)}"  # the varied run


def test_main_runs_one_after_the_other_when_the_path_is_not_varied(tmp_path, monkeypatch, capsys):
    marks = tmp_path / "marks"
    marks.mkdir()
    root = tmp_path / "project"
    table = f"command = {write_and_wait(marks, 1)}\n{exclude(stage_outputs())}\n"
    settings = f'[tool.repro]\noutputs = ["x"]\n{table}[tool.repro.vary]\npath = false\n'
    write(root, "pyproject.toml", ENTRY + settings)
    monkeypatch.chdir(root)
    repro.main(["--no-bisect"])
    out = capsys.readouterr().out
    assert out.index("control run finished in") < out.index("varied run: in ")


def test_main_failing_run_stops_the_other(tmp_path, monkeypatch, capsys, private_tmp):
    marks = tmp_path / "marks"
    marks.mkdir()
    code = (
        "import os, pathlib, time; seed = os.environ['PYTHONHASHSEED']; "
        f"f = pathlib.Path({str(marks)!r}); (f / ('started' + seed)).touch()\n"
        "if seed == '1': raise SystemExit(3)\n"
        "time.sleep(30); (f / 'finished').touch()"
    )
    root = tmp_path / "project"
    write(
        root,
        "pyproject.toml",
        f"{ENTRY}[tool.repro]\ncommand = {json.dumps(['python', '-c', code])}\n",
    )
    monkeypatch.chdir(root)
    assert repro.main([]) == 2
    assert "control run failed (exit 3)" in capsys.readouterr().err
    assert not (marks / "finished").exists()
    assert not list(private_tmp.iterdir())


def test_main_interrupted_leaves_nothing(project, monkeypatch, private_tmp, capsys):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(repro, "run_pipelines", interrupted)
    assert repro.main([]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not list(private_tmp.iterdir())


def test_main_settings_error_is_one_line(tmp_path, monkeypatch, capsys):
    write(tmp_path, "pyproject.toml", ENTRY + "[tool.repro]\nouputs = []\n")
    monkeypatch.chdir(tmp_path)
    assert repro.main([]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_repro_stopped_by_sigterm_removes_its_copies(tmp_path, private_tmp):
    root = tmp_path / "project"
    command = '["python", "-c", "import time; time.sleep(60)"]'
    table = f'outputs = ["x"]\ncommand = {command}\n{exclude(stage_outputs())}\n'
    write(root, "pyproject.toml", f"{ENTRY}[tool.repro]\n{table}")
    process = subprocess.Popen(
        [sys.executable, "-m", "mlreprokit.repro"],
        cwd=root,
        env={**os.environ, "TMPDIR": str(private_tmp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stdout:
        if line.startswith("control run: in "):
            break
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert not list(private_tmp.iterdir())


@pytest.mark.parametrize(("minimum", "status"), [(0.9, 4), (0.4, 0)])
def test_main_holds_the_control_run_to_the_gate_ci_runs(project, capsys, minimum, status):
    params = yaml.safe_load((PROJECT / "params.yaml").read_text())
    params["gate"] = {"minimum": {"accuracy": minimum}, "maximum": {}, "max_drop": 0.02}
    Path("params.yaml").write_text(yaml.safe_dump(params))
    assert repro.main([]) == status
    out = capsys.readouterr().out
    failed = "QUALITY GATE FAILED" in out and "accuracy 0.5000 is 0.4000 below its minimum" in out
    assert failed == (status == 4)
