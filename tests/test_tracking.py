"""The `tracking` option, fast: what each value bakes (sessions, commands, settings, ignores)."""

import ast
import subprocess

import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .helpers import Baked


def functions(project: Baked, path: str) -> set[str]:
    tree = ast.parse(project.text(path))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def imported_modules(project: Baked) -> set[str]:
    """Every module the project's two packages import, relative imports as `.name`."""
    names = set()
    for path in project.files():
        if path.startswith("src/") and path.endswith(".py"):
            for node in ast.walk(ast.parse(project.text(path))):
                if isinstance(node, ast.Import):
                    names |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom):
                    names.add("." * node.level + (node.module or "").split(".")[0])
    return names


def ignored(project: Baked, *paths: str) -> set[str]:
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths],
        cwd=project.root,
        capture_output=True,
        text=True,
    )
    return set(done.stdout.split())


def test_tracking_none_has_no_register_session_and_imports_no_tracking(baked):
    project = baked(tracking="none")
    assert "register" not in functions(project, "noxfile.py")
    assert not {"mlflow", "dotenv", ".tracking", ".commands"} & imported_modules(project)


def test_tracking_mlflow_has_register_session_and_tracked_entry_point(baked):
    project = baked()
    assert "register" in functions(project, "noxfile.py")
    commands = project.text("src/mlreprokit/commands.py")
    assert "tracked_commands()" in commands
    assert {'commands["register"]', 'commands["predict"]', 'commands["runs"]'} <= set(
        line.strip().split(" = ")[0] for line in commands.splitlines()
    )


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


def test_tracking_wandb_has_tune_but_no_registry_and_imports_no_mlflow(baked):
    project = baked(tracking="wandb")
    assert "register" not in functions(project, "noxfile.py")
    assert "return tracked_commands()" in project.text("src/mlreprokit/commands.py")
    assert "wandb" in imported_modules(project)
    assert not {"mlflow", "dotenv", ".registry", ".champion"} & imported_modules(project)


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
    for tracker in ("mlflow", "wandb"):
        pyproject = tomllib.loads(baked(tracking=tracker).text("pyproject.toml"))
        assert pyproject["tool"]["repro"]["command"][-2:] == ["all", "--no-track"]
    pyproject = tomllib.loads(baked(tracking="none").text("pyproject.toml"))
    assert pyproject["tool"]["repro"]["command"][-1] == "all"
