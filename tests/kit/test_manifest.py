import json
import subprocess

from mlreprokit.manifest import build_manifest, write_manifest
from mlreprokit.paths import MANIFEST


def git(root, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t.io", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_build_manifest_outside_git_has_no_commit(config, tmp_path):
    manifest = build_manifest(config, tmp_path)
    assert manifest["git_commit"] is None
    assert manifest["seed"] == config.seed
    assert manifest["data_raw_sha256"] is None


def test_build_manifest_records_commit_and_hashes(config, tmp_path):
    (tmp_path / "params.yaml").write_text("seed: 0\n")
    (tmp_path / "requirements.txt").write_text("x==1\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "first")
    manifest = build_manifest(config, tmp_path)
    assert len(manifest["git_commit"]) == 40
    assert manifest["git_dirty"] is False
    assert manifest["locks_sha256"]["requirements.txt"]
    assert manifest["locks_sha256"]["requirements-dev.txt"] is None
    assert any(line.startswith("numpy==") for line in manifest["packages"])


def test_write_manifest_flags_dirty_tree_loudly(config, tmp_path, capsys):
    (tmp_path / "params.yaml").write_text("seed: 0\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "first")
    (tmp_path / "params.yaml").write_text("seed: 1\n")
    write_manifest(config, tmp_path)
    assert "WARNING: uncommitted changes" in capsys.readouterr().err
    assert json.loads((tmp_path / MANIFEST).read_text())["git_dirty"] is True


def test_build_manifest_records_ci_run(config, tmp_path, monkeypatch):
    monkeypatch.setenv("GITLAB_CI", "true")  # conftest cleared the runner's own CI variables
    monkeypatch.setenv("CI_PIPELINE_ID", "1001")
    ci = build_manifest(config, tmp_path)["ci"]
    assert ci == {"ci.provider": "gitlab", "ci.pipeline_id": "1001"}
