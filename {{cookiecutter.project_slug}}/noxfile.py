"""Project sessions: `nox` runs lint, tests and repro; `nox -s lock` pins the environment."""

import hashlib
import os
import shutil
from pathlib import Path

import nox

PYTHON = "{{ cookiecutter.python_version }}"
MODULE = "{{ cookiecutter.module_name }}"
LOCKS = {"requirements.in": "requirements.txt", "requirements-dev.in": "requirements-dev.txt"}
RUNTIME_LOCK, DEV_LOCK = LOCKS.values()
# Fixed hash seed: set iteration order is then the same in every run (repro varies it on purpose).
RUN_ENV = {"PYTHONHASHSEED": "0"}

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "tests", "repro"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def install_locked(session: nox.Session, lock: str) -> None:
    """Install exactly the pinned, hashed lock, then this project without dependencies.

    Skipped when the session's environment was last synced to the same lock.
    """
    if not Path(lock).exists():
        session.error(f"{lock} does not exist yet: run `nox -s lock` to create the lock files")
    stamp = Path(session.virtualenv.location) / ".lock-sha256"
    digest = sha256(Path(lock)) + sha256(Path("pyproject.toml"))
    if stamp.exists() and stamp.read_text() == digest:
        session.log(f"environment already matches {lock}")
        return
    if session.venv_backend == "uv":
        session.run_install("uv", "pip", "sync", "--require-hashes", lock, external=True)
    else:
        session.install("--require-hashes", "-r", lock)
    session.install("--no-deps", "-e", ".")
    stamp.write_text(digest)


@nox.session(python=PYTHON)
def lock(session: nox.Session) -> None:
    """Pin requirements*.in into requirements*.txt with hashes (uv when present, else pip-tools).

    `LOCK_WITH=pip-tools nox -s lock` uses pip-tools even where uv is present.
    """
    uv = shutil.which("uv") if os.environ.get("LOCK_WITH") != "pip-tools" else None
    if not uv:
        session.install("pip-tools")
    # fmt: off
    for source, target in LOCKS.items():
        if uv:
            session.run(
                uv, "pip", "compile", "--quiet", "--generate-hashes", "--no-emit-index-url",
                "--no-emit-find-links", "--python-version", PYTHON,
                "--custom-compile-command", "nox -s lock", *session.posargs, source, "-o", target,
                external=True,
            )
        else:
            session.run(
                "pip-compile", "--quiet", "--generate-hashes", "--allow-unsafe", "--strip-extras",
                "--no-emit-index-url", "--no-emit-find-links", *session.posargs, source,
                "--output-file", target, env={"CUSTOM_COMPILE_COMMAND": "nox -s lock"},
            )
    # fmt: on


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Run every pre-commit hook on every file."""
    install_locked(session, DEV_LOCK)
    session.run("pre-commit", "run", "--all-files", "--show-diff-on-failure", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the unit tests."""
    install_locked(session, DEV_LOCK)
    session.run("pytest", *session.posargs, env=RUN_ENV)


@nox.session(python=PYTHON)
def pipeline(session: nox.Session) -> None:
    """Run the pipeline from raw data to metrics (posargs: a stage or command; default all)."""
    install_locked(session, RUNTIME_LOCK)
    session.run("python", "-m", MODULE, *(session.posargs or ["all"]), env=RUN_ENV)
{%- if cookiecutter.tracking == "mlflow" %}


@nox.session(python=PYTHON)
def register(session: nox.Session) -> None:
    """Register the latest run's model and move an alias to it (posargs: `--alias champion`)."""
    install_locked(session, RUNTIME_LOCK)
    session.run("python", "-m", MODULE, "register", *session.posargs, env=RUN_ENV)
{%- endif %}


@nox.session(python=PYTHON)
def repro(session: nox.Session) -> None:
    """Run the pipeline in fresh copies, a control run and a varied run; fail if an output differs.

    posargs: `--update-reference` records the outputs in reports/repro.json, `--no-bisect` skips
    naming the variation behind a difference, `--keep` keeps the copies. What is compared and
    varied: `[tool.repro]` in pyproject.toml. Every check writes its result to reports/repro.json.
    """
    install_locked(session, RUNTIME_LOCK)
    # No bytecode caches either: the check leaves your tree exactly as it found it.
    session.run(
        "python", "-m", f"{MODULE}.repro", *session.posargs, env={"PYTHONDONTWRITEBYTECODE": "1"}
    )
