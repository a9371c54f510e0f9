"""The commands of a project without a tracker: the pipeline's stages, `gate`, `doctor`, `adopt`."""

from .cli import Command, pipeline_commands


def commands() -> dict[str, Command]:
    """Every command `python -m <module>` offers."""
    return pipeline_commands()
