"""Loaded by a repro run when `file_order` varies: directory listings come sorted (the control
run) or reverse-sorted (the varied run), so code that depends on listing order shows it.

It covers Python's own listings: os.listdir, os.scandir, and what builds on them (os.walk,
glob, pathlib). Programs outside Python still see the filesystem's order, which the varied
run also reverses where it can, by copying the project in reverse order.
"""

import os
from collections.abc import Iterable
from typing import Literal

_listdir, _scandir = os.listdir, os.scandir
_reverse = os.environ.get("REPRO_FILE_ORDER") == "reversed"


class _Entries:
    """What os.scandir returns (an iterator and a context manager), in a fixed order."""

    def __init__(self, entries: Iterable[os.DirEntry[str]]) -> None:
        self._entries = iter(entries)

    def __iter__(self) -> "_Entries":
        return self

    def __next__(self) -> os.DirEntry[str]:
        return next(self._entries)

    def __enter__(self) -> "_Entries":
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        return False

    def close(self) -> None:
        pass


def listdir(path: str = ".") -> list[str]:
    return sorted(_listdir(path), reverse=_reverse)


def scandir(path: str = ".") -> _Entries:
    with _scandir(path) as entries:
        return _Entries(sorted(entries, key=lambda entry: entry.name, reverse=_reverse))


# Typed for the str paths a pipeline lists; at run time any path os takes passes through.
os.listdir, os.scandir = listdir, scandir  # type: ignore[assignment]  # os's are overloaded
