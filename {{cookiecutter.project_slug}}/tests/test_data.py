import pandas as pd

from {{ cookiecutter.module_name }} import data
from {{ cookiecutter.module_name }}.paths import RAW_DATA, TARGET


def test_data_run_writes_raw_csv(config, tmp_path):
    data.run(config, tmp_path)
    written = pd.read_csv(tmp_path / RAW_DATA)
    assert len(written) == 178
    assert TARGET in written.columns
    assert not list(tmp_path.rglob("*.tmp"))
