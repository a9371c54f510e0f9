"""End to end, the loop after the first model: bake, adopt a table, train; monitor a clean and a
drifted batch; the source gets new rows; monitor it, refresh, retrain, gate. Each step is the
command the project's README gives, run in the baked project's own locked environment."""

import hashlib
import random

import pytest
import yaml

from .helpers import Baked, bake_locked, nox, run

pytestmark = pytest.mark.slow

HEADER = "house_id,rooms,area,city,price\n"


def houses(count: int, seed: int, first: int = 0, stretch: float = 1.0) -> str:
    """Rows of a regression table; `stretch` scales the areas (and so the prices) up."""
    rng = random.Random(seed)
    rows = []
    for i in range(first, first + count):
        rooms = rng.randint(1, 7)
        area = round(rng.gauss(80, 20) * stretch, 1)
        city = rng.choice(["Oslo", "Bergen", "Trondheim"])
        price = round(area * 3000 + rooms * 10000 + rng.gauss(0, 20000))
        rows.append(f"H{i},{rooms},{area},{city},{price}\n")
    return "".join(rows)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Baked:
    """A default project that adopted houses.csv and trained on it."""
    project = bake_locked(tmp_path_factory.mktemp("lifecycle"))
    (project.root / "houses.csv").write_text(HEADER + houses(300, seed=1))
    adopt = ["adopt", "houses.csv", "--target", "price", "--id", "house_id"]
    nox(project, "-s", "pipeline", "--", *adopt)
    nox(project, "-s", "pipeline")
    return project


def command(project: Baked, *args: str):
    """`python -m <module> ARGS` in the pipeline's environment, as a user runs it."""
    python = str(project.root / ".nox/pipeline/bin/python")
    return run([python, "-m", project.module, *args], project.root, False, PYTHONHASHSEED="0")


def test_lifecycle_monitor_passes_a_clean_batch_and_names_a_drifted_one(project):
    (project.root / "clean.csv").write_text(HEADER + houses(150, seed=2, first=1000))
    assert command(project, "monitor", "clean.csv").returncode == 0
    (project.root / "bigger.csv").write_text(HEADER + houses(150, seed=3, first=2000, stretch=1.4))
    drifted = command(project, "monitor", "bigger.csv")
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    assert (
        "drift: area:" in drifted.stdout
        and "DRIFT: reports/monitoring/bigger.json" in drifted.stdout
    )


def test_lifecycle_new_rows_at_the_source_are_refreshed_retrained_and_gated(project):
    source = project.root / "houses.csv"
    source.write_text(source.read_text() + houses(200, seed=4, first=300, stretch=1.4))
    assert command(project, "monitor").returncode == 1  # the source itself has moved on
    refused = command(project, "refresh")
    assert refused.returncode == 2 and "refresh --widen" in refused.stderr
    widened = command(project, "refresh", "--widen")
    assert widened.returncode == 0, widened.stderr
    assert "schema.yaml: column 'area' maximum" in widened.stdout
    params = yaml.safe_load((project.root / "params.yaml").read_text())
    assert params["data"]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    nox(project, "-s", "pipeline")  # retrains on exactly those bytes
    gate = command(project, "gate")
    assert gate.returncode == 0 and "**Gate passed.**" in gate.stdout
    assert command(project, "monitor").returncode == 0  # the new model knows the new data
