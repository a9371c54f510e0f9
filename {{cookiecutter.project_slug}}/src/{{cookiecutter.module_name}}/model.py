"""The model: preprocessing for the input columns, then an estimator of the configured kind
(`model.kind` in params.yaml, one of `kinds.KINDS`).

Numeric columns are imputed (median) and scaled; the others imputed (most frequent) and one-hot
encoded, ignoring categories the training data never had. The inputs are every column of the
split but the target and the id, so a column `features.engineer` adds is used too: the schema
gives the kind of its own columns, an added column's dtype gives its kind. Everything is fitted
on the train split only and travels with the model.
"""

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlreprokit.schema import Schema

from .config import Config


def numeric_columns(schema: Schema, inputs: pd.DataFrame) -> list[str]:
    """The input columns to scale: numeric in the schema, or (added ones) by their dtype."""
    kinds = {column.name: column.is_numeric for column in schema.columns}
    return [
        name
        for name in inputs.columns
        if kinds.get(name, pd.api.types.is_numeric_dtype(inputs[name]))
    ]


def preprocessing(schema: Schema, inputs: pd.DataFrame) -> ColumnTransformer:
    """Numeric: impute and scale; the rest: impute and one-hot encode."""
    numeric = numeric_columns(schema, inputs)
    categorical = [name for name in inputs.columns if name not in numeric]
    steps = []
    if numeric:
        scale = Pipeline(
            [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
        )
        steps.append(("numeric", scale, numeric))
    if categorical:
        encode = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                ("encode", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
            ]
        )
        steps.append(("categorical", encode, categorical))
    return ColumnTransformer(steps, remainder="drop", verbose_feature_names_out=False)


def build_model(config: Config, schema: Schema, inputs: pd.DataFrame) -> Pipeline:
    """An unfitted model for `inputs` (the columns it will see): preprocessing, then the
    configured kind's estimator for the schema's task, seeded with `seed`."""
    estimator = config.model.estimator(schema.task, config.seed)
    return Pipeline([("prepare", preprocessing(schema, inputs)), ("estimator", estimator)])
