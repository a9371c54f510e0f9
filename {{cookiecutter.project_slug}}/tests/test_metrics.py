import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlreprokit.config import ConfigError, load_config
from mlreprokit.metrics import for_task, score
from mlreprokit.paths import PARAMS

from {{ cookiecutter.module_name }}.metrics import METRICS

ROWS = np.arange(12).reshape(-1, 1)
TRUTH = {
    "classification": pd.Series(["a", "b", "c"] * 4),
    "regression": pd.Series(np.linspace(1.0, 12.0, 12)),
}
MODELS = {
    "classification": (DecisionTreeClassifier(), DummyClassifier(strategy="prior")),
    "regression": (DecisionTreeRegressor(), DummyRegressor()),
}


@pytest.mark.parametrize("name", list(METRICS))
def test_metrics_score_a_perfect_model_better_than_a_no_skill_one(name):
    metric = METRICS[name]
    truth = TRUTH[metric.task]
    perfect, no_skill = (model.fit(ROWS, truth) for model in MODELS[metric.task])
    best, worst = (score(name, metric, model, ROWS, truth) for model in (perfect, no_skill))
    assert best > worst if metric.higher_is_better else best < worst


def params_with(tmp_path, project, **changes):
    params = yaml.safe_load((project / PARAMS).read_text())
    params.update(changes)
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(params))
    return path


def test_metric_of_another_task_is_one_line_listing_the_allowed(tmp_path, project, schema):
    other = next(n for n, m in METRICS.items() if m.task != schema.task)
    allowed = ", ".join(for_task(METRICS, schema.task))
    with pytest.raises(ConfigError, match=f"allowed are {allowed}$"):
        load_config(params_with(tmp_path, project, metric=other))


def test_gate_bound_against_the_metrics_direction_is_one_line(tmp_path, project, schema):
    lower = [n for n, m in for_task(METRICS, schema.task).items() if not m.higher_is_better]
    gate = {"minimum": {lower[0]: 0.5}, "maximum": {}, "max_drop": 0.0}
    with pytest.raises(ConfigError, match=f"gate.minimum.{lower[0]}: lower .* gate.maximum"):
        load_config(params_with(tmp_path, project, gate=gate))
