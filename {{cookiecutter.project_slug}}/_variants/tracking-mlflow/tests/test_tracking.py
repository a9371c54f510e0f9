import time

import pytest

from {{ cookiecutter.module_name }} import tracking


def test_flatten_joins_nested_keys_with_dots():
    nested = {"seed": 0, "model": {"depth": 3, "grid": {"n": [1, 2]}}}
    assert tracking.flatten(nested) == {"seed": 0, "model.depth": 3, "model.grid.n": [1, 2]}


def test_redact_hides_password_only():
    assert (
        tracking.redact("https://ann:s3cret@mlflow.example:5000/x")
        == "https://ann:***@mlflow.example:5000/x"
    )
    assert tracking.redact("sqlite:///mlflow.db") == "sqlite:///mlflow.db"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "... NewConnectionError('...: [Errno 111] Connection refused'))",
            "[Errno 111] Connection refused",
        ),
        ("API request to endpoint /x failed with error code 401 != 200", "error code 401"),
        (
            "no such host https://ann:s3cret@mlflow.example\nmore",
            "no such host https://***@mlflow.example",
        ),
    ],
)
def test_failure_is_short_and_hides_passwords(message, expected):
    assert tracking.failure(RuntimeError(message)) == expected


def test_manifest_tags_are_strings_without_package_list():
    manifest = {
        "git_commit": "abc",
        "git_dirty": False,
        "locks_sha256": {"requirements.txt": "f00"},
        "seed": 0,
        "packages": ["numpy==2"],
        "ci": {"ci.provider": "github"},
    }
    assert tracking.manifest_tags(manifest) == {
        "git_commit": "abc",
        "git_dirty": "False",
        "locks_sha256.requirements.txt": "f00",
        "seed": "0",
        "ci.provider": "github",
    }


def test_tracking_uri_prefers_environment_over_dotenv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert tracking.tracking_uri() == tracking.LOCAL_STORE
    (tmp_path / ".env").write_text("MLFLOW_TRACKING_URI=http://from-dotenv:5000\n")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://from-environment:5000")
    assert tracking.tracking_uri() == "http://from-environment:5000"


def test_tracking_uri_reads_dotenv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    (tmp_path / ".env").write_text("MLFLOW_TRACKING_URI=http://from-dotenv:5000\n")
    try:
        assert tracking.tracking_uri() == "http://from-dotenv:5000"
    finally:
        monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)  # load_dotenv set it


def test_connect_unreachable_server_fails_fast_in_one_line(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    started = time.monotonic()
    with pytest.raises(tracking.TrackingError) as raised:
        tracking.connect()
    assert time.monotonic() - started < 15
    message = str(raised.value)
    assert "http://127.0.0.1:9" in message and "\n" not in message
    assert "--no-track" in message


@pytest.mark.slow  # creates an MLflow store (its migrations take seconds)
def test_connect_local_store_creates_database(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    assert tracking.connect().endswith("mlflow.db")
    assert (tmp_path / "mlflow.db").exists()
