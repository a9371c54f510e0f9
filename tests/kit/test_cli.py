import argparse
import json
import re

import pandas as pd
import pytest
from mlreprokit.cli import Command, main, run_stages
from mlreprokit.errors import ProjectError
from mlreprokit.hashing import sha256_tree
from mlreprokit.paths import MANIFEST, METRICS, PARAMS, RAW_DATA
from mlreprokit.project import Pipeline


def test_main_runs_one_stage_in_working_directory(project):
    assert main(["--params", "params.yaml", "data"]) == 0
    assert (project / RAW_DATA).exists()
    assert not (project / METRICS).exists()


def test_main_reports_bad_params_in_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "params.yaml").write_text("seed: zero\n")
    monkeypatch.chdir(tmp_path)
    assert main(["data"]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_main_missing_input_says_which_stage_to_run(project, capsys):
    assert main(["train"]) == 2
    assert "run the earlier stages first" in capsys.readouterr().err


def test_main_broken_raw_data_stops_with_report_before_training(project, schema, capsys):
    assert main(["data"]) == 0
    raw = pd.read_csv(project / RAW_DATA)
    dropped = schema.features[0].name
    raw.drop(columns=dropped).to_csv(project / RAW_DATA, index=False)
    assert main(["features"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: data/raw/data.csv does not match its schema (1 problem):",
        f"  column {dropped!r}: missing",
    ]
    assert not (project / "data/processed").exists()


def test_main_bad_hyperparameter_is_one_line(project, capsys):
    params = project / "params.yaml"
    text = re.sub(r"(?m)^  kind: .*$", "  kind: no_such_kind", params.read_text(), count=1)
    params.write_text(text)
    assert main(["train"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: model.kind must be one of ") and err.count("\n") == 1


def test_main_all_prints_the_metrics_it_computed(project, capsys):
    assert main(["all"]) == 0
    out = capsys.readouterr().out
    metrics = json.loads((project / METRICS).read_text())
    assert f"metrics ({METRICS}):" in out
    for name in metrics:
        assert f"  {name}: " in out


def test_main_reports_any_project_error_in_one_line(capsys):
    def fail(args):
        raise ProjectError("column 'x': 3 rows are null")

    assert main(["all"], {"all": Command("fails", fail)}) == 2
    assert capsys.readouterr().err == "error: column 'x': 3 rows are null\n"


def test_run_stages_returns_the_manifest_it_wrote(project, config):
    args = argparse.Namespace(command="data", params=PARAMS)
    manifest = run_stages(args, config)  # the caller's config: params.yaml is not read again
    assert manifest == json.loads((project / MANIFEST).read_text())
    assert manifest["seed"] == config.seed


def test_main_interrupted_is_one_line_and_exit_130(capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    assert main(["all"], {"all": Command("stops", interrupted)}) == 130
    err = capsys.readouterr().err
    assert err.startswith("interrupted") and err.count("\n") == 1


def test_run_stages_manifest_describes_the_data_the_run_fetched(project, config):
    args = argparse.Namespace(command="data", params=PARAMS)
    manifest = run_stages(args, config)
    assert manifest["data_raw_sha256"] == sha256_tree(project / "data" / "raw") is not None


def test_run_stages_that_stop_leave_no_manifest_of_an_earlier_run(project, config, monkeypatch):
    run_stages(argparse.Namespace(command="data", params=PARAMS), config)
    assert (project / MANIFEST).exists()

    def interrupted(self, names, config, root):
        raise KeyboardInterrupt

    monkeypatch.setattr(Pipeline, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_stages(argparse.Namespace(command="all", params=PARAMS), config)
    assert not (project / MANIFEST).exists()


class RecordingTracker:
    """A tracker that notes what the runner told it, in order."""

    def __init__(self, fail_start: bool = False) -> None:
        self.calls: list[tuple[str, object]] = []
        self.fail_start = fail_start

    def start(self, config, command):
        self.calls.append(("start", command))
        if self.fail_start:
            raise ProjectError("tracking store x is not usable")

    def log_manifest(self, manifest):
        self.calls.append(("manifest", manifest["seed"]))

    def log_outputs(self, stages, root):
        self.calls.append(("outputs", stages))

    def end(self, error):
        self.calls.append(("end", type(error).__name__ if error else None))


def test_run_stages_tells_the_tracker_start_manifest_outputs_end(project, config):
    tracker = RecordingTracker()
    run_stages(argparse.Namespace(command="data", params=PARAMS), config, tracker)
    assert tracker.calls == [
        ("start", "data"),
        ("manifest", config.seed),
        ("outputs", ["data"]),
        ("end", None),
    ]


def test_run_stages_tracker_that_cannot_start_runs_no_stage(project, config):
    tracker = RecordingTracker(fail_start=True)
    with pytest.raises(ProjectError):
        run_stages(argparse.Namespace(command="data", params=PARAMS), config, tracker)
    assert tracker.calls == [("start", "data")] and not (project / RAW_DATA).exists()


def test_run_stages_failed_stage_ends_the_tracked_run_failed(project, config, monkeypatch):
    def interrupted(self, names, config, root):
        raise KeyboardInterrupt

    monkeypatch.setattr(Pipeline, "run", interrupted)
    tracker = RecordingTracker()
    with pytest.raises(KeyboardInterrupt):
        run_stages(argparse.Namespace(command="all", params=PARAMS), config, tracker)
    assert tracker.calls == [("start", "all"), ("end", "KeyboardInterrupt")]
