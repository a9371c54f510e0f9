"""End to end, the tracker as a setting: a project baked without a tracker moves to W&B by the
edits TRACKING.md's "Switch trackers" lists (params.yaml, requirements.in, `nox -s lock`), with no
re-bake; its next pipeline run is an offline W&B run, and an MLflow command names the tracker."""

import re

import pytest

from .helpers import Baked, bake, nox, run
from .test_wandb_e2e import offline_runs, wandb_env

pytestmark = pytest.mark.slow


def switch_to_wandb(project: Baked) -> None:
    """Apply TRACKING.md's W&B section and package line, as a user would copy them."""
    manual = project.text("src/mlreprokit/TRACKING.md").split("## Switch trackers")[1]
    section = next(
        block for block in re.findall(r"```yaml\n(.*?)```", manual, re.DOTALL) if "wandb" in block
    )
    section = re.sub(r"(?m)^   ", "", section).replace("<project-slug>", project.root.name)
    packages = re.search(r"(?m)^   - W&B: (.*)$", manual)[1]
    params = project.text("params.yaml")
    params = params[: params.index("\ntracking:")] + "\n" + section
    (project.root / "params.yaml").write_text(params, encoding="utf-8")
    names = re.findall(r"`([^`]+)`", packages)
    with (project.root / "requirements.in").open("a", encoding="utf-8") as requirements:
        requirements.write("".join(f"{name}\n" for name in names))


@pytest.fixture(scope="module")
def switched(tmp_path_factory) -> Baked:
    project = bake(tmp_path_factory.mktemp("switch"), tracking="none", ci="none")
    switch_to_wandb(project)
    nox(project, "-s", "lock")
    run(["git", "commit", "-qam", "Track with W&B", "--no-verify"], project.root)
    nox(project, "-s", "pipeline", **wandb_env(project))
    return project


def test_tracker_switch_to_wandb_logs_the_next_run_offline(switched):
    (parsed,) = offline_runs(switched).values()
    assert parsed["job_type"] == "all" and parsed["project"] == "my-ml-project"
    assert "wandb==" in switched.text("requirements.txt")


def test_tracker_switch_leaves_mlflow_commands_saying_which_tracker(switched):
    done = nox(switched, "-s", "pipeline", "--", "runs", check=False, **wandb_env(switched))
    assert done.returncode != 0
    said = done.stdout + done.stderr  # nox relays the command's stderr on its stdout
    assert "`runs` needs mlflow, but tracking.tracker is wandb in params.yaml" in said
