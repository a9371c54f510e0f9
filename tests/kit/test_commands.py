import json
from pathlib import Path

import mlflow
import pytest
import yaml
from mlreprokit.cli import main
from mlreprokit.commands import commands as tracked_commands
from mlreprokit.paths import METRICS
from mlreprokit.synthetic import make_project

from .conftest import PIPELINE
from .toy import PROJECT


def model_kind(root) -> str:
    return yaml.safe_load((root / "params.yaml").read_text())["model"]["kind"]


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


@pytest.mark.slow  # a whole tracked pipeline run
def test_tracked_run_logs_params_seed_and_metrics(tracked_run):
    root, run = tracked_run
    assert run.data.params["seed"] == "0"
    assert run.data.params["model.kind"] == model_kind(root)
    assert run.data.metrics == pytest.approx(json.loads((root / METRICS).read_text()))


@pytest.mark.slow  # a whole tracked pipeline run
def test_tracked_run_keeps_the_training_profile_monitor_compares_with(tracked_run):
    root, run = tracked_run
    logged = mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/profile.json")
    assert logged == (root / "models/profile.json").read_text()


@pytest.mark.slow  # a whole tracked pipeline run
def test_tracked_run_tags_the_manifest(tracked_run):
    root, run = tracked_run
    manifest = json.loads((root / "reports/manifest.json").read_text())
    assert run.data.tags["params_sha256"] == manifest["params_sha256"]
    assert run.data.tags["python"] == manifest["python"]
    assert len(run.data.tags["data_raw_sha256"]) == 64
    assert run.data.tags["command"] == "all"


@pytest.mark.slow  # a whole tracked pipeline run
def test_tracked_run_logs_a_model_that_predicts(tracked_run):
    root, run = tracked_run
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")  # an earlier test may have moved it
    model = mlflow.pyfunc.load_model(run.data.tags["model_uri"])
    assert model.metadata.signature is not None
    example = model.input_example
    assert len(model.predict(example)) == len(example)


@pytest.mark.slow  # a whole tracked pipeline run
def test_tracked_run_params_are_seed_data_and_model_only(tracked_run):
    _, run = tracked_run
    assert run.data.params
    for key in run.data.params:
        assert key == "seed" or key.startswith(("data.", "model.")), key


@pytest.mark.slow  # a whole tracked pipeline run
def test_tracked_run_is_named_after_its_command_and_commit(tracked_run):
    _, run = tracked_run
    assert run.data.tags["mlflow.runName"] == "all-no-commit"  # the test's root is not in git


@pytest.mark.slow  # a whole tracked pipeline run
def test_tracked_run_logs_the_splits_as_dataset_inputs(tracked_run):
    root, run = tracked_run
    inputs = {
        {tag.key: tag.value for tag in item.tags}["mlflow.data.context"]: item.dataset
        for item in run.inputs.dataset_inputs
    }
    assert set(inputs) == {"training", "evaluation"}
    assert (inputs["training"].name, inputs["evaluation"].name) == ("train", "test")
    assert "data/processed/train.csv" in inputs["training"].source
    assert inputs["training"].digest and inputs["training"].digest != inputs["evaluation"].digest


@pytest.mark.slow  # a whole tracked pipeline run
def test_tracked_model_environment_names_pip_without_its_version(tracked_run, tmp_path):
    # A uv-built environment has no pip, so MLflow could not pin it ("Failed to resolve...").
    root, run = tracked_run
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")  # an earlier test may have moved it
    model = Path(mlflow.artifacts.download_artifacts(run.data.tags["model_uri"], dst_path=tmp_path))
    conda = yaml.safe_load((model / "conda.yaml").read_text())
    assert "pip" in conda["dependencies"]
    [pip] = [entry["pip"] for entry in conda["dependencies"] if isinstance(entry, dict)]
    assert any(line.startswith("scikit-learn==") for line in pip)


def stage_by_stage(root: Path, patch: pytest.MonkeyPatch, **dvc: str) -> list:
    """Run each stage as `dvc repro` does, one process (here: call) each; return the runs."""
    patch.chdir(root)
    patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
    for name in PIPELINE.names:
        patch.setenv("DVC_STAGE", name)
        for key, value in dvc.items():
            patch.setenv(key, value)
        assert main([name], tracked_commands()) == 0
    return mlflow.search_runs(search_all_experiments=True, output_format="list")


def test_dvc_execution_is_one_run_with_params_model_and_metrics(tmp_path, monkeypatch):
    root = small_project(tmp_path)
    (run,) = stage_by_stage(root, monkeypatch)
    assert run.data.tags["command"] == "dvc repro"
    assert run.data.params["model.kind"] == model_kind(root)
    assert run.data.tags["model_uri"].startswith("models:/")
    assert run.data.metrics == pytest.approx(json.loads((root / METRICS).read_text()))


def test_dvc_experiment_run_is_named_and_tagged_after_the_experiment(tmp_path, monkeypatch):
    dvc = {"DVC_EXP_NAME": "deeper-trees", "DVC_EXP_BASELINE_REV": "a" * 40}
    (run,) = stage_by_stage(small_project(tmp_path), monkeypatch, **dvc)
    assert run.data.tags["dvc.experiment"] == "deeper-trees"
    assert run.data.tags["dvc.baseline"] == "a" * 40
    assert run.data.tags["mlflow.runName"] == "deeper-trees-no-commit"
    assert run.data.tags["command"] == "dvc exp run"


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
    assert set(entry_points) == {"main", "all", "tune", *PIPELINE.names}
    for name, entry in entry_points.items():
        assert entry["command"].split()[-1] == ("all" if name == "main" else name)


def test_env_example_sets_nothing():
    lines = (PROJECT / ".env.example").read_text().splitlines()
    assert all(line.startswith("#") or not line.strip() for line in lines)


@pytest.mark.slow  # a pipeline run and a monitored batch
def test_tracked_monitor_is_a_run_with_drift_scores_and_the_report(tmp_path, monkeypatch):
    root = small_project(tmp_path / "project")
    monkeypatch.chdir(root)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
    assert main(["all", "--no-track"], tracked_commands()) == 0
    assert main(["monitor", "--no-track"], tracked_commands()) == 0
    assert main(["monitor"], tracked_commands()) == 0  # data.source as trained on: no drift
    experiment = yaml.safe_load((root / "params.yaml").read_text())["tracking"]["experiment"]
    client = mlflow.MlflowClient()
    (run,) = client.search_runs([mlflow.get_experiment_by_name(experiment).experiment_id])
    assert run.data.tags["command"] == "monitor" and run.data.tags["drift"] == "False"
    assert run.data.metrics["drift"] == 0.0 and 0.0 <= run.data.metrics["drift.share"] < 0.5
    assert "drift.prediction" in run.data.metrics
    logged = [item.path for item in client.list_artifacts(run.info.run_id, "monitoring")]
    assert logged == ["monitoring/source.json", "monitoring/source.png"]
