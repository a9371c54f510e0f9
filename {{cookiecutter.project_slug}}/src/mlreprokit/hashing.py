"""SHA-256 of files and folders, streamed in fixed-size chunks: constant memory at any size."""

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def files_below(path: Path) -> list[Path]:
    """Every file below `path` (or `path` itself), sorted, skipping `.gitkeep` placeholders."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.name != ".gitkeep")


def sha256_tree(path: Path) -> str | None:
    """A file's own SHA-256 (as `sha256sum` prints it); for a folder, one digest of the names and
    contents of every file below it; None if absent."""
    if not path.exists():
        return None
    if path.is_file():
        return sha256_file(path)
    digest = hashlib.sha256()
    for file in files_below(path):
        digest.update(f"{file.relative_to(path).as_posix()}\0{sha256_file(file)}\n".encode())
    return digest.hexdigest()
