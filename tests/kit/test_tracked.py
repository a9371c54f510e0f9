import argparse

from mlreprokit import cli, tracked, tune
from mlreprokit.paths import PARAMS


def test_tune_is_seeded_once_like_every_command(project, monkeypatch):
    seeds, searched = [], []
    monkeypatch.setattr(cli, "seed_everything", seeds.append)
    monkeypatch.setattr(tune, "run", lambda config, root: searched.append(config.seed))
    tracked.run_tune(argparse.Namespace(command="tune", params=PARAMS, no_track=False))
    assert seeds == searched and len(seeds) == 1
