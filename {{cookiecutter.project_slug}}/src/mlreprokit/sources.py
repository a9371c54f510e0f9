"""Fetch `data.source` of params.yaml into `data/raw/` and verify its SHA-256 (the `data` stage).

Sources: an https URL (downloaded by pooch, which checks the hash), s3://, gs://, az:// and other
fsspec URLs (install fsspec and its filesystem, e.g. s3fs), a local path (only where that file
exists: a path outside the repository breaks every other clone), or `bundled:NAME`, a data set
that ships inside scikit-learn (the demo). A hash that differs stops the run in one line.
"""

import contextlib
import csv
import logging
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pooch
import requests

from . import datasets
from .artifacts import atomic_path, write_csv
from .config import ConfigError, DataConfig
from .hashing import sha256_file
from .paths import RAW_DATA, SCHEMA
from .schema import Schema, SchemaError, load_schema, text_columns, validate

LOOPBACK = ("127.0.0.1", "localhost", "::1")  # plain http only to this machine (tests, mirrors)
FSSPEC_SCHEMES = ("s3", "gs", "gcs", "az", "abfs", "abfss")


class DataError(ConfigError):
    """The data source cannot be fetched, read or verified; the message names it."""


def download(url: str, output_file: str, _pooch: object = None) -> None:
    """pooch's download step, closing the connection when done (its own leaves it to the GC)."""
    with requests.get(url, stream=True, timeout=60) as response:
        response.raise_for_status()
        with open(output_file, "wb") as output:
            for chunk in response.iter_content(chunk_size=1 << 20):
                output.write(chunk)


def source_kind(source: str) -> str:
    """bundled, url, fsspec or path; plain http is refused except to this machine."""
    if source.startswith("bundled:"):
        return "bundled"
    parts = urllib.parse.urlsplit(source)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK):
        return "url"
    if parts.scheme == "http":
        raise DataError(f"data.source {source!r}: use https (plain http only to 127.0.0.1)")
    if parts.scheme in FSSPEC_SCHEMES:
        return "fsspec"
    if parts.scheme and len(parts.scheme) > 1:  # a Windows drive letter is not a scheme
        raise DataError(f"data.source {source!r}: unsupported scheme {parts.scheme!r}")
    return "path"


def check_hash(path: Path, expected: str | None, source: str) -> str:
    """The file's SHA-256; a DataError naming the file and both hashes when it differs."""
    actual = sha256_file(path)
    if expected is not None and actual != expected:
        raise DataError(
            f"{source}: SHA-256 differs: expected {expected} (data.sha256), got {actual}; "
            "if the new data is intended, `refresh` records it (or `adopt` it as new data)"
        )
    return actual


@contextlib.contextmanager
def quiet_pooch() -> Iterator[None]:
    """pooch's own advice (use this hash as 'known_hash'...) is not for users of the project:
    the kit prints what it downloads and records the hash in params.yaml itself."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def fetch(source: str, expected: str | None, target: Path, root: Path) -> str:
    """Put the source file at `target`, verified against `expected`; return its SHA-256."""
    kind = source_kind(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "url":
        if target.exists() and (expected is None or sha256_file(target) == expected):
            return sha256_file(target)  # already fetched and unchanged: no download
        print(f"downloading {source}", flush=True)
        try:
            known = None if expected is None else f"sha256:{expected}"
            with quiet_pooch():
                pooch.retrieve(
                    source, known, fname=target.name, path=target.parent, downloader=download
                )
        except ValueError as error:  # pooch: the downloaded file's hash differs
            if "hash" in str(error).lower():
                raise DataError(
                    f"{source}: SHA-256 differs: expected {expected} (data.sha256), got "
                    f"{actual_hash(error)}"
                ) from None
            raise DataError(f"{source}: {error}") from None
        except Exception as error:  # network and HTTP errors: name the source, not the stack
            raise DataError(
                f"{source}: cannot download ({type(error).__name__}: {error})"
            ) from None
        return check_hash(target, expected, source)
    if kind == "fsspec":
        try:
            import fsspec
        except ModuleNotFoundError:
            raise DataError(
                f"data.source {source!r} needs fsspec and its filesystem (e.g. s3fs, gcsfs, "
                "adlfs): add them to requirements.in and run `nox -s lock`"
            ) from None
        with atomic_path(target) as temporary:
            try:
                with fsspec.open(source, "rb") as remote, temporary.open("wb") as local:
                    shutil.copyfileobj(remote, local)
            except Exception as error:
                raise DataError(
                    f"{source}: cannot read ({type(error).__name__}: {error})"
                ) from None
            check_hash(temporary, expected, source)
        return sha256_file(target)
    path = Path(source) if Path(source).is_absolute() else root / source
    if not path.is_file():
        raise DataError(
            f"data.source {source!r} not found: a local path works only where that file exists; "
            "use a URL so every clone and CI can fetch it"
        )
    check_hash(path, expected, source)
    with atomic_path(target) as temporary:
        shutil.copyfile(path, temporary)
    return sha256_file(target)


def actual_hash(error: ValueError) -> str:
    """The hash pooch reports for the file it downloaded, from its error message."""
    words = [word.strip("().,'") for word in str(error).split()]
    found = [
        word for word in words if len(word) == 64 and all(c in "0123456789abcdef" for c in word)
    ]
    return found[0] if found else "a different hash"


def check_csv(path: Path, source: str) -> None:
    """Refuse in one line a file that is no comma-separated UTF-8 table, saying what it is."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if not head.strip():
        raise DataError(f"{source}: the file is empty")
    if head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise DataError(f"{source}: an HTML page, not CSV data (a login or error page?)")
    if b"\0" in head:
        raise DataError(f"{source}: a binary file, not CSV text")
    first = head.splitlines()[0].decode("utf-8", errors="replace")
    header = next(csv.reader([first]))
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise DataError(f"{source}: column {repeated[0]!r} appears twice in the header")
    separators = [s for s in (";", "\t", "|") if s in first] if len(header) == 1 else []
    if separators:
        raise DataError(
            f"{source}: looks separated by {separators[0]!r}, not commas: save it as CSV"
        )


def read_table(
    path: Path, format: str, dtype: dict[str, type] | None = None, source: str | None = None
) -> pd.DataFrame:
    """Read a CSV or Parquet file; what is not one, and Parquet without pyarrow, is one line."""
    source = source or path.as_posix()
    if format == "csv":
        check_csv(path, source)
        try:
            return pd.read_csv(path, dtype=dtype, encoding="utf-8")
        except UnicodeDecodeError:
            raise DataError(
                f"{source}: not UTF-8 text (another encoding, e.g. latin-1): save it as UTF-8"
            ) from None
        except pd.errors.ParserError as error:
            raise DataError(f"{source}: not a CSV table ({str(error).strip()})") from None
    try:
        return pd.read_parquet(path)
    except ImportError:
        raise DataError(
            "data.format parquet needs pyarrow: add it to requirements.in and run `nox -s lock`"
        ) from None


def fetch_raw(data: DataConfig, root: Path) -> None:
    """Put the declared source at `data/raw/data.csv` (Parquet converted), verified."""
    source, expected = data.source, data.sha256
    if source_kind(source) == "bundled":
        write_csv(datasets.load(source.removeprefix("bundled:")), root / RAW_DATA)
        check_hash(root / RAW_DATA, expected, source)
    elif data.format == "csv":
        fetch(source, expected, root / RAW_DATA, root)
    else:
        original = (root / RAW_DATA).with_suffix(f".{data.format}")
        fetch(source, expected, original, root)
        write_csv(read_table(original, data.format), root / RAW_DATA)
    check_in_step(source, root)
    checked = "SHA-256 verified" if expected else "no data.sha256 to verify"
    print(f"data: {source} -> {RAW_DATA.as_posix()} ({checked})", flush=True)


def check_in_step(source: str, root: Path) -> None:
    """Stop, naming both files, when schema.yaml was written for another data.source than
    params.yaml names and the data does not fit it (one file edited, or adopted, without the
    other). Another source that fits the schema, a sample or a moved file, is fine."""
    if not (root / SCHEMA).exists():
        return
    schema = load_schema(root / SCHEMA)
    if schema.source in (None, source):
        return
    try:
        validate(
            pd.read_csv(root / RAW_DATA, dtype=text_columns(schema)), schema, RAW_DATA.as_posix()
        )
    except SchemaError as error:
        raise SchemaError(
            f"{error}\n  {SCHEMA} describes {schema.source} but params.yaml data.source is "
            f"{source}: if they are out of step, `adopt` {source} to make them agree"
        ) from None


def read_raw(root: Path, schema: Schema | None = None) -> pd.DataFrame:
    """Read the raw data and check it against `schema.yaml`: later stages read it only here."""
    schema = schema or load_schema(root / SCHEMA)
    frame = pd.read_csv(root / RAW_DATA, dtype=text_columns(schema))
    return validate(frame, schema, RAW_DATA.as_posix())
