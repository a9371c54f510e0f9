import json
from pathlib import Path

from mlreprokit.metrics import for_task
from mlreprokit.paths import (
    FIGURE,
    METRICS,
    MODEL,
    PROFILE,
    RAW_DATA,
    SCHEMA,
    TEST_DATA,
    TRAIN_DATA,
)

from {{ cookiecutter.module_name }} import pipeline

PROJECT = Path(__file__).parents[1]

OUTPUTS = (RAW_DATA, TRAIN_DATA, TEST_DATA, MODEL, PROFILE, METRICS, FIGURE)


def test_pipeline_run_writes_every_output(ran, schema):
    for output in OUTPUTS:
        assert (ran.root / output).stat().st_size > 0
    metrics = json.loads((ran.root / METRICS).read_text())
    table = for_task(pipeline.PIPELINE.metrics, schema.task)
    assert set(metrics) == set(table)
    assert all(metrics[name] > 0.5 for name in metrics if table[name].higher_is_better)


def test_pipeline_run_twice_gives_identical_bytes(ran, config, project):
    """A second run, in another folder and after other tests, against the shared one."""
    pipeline.PIPELINE.run(list(pipeline.PIPELINE.names), config, project)
    for output in OUTPUTS:
        assert (project / output).read_bytes() == (ran.root / output).read_bytes(), output


def test_pipeline_run_only_named_stages(config, project):
    pipeline.PIPELINE.run(["data"], config, project)
    assert (project / RAW_DATA).exists()
    assert not (project / TRAIN_DATA).exists()


def test_stages_read_only_inputs_or_what_earlier_stages_wrote():
    written = {SCHEMA, pipeline.MODEL_CODE}  # inputs the user edits
    for stage in pipeline.STAGES:
        assert set(stage.deps) <= written, stage.name
        written |= set(stage.outs)


def test_stage_code_dependencies_exist():
    assert (PROJECT / pipeline.MODEL_CODE).is_file()


def test_stages_that_read_the_schema_depend_on_it():
    readers = {stage.name for stage in pipeline.STAGES if SCHEMA in stage.deps}
    assert readers == {"features", "train", "profile", "evaluate"}
    (data,) = [stage for stage in pipeline.STAGES if stage.name == "data"]
    assert {"data.source", "data.sha256"} <= set(data.params)
