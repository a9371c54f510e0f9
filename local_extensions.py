"""Jinja extension for cookiecutter.json: `baking_python()` is the default `python_version`."""

import sys

from jinja2.ext import Extension

SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


def baking_python(version_info: tuple = tuple(sys.version_info)) -> str:
    """Return the Python running the bake as `X.Y`, clamped to the supported range."""
    running = f"{version_info[0]}.{version_info[1]}"
    if running in SUPPORTED:
        return running
    return SUPPORTED[0] if tuple(version_info[:2]) < (3, 10) else SUPPORTED[-1]


class BakingPython(Extension):
    """Expose `baking_python()` to the templates, so a default bake installs where it was made."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["baking_python"] = baking_python
