"""Project sessions: `nox` runs lint, tests and repro; `nox -s lock` pins the environment."""

import hashlib
import importlib.util
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nox

PYTHON = "{{ cookiecutter.python_version }}"
MODULE = "{{ cookiecutter.module_name }}"
LOCKS = {"requirements.in": "requirements.txt", "requirements-dev.in": "requirements-dev.txt"}
RUNTIME_LOCK, DEV_LOCK = LOCKS.values()
# Fixed hash seed: set iteration order is then the same in every run (repro varies it on purpose).
RUN_ENV = {"PYTHONHASHSEED": "0"}
# CI (GitHub and GitLab set CI) runs every test and shows hook diffs; locally `tests` is fast.
IN_CI = bool(os.environ.get("CI"))
FAST_TESTS = [] if IN_CI else ["-m", "not slow"]
# Coverage of src/ by the default test run. CI (all tests) fails under the floor: the full suite
# measured 89-93% when baked (default; tracking=none; after `adopt`), so 85 lets a
# little untested glue in but stops a change that drops tests or adds a module without them.
# The remainder is torch/TensorFlow/JAX branches (doctor, seed), cloud sources, team-server
# paths and `__main__`; raise the floor as your project's tests grow.
COVERAGE_FLOOR = 85
FLOOR = [f"--cov-fail-under={COVERAGE_FLOOR}"] if IN_CI else []
COVERAGE = ["--cov", "--cov-report=term", *FLOOR]
DEV_VENV = Path(".venv")
AUDITOR = "pip-audit==2.10.1"  # `nox -s audit`: a tool of its own, kept out of the locks

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "tests", "repro"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def timed(session: nox.Session, what: str) -> Iterator[None]:
    """Say what a long step is doing, then how long it took."""
    session.log(f"{what} ...")
    started = time.perf_counter()
    yield
    session.log(f"{what}: done in {time.perf_counter() - started:.1f} s")


def require_lock(session: nox.Session, lock: str) -> None:
    """The lock exists and pins what requirements*.in ask for (they change by hand or with
    `cruft update`): else one line saying to run `nox -s lock`, before anything installs."""
    if not Path(lock).exists():
        session.error(f"{lock} does not exist yet: run `nox -s lock` to create the lock files")
    spec = importlib.util.spec_from_file_location("check_locks", "tools/check_locks.py")
    if spec is None or spec.loader is None:
        return
    check_locks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check_locks)
    if problems := check_locks.check(Path.cwd()):
        session.error(f"the lock files are out of date ({problems[0]}): run `nox -s lock`")


def install_locked(session: nox.Session, lock: str, bytecode: bool = False) -> None:
    """Install exactly the pinned, hashed lock, then this project without dependencies.

    `bytecode` compiles the packages at install (pip always does), for sessions whose every
    run starts fresh processes that must not write caches. Skipped when the session's
    environment was last synced to the same lock.
    """
    require_lock(session, lock)
    stamp = Path(session.virtualenv.location) / ".lock-sha256"
    digest = sha256(Path(lock)) + sha256(Path("pyproject.toml")) + ("+pyc" if bytecode else "")
    if stamp.exists() and stamp.read_text() == digest:
        session.log(f"environment already matches {lock}")
        return
    with timed(session, f"installing {lock} into {session.virtualenv.location}"):
        if session.venv_backend == "uv":
            sync = ["uv", "pip", "sync", "--require-hashes", lock]
            session.run_install(*sync, *(["--compile-bytecode"] if bytecode else []), external=True)
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
        with timed(session, f"locking {source} into {target}"):
            run_lock(session, uv, source, target)
    # fmt: on


def run_lock(session: nox.Session, uv: str | None, source: str, target: str) -> None:
    """Pin one requirements file with hashes, never with this machine's index URLs."""
    # fmt: off
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
def dev(session: nox.Session) -> None:
    """Make `.venv` for your editor and shell: the dev lock, this package (editable), the tools."""
    require_lock(session, DEV_LOCK)
    bin_dir = DEV_VENV / ("Scripts" if os.name == "nt" else "bin")
    python = str(bin_dir / "python")
    uv = shutil.which("uv")
    with timed(session, f"making {DEV_VENV} from {DEV_LOCK}"):
        if uv:
            venv = [uv, "venv", "--quiet", "--clear", "--python", PYTHON]
            session.run(*venv, str(DEV_VENV), external=True)
            install = [uv, "pip", "install", "--quiet", "--python", python]
        else:
            session.run("python", "-m", "venv", "--clear", str(DEV_VENV))
            install = [python, "-m", "pip", "install", "--quiet"]
        session.run(*install, "--require-hashes", "-r", DEV_LOCK, external=True)
        session.run(*install, "--no-deps", "-e", ".", external=True)
    session.log("Ready: `source .venv/bin/activate` (Windows: `.venv\\Scripts\\activate`),")
    session.log(f"then `pre-commit install` once; `python -m {MODULE}` runs the pipeline.")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Run every pre-commit hook on every file, then mypy.

    Hook diffs are shown in CI only: on your machine the tree may hold your own edits, which
    pre-commit would print as if its hooks had made them.
    """
    install_locked(session, DEV_LOCK)
    diff = ["--show-diff-on-failure"] if IN_CI else []
    session.run("pre-commit", "run", "--all-files", *diff, *session.posargs)
    session.run("mypy")  # strict on src/: [tool.mypy] in pyproject.toml


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the tests: the fast ones locally, all in CI; `nox -s tests -- tests` runs all here.

    Any posargs replace the fast default (`-m "not slow"`) and go to pytest.
    """
    install_locked(session, DEV_LOCK)
    session.run("pytest", *(session.posargs or [*FAST_TESTS, *COVERAGE]), env=RUN_ENV)


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


@nox.session(python=PYTHON, default=False)
def audit(session: nox.Session) -> None:
    """Audit both locks for known vulnerabilities; fail when a package could not be audited.

    Needs a vulnerability service (PyPI's, or `-- --vulnerability-service osv`): where only a
    package mirror answers, every package is "not found" and `--strict` fails the session,
    rather than passing with nothing audited. CI runs it weekly and when a lock changes.
    """
    session.install(AUDITOR)
    for lock in LOCKS.values():
        require_lock(session, lock)
        checks = ["--requirement", lock, "--require-hashes", "--disable-pip", "--strict"]
        session.run("pip-audit", *checks, *session.posargs)


@nox.session(python=PYTHON)
def repro(session: nox.Session) -> None:
    """Run the pipeline in fresh copies, a control run and a varied run; fail if an output differs.

    posargs: `--update-reference` records the outputs in reports/repro.json, `--no-bisect` skips
    naming the variation behind a difference, `--keep` keeps the copies. What is compared and
    varied: `[tool.repro]` in pyproject.toml. Every check writes its result to reports/repro.json.
    """
    install_locked(session, RUNTIME_LOCK, bytecode=True)  # each run imports the stack afresh
    # No bytecode caches either: the check leaves your tree exactly as it found it.
    with timed(session, "running the pipeline twice in fresh copies"):
        command = ["python", "-m", "mlreprokit.repro", *session.posargs]
        session.run(*command, env={"PYTHONDONTWRITEBYTECODE": "1"})
