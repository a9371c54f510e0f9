import time

import pytest
from mlreprokit import mlflow_tracking as tracking


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
