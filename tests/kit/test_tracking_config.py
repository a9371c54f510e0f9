"""`tracking.tracker` picks the adapter: each tracker's keys, one-line refusals, and switching
trackers by editing params.yaml (as TRACKING.md says) without a re-bake."""

import re
import sys

import pytest
import yaml
from mlreprokit import tracking
from mlreprokit.cli import main
from mlreprokit.commands import commands
from mlreprokit.config import ConfigError, parse
from mlreprokit.errors import UsageError
from mlreprokit.paths import PARAMS
from mlreprokit.tracking_config import TrackingConfig

from .toy import PROJECT


def switch_blocks() -> list[dict]:
    """The `tracking:` sections TRACKING.md's "Switch trackers" shows, as params.yaml holds them."""
    text = (PROJECT / "src/mlreprokit/TRACKING.md").read_text(encoding="utf-8")
    section = text.split("## Switch trackers")[1].split("\n## ")[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.DOTALL)
    return [yaml.safe_load(block.replace("<project-slug>", "demo"))["tracking"] for block in blocks]


def test_tracking_md_shows_a_section_for_every_tracker_that_parses():
    parsed = [parse(TrackingConfig, block, "tracking.") for block in switch_blocks()]
    assert [settings.tracker for settings in parsed] == ["mlflow", "wandb", "none"]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"tracker": "comet"}, "tracking.tracker must be one of mlflow, wandb, none, got 'comet'"),
        (
            {"tracker": "wandb", "project": "p", "experiment": "e"},
            "tracking.experiment is a setting of mlflow, but tracking.tracker is wandb: "
            "wandb takes tracker, enabled, tune, project, entity, mode",
        ),
        ({"tracker": "mlflow", "experiment": "e"}, "tracking.model_name is required for tracker"),
        ({"tracker": "none", "mode": "online"}, "tracking.mode is a setting of wandb"),
        ({"tracker": "wandb", "project": "p", "mode": "cloud"}, "tracking.mode must be one of"),
    ],
    ids=["unknown-tracker", "other-trackers-key", "missing-key", "none-takes-no-key", "mode"],
)
def test_tracking_config_refuses_in_one_line(section, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as raised:
        parse(TrackingConfig, section, "tracking.")
    assert "\n" not in str(raised.value)


def test_tracking_adapter_names_the_missing_package_in_one_line(config, monkeypatch):
    """Switched to W&B in params.yaml, not yet in requirements.in: one line, before any work."""
    monkeypatch.setitem(sys.modules, "wandb", None)  # `import wandb` fails as if not installed
    monkeypatch.delitem(sys.modules, "mlreprokit.wandb_tracking", raising=False)
    wandb_config = type(config)(
        **{**vars(config), "tracking": TrackingConfig("wandb", project="p")}
    )
    with pytest.raises(UsageError, match="tracker is wandb, but wandb is not installed") as raised:
        tracking.adapter(wandb_config)
    assert "requirements.in" in str(raised.value) and "\n" not in str(raised.value)


def switch(project, section: dict) -> None:
    params = yaml.safe_load((project / PARAMS).read_text(encoding="utf-8"))
    params["tracking"] = section
    (project / PARAMS).write_text(yaml.safe_dump(params), encoding="utf-8")


@pytest.mark.parametrize("command", ["register", "runs", "predict reports/x.csv"])
def test_mlflow_commands_name_the_configured_tracker(project, capsys, command):
    switch(project, {"tracker": "wandb", "project": "p"})
    assert main(command.split(), commands) == 2
    err = capsys.readouterr().err
    assert f"`{command.split()[0]}` needs mlflow, but tracking.tracker is wandb" in err
    assert err.count("\n") == 1


def test_tune_needs_a_tracker(project, capsys):
    switch(project, {"tracker": "none"})
    assert main(["tune"], commands) == 2
    assert "`tune` needs a tracker, but tracking.tracker is none" in capsys.readouterr().err
