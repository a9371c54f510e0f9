import json
import shutil
from pathlib import Path

import pandas as pd

from {{ cookiecutter.module_name }}.cli import Command, main
from {{ cookiecutter.module_name }}.errors import ProjectError
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


def test_main_broken_raw_data_stops_with_report_before_training(tmp_path, monkeypatch, capsys):
    shutil.copy(PROJECT_PARAMS, tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["data"]) == 0
    raw = pd.read_csv(tmp_path / RAW_DATA)
    raw.loc[0, "alcohol"] = 99.0
    raw.to_csv(tmp_path / RAW_DATA, index=False)
    assert main(["features"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: data/raw/wine.csv does not match its schema (1 problem):",
        "  column 'alcohol': 1 row above the maximum 16, e.g. 99.0",
    ]
    assert not (tmp_path / "data/processed").exists()


def test_main_all_prints_the_metrics_it_computed(tmp_path, monkeypatch, capsys):
    shutil.copy(PROJECT_PARAMS, tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["all"]) == 0
    out = capsys.readouterr().out
    metrics = json.loads((tmp_path / METRICS).read_text())
    assert f"metrics ({METRICS}):" in out
    for name in metrics:
        assert f"  {name}: " in out


def test_main_reports_any_project_error_in_one_line(capsys):
    def fail(args):
        raise ProjectError("column 'x': 3 rows are null")

    assert main(["all"], {"all": Command("fails", fail)}) == 2
    assert capsys.readouterr().err == "error: column 'x': 3 rows are null\n"
