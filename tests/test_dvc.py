"""data_versioning: `dvc` bakes a ready DVC repository; `none` bakes no trace of DVC (fast)."""

import configparser
import re
import subprocess
from pathlib import Path

import yaml

from .test_hooks import post_gen


def git(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=project.root, capture_output=True, text=True)


def dvc_config(project) -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read_string(project.text(".dvc/config"))
    return config


def test_bake_dvc_none_has_no_dvc_file_dependency_or_hook(baked):
    project = baked(data_versioning="none")
    assert [path for path in project.files() if "dvc" in path.lower()] == []
    for path in ("requirements.in", "requirements-dev.in", "noxfile.py", "params.yaml"):
        assert "dvc" not in project.text(path).lower(), path
    hooks = yaml.safe_load(project.text(".pre-commit-config.yaml"))["repos"]
    assert not [hook for repo in hooks for hook in repo["hooks"] if "dvc" in hook["entry"]]
    assert git(project, "check-ignore", "-q", "reports/metrics.json").returncode == 0


def test_bake_dvc_ships_initialised_repo_with_analytics_off_and_outside_remote(baked):
    project = baked(data_versioning="dvc", project_name="Wine Study")
    config = dvc_config(project)
    assert config["core"]["analytics"] == "false"
    name = config["core"]["remote"]
    remote = config[f"'remote \"{name}\"'"]["url"]  # DVC's section name keeps its quotes
    # Outside any work tree, the same for every clone on the machine (DVC expands `~`).
    assert Path(remote).expanduser() == Path.home() / "dvc-remotes" / "wine-study"
    assert {".dvc/config", ".dvc/.gitignore", "dvc.yaml"} <= set(
        git(project, "ls-files").stdout.splitlines()
    )


def test_bake_dvc_git_keeps_dvc_pointers_and_metrics_but_not_data(baked):
    project = baked(data_versioning="dvc")
    paths = ["data/raw/wine.csv", "data/raw/wine.csv.dvc", "reports/metrics.json", "dvc.lock"]
    paths.append("dvc_plots/index.html")  # what `dvc plots show` writes
    ignored = git(project, "check-ignore", "--no-index", *paths).stdout.split()
    assert ignored == ["data/raw/wine.csv", "dvc_plots/index.html"]


def test_bake_dvc_yaml_runs_each_cli_stage_of_the_module(baked):
    project = baked(data_versioning="dvc", module_name="churn")
    stages = yaml.safe_load(project.text("dvc.yaml"))["stages"]
    assert list(stages) == ["data", "features", "train", "evaluate", "profile"]
    for name, stage in stages.items():
        assert stage["cmd"] == f"PYTHONHASHSEED=0 python -m churn {name}"
        package = "mlreprokit" if name == "profile" else "churn"  # the kit's stage function
        assert stage["deps"][0] == f"src/{package}/{name}.py"
        assert (project.root / stage["deps"][0]).is_file()
        # Shared code (the project's and the kit's) and the lock can change every output:
        # `dvc status` must see them.
        for shared in ("churn/config.py", "mlreprokit/config.py", "mlreprokit/seed.py"):
            assert f"src/{shared}" in stage["deps"], (name, shared)
            assert (project.root / "src" / shared).is_file()
        assert "requirements.txt" in stage["deps"], name
    assert stages["train"]["params"] == ["seed", "model"]
    assert stages["evaluate"]["metrics"] == [{"reports/metrics.json": {"cache": False}}]
    assert stages["profile"]["outs"] == ["models/profile.json"]


def test_bake_dvc_offers_dvc_git_hooks_outside_the_commit_stage(baked):
    project = baked(data_versioning="dvc")
    pins = re.findall(r"^dvc==(\S+)", project.text("requirements-dev.in"), re.MULTILINE)
    hooks = yaml.safe_load(project.text(".pre-commit-config.yaml"))["repos"][0]["hooks"]
    dvc_hooks = {hook["entry"]: hook for hook in hooks if hook["entry"].startswith("dvc ")}
    assert set(dvc_hooks) == {"dvc git-hook pre-push", "dvc git-hook post-checkout"}
    for hook in dvc_hooks.values():
        assert hook["additional_dependencies"] == [f"dvc=={pins[0]}"]
        assert hook["stages"] == [hook["entry"].split()[-1]]  # never on `pre-commit run`


def test_post_gen_start_dvc_says_what_it_did():
    options = {"data_versioning": "dvc", "project_slug": "wine-study"}
    assert post_gen.start_dvc({**options, "data_versioning": "none"}, in_git=True) is None
    message = post_gen.start_dvc(options, in_git=True)
    assert "without `dvc init`" in message and "~/dvc-remotes/wine-study" in message
    assert "git init" in post_gen.start_dvc(options, in_git=False)
    assert "\n" not in message
