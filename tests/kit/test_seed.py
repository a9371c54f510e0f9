import random

import numpy as np
import pytest
from mlreprokit.seed import seed_everything


def draws() -> tuple[float, float]:
    return random.random(), float(np.random.rand())  # noqa: NPY002 - the generator seed_everything seeds


def test_seed_everything_same_seed_same_numbers():
    seed_everything(0)
    first = draws()
    seed_everything(0)
    assert draws() == first


def test_seed_everything_different_seed_different_numbers():
    seed_everything(0)
    first = draws()
    seed_everything(1)
    assert draws() != first


def test_seed_everything_reports_what_it_seeded():
    seeded = seed_everything(7)
    assert seeded["random"] == 7
    assert seeded["numpy"] == 7


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, True, None])
def test_seed_everything_rejects_invalid_seed(seed):
    with pytest.raises(ValueError, match="seed must be"):
        seed_everything(seed)


def test_seed_everything_warns_without_fixed_hash_seed(monkeypatch):
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    with pytest.warns(RuntimeWarning, match="PYTHONHASHSEED"):
        seed_everything(0)


def test_seed_everything_quiet_with_fixed_hash_seed(monkeypatch, recwarn):
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    seed_everything(0)
    assert not [w for w in recwarn if "PYTHONHASHSEED" in str(w.message)]


def test_seed_everything_seeds_torch_deterministically():
    torch = pytest.importorskip("torch")
    try:
        seeded = seed_everything(3)
        first = torch.rand(3)
        seed_everything(3)
        assert torch.equal(torch.rand(3), first)
        assert seeded["torch"] == 3
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
    finally:
        torch.use_deterministic_algorithms(False)
