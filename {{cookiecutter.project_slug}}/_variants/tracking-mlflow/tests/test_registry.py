import mlflow
import pandas as pd
import pytest
import yaml

from {{ cookiecutter.module_name }} import registry
from {{ cookiecutter.module_name }}.cli import main
from {{ cookiecutter.module_name }}.commands import tracked_commands
from {{ cookiecutter.module_name }}.paths import TEST_DATA
from test_commands import small_project  # tests/ is on sys.path (pytest prepend mode)

pytestmark = pytest.mark.slow  # two tracked pipeline runs, then the registry


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project with two tracked pipeline runs in its own store; yields (root, model name)."""
    root = small_project(tmp_path_factory.mktemp("registry"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
        assert main(["all"], tracked_commands()) == 0
        assert main(["all"], tracked_commands()) == 0
        yield root, yaml.safe_load((root / "params.yaml").read_text())["tracking"]["model_name"]


def alias_version(name: str, alias: str) -> int:
    return int(mlflow.MlflowClient().get_model_version_by_alias(name, alias).version)


def test_register_latest_run_moves_challenger_with_a_card(project):
    root, name = project
    assert main(["register"], tracked_commands()) == 0
    version = mlflow.MlflowClient().get_model_version_by_alias(name, "challenger")
    latest = mlflow.search_runs(experiment_names=[name], order_by=["attributes.start_time DESC"])
    assert version.run_id == latest["run_id"][0]
    assert version.run_id in version.description
    card = mlflow.artifacts.load_text(
        f"runs:/{version.run_id}/model_cards/{name}-v{version.version}.md"
    )
    assert "data_raw_sha256" in card and "accuracy" in card
    assert version.description == card  # the card is what the registry shows for the version
    run = mlflow.get_run(version.run_id)
    assert version.tags["metrics.accuracy"] == f"{run.data.metrics['accuracy']:.6g}"
    assert version.tags["model_card"].endswith(f"model_cards/{name}-v{version.version}.md")
    for section in ("## Metrics (test split)", "## Data", "## Origin", "## Parameters"):
        assert section in card
    assert "| accuracy |" in card and "| training | train |" in card


def test_register_again_promotes_without_a_new_version(project):
    _, name = project
    assert main(["register"], tracked_commands()) == 0
    assert main(["register", "--alias", "champion"], tracked_commands()) == 0
    assert alias_version(name, "champion") == alias_version(name, "challenger")


def test_register_version_rolls_back_an_alias(project):
    _, name = project
    assert main(["register"], tracked_commands()) == 0  # the latest run has a version
    latest = alias_version(name, "challenger")
    older = mlflow.search_runs(experiment_names=[name], order_by=["attributes.start_time ASC"])[
        "run_id"
    ][0]
    assert main(["register", "--run-id", older, "--alias", "champion"], tracked_commands()) == 0
    assert alias_version(name, "champion") != latest  # the older run has a version of its own
    rollback = ["register", "--alias", "champion", "--version", str(latest)]
    assert main(rollback, tracked_commands()) == 0
    assert alias_version(name, "champion") == latest


def test_register_unknown_run_says_so(project, capsys):
    assert main(["register", "--run-id", "0" * 32], tracked_commands()) == 2
    assert "not found" in capsys.readouterr().err


def test_predict_writes_one_prediction_per_row(project, tmp_path):
    root, name = project
    assert main(["register", "--alias", "champion"], tracked_commands()) == 0
    output = tmp_path / "predictions.csv"
    assert (
        main(["predict", str(root / TEST_DATA), "--output", str(output)], tracked_commands()) == 0
    )
    predictions = pd.read_csv(output)["prediction"]
    assert len(predictions) == len(pd.read_csv(root / TEST_DATA))


def test_predict_unknown_alias_fails_in_one_line(project, tmp_path, capsys):
    root, name = project
    code = main(
        ["predict", str(root / TEST_DATA), "--model", f"models:/{name}@nobody"], tracked_commands()
    )
    assert code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_description_cuts_long_cards_and_says_where_the_rest_is():
    assert registry.description("# short card\n") == "# short card\n"
    cut = registry.description("x" * 9000)
    assert len(cut) == registry.MAX_DESCRIPTION
    assert cut.endswith("the whole card is the artifact in the version's `model_card` tag)")
