"""Data at the door, run for real: when the data source changes, `nox -s pipeline` stops before
training, in one line for a changed file (SHA-256) or with a report for data that breaks
schema.yaml, and nothing downstream is written."""

import csv
import hashlib

import pytest
import yaml

from .helpers import Baked, bake, nox

pytestmark = pytest.mark.slow

DOWNSTREAM = (
    "data/processed/train.csv",
    "data/processed/test.csv",
    "models/model.joblib",
    "reports/metrics.json",
    "reports/figures/evaluation.png",
)


def corrupt(rows: list[dict], kind: str, schema: dict) -> tuple[list[dict], str]:
    """The rows with one broken value, and the report line that must name it."""
    rows = [dict(row) for row in rows]
    if kind == "wrong-type":
        rows[4]["mean radius"] = "twelve"
        return rows, "column 'mean radius': 1 row not a number (expected numeric), e.g. 'twelve'"
    if kind == "null":
        rows[5]["mean texture"] = ""
        return rows, "column 'mean texture': 1 row null (no nulls allowed)"
    maximum = schema["columns"]["mean area"]["max"]
    rows[6]["mean area"] = str(maximum * 10)
    return rows, f"column 'mean area': 1 row above the maximum {maximum}, e.g. {maximum * 10!r}"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Baked:
    """A locked default project whose `data` stage has written the demo's raw data."""
    baked = bake(tmp_path_factory.mktemp("validation"), tracking="none")
    nox(baked, "-s", "lock")
    nox(baked, "-s", "pipeline", "--", "data")
    return baked


@pytest.fixture(scope="module")
def demo_rows(project) -> list[dict]:
    """The demo's raw rows, read once (later runs overwrite data/raw/ with broken copies)."""
    with (project.root / "data/raw/data.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def use_source(project: Baked, rows: list[dict], sha256: str | None = None) -> None:
    """Point data.source at `incoming.csv` holding `rows`, with its hash (or `sha256`)."""
    path = project.root / "incoming.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    params = project.root / "params.yaml"
    text = params.read_text()
    lines = [
        "  source: incoming.csv" if line.startswith("  source:") else line
        for line in text.splitlines()
    ]
    digest = sha256 or hashlib.sha256(path.read_bytes()).hexdigest()
    lines = [f"  sha256: {digest}" if line.startswith("  sha256:") else line for line in lines]
    params.write_text("\n".join(lines) + "\n")


@pytest.fixture
def clean(project, demo_rows):
    params = project.root / "params.yaml"
    original = params.read_text()
    yield project
    params.write_text(original)
    (project.root / "incoming.csv").unlink(missing_ok=True)


@pytest.mark.parametrize("kind", ["wrong-type", "null", "out-of-range"])
def test_pipeline_broken_source_stops_before_training_with_report(clean, demo_rows, kind):
    schema = yaml.safe_load(clean.text("schema.yaml"))
    broken, report_line = corrupt(demo_rows, kind, schema)
    use_source(clean, broken)
    done = nox(clean, "-s", "pipeline", check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "error: data/raw/data.csv does not match its schema (1 problem):" in output
    assert f"  {report_line}" in output
    assert "Traceback" not in output
    assert "stage train" not in output
    assert [path for path in DOWNSTREAM if (clean.root / path).exists()] == []


def test_pipeline_changed_source_file_stops_in_one_line_naming_both_hashes(clean, demo_rows):
    use_source(clean, demo_rows, sha256="f" * 64)
    actual = hashlib.sha256((clean.root / "incoming.csv").read_bytes()).hexdigest()
    done = nox(clean, "-s", "pipeline", check=False)
    output = done.stdout + done.stderr  # nox shows the command's stderr on its own stdout
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: incoming.csv: SHA-256 differs: expected {'f' * 64} (data.sha256), got {actual}; "
        "if the new data is intended, `refresh` records it (or `adopt` it as new data)"
    ]
    assert "Traceback" not in output
    assert "stage features" not in output
