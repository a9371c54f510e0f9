"""Data validation at the door, run for real: when the data source starts giving broken rows,
`nox -s pipeline` stops before training with a report, and nothing downstream is written."""

import pytest

from .helpers import Baked, bake, nox

pytestmark = pytest.mark.slow

DOWNSTREAM = (
    "data/processed/train.csv",
    "data/processed/test.csv",
    "models/model.joblib",
    "reports/metrics.json",
    "reports/figures/confusion_matrix.png",
)
# Each breaks one value of scikit-learn's wine data, the way a changed source would.
CORRUPTIONS = {
    "wrong-type": (
        'frame["ash"] = frame["ash"].astype(object)\n    frame.loc[4, "ash"] = "twelve"',
        "column 'ash': 1 row not a number (expected float), e.g. 'twelve'",
    ),
    "null": ('frame.loc[5, "hue"] = None', "column 'hue': 1 row null (no nulls allowed)"),
    "out-of-range": (
        'frame.loc[6, "alcohol"] = 99.0',
        "column 'alcohol': 1 row above the maximum 16, e.g. 99.0",
    ),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Baked:
    baked = bake(tmp_path_factory.mktemp("validation"), tracking="none")
    nox(baked, "-s", "lock")
    return baked


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_pipeline_broken_source_stops_before_training_with_report(project, corruption):
    change, report_line = CORRUPTIONS[corruption]
    source = project.root / "src" / project.module / "data.py"
    clean = source.read_text()
    source.write_text(
        clean + "\n\n_load_clean = load_raw\n\n\ndef load_raw():\n"
        f"    frame = _load_clean()\n    {change}\n    return frame\n"
    )
    try:
        done = nox(project, "-s", "pipeline", check=False)
    finally:
        source.write_text(clean)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "error: data/raw/wine.csv does not match its schema (1 problem):" in output
    assert f"  {report_line}" in output
    assert "Traceback" not in output
    assert "stage train" not in output
    assert [path for path in DOWNSTREAM if (project.root / path).exists()] == []
