"""The generated GitHub workflow's `run:` steps, run in order on this machine, as CI would run them.

The setup steps (`uses:` checkout, setup-python, cache, upload) are GitHub's; the ones after
them are the project's own commands, so they are what this test runs: in a virtualenv standing
in for setup-python's Python, on a pull request with no secrets configured.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import Baked, bake_locked, clean_env, run

pytestmark = pytest.mark.slow

CONTEXT = {  # what the runner would put in the expressions the steps use
    "github.token": "",
    "github.repository": "team/my-ml-project",
    "github.event.repository.default_branch": "main",
}
PULL_REQUEST = {  # the variables GitHub sets on a pull request's runs
    "CI": "true",
    "GITHUB_ACTIONS": "true",
    "GITHUB_EVENT_NAME": "pull_request",
    "GITHUB_RUN_ID": "4242",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "team/my-ml-project",
    "GITHUB_REF": "refs/pull/7/merge",
    "GITHUB_REF_NAME": "7/merge",
    "GITHUB_HEAD_REF": "better-features",
}
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def evaluate(value: object, env: dict[str, str]) -> str:
    """Resolve the plain `${{ name }}` expressions of an `env:` value (secrets are unset)."""

    def lookup(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith("secrets."):
            return ""
        if name.startswith("env."):
            return env[name[4:]]
        return CONTEXT[name]

    return EXPRESSION.sub(lookup, str(value))


def steps_in_order(workflow: dict) -> list[tuple[str, dict, dict]]:
    """(job, job env, step) for every `run:` step, jobs in file order."""
    return [
        (name, job.get("env", {}), step)
        for name, job in workflow["jobs"].items()
        for step in job["steps"]
        if "run" in step
    ]


def run_step(workflow: dict, job_env: dict, step: dict, base: dict, cwd: Path):
    """One `run:` step in bash as the runner runs it, with the workflow's, job's and step's env."""
    env = dict(base)
    for scope in (workflow.get("env", {}), job_env, step.get("env", {})):
        env.update({key: evaluate(value, env) for key, value in scope.items()})
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def ci_project(tmp_path_factory) -> Baked:
    """A default bake whose lock files are committed, as they are before a first push."""
    return bake_locked(tmp_path_factory.mktemp("ci-e2e"), ci="github")


@pytest.fixture(scope="session")
def ci_run(ci_project, tmp_path_factory) -> dict:
    """Run every `run:` step of ci.yml in order; return the summary and each step's output."""
    runner = tmp_path_factory.mktemp("runner")
    python = runner / "python"  # stands in for actions/setup-python's interpreter
    run([sys.executable, "-m", "venv", str(python)], runner)
    summary = runner / "step-summary.md"
    summary.touch()
    workflow = yaml.safe_load(ci_project.text(".github/workflows/ci.yml"))
    base = clean_env(**PULL_REQUEST, GITHUB_STEP_SUMMARY=str(summary))
    base["PATH"] = f"{python / 'bin'}{os.pathsep}{base['PATH']}"
    outputs = []
    for job, job_env, step in steps_in_order(workflow):
        done = run_step(workflow, job_env, step, base, ci_project.root)
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"{job}: {step['run']} failed\n{output[-6000:]}"
        outputs.append((job, step["run"], output))
    return {"summary": summary.read_text(), "outputs": outputs, "env": base}


def test_ci_workflow_runs_every_session_in_order(ci_run):
    commands = [command.strip() for _, command, _ in ci_run["outputs"]]
    nox_lines = [line for line in commands if line.startswith("nox ")]
    assert nox_lines[:3] == ["nox -s lint", "nox -s tests", "nox -s repro"]
    assert "nox -s pipeline" in nox_lines
    assert nox_lines[-1].startswith("nox -s pipeline -- gate")


def test_ci_workflow_without_main_metrics_still_reports(ci_run):
    fetch = [output for job, command, output in ci_run["outputs"] if "gh run download" in command]
    assert "No metrics from main yet" in fetch[0]


def test_ci_workflow_gate_passes_on_example_and_summary_shows_report(ci_run, ci_project):
    assert "**Gate passed.**" in ci_run["summary"]
    assert "| accuracy |" in ci_run["summary"]
    # The train job's report (the repro job's, when `nox -s repro` wrote one, comes first).
    assert ci_run["summary"].endswith(ci_project.text("reports/metrics.md"))


def test_ci_workflow_run_is_tagged_with_pull_request(ci_run, ci_project):
    import json

    manifest = json.loads(ci_project.text("reports/manifest.json"))
    assert manifest["ci"] == {
        "ci.provider": "github",
        "ci.pipeline_id": "4242",
        "ci.pipeline_url": "https://github.com/team/my-ml-project/actions/runs/4242",
        "ci.branch": "better-features",
        "ci.request": "7",
    }


def test_ci_gate_fails_on_raised_minimum_and_says_by_how_much(ci_run, ci_project):
    import json

    accuracy = json.loads(ci_project.text("reports/metrics.json"))["accuracy"]
    params = yaml.safe_load(ci_project.text("params.yaml"))
    params["gate"]["minimum"]["accuracy"] = round(accuracy + 0.05, 4)
    raised = Path(ci_project.root / "raised-params.yaml")
    raised.write_text(yaml.safe_dump(params), encoding="utf-8")
    try:
        done = subprocess.run(
            ["nox", "-s", "pipeline", "--", "--params", raised.name, "gate"],
            cwd=ci_project.root,
            env=ci_run["env"],
            capture_output=True,
            text=True,
        )
    finally:
        raised.unlink()
    assert done.returncode != 0
    report = ci_project.text("reports/metrics.md")
    assert "**Gate failed:**" in report
    assert f"accuracy {accuracy:.4f} is 0.0500 below its minimum {accuracy + 0.05:.4f}" in report


def test_ci_workflow_mlflow_run_is_findable_by_pull_request(ci_run, ci_project):
    find = (
        "import mlflow; mlflow.set_tracking_uri('sqlite:///mlflow.db'); "
        "runs = mlflow.search_runs(search_all_experiments=True, "
        "filter_string=\"tags.`ci.request` = '7' and tags.`ci.provider` = 'github'\"); "
        "print(len(runs))"
    )
    python = str(ci_project.root / ".nox/pipeline/bin/python")
    done = run([python, "-c", find], ci_project.root, MLFLOW_TRACKING_URI="")
    assert int(done.stdout.split()[-1]) >= 1


def test_ci_monitor_job_compares_the_current_data_and_finds_no_drift(ci_run, ci_project, tmp_path):
    """monitor.yml's `monitor` job, its `run:` steps as the runner would run them: without a
    profile from main (no `gh` here) it trains at the commit, then monitors `data.source`."""
    workflow = yaml.safe_load(ci_project.text(".github/workflows/monitor.yml"))
    outputs = tmp_path / "github-output"
    outputs.touch()
    base = dict(ci_run["env"], GITHUB_EVENT_NAME="schedule", GITHUB_OUTPUT=str(outputs))
    printed = []
    for job, job_env, step in steps_in_order(workflow):
        if job != "monitor":
            continue
        done = run_step(workflow, job_env, step, base, ci_project.root)
        printed.append(done.stdout + done.stderr)
        assert done.returncode == 0, f"{step['run']} failed\n{printed[-1][-6000:]}"
    assert "No profile from main yet: training at this commit." in printed[-2]
    assert "no drift: reports/monitoring/bundled-breast_cancer.json" in printed[-1]
    assert outputs.read_text() == "drift=false\n"
