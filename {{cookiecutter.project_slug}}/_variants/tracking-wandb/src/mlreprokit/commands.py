"""Commands with W&B: the tracked pipeline with `--no-track`, and `tune` (tracked.py)."""

from .cli import Command
from .tracked import tracked_commands


def commands() -> dict[str, Command]:
    """Every command `python -m <module>` offers."""
    return tracked_commands()
