"""DVC's files: `dvc.yaml` written from the pipeline's stages; `dvc.lock` checked by `nox -s repro`.

After changing the stages, run `python -m mlreprokit.dvcfiles` to rewrite `dvc.yaml`; a test
fails while the committed file and the stages disagree.
"""

import ast
import hashlib
from pathlib import Path

import yaml

from .hashing import CHUNK
from .paths import FIGURE, METRICS
from .project import Stage, load_pipeline

DVC_YAML = Path("dvc.yaml")
DVC_LOCK = Path("dvc.lock")
HEADER = (
    "# Written from the pipeline's stages by `python -m mlreprokit.dvcfiles`: change the stages\n"
    "# there, not here. `dvc repro` runs every stage whose code, inputs or params changed.\n"
)
RUN_ENV = "PYTHONHASHSEED=0"  # as in nox's sessions: str hashing fixed (needs a POSIX shell)
# What `python -m <module> STAGE` runs around every stage: params loaded and validated, seeds set.
RUNNER_MODULES = ("mlreprokit.config", "mlreprokit.seed")
# The pinned environment the stages run in: new library versions can change every output.
LOCKS = (Path("requirements.txt"),)
SOURCE = Path("src")  # where both packages live, relative to the project root
METRICS_FILES = (METRICS,)  # small, kept in git (cache: false) so `dvc metrics diff` spans commits
PLOTS = (FIGURE,)


def module_file(module: str, source: Path = SOURCE) -> Path | None:
    """`src/a/b.py` (or `src/a/b/__init__.py`) for module `a.b`, if it exists there."""
    base = source.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imported_modules(module: str, source: Path = SOURCE) -> set[str]:
    """The modules under `src/` that `module` imports, at the top or inside functions."""
    path = module_file(module, source)
    if path is None:
        return set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = node.module or ""
            if node.level:
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            found.add(base)  # from pkg.config import Config
            found.update(f"{base}.{alias.name}" for alias in node.names)  # from . import data
    return {name for name in found if name and module_file(name, source) is not None}


def code_deps(
    stage: Stage, source: Path = SOURCE, runner: tuple[str, ...] = RUNNER_MODULES
) -> list[Path]:
    """Every module the stage's code can run: its own and what it imports, the runner's too.

    Editing any of them (config.py, seed.py, a helper, a kit module) makes `dvc status`
    report the stage. Its own module comes first, then the others by path.
    """
    own = stage.run.__module__
    seen: set[str] = set()
    todo = [own, *runner]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += sorted(imported_modules(name, source) - seen)
    files = {module_file(name, source) for name in seen - {own}}
    first = module_file(own, source)
    return [path for path in [first, *sorted(f for f in files if f)] if path is not None]


def stage_entry(stage: Stage) -> dict[str, object]:
    """One stage of `dvc.yaml`: the CLI command, deps (code, lock, data), params, outs, plots."""
    # Once each, in order: a module may be both imported code and a declared input.
    # The runner also loads the project's config class, whichever package the stage is in.
    runner = (*RUNNER_MODULES, load_pipeline().config.__module__)
    deps = list(dict.fromkeys([*code_deps(stage, runner=runner), *LOCKS, *stage.deps]))
    entry: dict[str, object] = {
        "cmd": f"{RUN_ENV} python -m {load_pipeline().module} {stage.name}",
        "deps": [dep.as_posix() for dep in deps],
    }
    if stage.params:
        entry["params"] = list(stage.params)
    outs = [out.as_posix() for out in stage.outs if out not in METRICS_FILES + PLOTS]
    metrics = [{out.as_posix(): {"cache": False}} for out in stage.outs if out in METRICS_FILES]
    plots = [out.as_posix() for out in stage.outs if out in PLOTS]
    for key, values in (("outs", outs), ("metrics", metrics), ("plots", plots)):
        if values:
            entry[key] = values
    return entry


def render() -> str:
    """The text of `dvc.yaml` for the pipeline's current stages."""
    stages = {stage.name: stage_entry(stage) for stage in load_pipeline().stages}
    return HEADER + yaml.safe_dump({"stages": stages}, sort_keys=False)


def md5_file(path: Path) -> str:
    """The MD5 DVC records for a file, streamed."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def locked_outputs(lock: Path) -> dict[str, str]:
    """Every output path recorded in `dvc.lock` with the MD5 DVC stored for it."""
    recorded = yaml.safe_load(lock.read_text(encoding="utf-8")) or {}
    return {
        out["path"]: str(out["md5"])
        for stage in recorded.get("stages", {}).values()
        for out in stage.get("outs", [])
    }


def lock_differences(lock: Path, root: Path) -> list[str]:
    """File outputs under `root` whose content is not what `dvc.lock` recorded, with why."""
    found = []
    for path, md5 in locked_outputs(lock).items():
        file = root / path
        if md5.endswith(".dir"):  # a folder output: `dvc status` checks those
            continue
        if not file.is_file():
            found.append(f"{path}: missing")
        elif md5_file(file) != md5:
            found.append(f"{path}: differs from {lock.name}")
    return found


def lookup(params: object, key: str) -> object:
    """The value of a dotted key such as `model.n_estimators`, or None when absent."""
    value = params
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def stale_inputs(lock: Path, root: Path) -> list[str]:
    """Inputs (code, params) changed since `dvc.lock` was written; outputs of stages are skipped."""
    recorded = yaml.safe_load(lock.read_text(encoding="utf-8")) or {}
    produced = locked_outputs(lock)
    found = []
    for name, stage in recorded.get("stages", {}).items():
        for dep in stage.get("deps", []):
            if dep["path"] in produced:  # checked in the fresh run instead
                continue
            file = root / dep["path"]
            if not file.is_file() or md5_file(file) != str(dep["md5"]):
                found.append(f"stage {name}: {dep['path']} changed")
        for params_file, values in stage.get("params", {}).items():
            current = yaml.safe_load((root / params_file).read_text(encoding="utf-8")) or {}
            found += [
                f"stage {name}: {params_file} {key} changed"
                for key, value in values.items()
                if lookup(current, key) != value
            ]
    return found


def check_lock(root: Path, run: Path) -> int:
    """`nox -s repro` with DVC: a fresh run in `run` must give the outputs `dvc.lock` records.

    Prints what differs and returns 0 (matches) or 3 (stale or different), like a drift from
    the committed reference.
    """
    lock = root / DVC_LOCK
    if stale := stale_inputs(lock, root):
        print(f"\nSTALE {DVC_LOCK}: inputs changed since `dvc repro` wrote it:")
        print("\n".join(f"  - {line}" for line in stale))
        print(f"  - run `dvc repro` and commit {DVC_LOCK}")
        return 3
    if different := lock_differences(lock, run):
        print(f"\nDRIFT FROM {DVC_LOCK}: the fresh run differs from what DVC recorded:")
        print("\n".join(f"  - {line}" for line in different))
        print(f"  - if the change is intended, run `dvc repro` and commit {DVC_LOCK}")
        return 3
    print(f"MATCHES {DVC_LOCK}: every output is the one DVC recorded.")
    return 0


def main() -> None:
    DVC_YAML.write_text(render(), encoding="utf-8")
    print(f"wrote {DVC_YAML} from the pipeline's stages")


if __name__ == "__main__":
    main()
