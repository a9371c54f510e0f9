import dataclasses

from mlreprokit import runinfo


def test_run_params_are_seed_data_and_model_flattened(config):
    params = runinfo.run_params(dataclasses.replace(config, seed=0))
    assert params["seed"] == 0  # a seed of 0 is a seed
    assert params["model.kind"] == config.model.kind
    assert all(params[f"model.{name}"] == value for name, value in config.model.params.items())
    assert params["data.test_size"] == config.data.test_size
    assert not [key for key in params if key.startswith(("gate", "tracking"))]


def test_manifest_scalars_are_strings_without_package_list():
    manifest = {
        "git_commit": "abc",
        "git_dirty": False,
        "locks_sha256": {"requirements.txt": "f00"},
        "seed": 0,
        "packages": ["numpy==2"],
        "ci": {"ci.provider": "github"},
    }
    assert runinfo.manifest_scalars(manifest) == {
        "git_commit": "abc",
        "git_dirty": "False",
        "locks_sha256.requirements.txt": "f00",
        "seed": "0",
        "ci.provider": "github",
    }


def test_execution_tags_name_the_dvc_experiment(monkeypatch):
    monkeypatch.delenv(runinfo.DVC_STAGE, raising=False)
    assert runinfo.execution_tags("all") == {"command": "all"}
    monkeypatch.setenv(runinfo.DVC_STAGE, "evaluate")
    monkeypatch.delenv(runinfo.DVC_EXP_NAME, raising=False)
    assert runinfo.execution_tags("evaluate") == {"command": "dvc repro"}
    monkeypatch.setenv(runinfo.DVC_EXP_NAME, "brisk-bear")
    monkeypatch.setenv(runinfo.DVC_EXP_BASELINE_REV, "f" * 40)
    assert runinfo.execution_tags("evaluate") == {
        "command": "dvc exp run",
        "dvc.experiment": "brisk-bear",
        "dvc.baseline": "f" * 40,
    }


def test_run_name_is_command_and_commit(tmp_path):
    assert runinfo.run_name({"command": "dvc repro"}, tmp_path) == "dvc-repro-no-commit"
    tags = {"command": "dvc exp run", "dvc.experiment": "brisk-bear"}
    assert runinfo.run_name(tags, tmp_path) == "brisk-bear-no-commit"


def test_run_name_without_git_installed_is_no_commit(tmp_path, monkeypatch):
    """The slim Docker image has no git: the run is still named, not a crash."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on it
    assert runinfo.run_name({"command": "all"}, tmp_path) == "all-no-commit"
