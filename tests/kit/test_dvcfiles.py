"""The kit's DVC module (`mlreprokit/dvcfiles.py`, baked with data_versioning=dvc), driving the
default project's stages: dvc.yaml written from them, dvc.lock checked against a run."""

import importlib.util
from pathlib import Path

import yaml
from mlreprokit.paths import METRICS, MODEL
from mlreprokit.project import Stage, load_pipeline

from ..helpers import bake
from .toy import FOLDER, PROJECT


def load_dvcfiles():
    """dvcfiles.py of a dvc bake, as a module of the kit the other tests import (the same code:
    only the chosen options' files differ), not registered, so no other test sees it."""
    path = (
        bake(FOLDER / "dvc", ci="none", data_versioning="dvc").root / "src/mlreprokit/dvcfiles.py"
    )
    spec = importlib.util.spec_from_file_location("mlreprokit.dvcfiles", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dvcfiles = load_dvcfiles()
PIPELINE = load_pipeline(PROJECT)


def test_render_declares_every_stage_with_its_code_and_outputs():
    stages = yaml.safe_load(dvcfiles.render())["stages"]
    assert list(stages) == list(PIPELINE.names)
    for stage in PIPELINE.stages:
        entry = stages[stage.name]
        assert entry["cmd"].endswith(f"-m {PIPELINE.module} {stage.name}")
        assert (PROJECT / entry["deps"][0]).is_file()
        declared = entry.get("outs", []) + entry.get("plots", [])
        declared += [next(iter(metric)) for metric in entry.get("metrics", [])]
        assert sorted(declared) == sorted(out.as_posix() for out in stage.outs)
    assert stages["evaluate"]["metrics"] == [{METRICS.as_posix(): {"cache": False}}]


def test_render_makes_each_stage_depend_on_the_code_it_runs_and_the_lock():
    stages = yaml.safe_load(dvcfiles.render())["stages"]
    own, kit = f"src/{PIPELINE.module}", "src/mlreprokit"
    for name, entry in stages.items():
        package = kit if name == "profile" else own  # profile: the kit's stage function
        assert entry["deps"][0] == f"{package}/{name}.py", name
        for shared in (f"{own}/config.py", f"{kit}/config.py", f"{kit}/seed.py"):  # the runner's
            assert shared in entry["deps"], (name, shared)
        assert "requirements.txt" in entry["deps"], name
        assert len(entry["deps"]) == len(set(entry["deps"])), name
    # Only what a stage imports, across both packages: features reads the raw data with the
    # kit's reader, train not; the model's code reaches train and evaluate only.
    assert f"{kit}/sources.py" in stages["features"]["deps"]
    assert f"{kit}/sources.py" not in stages["train"]["deps"]
    assert f"{own}/model.py" in stages["train"]["deps"]
    assert f"{own}/model.py" not in stages["features"]["deps"]


def test_code_deps_follow_imports_inside_functions_and_across_packages(monkeypatch, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "kit").mkdir()
    (tmp_path / "mine/__init__.py").write_text("")
    (tmp_path / "mine/stage.py").write_text("def run():\n    from .helper import x\n")
    (tmp_path / "mine/helper.py").write_text("from kit import leaf\nimport json\n")
    (tmp_path / "kit/__init__.py").write_text("")
    (tmp_path / "kit/leaf.py").write_text("from .other import y\n")
    (tmp_path / "kit/other.py").write_text("")
    monkeypatch.setattr(dvcfiles, "RUNNER_MODULES", ())

    def run(config, root):
        pass

    run.__module__ = "mine.stage"
    stage = Stage("stage", run, deps=(), outs=(), params=())
    found = [path.relative_to(tmp_path).as_posix() for path in dvcfiles.code_deps(stage, tmp_path)]
    assert found == [
        "mine/stage.py",
        "kit/__init__.py",
        "kit/leaf.py",
        "kit/other.py",
        "mine/helper.py",
    ]


def write_lock(path: Path, outs: dict[str, str], deps: dict[str, str], params: dict) -> Path:
    stage = {
        "cmd": "python -m example",
        "deps": [{"path": p, "hash": "md5", "md5": md5} for p, md5 in deps.items()],
        "params": {"params.yaml": params},
        "outs": [{"path": p, "hash": "md5", "md5": md5} for p, md5 in outs.items()],
    }
    path.write_text(yaml.safe_dump({"schema": "2.0", "stages": {"train": stage}}))
    return path


def test_lock_differences_names_changed_and_missing_outputs(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / MODEL).write_bytes(b"model")
    model_md5 = dvcfiles.md5_file(tmp_path / MODEL)
    lock = write_lock(tmp_path / "dvc.lock", {MODEL.as_posix(): model_md5}, {}, {})
    assert dvcfiles.lock_differences(lock, tmp_path) == []

    (tmp_path / MODEL).write_bytes(b"another model")
    outs = {MODEL.as_posix(): model_md5, "reports/metrics.json": "0" * 32, "data": "1.dir"}
    write_lock(lock, outs, {}, {})
    assert dvcfiles.lock_differences(lock, tmp_path) == [
        "models/model.joblib: differs from dvc.lock",
        "reports/metrics.json: missing",
    ]


def test_stale_inputs_names_changed_code_and_params(tmp_path):
    (tmp_path / "train.py").write_text("code\n")
    (tmp_path / "params.yaml").write_text("seed: 0\nmodel:\n  n_estimators: 10\n")
    deps = {"train.py": dvcfiles.md5_file(tmp_path / "train.py")}
    params = {"seed": 0, "model.n_estimators": 10}
    lock = write_lock(tmp_path / "dvc.lock", {}, deps, params)
    assert dvcfiles.stale_inputs(lock, tmp_path) == []

    (tmp_path / "train.py").write_text("changed code\n")
    (tmp_path / "params.yaml").write_text("seed: 0\nmodel:\n  n_estimators: 20\n")
    assert dvcfiles.stale_inputs(lock, tmp_path) == [
        "stage train: train.py changed",
        "stage train: params.yaml model.n_estimators changed",
    ]


def test_stale_inputs_leaves_outputs_of_stages_to_the_fresh_run(tmp_path):
    (tmp_path / "params.yaml").write_text("seed: 0\n")
    produced = {"models/model.joblib": "0" * 32}
    lock = write_lock(tmp_path / "dvc.lock", produced, produced, {"seed": 0})
    assert dvcfiles.stale_inputs(lock, tmp_path) == []


def test_check_lock_reports_stale_inputs_then_drift(tmp_path, capsys):
    root, run = tmp_path / "root", tmp_path / "run"
    for folder in (root, run):
        (folder / "models").mkdir(parents=True)
    (root / "params.yaml").write_text("seed: 0\n")
    (run / MODEL).write_bytes(b"model")
    outs = {MODEL.as_posix(): dvcfiles.md5_file(run / MODEL)}
    write_lock(root / "dvc.lock", outs, {}, {"seed": 0})
    assert dvcfiles.check_lock(root, run) == 0
    assert "MATCHES dvc.lock" in capsys.readouterr().out

    (run / MODEL).write_bytes(b"another model")
    assert dvcfiles.check_lock(root, run) == 3
    assert "models/model.joblib: differs from dvc.lock" in capsys.readouterr().out

    (root / "params.yaml").write_text("seed: 1\n")
    assert dvcfiles.check_lock(root, run) == 3
    assert "stage train: params.yaml seed changed" in capsys.readouterr().out
