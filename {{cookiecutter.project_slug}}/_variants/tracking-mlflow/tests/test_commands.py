import json
from pathlib import Path

import mlflow
import pytest
import yaml

from {{ cookiecutter.module_name }}.cli import main
from {{ cookiecutter.module_name }}.commands import tracked_commands
from {{ cookiecutter.module_name }}.paths import METRICS
from {{ cookiecutter.module_name }}.pipeline import STAGE_NAMES
from {{ cookiecutter.module_name }}.synthetic import make_project

PROJECT = Path(__file__).parents[1]


def small_project(root: Path, **tracking: object) -> Path:
    """A project root on the synthetic data, with a small model and `tracking` overrides."""
    make_project(root, PROJECT)
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["tracking"].update(tracking)
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    return root


@pytest.fixture(scope="module")
def tracked_run(tmp_path_factory):
    """Run the whole pipeline once with tracking into a store of its own; return the run."""
    root = small_project(tmp_path_factory.mktemp("tracked"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
        assert main(["all"], tracked_commands()) == 0
        experiment = mlflow.get_experiment_by_name(
            yaml.safe_load((root / "params.yaml").read_text())["tracking"]["experiment"]
        )
        (run,) = mlflow.MlflowClient().search_runs([experiment.experiment_id])
        yield root, run


def test_tracked_run_logs_params_seed_and_metrics(tracked_run):
    root, run = tracked_run
    assert run.data.params["seed"] == "0"
    assert run.data.params["model.n_estimators"] == "10"
    assert run.data.metrics == pytest.approx(json.loads((root / METRICS).read_text()))


def test_tracked_run_tags_the_manifest(tracked_run):
    root, run = tracked_run
    manifest = json.loads((root / "reports/manifest.json").read_text())
    assert run.data.tags["params_sha256"] == manifest["params_sha256"]
    assert run.data.tags["python"] == manifest["python"]
    assert len(run.data.tags["data_raw_sha256"]) == 64
    assert run.data.tags["command"] == "all"


def test_tracked_run_logs_a_model_that_predicts(tracked_run):
    _, run = tracked_run
    model = mlflow.pyfunc.load_model(run.data.tags["model_uri"])
    assert model.metadata.signature is not None
    example = model.input_example
    assert len(model.predict(example)) == len(example)


def test_no_track_runs_without_a_store(tmp_path, monkeypatch):
    monkeypatch.chdir(small_project(tmp_path))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # would fail if contacted
    assert main(["all", "--no-track"], tracked_commands()) == 0
    assert (tmp_path / METRICS).exists()


def test_tracking_disabled_in_params_runs_without_a_store(tmp_path, monkeypatch):
    monkeypatch.chdir(small_project(tmp_path, enabled=False))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    assert main(["data"], tracked_commands()) == 0
    assert main(["register"], tracked_commands()) == 2


def test_unreachable_store_stops_before_any_stage(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(small_project(tmp_path))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    assert main(["all"], tracked_commands()) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "http://127.0.0.1:9" in error
    assert not (tmp_path / "data" / "raw").exists()


def test_mlproject_has_an_entry_point_per_stage():
    entry_points = yaml.safe_load((PROJECT / "MLproject").read_text())["entry_points"]
    assert set(entry_points) == {"main", "all", "tune", *STAGE_NAMES}
    for name, entry in entry_points.items():
        assert entry["command"].split()[-1] == ("all" if name == "main" else name)


def test_env_example_sets_nothing():
    lines = (PROJECT / ".env.example").read_text().splitlines()
    assert all(line.startswith("#") or not line.strip() for line in lines)
