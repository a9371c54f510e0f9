"""The metrics table: every metric the project reports, by name. Add a metric here, in one line.

The evaluate stage scores every metric of the task (`task` in schema.yaml) on the test split
into `reports/metrics.json`; `metric:` in params.yaml picks the one runs are ranked and tuned
by, and `gate:` bounds any of them (`minimum:` for higher-is-better, `maximum:` for lower).
`score(truth, response)` is any scikit-learn-style function; `response` is what the model is
asked for: "predict" (labels or values) or "predict_proba" (class probabilities); `best`,
the best value it can take, makes a gate bound beyond it an error. `adopt` picks a task's
first metric below as `metric:`.
"""

from functools import partial

from sklearn.metrics import (
    accuracy_score,
    f1_score,
    log_loss,
    mean_absolute_error,
    r2_score,
    root_mean_squared_error,
)

from mlreprokit.metrics import Metric

METRICS: dict[str, Metric] = {
    "accuracy": Metric(accuracy_score, "higher", "classification", best=1.0),
    "f1_macro": Metric(partial(f1_score, average="macro"), "higher", "classification", best=1.0),
    "log_loss": Metric(log_loss, "lower", "classification", response="predict_proba", best=0.0),
    "r2": Metric(r2_score, "higher", "regression", best=1.0),
    "rmse": Metric(root_mean_squared_error, "lower", "regression", best=0.0),
    "mae": Metric(mean_absolute_error, "lower", "regression", best=0.0),
}
