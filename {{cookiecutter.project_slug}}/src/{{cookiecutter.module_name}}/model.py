"""The model: preprocessing built from the schema, then a random forest for the task.

Numeric columns are imputed (median) and scaled; categorical columns imputed (most frequent) and
one-hot encoded, ignoring categories the training data never had; the id and the target never
reach the model. Everything is fitted on the train split only and travels with the model.
"""

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .config import Config
from .schema import Schema

FORESTS = {"classification": RandomForestClassifier, "regression": RandomForestRegressor}


def preprocessing(schema: Schema) -> ColumnTransformer:
    """Numeric: impute and scale; categorical: impute and one-hot encode; other columns dropped."""
    numeric = [c.name for c in schema.features if c.is_numeric]
    categorical = [c.name for c in schema.features if not c.is_numeric]
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


def build_model(config: Config, schema: Schema) -> Pipeline:
    """An unfitted model: the schema's preprocessing, then a forest with the configured seed."""
    forest = FORESTS[schema.task](
        n_estimators=config.model.n_estimators,
        max_depth=config.model.max_depth,
        min_samples_leaf=config.model.min_samples_leaf,
        random_state=config.seed,
    )
    return Pipeline([("prepare", preprocessing(schema)), ("forest", forest)])


def features(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """The columns the model takes, in schema order (no target, no id)."""
    return frame[[column.name for column in schema.features]]
