"""The generated `.gitlab-ci.yml` run by gitlab-ci-local, a real GitLab runner emulation, as a
merge-request pipeline: lint, tests, repro and train must pass; then `promote` on the default
branch, with a team tracking server (a SQLite store here) given as MLFLOW_TRACKING_URI; and a
monitoring pipeline (MONITOR=true): `monitor`, then `retrain`, and nothing else.

Each job runs in its own copy of the project (`--shell-isolation`, which needs rsync) with
GitLab's predefined variables as gitlab-ci-local sets them, plus those of a merge request.
What cannot run here, and so is not tested by this module:
- the `python:X` image: the shell executor runs the jobs on this machine, with a virtualenv
  standing in for the image's Python (as tests/test_ci_e2e.py does for setup-python);
- the artifacts API: train's download of the default branch's metrics fails (no GitLab to ask),
  so its report shows no change, as on a project's first merge request;
- the `$CI_OPEN_MERGE_REQUESTS` rule of `workflow: rules` (gitlab-ci-local evaluates the rules,
  but only GitLab knows which merge requests are open);
- caches and artifacts between pipelines, `expose_as`, masked variables: GitLab's own features.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import Baked, bake_locked, clean_env, run

pytestmark = pytest.mark.slow

GITLAB_CI_LOCAL = Path(__file__).parent / "gitlab-ci-local/node_modules/.bin/gitlab-ci-local"
BRANCH = "better-features"
MERGE_REQUEST = {  # what GitLab sets in a merge request pipeline (gitlab-ci-local sets the rest)
    "GITLAB_CI": "true",  # gitlab-ci-local says "false": it is not GitLab, but plays it here
    "CI_PIPELINE_SOURCE": "merge_request_event",
    "CI_MERGE_REQUEST_IID": "12",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": BRANCH,
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
}
QUERY = """
import json, mlflow
runs = mlflow.search_runs(search_all_experiments=True, output_format="list")
client = mlflow.MlflowClient()
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Baked:
    """A GitLab project with MLflow, locks committed, on a feature branch of a GitLab remote."""
    assert shutil.which("node") and GITLAB_CI_LOCAL.exists() and shutil.which("rsync"), (
        "needs node, rsync and `npm ci --prefix tests/gitlab-ci-local` (.ci/run does them)"
    )
    project = bake_locked(tmp_path_factory.mktemp("gitlab"), ci="gitlab", tracking="mlflow")
    remote = "https://gitlab.example.com/team/my-ml-project.git"  # names the project, never used
    run(["git", "remote", "add", "origin", remote], project.root)
    run(["git", "checkout", "-q", "-b", BRANCH], project.root)
    return project


@pytest.fixture(scope="module")
def runner(project, tmp_path_factory) -> dict[str, str]:
    """The runner's environment: the image's Python, and the team server as a CI/CD variable."""
    folder = tmp_path_factory.mktemp("runner")
    run([sys.executable, "-m", "venv", str(folder / "python")], folder)
    # The shell executor runs every job on this one Python, two at a time: jobs racing to install
    # the same tools into it broke one another's install (`No such file ... bin/uvx`). A real
    # runner gives each job its own image; this one comes with the tools, as such an image would.
    tools = re.search(r"(?m)^  CI_TOOLS: (.+)$", project.text(".gitlab-ci.yml")).group(1)
    run([str(folder / "python/bin/python"), "-m", "pip", "install", "-q", *tools.split()], folder)
    env = clean_env()
    env["PATH"] = f"{folder / 'python/bin'}{os.pathsep}{env['PATH']}"
    return {"env": env, "store": f"sqlite:///{folder / 'team.db'}"}


def gitlab_ci_local(project: Baked, runner: dict, *args: str, **variables: str):
    """Run gitlab-ci-local in the project with the given job variables; return what it printed."""
    caches = {  # the machine's download caches, so each job's copy does not download again
        "UV_CACHE_DIR": str(Path.home() / ".cache/uv"),
        "PIP_CACHE_DIR": str(Path.home() / ".cache/pip"),
        "PRE_COMMIT_HOME": str(Path.home() / ".cache/pre-commit"),
    }
    variables = {**caches, "MLFLOW_TRACKING_URI": runner["store"], **variables}
    options = [f"--variable={key}={value}" for key, value in variables.items()]
    env = {**runner["env"], "GCL_IGNORE_PREDEFINED_VARS": ",".join(variables)}
    command = [str(GITLAB_CI_LOCAL), "--force-shell-executor", "--shell-isolation"]
    command += ["--concurrency", "2", "--max-job-name-padding", "0", *options, *args]
    done = subprocess.run(command, cwd=project.root, env=env, capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def query(project: Baked, runner: dict, code: str) -> object:
    """Run `code` (it prints JSON) with the train job's MLflow on the team store."""
    python = project.root / ".gitlab-ci-local/builds/train/.nox/pipeline/bin/python"
    done = run([str(python), "-c", QUERY + code], project.root, MLFLOW_TRACKING_URI=runner["store"])
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def merge_request(project, runner) -> str:
    """The merge request pipeline: CI_COMMIT_BRANCH unset, as GitLab leaves it there."""
    code, output = gitlab_ci_local(
        project, runner, "--unset-variable", "CI_COMMIT_BRANCH", **MERGE_REQUEST
    )
    assert code == 0, output[-8000:]
    return output


def test_gitlab_merge_request_pipeline_passes_lint_tests_repro_and_train(merge_request):
    passed = [line.split()[-1] for line in merge_request.splitlines() if " PASS " in line]
    assert passed == ["lint", "tests", "repro", "train"]  # no promote outside the default branch
    assert "pipeline finished" in merge_request


def test_gitlab_train_reports_without_reference_metrics(merge_request):
    assert "No metrics from main yet: the report shows no change." in merge_request
    assert "**Gate passed.**" in merge_request


def test_gitlab_team_store_gets_only_the_train_run_tagged_with_the_merge_request(
    project, runner, merge_request
):
    runs = query(project, runner, "print(json.dumps([r.data.tags for r in runs]))")
    assert len(runs) == 1  # the tests job saw MLFLOW_TRACKING_URI too and logged nothing there
    (tags,) = runs
    assert tags["ci.provider"] == "gitlab"
    assert tags["ci.request"] == "12"
    assert tags["ci.branch"] == BRANCH
    assert tags["ci.pipeline_url"].startswith("https://gitlab.example.com/team/my-ml-project/")


def test_gitlab_promote_on_default_branch_registers_the_champion(project, runner, merge_request):
    run(["git", "checkout", "-q", "main"], project.root)
    try:
        code, output = gitlab_ci_local(project, runner, "--manual", "promote", "promote")
    finally:
        run(["git", "checkout", "-q", BRANCH], project.root)
    assert code == 0, output[-8000:]
    found = query(
        project,
        runner,
        """version = client.get_model_version_by_alias("my-ml-project", "champion")
print(json.dumps({"run": version.run_id, "train": runs[0].info.run_id,
                  "description": version.description}))""",
    )
    assert found["run"] == found["train"]  # the merge request's train run, now the champion
    assert "## Metrics (test split)" in found["description"]


def test_gitlab_promote_without_a_server_says_what_to_set(project, runner, merge_request):
    run(["git", "checkout", "-q", "main"], project.root)
    try:
        code, output = gitlab_ci_local(
            project, runner, "--manual", "promote", "promote", MLFLOW_TRACKING_URI=""
        )
    finally:
        run(["git", "checkout", "-q", BRANCH], project.root)
    # The manual job may fail (allow_failure: the pipeline stays green): it must say why.
    assert "Set the MLFLOW_TRACKING_URI variable" in output
    assert not re.search(r"PASS\s+promote", output), output[-3000:]


@pytest.fixture(scope="module")
def monitoring(project, runner) -> tuple[int, str]:
    """A monitoring pipeline, as a pipeline schedule with MONITOR=true starts it."""
    return gitlab_ci_local(  # no team server: the store keeps the merge request's run only
        project, runner, CI_PIPELINE_SOURCE="schedule", MONITOR="true", MLFLOW_TRACKING_URI=""
    )


def test_gitlab_monitoring_pipeline_monitors_the_data_and_retrains_nothing_without_drift(
    monitoring,
):
    code, output = monitoring
    assert code == 0, output[-8000:]
    passed = [line.split()[-1] for line in output.splitlines() if " PASS " in line]
    assert passed == ["monitor", "retrain"]  # the checks and train stay out of it
    assert "No profile from main yet: training at this commit." in output
    assert "no drift: reports/monitoring/bundled-breast_cancer.json" in output
    assert "No drift (and RETRAIN is not true): nothing to retrain." in output


def test_gitlab_retrain_on_demand_of_the_demo_data_says_why_in_one_line(project, runner):
    code, output = gitlab_ci_local(
        project,
        runner,
        "monitor",
        "retrain",
        CI_PIPELINE_SOURCE="web",
        MONITOR="true",
        RETRAIN="true",
        MLFLOW_TRACKING_URI="",
    )
    assert code != 0
    assert (
        "error: data.source 'bundled:breast_cancer' is a demo dataset that never changes" in output
    )
    assert not re.search(r"PASS\s+retrain", output), output[-3000:]
