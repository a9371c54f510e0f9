"""End to end, default options: lock, install from the lock, run the project's own sessions."""

import json
import re
import sys
from pathlib import Path

import pytest

from .helpers import TEMPLATE, nox, run

pytestmark = pytest.mark.slow

SEED_TESTS = "tests/kit/test_seed.py"
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


@pytest.fixture(scope="module")
def pip_venv(locked_project, tmp_path_factory) -> Path:
    """A plain venv with the dev lock installed by pip itself, the way the design promises."""
    venv = tmp_path_factory.mktemp("pip") / "venv"
    run([sys.executable, "-m", "venv", str(venv)], venv.parent)
    python = venv / "bin" / "python"
    install = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run(
        [str(python), *install, "--require-hashes", "-r", "requirements-dev.txt"],
        locked_project.root,
    )
    run([str(python), *install, "--no-deps", "-e", "."], locked_project.root)
    return python


def test_pip_require_hashes_installs_dev_environment(pip_venv, locked_project):
    done = run([str(pip_venv), "-m", "pip", "check"], locked_project.root)
    assert "No broken requirements" in done.stdout
    run(
        [str(pip_venv), "-c", "import my_ml_project.pipeline, sklearn, pytest"], locked_project.root
    )


def test_seed_tests_pass_with_torch_installed(pip_venv, locked_project):
    # `+cpu` can only be met by the CPU build; where none is reachable pip fails fast: skip.
    install = run(
        [str(pip_venv), "-m", "pip", "install", "--quiet", "torch==2.13.0+cpu"],
        locked_project.root,
        check=False,
    )
    if install.returncode != 0:
        pytest.skip(f"no CPU build of torch 2.13.0 reachable: {install.stderr.strip()[-200:]}")
    # The kit's seed tests live in the template (tests/kit/): run them on this environment, with
    # cookiecutter to render the project they drive.
    run([str(pip_venv), "-m", "pip", "install", "--quiet", "cookiecutter==2.7.1"], TEMPLATE)
    done = run(
        [str(pip_venv), "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", SEED_TESTS],
        TEMPLATE,
        PYTHONHASHSEED="0",
    )
    assert "skipped" not in done.stdout
    assert "passed" in done.stdout


def test_nox_tests_pass(locked_project):
    done = nox(locked_project, "-s", "tests")
    assert " passed" in done.stdout + done.stderr


def test_nox_tests_with_a_params_yaml_the_pipeline_refuses_is_one_line(locked_project):
    params = locked_project.root / "params.yaml"
    text = params.read_text()
    params.write_text(text.replace("kind: random_forest", "kind: random_forests", 1))
    try:
        done = nox(locked_project, "-s", "tests", check=False)
    finally:
        params.write_text(text)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert output.count("error: model.kind must be one of") == 1, output[-3000:]
    assert " passed" not in output and "Traceback" not in output


def test_nox_pipeline_writes_every_output(locked_project):
    done = nox(locked_project, "-s", "pipeline")
    printed = done.stdout + done.stderr
    # MLflow's notes that read as trouble and are not: the integer-column hint, store set-up.
    assert "Hint: Inferred schema contains integer" not in printed
    assert "Creating initial MLflow database tables" not in printed
    root = locked_project.root
    metrics = json.loads((root / "reports/metrics.json").read_text())
    assert 0.8 < metrics["accuracy"] <= 1.0
    assert (root / "reports/figures/evaluation.png").read_bytes()[:4] == b"\x89PNG"
    assert (root / "models/model.joblib").stat().st_size > 0
    assert (root / "data/processed/train.csv").exists()


def test_nox_session_without_lock_says_how_to_make_it(baked):
    project = baked(project_name="No Lock")
    done = nox(project, "-s", "tests", check=False)
    assert done.returncode != 0
    assert "requirements-dev.txt does not exist yet: run `nox -s lock`" in done.stdout + done.stderr


def test_nox_audit_never_passes_with_packages_left_unaudited(locked_project):
    # Where no vulnerability service answers (as on a machine with only a package mirror),
    # pip-audit skips every package and would report "No known vulnerabilities found".
    done = nox(locked_project, "-s", "audit", check=False)
    output = done.stdout + done.stderr
    unaudited = "could not be audited" in output or "ConnectionError" in output
    assert done.returncode != 0 if unaudited else done.returncode == 0, output[-3000:]
    assert "requirements.txt" in output
