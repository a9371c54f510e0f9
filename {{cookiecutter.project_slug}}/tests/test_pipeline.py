import json

from {{ cookiecutter.module_name }} import pipeline
from {{ cookiecutter.module_name }}.paths import CONFUSION_MATRIX, METRICS, MODEL, TEST_DATA, TRAIN_DATA


def test_pipeline_run_writes_every_output(config, tmp_path):
    pipeline.run(list(pipeline.STAGE_NAMES), config, tmp_path)
    for output in (TRAIN_DATA, TEST_DATA, MODEL, METRICS, CONFUSION_MATRIX):
        assert (tmp_path / output).stat().st_size > 0
    metrics = json.loads((tmp_path / METRICS).read_text())
    assert metrics["accuracy"] > 0.8


def test_pipeline_run_twice_gives_identical_bytes(config, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for root in (first, second):
        pipeline.run(list(pipeline.STAGE_NAMES), config, root)
    for output in (TRAIN_DATA, TEST_DATA, MODEL, METRICS, CONFUSION_MATRIX):
        assert (first / output).read_bytes() == (second / output).read_bytes(), output


def test_pipeline_run_only_named_stages(config, tmp_path):
    pipeline.run(["data"], config, tmp_path)
    assert not (tmp_path / TRAIN_DATA).exists()


def test_stages_declare_outputs_the_next_stages_read():
    written = set()
    for stage in pipeline.STAGES:
        assert set(stage.deps) <= written, stage.name
        written |= set(stage.outs)
