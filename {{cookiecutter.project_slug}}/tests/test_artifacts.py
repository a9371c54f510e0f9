import json

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.artifacts import atomic_path, write_csv, write_json


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
