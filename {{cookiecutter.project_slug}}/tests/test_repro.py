import json
import subprocess
from pathlib import Path

import pytest

from {{ cookiecutter.module_name }} import repro
from {{ cookiecutter.module_name }}.compare import Difference, under
from {{ cookiecutter.module_name }}.paths import MANIFEST

PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"
SETTINGS = """
[tool.repro]
outputs = ["models", "reports/metrics.json"]
metrics = ["reports/metrics.json"]
"""


def write(root, relative, text=""):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_load_settings_reads_this_projects_outputs_but_not_the_manifest():
    settings = repro.load_settings(PYPROJECT)
    assert "models" in settings.outputs
    assert settings.metrics == ["reports/metrics.json"]
    declared = [*settings.outputs, *settings.metrics]
    assert not any(under(MANIFEST.as_posix(), output) for output in declared)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('outputs = ["models"]\ncolour = 1', "colour: unknown key"),
        ('outputs = "models"', "outputs: wrong type"),
        ("outputs = []", "list at least one output"),
        ('outputs = ["models"]\ncommand = []', "command: give the command"),
        ('outputs = ["models"]\nrel_tol = -1', "0 or more"),
    ],
)
def test_load_settings_rejects_bad_table_in_one_line(tmp_path, table, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.repro]\n{table}\n")
    with pytest.raises(repro.ReproError, match=message):
        repro.load_settings(tmp_path / "pyproject.toml")


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
    repro.copy_project(root, target, ["models", "data/processed"])
    copied = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert copied == {".gitignore", "src/pkg/a.py", "src/pkg/new.py", "data/raw/input.csv",
                      "models/.gitkeep"}  # fmt: skip
    assert (target / "src/pkg/a.py").read_text() == "edited, not committed"


def test_copy_project_outside_git_leaves_out_environments_and_produced_data(tmp_path):
    root, target = tmp_path / "project", tmp_path / "copy"
    for relative in ("src/pkg/a.py", "data/raw/in.csv", "data/interim/x.csv", ".nox/s/bin/python",
                     "models/model.bin", ".env"):  # fmt: skip
        write(root, relative, "x")
    repro.copy_project(root, target, ["models"])
    copied = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert copied == {"src/pkg/a.py", "data/raw/in.csv"}


def test_run_environments_differ_in_seed_threads_and_place(tmp_path):
    first, second = (run.environment(tmp_path / run.folder) for run in repro.RUNS)
    for name in ("PYTHONHASHSEED", "OMP_NUM_THREADS", "PYTHONPATH"):
        assert first[name] != second[name], name
    assert first["PYTHONPATH"] == str(tmp_path / "a" / "src")


def test_likely_causes_spots_paths_and_dates(tmp_path):
    copy = tmp_path / "run"
    write(copy, "models/a.txt", f"trained in {copy}")
    write(copy, "reports/b.txt", f"made {repro.date.today().isoformat()}")
    write(copy, "reports/c.txt", "3")
    differences = [Difference(p, "different") for p in ("models/a.txt", "reports/b.txt",
                                                         "reports/c.txt")]  # fmt: skip
    hints = repro.likely_causes(differences, [copy])
    assert "models/a.txt contains its run's directory" in hints[0]
    assert "reports/b.txt contains today's date" in hints[1]
    assert hints[2].startswith("reports/c.txt: the runs differed")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project whose pipeline is replaced by `outputs(run)` writing into the run's copy."""
    write(tmp_path, "pyproject.toml", SETTINGS)
    monkeypatch.chdir(tmp_path)
    made = {"value": lambda run: "1"}

    def fake_pipeline(run, copy, command):
        write(copy, "models/model.bin", made["value"](run))
        write(copy, "reports/metrics.json", json.dumps({"accuracy": 0.5}))

    monkeypatch.setattr(repro, "run_pipeline", fake_pipeline)
    return made


def test_main_passes_when_runs_agree(project, capsys):
    assert repro.main([]) == 0
    assert "REPRODUCIBLE" in capsys.readouterr().out


def test_main_fails_naming_the_output_that_differs(project, capsys):
    project["value"] = lambda run: str(run.hash_seed)
    assert repro.main([]) == 1
    out = capsys.readouterr().out
    assert "models/model.bin                             DIFFERENT" in out
    assert "NOT REPRODUCIBLE: 1 output(s) differ between two fresh runs: models/model.bin" in out


def test_main_reports_drift_from_reference_apart_from_reruns(project, tmp_path, capsys):
    assert repro.main(["--update-reference"]) == 0
    reference = json.loads((tmp_path / repro.REFERENCE).read_text())
    assert list(reference["files"]) == ["models/model.bin"]
    assert reference["metrics"] == {"reports/metrics.json": {"accuracy": 0.5}}
    project["value"] = lambda run: "2"
    capsys.readouterr()
    assert repro.main([]) == 3
    out = capsys.readouterr().out
    assert "REPRODUCIBLE: two fresh runs" in out
    assert "DRIFT FROM REFERENCE: 1 output(s) differ from reports/repro.json: models" in out


def test_main_runs_the_command_in_each_copy_with_its_hash_seed(tmp_path, monkeypatch, capsys):
    script = "import os, pathlib; p = pathlib.Path('models'); p.mkdir(); " + (
        "(p / 'seed.txt').write_text(os.environ['PYTHONHASHSEED'])"
    )
    write(
        tmp_path,
        "pyproject.toml",
        f'[tool.repro]\noutputs = ["models"]\ncommand = ["python", "-c", "{script}"]\n',
    )
    monkeypatch.chdir(tmp_path)
    assert repro.main([]) == 1
    assert "NOT REPRODUCIBLE: 1 output(s) differ between two fresh runs: models/seed.txt" in (
        capsys.readouterr().out
    )
    assert not (tmp_path / "models").exists()


def test_main_failing_run_stops_the_check(tmp_path, monkeypatch, capsys):
    command = '["python", "-c", "print(1 / 0)"]'
    write(tmp_path, "pyproject.toml", f'[tool.repro]\noutputs = ["models"]\ncommand = {command}\n')
    monkeypatch.chdir(tmp_path)
    assert repro.main([]) == 2
    captured = capsys.readouterr()
    assert "[run 1] ZeroDivisionError" in captured.out
    assert "run 1 failed (exit 1)" in captured.err


def test_main_settings_error_is_one_line(tmp_path, monkeypatch, capsys):
    write(tmp_path, "pyproject.toml", "[tool.repro]\nouputs = []\n")
    monkeypatch.chdir(tmp_path)
    assert repro.main([]) == 2
    assert capsys.readouterr().err.count("\n") == 1
