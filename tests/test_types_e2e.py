"""End to end: `mypy --strict` passes on the bakes whose kit modules differ from the default's
(the default bake is type-checked by `nox -s lint` in test_precommit_e2e.py)."""

import pytest

from .helpers import bake_locked, nox, run

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "options",
    [
        {"tracking": "wandb"},
        {"tracking": "none"},
        {"tracking": "mlflow", "data_versioning": "dvc"},
    ],
    ids=["wandb", "none", "mlflow-dvc"],
)
def test_mypy_strict_passes_on_bake(tmp_path, options):
    project = bake_locked(tmp_path, **options)
    nox(project, "-s", "lint", "--install-only")
    done = run([str(project.root / ".nox" / "lint" / "bin" / "mypy")], project.root)
    assert done.stdout.startswith("Success: no issues found")
