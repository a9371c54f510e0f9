from pathlib import Path

import pytest
import yaml

from mlreprokit.config import ConfigError, load_config

from {{ cookiecutter.module_name }}.kinds import KINDS

PROJECT_PARAMS = Path(__file__).parents[1] / "params.yaml"
METRIC = yaml.safe_load(PROJECT_PARAMS.read_text(encoding="utf-8"))["metric"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(text, encoding="utf-8")
    return path


VALID = (
    """
seed: 0
data: {source: data.csv, sha256: null, format: csv, test_size: 0.2, stratify: false}
model: {kind: random_forest, n_estimators: 5, max_depth: null, min_samples_leaf: 2}
"""
    + f"metric: {METRIC}\n"
)


def test_load_config_project_params_are_valid():
    config = load_config(PROJECT_PARAMS)
    assert config.model.kind in KINDS


def test_load_config_reads_values(tmp_path):
    config = load_config(write(tmp_path, VALID))
    assert config.seed == 0
    assert config.data.test_size == 0.2
    assert config.model.params == {"n_estimators": 5, "max_depth": None, "min_samples_leaf": 2}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("seed: 0", "seed: 0\nlearning_rate: 0.1"), "unknown key 'learning_rate'"),
        (
            ("n_estimators: 5", "n_estimators: 5, n_trees: 3"),
            "unknown key 'model.n_trees' for kind",
        ),
        (("n_estimators: 5", "n_estimators: five"), "model.n_estimators: The 'n_estimators' param"),
        (("kind: random_forest", "kind: svm"), "model.kind must be one of random_forest, "),
        (("kind: random_forest, ", ""), "model.kind must be one of"),
        (("stratify: false", "stratify: 1"), "data.stratify must be bool, got int"),
        (("seed: 0", "seed: true"), "seed must be int, got bool"),
        (("seed: 0", "seed: -1"), "seed must be between"),
        (("test_size: 0.2", "test_size: 1.5"), "data.test_size must be between 0 and 1"),
        (("seed: 0\n", ""), "missing key 'seed'"),
        (("n_estimators: 5", "n_estimators: -5"), r"must be an int in the range \[1, inf\)"),
        (("max_depth: null", "max_depth: 0"), "model.max_depth: The 'max_depth' parameter"),
        (("format: csv", "format: xlsx"), "data.format must be one of csv, parquet"),
        (("sha256: null", "sha256: abc"), "data.sha256 must be 64 lowercase hex digits"),
        (("source: data.csv, ", ""), "missing key 'data.source'"),
        ((f"metric: {METRIC}", "metric: no_such_metric"), "metric 'no_such_metric' is not a"),
        (
            ("n_estimators: 5", "n_estimators: 1000000000000"),
            r"model.n_estimators is 1000000000000: at most",
        ),
        (("max_depth: null", "max_depth: 5000"), r"model.max_depth is 5000: at most"),
        (
            ("source: data.csv", "source: " + "a" * 5000),
            "data.source must be 1 to 2048 characters, got 5000",
        ),
        (("source: data.csv", "source: ''"), "data.source must be 1 to 2048 characters, got 0"),
    ],
)
def test_load_config_rejects_bad_params(tmp_path, change, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, VALID.replace(*change)))


@pytest.mark.parametrize(
    ("task", "metric", "gate", "message"),
    [
        ("classification", "accuracy", "minimum: {accuracy: 1.5}", "accuracy is at most 1.0"),
        ("classification", "accuracy", "maximum: {log_loss: -1}", "log_loss is at least 0.0"),
        ("classification", "accuracy", "minimum: {f1_macro: 1.01}", "f1_macro is at most 1.0"),
        ("regression", "r2", "minimum: {r2: 1.2}", "r2 is at most 1.0"),
        ("regression", "r2", "maximum: {rmse: -0.5}", "rmse is at least 0.0"),
    ],
)
def test_load_config_rejects_a_gate_bound_no_run_can_meet(tmp_path, task, metric, gate, message):
    """Whatever the project's own task: the schema beside the params file declares it."""
    (tmp_path / "schema.yaml").write_text(f"task: {task}\n", encoding="utf-8")
    text = VALID.replace(f"metric: {METRIC}", f"metric: {metric}")
    text += "gate: {max_drop: 0, " + gate + "}\n"
    with pytest.raises(ConfigError, match=rf"gate\.\w+\.\w+ is -?[0-9.]+: {message}, so no run"):
        load_config(write(tmp_path, text))


def test_load_config_missing_file_names_it(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.yaml")


def test_load_config_rejects_invalid_yaml(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "seed: [0"))
