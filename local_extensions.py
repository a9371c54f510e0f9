"""Jinja extension for cookiecutter.json: `baking_python()` is the default `python_version`.

Loaded in cookiecutter's own process, it also keeps a failing hook's report to the hook's one
line: cookiecutter logs a Python traceback after a hook exits non-zero, which says nothing the
hook did not (the hook has already printed what is wrong and what is allowed).
"""

import json
import logging
import sys
from pathlib import Path

from jinja2.ext import Extension

OPTIONS = json.loads((Path(__file__).with_name("cookiecutter.json")).read_text(encoding="utf-8"))
SUPPORTED = tuple(OPTIONS["_python_versions"])


def baking_python(version_info: tuple = tuple(sys.version_info)) -> str:
    """Return the Python running the bake as `X.Y`, clamped to the supported range."""
    running = f"{version_info[0]}.{version_info[1]}"
    if running in SUPPORTED:
        return running
    lowest = tuple(int(part) for part in SUPPORTED[0].split("."))
    return SUPPORTED[0] if tuple(version_info[:2]) < lowest else SUPPORTED[-1]


class HookTracebackFilter(logging.Filter):
    """Drop the traceback cookiecutter attaches to "Stopping generation because ... hook"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Stopping generation because"):
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_hook_failures() -> None:
    """Install the filter on cookiecutter's hook logger, once per process."""
    logger = logging.getLogger("cookiecutter.hooks")
    if not any(isinstance(f, HookTracebackFilter) for f in logger.filters):
        logger.addFilter(HookTracebackFilter())


class BakingPython(Extension):
    """Expose `baking_python()` to the templates, so a default bake installs where it was made."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["baking_python"] = baking_python
        quiet_hook_failures()
