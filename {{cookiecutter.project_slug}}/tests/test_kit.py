"""One end-to-end smoke of the kit on your pipeline: `python -m <package>` (your tracker included)
loads params.yaml, seeds, runs every stage and writes the manifest; the runner tells a tracker
each step. The kit's unit tests live in the template repository (src/mlreprokit/README.md);
`nox -s repro` checks reproducibility."""

import json

from mlreprokit.cli import main
from mlreprokit.commands import commands
from mlreprokit.config import load_config
from mlreprokit.hashing import sha256_tree
from mlreprokit.metrics import for_task
from mlreprokit.paths import MANIFEST, METRICS, PARAMS, RAW_DATA
from mlreprokit.project import load_pipeline


def test_kit_runs_every_stage_and_records_the_run(project, schema, capsys):
    assert main(["all"], commands) == 0  # what `python -m <package>` runs
    assert f"metrics ({METRICS}):" in capsys.readouterr().out
    metrics = json.loads((project / METRICS).read_text())
    assert set(metrics) == set(for_task(load_pipeline().metrics, schema.task))
    manifest = json.loads((project / MANIFEST).read_text())
    assert manifest["seed"] == load_config(project / PARAMS).seed
    assert manifest["data_raw_sha256"] == sha256_tree(project / RAW_DATA.parent)


def test_kit_tells_the_tracker_start_manifest_outputs_end(ran, config):
    """`ran` is the kit's runner with a RecordingTracker observing (conftest.py)."""
    assert ran.calls == [
        ("start", "all"),
        ("manifest", config.seed),
        ("outputs", list(load_pipeline(ran.root).names)),
        ("end", None),
    ]
