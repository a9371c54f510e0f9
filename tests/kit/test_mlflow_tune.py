import dataclasses
import shutil
import subprocess

import mlflow
import pytest
import yaml
from mlreprokit import mlflow_tune as tune
from mlreprokit import proposal, search
from mlreprokit.config import ConfigError, as_mapping, load_config
from mlreprokit.project import load_pipeline
from mlreprokit.synthetic import tune_space
from mlreprokit.tracking_config import TrackingConfig

from .toy import PROJECT
from .tuning import tune_settings


def with_tune(config, **settings):
    tune = tune_settings(config, **settings)
    tracking = TrackingConfig("mlflow", experiment="tune-test", model_name="tune-test", tune=tune)
    return dataclasses.replace(config, tracking=tracking)


def trained(config, root):
    """The train split the study reads."""
    load_pipeline().run(["data", "features"], config, root)
    return config


def test_tune_metric_must_fit_the_task_before_any_run(config, project, schema):
    other = "r2" if schema.task == "classification" else "accuracy"
    with pytest.raises(ConfigError, match=f"tracking.tune.metric '{other}' is not a"):
        tune.run(with_tune(config, metric=other), project)
    assert not (project / "mlflow.db").exists()


def test_tune_space_must_fit_the_model_before_any_run(config, project):
    space = {"no_such_knob": {"low": 1, "high": 2}}
    with pytest.raises(ConfigError, match="unknown key 'tracking.tune.space.no_such_knob'"):
        tune.run(with_tune(config, space=space), project)
    assert not (project / "mlflow.db").exists()


def test_a_sequential_study_with_the_same_seed_proposes_the_same_trials(config, project):
    config = trained(with_tune(config, trials=4, space=tune_space(PROJECT)), project)
    first, second = (search.search(config, project, "same") for _ in range(2))
    assert [trial.model for trial in first] == [trial.model for trial in second]
    assert [trial.score for trial in first] == [trial.score for trial in second]
    assert len({repr(trial.model) for trial in first}) > 1  # the study moves
    assert not (project / search.JOURNALS).exists()  # one worker: the study is in memory


def test_two_workers_share_a_journal_and_split_the_trials(config, project):
    config = trained(with_tune(config, trials=4), project)
    trials = search.search(config, project, "shared", workers=2)
    assert sorted(trial.number for trial in trials) == [0, 1, 2, 3]
    (journal,) = (project / search.JOURNALS).glob("tune-*.log")
    assert journal.stat().st_size > 0


def test_the_proposal_changes_only_model_values_and_keeps_comments():
    text = (PROJECT / "params.yaml").read_text(encoding="utf-8")
    start, end, _ = proposal.block(text.splitlines())
    lines = {line.split(":")[0].strip(): line for line in text.splitlines()[start + 1 : end]}
    noted = [name for name in tune_space(PROJECT) if "#" in lines[name]]  # a commented line
    names = noted[:1] or list(tune_space(PROJECT))[:1]
    proposed = proposal.propose(text, {names[0]: 7, "added_knob": None})
    diff = proposal.unified_diff(text, proposed, "params.yaml").splitlines()
    removed = [line[1:] for line in diff if line[:1] == "-" and not line.startswith("---")]
    added = [line[1:] for line in diff if line[:1] == "+" and not line.startswith("+++")]
    assert removed == [lines[names[0]]]
    assert added[0].startswith(f"  {names[0]}: 7") and added[1:] == ["  added_knob: null"]
    if "#" in removed[0]:  # the comment stays, at its column
        assert added[0].index("#") == removed[0].index("#")
        assert added[0].split("#", 1)[1] == removed[0].split("#", 1)[1]
    assert yaml.safe_load(proposed)["model"] == {
        **yaml.safe_load(text)["model"],
        names[0]: 7,
        "added_knob": None,
    }


def test_the_proposed_diff_applies_with_git_and_validates(tmp_path, config):
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("params.yaml", "schema.yaml"):
        shutil.copyfile(PROJECT / name, repo / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "params"], check=True)
    best = {}
    for name, spec in tune_space(PROJECT).items():  # a value unlike the current one
        current = as_mapping(config.model).get(name)
        values = spec.get("choices") or [spec["low"], spec["high"]]
        best[name] = next(value for value in values if value != current)
    diff = proposal.write(repo / "params.yaml", repo, best)
    assert diff == repo / proposal.DIFF
    subprocess.run([*git, "apply", str(diff)], check=True)
    applied = load_config(repo / "params.yaml")
    assert {name: as_mapping(applied.model)[name] for name in best} == best
    assert proposal.write(repo / "params.yaml", repo, best) is None  # nothing left to propose
    assert not diff.exists()


@pytest.mark.slow  # several tracked fits
def test_tune_makes_child_runs_and_tags_the_best(config, project, monkeypatch, capsys):
    tmp_path = project
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    best = tune.run(with_tune(config), tmp_path)
    runs = mlflow.search_runs(experiment_names=["tune-test"])
    parent = runs[runs["tags.mlflow.parentRunId"].isna()]
    children = runs[runs["tags.mlflow.parentRunId"].notna()]
    assert len(parent) == 1 and len(children) == 2
    assert set(children["tags.mlflow.parentRunId"]) == set(parent["run_id"])
    assert set(children["params.seed"]) == {str(config.seed)}
    assert list(children[children["tags.best"] == "true"]["run_id"]) == [best]
    assert parent["tags.best_run_id"].item() == best
    out = capsys.readouterr().out
    assert "trial 0: " in out and "trial 1: " in out
    assert "git apply reports/tune.diff" in out or "already has the best" in out
