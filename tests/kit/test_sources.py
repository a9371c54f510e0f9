import dataclasses
import functools
import hashlib
import http.server
import threading

import pandas as pd
import pytest
from mlreprokit import sources
from mlreprokit.config import ConfigError
from mlreprokit.paths import RAW_DATA, SCHEMA
from mlreprokit.schema import SchemaError

SOURCE = "source.csv"


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fetch_local_source_verifies_and_copies_it(project):
    expected = sha256(project / SOURCE)
    assert sources.fetch(SOURCE, expected, project / RAW_DATA, project) == expected
    assert (project / RAW_DATA).read_bytes() == (project / SOURCE).read_bytes()
    assert not list(project.rglob("*.tmp"))


def test_fetch_changed_source_names_file_and_both_hashes(project):
    actual = sha256(project / SOURCE)
    with pytest.raises(ConfigError) as caught:
        sources.fetch(SOURCE, "0" * 64, project / RAW_DATA, project)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: SHA-256 differs: expected {'0' * 64}")
    assert f"got {actual}" in message and "\n" not in message
    assert not (project / RAW_DATA).exists()


def test_fetch_missing_local_source_says_where_it_works(project):
    with pytest.raises(ConfigError, match="works only where that file exists"):
        sources.fetch("absent.csv", None, project / RAW_DATA, project)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("http://example.com/data.csv", "use https"),
        ("ftp://example.com/data.csv", "unsupported scheme 'ftp'"),
        ("bundled:nothing", "bundled data sets are"),
    ],
)
def test_run_refuses_sources_it_cannot_fetch(project, config, source, message):
    bad = dataclasses.replace(config, data=dataclasses.replace(config.data, source=source))
    with pytest.raises(ConfigError, match=message):
        sources.fetch_raw(bad.data, project)


@pytest.fixture
def server(project):
    """An HTTP server on 127.0.0.1 serving the project root, stopped after the test."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(project))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def test_fetch_url_downloads_and_verifies(project, server):
    expected = sha256(project / SOURCE)
    target = project / "fetched" / "data.csv"
    assert sources.fetch(f"{server}/{SOURCE}", expected, target, project) == expected
    assert target.read_bytes() == (project / SOURCE).read_bytes()
    with pytest.raises(ConfigError, match=f"got {expected}"):
        sources.fetch(f"{server}/{SOURCE}", "1" * 64, project / "other.csv", project)


def test_fetch_url_says_what_it_downloads_without_poochs_advice(project, server, capfd):
    sources.fetch(f"{server}/{SOURCE}", None, project / "fetched.csv", project)
    out, err = capfd.readouterr()
    assert out == f"downloading {server}/{SOURCE}\n"
    assert "known_hash" not in err and "Downloading data from" not in err


def test_fetch_url_not_found_is_one_line(project, server):
    with pytest.raises(ConfigError, match="cannot download") as caught:
        sources.fetch(f"{server}/absent.csv", None, project / RAW_DATA, project)
    assert "\n" not in str(caught.value)


def test_run_bundled_source_writes_raw_csv(project, config):
    (project / SCHEMA).unlink()  # before adopt: the schema is for the data set it came with
    source = dataclasses.replace(config.data, source="bundled:diabetes", sha256=None)
    sources.fetch_raw(source, project)
    written = pd.read_csv(project / RAW_DATA)
    assert len(written) == 442 and "target" in written.columns


def test_read_raw_stops_at_broken_data(project, config, schema):
    sources.fetch_raw(config.data, project)
    frame = pd.read_csv(project / RAW_DATA)
    column = schema.features[0].name
    frame = frame.drop(columns=column)
    frame.to_csv(project / RAW_DATA, index=False)
    with pytest.raises(SchemaError, match=f"column {column!r}: missing"):
        sources.read_raw(project)
