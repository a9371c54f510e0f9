"""`[tool.repro]` of pyproject.toml: what is compared, how, and which variations are applied."""

import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ProjectError
from ..project import load_pipeline

if sys.version_info >= (3, 11):  # noqa: UP036 - the kit runs on every Python a project may use
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

PYPROJECT = Path("pyproject.toml")
KINDS = ("bytes", "numeric", "exists", "model")


class ReproError(ProjectError):
    """A problem that stops the check before it can compare anything."""


def stage_outputs() -> list[str]:
    """Every output a stage of the pipeline declares: the one list of what a run makes."""
    stages = load_pipeline().stages
    return list(dict.fromkeys(out.as_posix() for stage in stages for out in stage.outs))


@dataclass(frozen=True)
class Settings:
    """The declared outputs with their kinds, the numeric tolerance, the command, the variations."""

    outputs: list[str]
    kinds: dict[str, str] = field(default_factory=dict)
    exclude: dict[str, str] = field(default_factory=dict)
    rel_tol: float = 0.0
    abs_tol: float = 0.0
    command: list[str] = field(
        default_factory=lambda: ["python", "-m", load_pipeline().module, "all"]
    )
    vary: dict[str, bool] = field(default_factory=dict)

    def kind(self, path: str) -> str:
        """The kind of the most specific declared output holding `path` (default `bytes`)."""
        holders = [o for o in self.kinds if path == o or path.startswith(o.rstrip("/") + "/")]
        return self.kinds[max(holders, key=len)] if holders else "bytes"


ALLOWED: dict[str, type | tuple[type, ...]] = {
    "outputs": list,
    "kinds": dict,
    "exclude": dict,
    "rel_tol": (int, float),
    "abs_tol": (int, float),
    "command": list,
    "vary": dict,
}


def load_settings(pyproject: Path = PYPROJECT, variations: tuple[str, ...] = ()) -> Settings:
    """Read and check `[tool.repro]`; the outputs are the stages' outs, plus `outputs`, minus
    `exclude` (each with its reason)."""
    try:
        table = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["repro"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as error:
        raise ReproError(f"cannot read [tool.repro] from {pyproject}: {error}") from None
    for key, value in table.items():
        if key not in ALLOWED:
            raise ReproError(f"[tool.repro] {key}: unknown key; allowed: {', '.join(ALLOWED)}")
        if not isinstance(value, ALLOWED[key]) or isinstance(value, bool):
            raise ReproError(f"[tool.repro] {key}: wrong type {type(value).__name__}")
    for key in ("outputs", "command"):
        if not all(isinstance(item, str) and item for item in table.get(key, [])):
            raise ReproError(f"[tool.repro] {key}: give a list of non-empty strings")
    for name, kind in table.get("kinds", {}).items():
        if kind not in KINDS:
            raise ReproError(f"[tool.repro] kinds.{name}: {kind!r}; allowed: {', '.join(KINDS)}")
    for name, reason in table.get("exclude", {}).items():
        if not isinstance(reason, str) or not reason.strip():
            raise ReproError(f"[tool.repro] exclude.{name}: give the reason it is not compared")
    for name, on in table.get("vary", {}).items():
        if variations and name not in variations:
            raise ReproError(
                f"[tool.repro] vary.{name}: unknown variation; allowed: {', '.join(variations)}"
            )
        if not isinstance(on, bool):
            raise ReproError(f"[tool.repro] vary.{name}: give true or false")
    declared = [*stage_outputs(), *table.get("outputs", [])]
    exclude = table.get("exclude", {})
    outputs = [o for o in dict.fromkeys(declared) if o not in exclude]
    if unknown := [o for o in exclude if o not in declared]:
        raise ReproError(f"[tool.repro] exclude: {', '.join(unknown)} is not a declared output")
    settings = Settings(**{**table, "outputs": outputs})
    if not settings.outputs:
        raise ReproError("[tool.repro]: every output is excluded; nothing is left to compare")
    if not settings.command:
        raise ReproError("[tool.repro] command: give the command that runs the whole pipeline")
    if settings.rel_tol < 0 or settings.abs_tol < 0:
        raise ReproError("[tool.repro] rel_tol and abs_tol must be 0 or more")
    return settings
