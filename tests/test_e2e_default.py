"""End to end, default options: lock, install from the lock, run the project's own sessions."""

import json
import re
import sys

import pytest

from .helpers import nox, run

pytestmark = pytest.mark.slow

PINNED = re.compile(r"^[a-z0-9][a-z0-9._-]*==[^\s\\]+ \\$")


def requirement_blocks(lock_text: str) -> list[list[str]]:
    """Split a lock into one block of lines per requirement."""
    blocks: list[list[str]] = []
    for line in lock_text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            blocks.append([])
        blocks[-1].append(line.strip())
    return blocks


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_lock_pins_every_line_with_hashes_and_no_index(locked_project, lock):
    text = locked_project.text(lock)
    blocks = requirement_blocks(text)
    assert len(blocks) > 20
    for block in blocks:
        assert PINNED.match(block[0]), block[0]
        assert any(line.startswith("--hash=sha256:") for line in block[1:]), block[0]
    assert not re.search(r"--(extra-)?index-url|--find-links|file://", text)


def test_lock_dev_is_constrained_by_runtime(locked_project):
    runtime = {
        b[0].split(" ")[0] for b in requirement_blocks(locked_project.text("requirements.txt"))
    }
    dev = {
        b[0].split(" ")[0] for b in requirement_blocks(locked_project.text("requirements-dev.txt"))
    }
    assert runtime <= dev


def test_pip_require_hashes_installs_dev_environment(locked_project, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python = str(venv / "bin" / "python")
    run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--require-hashes",
            "-r",
            "requirements-dev.txt",
        ],
        locked_project.root,
    )
    run([python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", "."], locked_project.root)
    run([python, "-c", "import my_ml_project.pipeline, sklearn, pytest"], tmp_path)


def test_nox_tests_pass(locked_project):
    done = nox(locked_project, "-s", "tests")
    assert " passed" in done.stdout + done.stderr


def test_nox_pipeline_writes_every_output(locked_project):
    nox(locked_project, "-s", "pipeline")
    root = locked_project.root
    metrics = json.loads((root / "reports/metrics.json").read_text())
    assert 0.8 < metrics["accuracy"] <= 1.0
    assert (root / "reports/figures/confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    assert (root / "models/model.joblib").stat().st_size > 0
    assert (root / "data/processed/train.csv").exists()


def test_nox_session_without_lock_says_how_to_make_it(baked):
    project = baked(project_name="No Lock")
    done = nox(project, "-s", "tests", check=False)
    assert done.returncode != 0
    assert "requirements-dev.txt does not exist yet: run `nox -s lock`" in done.stdout + done.stderr
