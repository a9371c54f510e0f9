import shutil
from pathlib import Path

from {{ cookiecutter.module_name }}.cli import main
from {{ cookiecutter.module_name }}.paths import METRICS, RAW_DATA

PROJECT_PARAMS = Path(__file__).parents[1] / "params.yaml"


def test_main_runs_one_stage_in_working_directory(tmp_path, monkeypatch):
    shutil.copy(PROJECT_PARAMS, tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["--params", "params.yaml", "data"]) == 0
    assert (tmp_path / RAW_DATA).exists()
    assert not (tmp_path / METRICS).exists()


def test_main_reports_bad_params_in_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "params.yaml").write_text("seed: zero\n")
    monkeypatch.chdir(tmp_path)
    assert main(["data"]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_main_missing_input_says_which_stage_to_run(tmp_path, monkeypatch, capsys):
    shutil.copy(PROJECT_PARAMS, tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["train"]) == 2
    assert "run the earlier stages first" in capsys.readouterr().err
