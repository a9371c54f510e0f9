import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import data
from {{ cookiecutter.module_name }}.paths import RAW_DATA, TARGET
from {{ cookiecutter.module_name }}.schema import SchemaError


def test_data_run_writes_raw_csv(config, tmp_path):
    data.run(config, tmp_path)
    written = pd.read_csv(tmp_path / RAW_DATA)
    assert len(written) == 178
    assert TARGET in written.columns
    assert not list(tmp_path.rglob("*.tmp"))


def test_read_raw_stops_at_broken_data(config, tmp_path):
    data.run(config, tmp_path)
    frame = pd.read_csv(tmp_path / RAW_DATA)
    frame.loc[0, "alcohol"] = None
    frame.to_csv(tmp_path / RAW_DATA, index=False)
    with pytest.raises(SchemaError, match="column 'alcohol': 1 row null"):
        data.read_raw(tmp_path)
