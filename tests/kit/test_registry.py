import json

import mlflow
import pandas as pd
import pytest
import yaml
from mlreprokit import registry
from mlreprokit.cli import main
from mlreprokit.commands import commands as tracked_commands
from mlreprokit.paths import METRICS, SCHEMA, TEST_DATA
from mlreprokit.predict import row_keys
from mlreprokit.schema import Column, Schema, load_schema

from .test_commands import small_project

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
    metric = sorted(json.loads((root / METRICS).read_text()))[0]
    assert "data_raw_sha256" in card and f"| {metric} |" in card
    assert version.description == card  # the card is what the registry shows for the version
    run = mlflow.get_run(version.run_id)
    assert version.tags[f"metrics.{metric}"] == f"{run.data.metrics[metric]:.6g}"
    assert version.tags["model_card"].endswith(f"model_cards/{name}-v{version.version}.md")
    for section in ("## Metrics (test split)", "## Data", "## Origin", "## Parameters"):
        assert section in card
    assert "| training | train |" in card


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
    predictions, rows = pd.read_csv(output), pd.read_csv(root / TEST_DATA)
    schema = load_schema(root / SCHEMA)
    key = schema.id or "row"
    assert list(predictions.columns) == [key, "prediction"]
    expected = rows[schema.id] if schema.id else range(len(rows))
    assert predictions[key].astype(str).tolist() == [str(value) for value in expected]


def test_predict_names_missing_and_unknown_columns(project, tmp_path, capsys):
    root, _ = project
    rows = pd.read_csv(root / TEST_DATA)
    feature = load_schema(root / SCHEMA).features[0].name
    rows.drop(columns=feature).to_csv(tmp_path / "missing.csv", index=False)
    assert main(["predict", str(tmp_path / "missing.csv")], tracked_commands()) == 2
    assert f"missing column(s) {feature!r}" in capsys.readouterr().err
    rows.assign(surprise=1).to_csv(tmp_path / "extra.csv", index=False)
    assert main(["predict", str(tmp_path / "extra.csv")], tracked_commands()) == 2
    assert "not in schema.yaml: 'surprise'" in capsys.readouterr().err


def test_predict_names_a_value_of_the_wrong_kind(project, tmp_path, capsys):
    root, _ = project
    rows = pd.read_csv(root / TEST_DATA)
    numeric = next((c for c in load_schema(root / SCHEMA).features if c.is_numeric), None)
    if numeric is None:
        pytest.skip("schema.yaml has no numeric feature")
    rows[numeric.name] = rows[numeric.name].astype(object)
    rows.loc[rows.index[0], numeric.name] = "lots"
    rows.to_csv(tmp_path / "wrong.csv", index=False)
    assert main(["predict", str(tmp_path / "wrong.csv")], tracked_commands()) == 2
    err = capsys.readouterr().err
    assert f"column {numeric.name!r}: 1 row not a number" in err and err.count("\n") == 1


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


def test_row_keys_are_the_id_or_the_row_number_when_rows_lack_it():
    schema = Schema(
        (Column("key", "categorical"), Column("x"), Column("y")), 1, 10, "y", "regression", "key"
    )
    with_id = pd.DataFrame({"key": ["a", "b"], "x": [1.0, 2.0]})
    assert row_keys(with_id, schema) == ("key", ["a", "b"])
    assert row_keys(with_id.drop(columns="key"), schema) == ("row", [0, 1])
