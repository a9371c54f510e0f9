"""dvc.yaml is written from the stages of `pipeline.py`: after changing a stage, run
`python -m mlreprokit.dvcfiles` and commit dvc.yaml."""

from pathlib import Path

from mlreprokit import dvcfiles

PROJECT = Path(__file__).parents[1]


def test_dvc_yaml_matches_the_stages():
    message = "dvc.yaml is out of date: run `python -m mlreprokit.dvcfiles`"
    assert (PROJECT / dvcfiles.DVC_YAML).read_text(encoding="utf-8") == dvcfiles.render(), message
