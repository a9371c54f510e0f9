import json

import numpy as np
import pandas as pd
from mlreprokit.paths import PROFILE, SCHEMA
from mlreprokit.profile import QUANTILES, build_profile, category_key, describe
from mlreprokit.schema import load_schema

from .conftest import PIPELINE


def test_describe_number_column_has_quantiles_moments_and_null_rate():
    entry = describe(pd.Series([1.5, np.nan, 3.5, 2.5]), numeric=True)
    assert entry["rows"] == 4 and entry["null_rate"] == 0.25
    assert len(entry["quantiles"]) == QUANTILES
    assert (entry["quantiles"][0], entry["quantiles"][50], entry["quantiles"][-1]) == (
        1.5,
        2.5,
        3.5,
    )
    assert entry["mean"] == 2.5 and "counts" in entry  # three values: counted too


def test_describe_category_column_counts_values_as_one_key_each():
    entry = describe(pd.Series([1, 1.0, "1", "b", None]), numeric=False)
    assert entry["counts"] == {"1": 3, "b": 1} and entry["null_rate"] == 0.2
    assert category_key(np.int64(7)) == "7" and category_key(2.5) == "2.5"


def test_profile_stage_writes_the_same_bytes_twice(config, project):
    names = list(PIPELINE.names)
    PIPELINE.run(names, config, project)
    first = (project / PROFILE).read_bytes()
    PIPELINE.run(["profile"], config, project)
    assert (project / PROFILE).read_bytes() == first
    profile = json.loads(first)
    schema = load_schema(project / SCHEMA)
    assert set(profile["columns"]) == {c.name for c in schema.columns if c.name != schema.id}
    assert profile["prediction"]["rows"] > 0 and profile["rows"] > profile["prediction"]["rows"]


def test_build_profile_of_a_regression_profiles_predictions_as_numbers(schema, frame):
    regression = type(schema)(
        schema.columns, schema.min_rows, schema.max_rows, schema.target, "regression", schema.id
    )
    profile = build_profile(frame, regression, np.linspace(0.0, 1.0, 40))
    assert profile["prediction"]["kind"] == "numeric" and profile["task"] == "regression"
