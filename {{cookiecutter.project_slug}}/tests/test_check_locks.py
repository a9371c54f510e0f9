import contextlib
import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "tools" / "check_locks.py"
SPEC = importlib.util.spec_from_file_location("check_locks", SCRIPT)
assert SPEC is not None and SPEC.loader is not None
check_locks = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(check_locks)
HASH = "    --hash=sha256:" + "0" * 64
RUNTIME_IN = "numpy\npandas>=2  # comment\n"
DEV_IN = "-c requirements.txt\n-r requirements.in\nruff==0.1.0\n"


def lock(*pins):
    return "".join(f"{pin} \\\n{HASH}\n    # via -r requirements.in\n" for pin in pins)


def run_script(root):
    """The script as pre-commit runs it: its exit status and output."""
    done = subprocess.run([sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True)
    return done.returncode, done.stdout


def check(root):
    """The script's `main` in this process: what `run_script` gives, without a new Python."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = check_locks.main([str(root)])
    return code, out.getvalue()


@pytest.fixture
def project(tmp_path):
    (tmp_path / "requirements.in").write_text(RUNTIME_IN)
    (tmp_path / "requirements-dev.in").write_text(DEV_IN)
    (tmp_path / "requirements.txt").write_text(lock("numpy==2.0.0", "pandas==2.2.0"))
    (tmp_path / "requirements-dev.txt").write_text(
        lock("numpy==2.0.0", "pandas==2.2.0", "ruff==0.1.0")
    )
    return tmp_path


def test_check_locks_passes_fresh_locks(project):
    assert run_script(project) == (0, "")


def test_check_locks_passes_before_first_lock(project):
    (project / "requirements.txt").unlink()
    (project / "requirements-dev.txt").unlink()
    assert check(project) == (0, "")


def test_check_locks_finds_requirement_missing_from_lock(project):
    (project / "requirements.in").write_text(RUNTIME_IN + "requests\n")
    code, out = run_script(project)
    assert code == 1
    assert "requirements.in requires `requests` but requirements.txt does not pin it" in out
    assert "requirements-dev.txt does not pin it" in out
    assert out.rstrip().endswith("run `nox -s lock` and commit the lock files")


@pytest.mark.parametrize("line", ["pandas>=2.2.0 \\\n" + HASH, "pandas==2.2.0"])
def test_check_locks_finds_line_without_pin_or_hash(project, line):
    (project / "requirements.txt").write_text(lock("numpy==2.0.0") + line + "\n")
    code, out = check(project)
    assert code == 1
    assert "requirements.txt: `pandas" in out


def test_check_locks_finds_dev_lock_out_of_step_with_runtime(project):
    (project / "requirements.txt").write_text(lock("numpy==2.1.0", "pandas==2.2.0"))
    code, out = check(project)
    assert code == 1
    assert "numpy is 2.0.0 in requirements-dev.txt but 2.1.0 in requirements.txt" in out


def test_check_locks_finds_pre_commit_tool_pinned_apart_from_lock(project):
    config = project / ".pre-commit-config.yaml"
    config.write_text('additional_dependencies: ["ruff==0.1.0"]\n')
    assert check(project)[0] == 0
    config.write_text('additional_dependencies: ["ruff==0.2.0"]\n')
    code, out = check(project)
    assert code == 1
    assert "pins ruff==0.2.0 but the lock has 0.1.0" in out


def test_check_locks_of_this_project_agree_with_its_pre_commit_config():
    config = (SCRIPT.parents[1] / ".pre-commit-config.yaml").read_text()
    dev_in = (SCRIPT.parents[1] / "requirements-dev.in").read_text()
    ruff_pin = next(line.split()[0] for line in dev_in.splitlines() if line.startswith("ruff=="))
    assert f'"{ruff_pin}"' in config
