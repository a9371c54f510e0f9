"""Acceptance for `adopt`: a default bake turned onto data of one's own with one command, then
`nox` (lint, tests, repro) green, and `nox -s pipeline repro` green in a fresh clone, with no
hand edits. One regression data set with a text column and an id, fetched over HTTP (a server
on 127.0.0.1 stands in for an https host); one binary classification committed as a local file,
baked with DVC and without MLflow so both tracking values and DVC are covered."""

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from .helpers import Baked, bake_locked, nox, run

pytestmark = pytest.mark.slow

# Run with the project's own environment (it has pandas and scikit-learn): writes the data sets
# from data that ships with scikit-learn.
WRITE_DATA = """
import sys
from pathlib import Path
from sklearn.datasets import load_diabetes, load_wine

folder = Path(sys.argv[1])
diabetes = load_diabetes(as_frame=True, scaled=False).frame
diabetes = diabetes.rename(columns={"target": "progression"})
diabetes["sex"] = diabetes["sex"].map({1.0: "F", 2.0: "M"})
diabetes.insert(0, "patient_id", [f"P{i:04d}" for i in range(len(diabetes))])
diabetes.to_csv(folder / "diabetes.csv", index=False)
wine = load_wine(as_frame=True).frame
wine["cultivar_1"] = (wine.pop("target") == 1).map({True: "yes", False: "no"})
wine.to_csv(folder / "wine_binary.csv", index=False)
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1 while the module runs; yields (folder, base URL)."""
    folder = tmp_path_factory.mktemp("served")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


def write_data(project: Baked, folder: Path) -> None:
    """Build the project's pipeline environment once and write both data sets into `folder`."""
    nox(project, "-s", "pipeline", "--", "data")  # the demo's data stage: builds the environment
    python = project.root / ".nox" / "pipeline" / "bin" / "python"
    run([str(python), "-c", WRITE_DATA, str(folder)], project.root)


def commit_all(project: Baked, message: str) -> None:
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com"]
    run([*git, "add", "-A"], project.root)
    run([*git, "commit", "-q", "--no-verify", "-m", message], project.root)


def green_here_and_in_a_clone(project: Baked, tmp_path: Path) -> None:
    nox(project)  # lint, tests, repro
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(project.root), str(clone)], tmp_path)
    done = nox(Baked(clone, project.options), "-s", "pipeline", "repro")
    assert "REPRODUCIBLE: the control run and the run with 10 variations agree." in done.stdout


def test_adopt_regression_from_a_url_with_text_and_id_columns(served, tmp_path):
    folder, base = served
    project = bake_locked(tmp_path / "bake")
    write_data(project, folder)
    url = f"{base}/diabetes.csv"
    done = nox(
        project,
        "-s",
        "pipeline",
        "--",
        "adopt",
        url,
        "--target",
        "progression",
        "--id",
        "patient_id",
    )
    assert "task: regression of 'progression'; id: patient_id" in done.stdout
    schema = yaml.safe_load(project.text("schema.yaml"))
    assert schema["columns"]["sex"] == {"kind": "categorical", "allowed": ["F", "M"]}
    params = yaml.safe_load(project.text("params.yaml"))
    assert params["data"]["source"] == url and params["data"]["stratify"] is False
    assert params["tracking"]["tune"]["metric"] == "r2"
    commit_all(project, "Adopt the diabetes data")

    green_here_and_in_a_clone(project, tmp_path)
    nox(project, "-s", "pipeline")
    metrics = yaml.safe_load(project.text("reports/metrics.json"))
    assert set(metrics) == {"r2", "rmse", "mae"} and 0 < metrics["r2"] < 1
    assert "Gate passed." in nox(project, "-s", "pipeline", "--", "gate").stdout


def test_adopt_binary_classification_from_a_committed_file(served, tmp_path):
    folder, _ = served
    project = bake_locked(tmp_path / "bake", tracking="none", data_versioning="dvc")
    write_data(project, folder)
    (project.root / "datasets").mkdir()
    (project.root / "datasets" / "wine_binary.csv").write_bytes(
        (folder / "wine_binary.csv").read_bytes()
    )
    done = nox(
        project,
        "-s",
        "pipeline",
        "--",
        "adopt",
        "datasets/wine_binary.csv",
        "--target",
        "cultivar_1",
    )
    assert "task: classification of 'cultivar_1', 2 classes" in done.stdout
    assert (
        yaml.safe_load(project.text("params.yaml"))["data"]["source"] == "datasets/wine_binary.csv"
    )
    commit_all(project, "Adopt the wine data as a binary task")

    green_here_and_in_a_clone(project, tmp_path)
    nox(project, "-s", "pipeline")
    metrics = yaml.safe_load(project.text("reports/metrics.json"))
    assert set(metrics) == {"accuracy", "f1_macro", "log_loss"}
    assert "Gate passed." in nox(project, "-s", "pipeline", "--", "gate").stdout
