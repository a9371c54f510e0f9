import json
import os
import stat

import pandas as pd
import pytest
from mlreprokit.artifacts import atomic_path, write_csv, write_json


def test_atomic_path_failure_keeps_old_content_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out" / "model.bin"
    target.parent.mkdir()
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        temporary.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["model.bin"]


def test_write_json_sorted_keys_give_equal_bytes(tmp_path):
    write_json({"b": 1, "a": 2}, tmp_path / "one.json")
    write_json({"a": 2, "b": 1}, tmp_path / "two.json")
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()
    assert json.loads((tmp_path / "one.json").read_text()) == {"a": 2, "b": 1}


def test_write_csv_creates_folders_without_index(tmp_path):
    write_csv(pd.DataFrame({"x": [1, 2]}), tmp_path / "a" / "b.csv")
    assert (tmp_path / "a" / "b.csv").read_text() == "x\n1\n2\n"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_atomic_path_gives_the_umask_permissions_not_the_temp_files(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        write_json({"a": 1}, tmp_path / "metrics.json")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "metrics.json").stat().st_mode) == mode
