"""Seed every random number generator the project may use, from one number."""

import importlib
import importlib.util
import os
import random
import warnings
from types import ModuleType

import numpy as np


def seed_everything(seed: int) -> dict[str, object]:
    """Seed `random`, NumPy and, when installed, PyTorch, TensorFlow and JAX.

    Returns what was seeded: library name to seed (for JAX, the PRNG key to pass on,
    since JAX has no global state). Warns when `PYTHONHASHSEED` is not fixed, because
    str hashing (set and dict-of-str order) can only be seeded before Python starts.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an int between 0 and 2**32 - 1, got {seed!r}")
    if os.environ.get("PYTHONHASHSEED", "random") == "random":
        warnings.warn(
            "PYTHONHASHSEED is not fixed: set-iteration order may change between runs; "
            "start Python with PYTHONHASHSEED=0 (nox sessions do)",
            RuntimeWarning,
            stacklevel=2,
        )
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the legacy global generator, still used by libraries
    seeded: dict[str, object] = {"random": seed, "numpy": seed}
    for name, seeder in (
        ("torch", _seed_torch),
        ("tensorflow", _seed_tensorflow),
        ("jax", _seed_jax),
    ):
        if importlib.util.find_spec(name) is not None:
            seeded[name] = seeder(importlib.import_module(name), seed)
    return seeded


def _seed_torch(torch: ModuleType, seed: int) -> int:
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS
    torch.manual_seed(seed)  # also seeds every CUDA device
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    return seed


def _seed_tensorflow(tensorflow: ModuleType, seed: int) -> int:
    tensorflow.random.set_seed(seed)
    tensorflow.config.experimental.enable_op_determinism()
    return seed


def _seed_jax(jax: ModuleType, seed: int) -> object:
    return jax.random.key(seed)
