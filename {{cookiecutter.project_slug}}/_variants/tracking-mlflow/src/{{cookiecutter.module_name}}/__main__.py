"""`python -m {{ cookiecutter.module_name }}`: the tracked pipeline, and register, predict, tune, runs."""

from .cli import main
from .commands import tracked_commands

raise SystemExit(main(commands=tracked_commands()))
