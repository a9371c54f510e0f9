"""The project's pipeline, found through `[tool.mlreprokit] pipeline` in `pyproject.toml`.

The kit never imports the project's package by name: a command reads this entry, which names
an object the project defines (`pipeline = "my_package.pipeline:PIPELINE"`).
"""

import dataclasses
import importlib
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .errors import ProjectError
from .metrics import Metric

if sys.version_info >= (3, 11):  # noqa: UP036 - the kit runs on every Python a project may use
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

PYPROJECT = Path("pyproject.toml")
TABLE = "mlreprokit"


@dataclass(frozen=True)
class Stage:
    """A step of the pipeline: what it reads, what it writes, which params it depends on."""

    name: str
    run: Callable[[Any, Path], None]  # (config, project root)
    deps: tuple[Path, ...]
    outs: tuple[Path, ...]
    params: tuple[str, ...]


def no_new_columns(frame: Any) -> Any:
    return frame


@dataclass(frozen=True)
class Pipeline:
    """What the kit needs from a project: its stages, settings, model and metrics.

    `config`: the dataclass `params.yaml` is read into (seed, data, model, metric, gate,
    tracking).
    `build_model(config, schema, inputs)`: an unfitted model for the input columns `inputs`.
    `metrics`: the metrics table, name -> `Metric` (evaluate, gate, adopt and tuning read it).
    `engineer(frame)`: the columns the features stage adds; `predict` applies it to new rows.
    """

    stages: tuple[Stage, ...]
    config: type
    build_model: Callable[[Any, Any, Any], Any]
    metrics: Mapping[str, Metric]
    engineer: Callable[[Any], Any] = no_new_columns

    def __post_init__(self) -> None:
        for name, metric in self.metrics.items():
            if not isinstance(name, str) or not isinstance(metric, Metric):
                raise ProjectError(
                    f"Pipeline metrics: {name!r} must map a name to a mlreprokit Metric"
                )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(stage.name for stage in self.stages)

    def run(self, names: list[str], config: Any, root: Path) -> None:
        """Run the named stages in pipeline order; each reads its inputs from disk."""
        for stage in self.stages:
            if stage.name in names:
                print(f"stage {stage.name}", flush=True)
                stage.run(config, root)

    @property
    def module(self) -> str:
        """The project's package: `python -m <module>` runs it."""
        return self.config.__module__.split(".")[0]

    @property
    def model_config(self) -> type:
        """The dataclass of the `model:` section."""
        hint = typing.get_type_hints(self.config)["model"]
        if not dataclasses.is_dataclass(hint):
            raise ProjectError(f"{self.config.__name__}.model must be a dataclass")
        return typing.cast(type, hint)


def entry(root: Path) -> str:
    """The `module:attribute` of the pipeline, from `[tool.mlreprokit]` of `pyproject.toml`."""
    path = root / PYPROJECT
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))["tool"][TABLE]
        value = table["pipeline"]
    except FileNotFoundError:
        raise ProjectError(f"{path} not found: run from the project root") from None
    except (KeyError, TypeError):
        raise ProjectError(
            f'{path}: [tool.{TABLE}] needs pipeline = "<package>.pipeline:PIPELINE"'
        ) from None
    if not isinstance(value, str) or value.count(":") != 1:
        raise ProjectError(f"{path}: [tool.{TABLE}] pipeline must be 'module:attribute'")
    return value


@cache
def _load(value: str) -> Pipeline:
    module_name, _, attribute = value.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        raise ProjectError(
            f"[tool.{TABLE}] pipeline {value!r}: cannot import {error.name!r} "
            "(is the project installed? `nox -s dev`)"
        ) from None
    found = getattr(module, attribute, None)
    if not isinstance(found, Pipeline):
        raise ProjectError(f"[tool.{TABLE}] pipeline {value!r} is not a mlreprokit Pipeline")
    return found


def load_pipeline(root: Path | None = None) -> Pipeline:
    """The project's Pipeline (read once per entry and process)."""
    return _load(entry(Path.cwd() if root is None else root))
