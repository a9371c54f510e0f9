"""The `tracking` option, fast: what each value bakes (sessions, commands, settings, ignores)."""

import ast
import subprocess

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .helpers import Baked, module_path, top_level_imports


def functions(project: Baked, path: str) -> set[str]:
    tree = ast.parse(project.text(path))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def ignored(project: Baked, *paths: str) -> set[str]:
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths],
        cwd=project.root,
        capture_output=True,
        text=True,
    )
    return set(done.stdout.split())


def loaded_on_start(project: Baked) -> set[str]:
    """Every module `python -m <module>` imports before a command runs, by reading the code."""
    seen, todo = set(), [f"{project.module}.__main__"]
    while todo:
        name = todo.pop()
        seen.add(name)
        if module_path(project, name):
            todo += [imported for imported in top_level_imports(project, name) - seen]
    return seen


def test_tracking_none_has_no_register_session(baked):
    project = baked(tracking="none")
    assert "register" not in functions(project, "noxfile.py")
    assert yaml.safe_load(project.text("params.yaml"))["tracking"]["tracker"] == "none"


@pytest.mark.parametrize("tracker", ["mlflow", "wandb", "none"])
def test_tracking_packages_load_only_when_a_run_is_tracked(baked, tracker):
    """Every adapter ships; `python -m <module>` imports none of their packages at start."""
    loaded = {name.split(".")[0] for name in loaded_on_start(baked(tracking=tracker))}
    assert "mlreprokit" in loaded and not {"mlflow", "wandb", "optuna", "dotenv"} & loaded


def test_tracking_mlflow_has_register_session_and_tracked_entry_point(baked):
    project = baked()
    assert "register" in functions(project, "noxfile.py")
    assert yaml.safe_load(project.text("params.yaml"))["tracking"]["tracker"] == "mlflow"


def test_tracking_mlflow_stores_and_secrets_are_git_ignored(baked):
    project = baked()
    stores = {"mlflow.db", "mlruns/x", "mlartifacts/x", ".env", "reports/predictions.csv"}
    assert ignored(project, *stores, ".env.example") == stores


def test_tracking_mlflow_tune_space_names_model_hyperparameters(baked):
    params = yaml.safe_load(baked().text("params.yaml"))
    space = params["tracking"]["tune"]["space"]
    assert set(space) <= set(params["model"])
    assert all(isinstance(spec, dict) and spec for spec in space.values())
    assert params["tracking"]["model_name"] == params["tracking"]["experiment"] == "my-ml-project"


def test_tracking_tune_proposal_and_journals_are_git_ignored(baked):
    for tracking in ("mlflow", "wandb"):
        project = baked(tracking=tracking)
        found = {"reports/tune.diff", ".optuna/tune-1.log"}
        assert ignored(project, *found) == found
    assert "optuna" not in baked(tracking="none").text("requirements.in")


def test_tracking_mlflow_custom_names_reach_experiment_model_and_mlproject(baked):
    project = baked(project_name="Churn Model", module_name="churn")
    tracking = yaml.safe_load(project.text("params.yaml"))["tracking"]
    assert tracking["experiment"] == tracking["model_name"] == "churn-model"
    entry_points = yaml.safe_load(project.text("MLproject"))["entry_points"]
    assert entry_points["all"]["command"] == "python -m churn all"


def test_tracking_wandb_has_tune_but_no_register_session(baked):
    project = baked(tracking="wandb")
    assert "register" not in functions(project, "noxfile.py")
    assert yaml.safe_load(project.text("params.yaml"))["tracking"]["tracker"] == "wandb"
    assert "tune" in yaml.safe_load(project.text("params.yaml"))["tracking"]


def test_tracking_wandb_is_offline_by_default_in_the_slug_project(baked):
    params = yaml.safe_load(baked(tracking="wandb", project_name="Churn Model").text("params.yaml"))
    tracking = params["tracking"]
    assert tracking["mode"] == "offline" and tracking["enabled"] is True
    assert (tracking["project"], tracking["entity"]) == ("churn-model", None)
    assert set(tracking["tune"]["space"]) <= set(params["model"])


def test_tracking_wandb_local_runs_are_git_ignored(baked):
    project = baked(tracking="wandb")
    assert ignored(project, "wandb/offline-run-1/run-1.wandb", "wandb/debug.log") == {
        "wandb/offline-run-1/run-1.wandb",
        "wandb/debug.log",
    }


def test_tracking_requirements_name_only_the_chosen_tracker(baked):
    for tracker, other in (("mlflow", "wandb"), ("wandb", "mlflow-skinny")):
        names = {
            line.split("#")[0].split("<")[0].strip()
            for line in baked(tracking=tracker).text("requirements.in").splitlines()
        }
        assert (tracker if tracker == "wandb" else "mlflow-skinny") in names
        assert other not in names


def test_tracking_repro_reruns_never_track(baked):
    for tracker in ("mlflow", "wandb", "none"):  # none too: a switch in params.yaml stays a check
        pyproject = tomllib.loads(baked(tracking=tracker).text("pyproject.toml"))
        assert pyproject["tool"]["repro"]["command"][-2:] == ["all", "--no-track"]
