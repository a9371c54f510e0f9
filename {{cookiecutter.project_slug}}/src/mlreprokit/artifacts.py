"""Atomic writers: an interrupted run never leaves a half-written artifact behind."""

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pandas as pd


def file_mode() -> int:
    """The mode a plain `open()` would give a new file: 0o666 minus the user's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only on success.

    The temporary file is private (0600) while it is written; the artifact gets the user's
    usual permissions (umask), like any file the user writes.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        temporary.chmod(file_mode())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_csv(frame: pd.DataFrame, target: Path) -> None:
    """Write a data frame as CSV with a fixed line ending, without the index."""
    with atomic_path(target) as temporary:
        frame.to_csv(temporary, index=False, lineterminator="\n")


def write_json(data: Mapping[str, object], target: Path) -> None:
    """Write JSON with sorted keys, so equal data gives equal bytes."""
    with atomic_path(target) as temporary:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
