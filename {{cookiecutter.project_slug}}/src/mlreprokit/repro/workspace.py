"""The temporary workspace: copies of the project, each run in its own process, always removed."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import NoReturn

from .settings import ReproError
from .variations import SHIM, Launch

# Never copied into a run: git's own folder, environments, caches and local secrets.
NOT_COPIED = {".git", ".nox", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".env"}


def project_files(root: Path) -> list[Path]:
    """The files a run starts from: what git tracks (or would track), as in the work tree."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:  # git is not installed
        listed = None
    if listed and listed.returncode == 0:
        paths = [Path(name) for name in listed.stdout.decode().split("\0") if name]
    else:  # not a git work tree: everything but environments, caches and produced data
        paths = []
        for folder, dirs, names in os.walk(root):
            dirs[:] = [name for name in dirs if name not in NOT_COPIED]
            paths += [Path(folder, name).relative_to(root) for name in names]
        paths = [p for p in paths if p.parts[0] != "data" or p.parts[:2] == ("data", "raw")]
    return [p for p in paths if not NOT_COPIED & set(p.parts) and (root / p).is_file()]


def copy_project(root: Path, target: Path, outputs: list[str], reverse: bool = False) -> None:
    """Copy the project files and `data/raw` into `target`, leaving out the declared outputs
    (but not the raw data, which a data stage may only check). `reverse` copies in reverse
    order, so a filesystem that lists in creation order lists the copy the other way round."""

    def produced(path: Path) -> bool:
        return (
            path.name != ".gitkeep"
            and path.parts[:2] != ("data", "raw")
            and any(path == Path(o) or Path(o) in path.parents for o in outputs)
        )

    files = set(project_files(root))
    raw = root / "data" / "raw"
    if raw.is_dir():
        files |= {p.relative_to(root) for p in raw.rglob("*") if p.is_file()}
    for path in sorted(files, reverse=reverse):
        if not produced(path):
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / path, target / path)


class Workspace:
    """A temporary folder for every run copy, removed on exit, on error, on Ctrl-C and on
    SIGTERM (unless `keep`)."""

    def __init__(self, prefix: str, keep: bool = False):
        self.prefix, self.keep = prefix, keep
        self.path = Path()
        self._previous_handler: Callable[[int, FrameType | None], object] | int | None = None

    def __enter__(self) -> "Workspace":
        _STOPPED.clear()
        self.path = Path(tempfile.mkdtemp(prefix=self.prefix)).resolve()
        if hasattr(signal, "SIGTERM"):
            self._previous_handler = signal.signal(signal.SIGTERM, _interrupt)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous_handler is not None:
            signal.signal(signal.SIGTERM, self._previous_handler)
        if self.keep:
            print(f"\nRun copies kept for inspection in {self.path}")
        else:
            shutil.rmtree(self.path, ignore_errors=True)


# The run in progress, and the signals received: a SIGTERM that lands inside a handler Python
# ignores exceptions from (e.g. logging's at-fork hook while a run starts) still stops the check.
_RUNNING: list[subprocess.Popen[str]] = []
_STOPPED: list[int] = []


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    _STOPPED.append(signum)
    for process in _RUNNING:
        process.kill()
    raise KeyboardInterrupt(f"signal {signum}")


def _stop_if_signalled() -> None:
    if _STOPPED:
        raise KeyboardInterrupt(f"signal {_STOPPED[0]}")


def run_pipelines(runs: list[tuple[str, Launch, Path]], command: list[str]) -> None:
    """Run the pipeline in each (label, launch, copy) at the same time, each in a fresh process
    inside its copy, every line of their output shown as it comes, after its run's label."""
    started: list[tuple[str, subprocess.Popen[str]]] = []
    relays: list[threading.Thread] = []
    codes: dict[str, int] = {}
    try:
        for label, launch, copy in runs:
            started.append((label, start(label, launch, copy, command)))
        _stop_if_signalled()
        relays = [threading.Thread(target=relay, args=(*run, codes)) for run in started]
        for thread in relays:
            thread.start()
        while alive := [thread for thread in relays if thread.is_alive()]:
            alive[0].join(0.1)  # timed, so Ctrl-C and SIGTERM land here at once
            if any(codes.values()):  # one run failed: the others need not finish
                for _, process in started:
                    process.kill()
        _stop_if_signalled()
    except BaseException:  # Ctrl-C or SIGTERM: stop the runs before their copies are removed
        for _, process in started:
            process.kill()
        for thread in relays:
            thread.join()
        for _, process in started:
            process.wait()
        raise
    finally:
        for _, process in started:
            _RUNNING.remove(process)
    failed = [label for label, code in codes.items() if code > 0]  # in the order they ended
    failed += [label for label, code in codes.items() if code < 0]  # killed, when one failed
    if failed:
        raise ReproError(f"{failed[0]} failed (exit {codes[failed[0]]}); its output is above")


def start(label: str, launch: Launch, copy: Path, command: list[str]) -> subprocess.Popen[str]:
    """Start the pipeline in `copy` under `launch`'s conditions, its output piped."""
    env = dict(launch.env)
    paths = [str(copy / "src")]  # the copy's code, not the editable install's tree
    if launch.reverse_order is not None:
        env["REPRO_FILE_ORDER"] = "reversed" if launch.reverse_order else "sorted"
        paths.append(str(SHIM))
    env["PYTHONPATH"] = os.pathsep.join(paths)
    if launch.fresh_home:
        home = copy.parent / "home"  # beside the copy, so its path does not contain the copy's
        home.mkdir()
        env["HOME"] = str(home)

    def limit() -> None:  # in the child, before the pipeline starts
        if launch.cpus is not None:
            os.sched_setaffinity(0, launch.cpus)
        if launch.nice:
            os.nice(launch.nice)

    print(f"{label}: in {copy}", flush=True)
    try:
        process = subprocess.Popen(
            [sys.executable if command[0] == "python" else command[0], *command[1:]],
            cwd=copy,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            umask=launch.umask,
            preexec_fn=limit if launch.cpus is not None or launch.nice else None,
        )
    except OSError as error:
        raise ReproError(f"[tool.repro] command cannot start: {error}") from None
    _RUNNING.append(process)
    return process


def relay(label: str, process: subprocess.Popen[str], codes: dict[str, int]) -> None:
    """Show a run's output line by line until it ends; record its exit status in `codes`."""
    begun = time.perf_counter()
    assert process.stdout is not None, "the run's output is piped (stdout=PIPE)"
    for line in process.stdout:
        print(f"  [{label}] {line}", end="", flush=True)
    process.stdout.close()  # the pipe, read to its end (unclosed, it is a ResourceWarning)
    codes[label] = process.wait()
    if not codes[label]:
        print(f"{label} finished in {time.perf_counter() - begun:.1f} s", flush=True)
