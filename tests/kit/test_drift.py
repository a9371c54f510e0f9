import numpy as np
import pandas as pd
import pytest
from mlreprokit.drift import check_column, default_test
from mlreprokit.profile import describe

RNG_SEED = 7


def numbers(size: int, shift: float = 0.0, seed: int = RNG_SEED) -> pd.Series:
    return pd.Series(np.random.default_rng(seed).normal(10.0 + shift, 2.0, size))


def categories(size: int, shares: list[float], seed: int = RNG_SEED) -> pd.Series:
    values = np.random.default_rng(seed).choice(["red", "green", "blue"], size, p=shares)
    return pd.Series(values)


@pytest.mark.parametrize(
    ("reference", "batch", "test"),
    [
        (numbers(500), numbers(200, seed=1), "ks"),
        (numbers(5000), numbers(400, seed=1), "wasserstein"),
        (categories(500, [0.5, 0.3, 0.2]), categories(200, [0.5, 0.3, 0.2], seed=1), "chisquare"),
        (categories(5000, [0.5, 0.3, 0.2]), categories(400, [0.5, 0.3, 0.2], 1), "jensenshannon"),
        (pd.Series(["yes", "no"] * 200), pd.Series(["no", "yes"] * 60), "z"),
    ],
    ids=["small-numeric", "large-numeric", "small-categorical", "large-categorical", "binary"],
)
def test_check_column_same_distribution_is_not_drifted(reference, batch, test):
    profile = describe(reference, numeric=reference.dtype == float)
    result = check_column(profile, batch)
    assert result is not None and result.test == test and not result.drifted, result


@pytest.mark.parametrize(
    ("reference", "batch", "test"),
    [
        (numbers(500), numbers(200, shift=1.0, seed=1), "ks"),
        (numbers(5000), numbers(400, shift=1.0, seed=1), "wasserstein"),
        (categories(500, [0.5, 0.3, 0.2]), categories(200, [0.2, 0.3, 0.5], seed=1), "chisquare"),
        (categories(5000, [0.5, 0.3, 0.2]), categories(400, [0.2, 0.3, 0.5], 1), "jensenshannon"),
        (pd.Series(["yes", "no"] * 200), pd.Series(["no", "yes", "yes", "yes"] * 40), "z"),
    ],
    ids=["small-numeric", "large-numeric", "small-categorical", "large-categorical", "binary"],
)
def test_check_column_shifted_distribution_is_drifted(reference, batch, test):
    profile = describe(reference, numeric=reference.dtype == float)
    result = check_column(profile, batch)
    assert result is not None and result.test == test and result.drifted, result


def test_check_column_number_column_with_few_values_is_tested_as_categories():
    reference = describe(pd.Series([1, 2, 3] * 100), numeric=True)
    assert default_test(reference, pd.Series([1, 2, 3])) == "chisquare"
    assert check_column(reference, pd.Series([1] * 80 + [2, 3] * 10)).drifted
    assert not check_column(reference, pd.Series([1.0, 2.0, 3.0] * 30)).drifted


def test_check_column_a_category_never_seen_is_drift():
    reference = describe(categories(500, [0.5, 0.3, 0.2]), numeric=False)
    batch = pd.concat([categories(150, [0.5, 0.3, 0.2], seed=1), pd.Series(["purple"] * 50)])
    assert check_column(reference, batch).drifted


def test_check_column_ignores_nulls_and_skips_a_batch_of_only_nulls():
    reference = describe(pd.concat([numbers(400), pd.Series([np.nan] * 100)]), numeric=True)
    assert reference["null_rate"] == 0.2
    with_gaps = pd.concat([numbers(150, seed=1), pd.Series([np.nan] * 50)])
    assert not check_column(reference, with_gaps).drifted
    assert check_column(reference, pd.Series([np.nan] * 20)) is None


def test_check_column_override_test_and_threshold():
    reference = describe(numbers(500), numeric=True)
    batch = numbers(200, shift=0.4, seed=1)
    result = check_column(reference, batch, test="wasserstein", threshold=5.0)
    assert (result.test, result.threshold, result.drifted) == ("wasserstein", 5.0, False)
    assert check_column(reference, batch, test="wasserstein", threshold=0.1).drifted
    assert check_column(reference, batch, distance=5.0).test == "ks"  # p-value tests keep p
