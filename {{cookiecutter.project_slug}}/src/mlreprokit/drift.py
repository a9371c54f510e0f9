"""Per-column drift tests against a profile (profile.py), chosen as Evidently does by default.

Reference of at most LARGE_REFERENCE rows: Kolmogorov-Smirnov for numbers, chi-squared for
categories (a two-proportion z-test for two values), drift when p < `p_value`. Larger
reference: Wasserstein distance normed by the reference's standard deviation for numbers,
Jensen-Shannon distance for categories, drift when distance >= `distance`. A number column with
at most FEW_VALUES values (reference and batch together) is tested as a category. All with
scipy; the reference distribution is the profile's 101 quantiles (a KS statistic within about
0.01 of the one on the full reference).
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon as js_distance

from .profile import FEW_VALUES, category_key, counts

LARGE_REFERENCE = 1000  # rows: above, distances rather than p-values (Evidently's default)
PSEUDO_SAMPLE = 1000  # points drawn from the quantiles when the reference is larger
TESTS = ("ks", "chisquare", "z", "wasserstein", "jensenshannon")
P_VALUE_TESTS = ("ks", "chisquare", "z")  # drift when the score is below the threshold
EMPTY_SHARE = 0.0001  # a value one side never had: this share, as Evidently fills zeroes


@dataclass(frozen=True)
class Result:
    """One column's drift test: the test, its score, the threshold and the verdict."""

    test: str
    score: float
    threshold: float
    drifted: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "score": self.score,
            "threshold": self.threshold,
            "drifted": self.drifted,
            "direction": "below" if self.test in P_VALUE_TESTS else "at or above",
        }


def default_test(reference: dict[str, Any], values: pd.Series) -> str:
    """The test Evidently picks by default for this kind, reference size and value count."""
    large = reference["rows"] > LARGE_REFERENCE
    categorical = reference["kind"] == "categorical" or (
        "counts" in reference and len(set(reference["counts"]) | set(counts(values))) <= FEW_VALUES
    )
    if categorical:
        if large:
            return "jensenshannon"
        distinct = len(set(reference.get("counts", {})) | set(counts(values)))
        return "z" if distinct <= 2 else "chisquare"
    return "wasserstein" if large else "ks"


def known_rows(reference: dict[str, Any]) -> int:
    """The reference's rows with a value (not null)."""
    return max(1, round(float(reference["rows"]) * (1 - float(reference["null_rate"]))))


def reference_sample(reference: dict[str, Any]) -> np.ndarray:
    """Evenly spaced draws from the reference's quantile function: its distribution, rebuilt."""
    size = min(known_rows(reference), PSEUDO_SAMPLE)
    quantiles = np.asarray(reference["quantiles"], dtype=float)
    grid = np.linspace(0.0, 1.0, len(quantiles))
    sample: np.ndarray = np.interp((np.arange(size) + 0.5) / size, grid, quantiles)
    return sample


def fill_empty(shares: np.ndarray) -> np.ndarray:
    """Evidently's fill: a zero share becomes EMPTY_SHARE (or smaller, below the smallest)."""
    nonzero = shares[shares > 0]
    smallest = nonzero.min() if len(nonzero) else 1.0
    fill = smallest / 10**6 if smallest <= EMPTY_SHARE else EMPTY_SHARE
    return np.where(shares == 0, fill, shares)


def category_shares(reference: dict[str, Any], values: pd.Series) -> tuple[np.ndarray, ...]:
    """(reference counts, batch counts) over every value either side has, in one order."""
    ours, theirs = reference.get("counts", {}), counts(values)
    keys = sorted(set(ours) | set(theirs))
    return (
        np.array([ours.get(key, 0) for key in keys], dtype=float),
        np.array([theirs.get(key, 0) for key in keys], dtype=float),
    )


def ks(reference: dict[str, Any], values: np.ndarray) -> float:
    """The p-value of the two-sample KS test, the reference rebuilt at its own size."""
    size = known_rows(reference)
    quantiles = np.asarray(reference["quantiles"], dtype=float)
    grid = np.linspace(0.0, 1.0, len(quantiles))
    sample = np.interp((np.arange(size) + 0.5) / size, grid, quantiles)
    return float(stats.ks_2samp(sample, values).pvalue)


def wasserstein(reference: dict[str, Any], values: np.ndarray) -> float:
    norm = max(float(reference["std"]), 0.001)
    return float(stats.wasserstein_distance(reference_sample(reference), values) / norm)


def chisquare(reference: dict[str, Any], values: pd.Series) -> float:
    ours, theirs = category_shares(reference, values)
    expected = fill_empty(ours / ours.sum())
    expected = expected / expected.sum() * theirs.sum()
    return float(stats.chisquare(theirs, expected).pvalue)


def z(reference: dict[str, Any], values: pd.Series) -> float:
    """Two-proportion z-test on the share of the first value (Evidently's for two values)."""
    ours, theirs = category_shares(reference, values)
    if len(ours) < 2:
        return 1.0
    n1, n2 = ours.sum(), theirs.sum()
    p1, p2 = ours[0] / n1, theirs[0] / n2
    pooled = (ours[0] + theirs[0]) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 1.0
    return float(2 * (1 - stats.norm.cdf(abs(p1 - p2) / spread)))


def binned_jensenshannon(reference: dict[str, Any], values: np.ndarray) -> float:
    """Jensen-Shannon distance of numbers over Sturges' bins of reference and batch together."""
    sample = reference_sample(reference)
    bins = np.histogram_bin_edges(
        np.concatenate([sample, values]),
        bins=int(math.log2(reference["rows"] + len(values))) + 1,
    )
    ours = np.histogram(sample, bins)[0].astype(float)
    theirs = np.histogram(values, bins)[0].astype(float)
    return float(js_distance(fill_empty(ours / ours.sum()), fill_empty(theirs / theirs.sum())))


def jensenshannon(reference: dict[str, Any], values: pd.Series) -> float:
    ours, theirs = category_shares(reference, values)
    return float(js_distance(fill_empty(ours / ours.sum()), fill_empty(theirs / theirs.sum())))


NUMBER_TESTS = {"ks": ks, "wasserstein": wasserstein, "jensenshannon": binned_jensenshannon}
CATEGORY_TESTS = {"chisquare": chisquare, "z": z, "jensenshannon": jensenshannon}


def numbers_tested(reference: dict[str, Any], test: str) -> bool:
    """Whether `test` compares the column's numbers (quantiles) rather than its value counts."""
    return test in ("ks", "wasserstein") or (test == "jensenshannon" and "counts" not in reference)


def check_column(
    reference: dict[str, Any],
    values: pd.Series,
    test: str | None = None,
    threshold: float | None = None,
    p_value: float = 0.05,
    distance: float = 0.1,
) -> Result | None:
    """Test a batch column against its reference profile; None when a side has no values.

    `test`, `threshold`: a column's override; else the default test, and `p_value` or
    `distance` as its threshold by the kind of test.
    """
    chosen = test or default_test(reference, values)
    known = values.dropna()
    if len(known) == 0 or reference["rows"] * (1 - reference["null_rate"]) < 0.5:
        return None
    if numbers_tested(reference, chosen):
        numbers = pd.to_numeric(known, errors="coerce").dropna().to_numpy(dtype=float)
        if len(numbers) == 0 or "quantiles" not in reference:
            return None
        score = NUMBER_TESTS[chosen](reference, numbers)
    else:
        score = CATEGORY_TESTS[chosen](reference, known.map(category_key))
    if threshold is None:
        threshold = p_value if chosen in P_VALUE_TESTS else distance
    if not math.isfinite(score):
        score = 0.0 if chosen in P_VALUE_TESTS else 1.0
    drifted = score < threshold if chosen in P_VALUE_TESTS else score >= threshold
    return Result(chosen, score, threshold, bool(drifted))
