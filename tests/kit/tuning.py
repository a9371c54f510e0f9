"""`tracking.tune` for the tune tests of either tracker: a short study of the project's space."""

from mlreprokit.config import parse
from mlreprokit.synthetic import tune_space
from mlreprokit.tune_config import TuneConfig

from .toy import PROJECT


def tune_settings(config, **settings) -> TuneConfig:
    """Two folds, two trials, the first value of each hyperparameter's range; `settings` win."""
    values = {
        "metric": "accuracy" if config.data.stratify else "r2",
        "folds": 2,
        "trials": 2,
        "space": tune_space(PROJECT, first=True),
        **settings,
    }
    return parse(TuneConfig, values, "tracking.tune.")
