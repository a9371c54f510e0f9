import argparse

import pytest
from mlreprokit import cli, tracked
from mlreprokit import mlflow_tune as tune
from mlreprokit.paths import PARAMS


def test_tune_is_seeded_once_like_every_command(project, monkeypatch):
    seeds, searched = [], []
    monkeypatch.setattr(cli, "seed_everything", seeds.append)
    monkeypatch.setattr(tune, "run", lambda config, root, **options: searched.append(config.seed))
    args = argparse.Namespace(
        command="tune", params=PARAMS, no_track=False, workers=1, storage=None
    )
    tracked.run_tune(args)
    assert seeds == searched and len(seeds) == 1


def test_tune_takes_workers_and_storage(monkeypatch):
    runs = []
    monkeypatch.setattr(tune, "run", lambda config, root, **options: runs.append(options))
    url = "postgresql+psycopg2://team@db/mlflow"
    assert cli.main(["tune", "--workers", "2", "--storage", url], tracked.tracked_commands) == 0
    assert runs == [{"workers": 2, "storage": url, "params": PARAMS}]
    with pytest.raises(SystemExit, match="2"):
        cli.main(["tune", "--workers", "0"], tracked.tracked_commands)


def test_tune_workers_are_bounded_in_one_line(capsys):
    with pytest.raises(SystemExit, match="2"):
        cli.main(["tune", "--workers", "100000"], tracked.tracked_commands)
    assert "--workers: must be 1 to 256, got 100000" in capsys.readouterr().err
