"""Measure the template's speed on this machine and print one Markdown table (`nox -s bench`).

What it measures, in one run: the bake (default options, median of several); bake to a green
`nox -s tests` with a cold and with a warm package cache (fresh UV_CACHE_DIR / PIP_CACHE_DIR,
then the same ones again), and warm for each option value of OPTION_VALUES; bake -> `adopt` of
a regression data set -> green `nox`; `nox -s lock`; `nox -s repro` against one
`nox -s pipeline` run; `adopt` against one read of the file and repro against one pipeline run
on a 21-column table at two sizes (`--scale-rows`); `tune` (a 20-trial study) with 1 and with 2
workers; and the project's hashing (`sha256_tree`) against `sha256sum` on the same files. The
targets are printed beside the figures, never asserted: this is a measurement, not a test.

    python bench/bench.py                  # everything, 1 GiB of files to hash
    python bench/bench.py --hash-mib 128   # a quicker run
"""

import argparse
import importlib.util
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
MODULE = "my_ml_project"
KIT = "mlreprokit"  # the baked project's machinery package
TESTS_TARGET = "a few x"  # every generated test (slow ones too) against one pipeline run
TIMEOUT = 1800  # seconds for any one command
ENV_REUSED = "environment already matches"  # what install_locked logs when it skips the install
REPRO_TARGET = "<= 2.5x"  # control + varied run with every variation applied, and the compare
ADOPT_TARGET = "a small multiple"  # adopt against one read of the file, each a fresh process


@dataclass
class Row:
    measure: str
    value: str
    target: str = ""
    how: str = ""


def project_env(caches: Path | None = None) -> dict[str, str]:
    """The environment for a baked project's commands: no outer venv, optional fresh caches."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env.update(MLFLOW_DISABLE_TELEMETRY="true", DVC_NO_ANALYTICS="1", UV_PYTHON_DOWNLOADS="never")
    if caches is not None:
        env.update(UV_CACHE_DIR=str(caches / "uv"), PIP_CACHE_DIR=str(caches / "pip"))
    return env


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str, int]:
    """Run a command; return its wall time, its combined output and its exit status."""
    start = time.perf_counter()
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    return time.perf_counter() - start, done.stdout + done.stderr, done.returncode


def must(result: tuple[float, str, int], what: str) -> float:
    seconds, output, status = result
    if status != 0:
        sys.exit(f"bench: {what} exited {status}\n{output[-4000:]}")
    return seconds


def bake(output_dir: Path, **options: str) -> tuple[float, Path]:
    """Bake with the cookiecutter CLI, as a user would (default options unless given); return
    time, root."""
    args = [
        sys.executable,
        "-m",
        "cookiecutter",
        "--no-input",
        str(TEMPLATE),
        "-o",
        str(output_dir),
        *(f"{option}={value}" for option, value in options.items()),
    ]
    seconds = must(timed(args, output_dir.parent, project_env()), "cookiecutter")
    return seconds, output_dir / "my-ml-project"


def nox(project: Path, env: dict[str, str], *sessions: str) -> tuple[float, str, int]:
    return timed([sys.executable, "-m", "nox", "-s", *sessions], project, env)


def fmt(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def measure_bakes(work: Path, count: int) -> list[Row]:
    times, cpu = [], []
    for i in range(count):
        before = children_cpu()
        times.append(bake(work / f"bake-{i}")[0])
        cpu.append(children_cpu() - before)
    spread = f"min {fmt(min(times))}, max {fmt(max(times))}; CPU {fmt(statistics.median(cpu))}"
    return [
        Row(
            "bake (default options)",
            fmt(statistics.median(times)),
            "< 1 s",
            f"median of {count} `cookiecutter --no-input` CLI runs, git init included; {spread}",
        )
    ]


def bake_to_green(work: Path, caches: Path, label: str, **options: str) -> tuple[list[Row], Path]:
    """Bake, lock and run the tests in a fresh project; return the rows and the project."""
    env = project_env(caches)
    bake_s, project = bake(work / f"green-{label}", **options)
    lock_s = must(nox(project, env, "lock"), f"nox -s lock ({label})")
    venv_s = must(nox(project, env, "tests", "--install-only"), f"tests env ({label})")
    tests_s, output, status = nox(project, env, "tests")
    total = bake_s + lock_s + venv_s + tests_s
    if status != 0:
        print(output[-3000:], file=sys.stderr)
    how = (
        f"bake {fmt(bake_s)} + `nox -s lock` {fmt(lock_s)} + new venv synced from the lock "
        f"{fmt(venv_s)} + pytest {fmt(tests_s)}"
    )
    target = "< 60 s" if label == "warm" else ""
    rows = [
        Row(
            f"bake to green `nox -s tests`, {label} cache",
            fmt(total) if status == 0 else f"failed (exit {status})",
            target,
            how,
        ),
        Row(f"`nox -s lock`, {label} cache", fmt(lock_s), "", "both lock files, from scratch"),
    ]
    return rows, project


# Option values beyond the defaults, each baked to green on its own (warm cache): what choosing
# it costs on day one. conda and Docker cannot run here: their projects' tests still must pass.
OPTION_VALUES = [
    ("tracking", "wandb"),
    ("tracking", "none"),
    ("environment", "conda"),
    ("docker", "yes"),
]


def option_rows(work: Path, caches: Path) -> list[Row]:
    rows = []
    for option, value in OPTION_VALUES:
        print(f"bench: bake to green, {option}={value}", file=sys.stderr)
        found, _ = bake_to_green(work, caches, f"{option}-{value}", **{option: value})
        green = found[0]
        rows.append(
            Row(f"bake to green `nox -s tests`, {option}={value}", green.value, "", green.how)
        )
    return rows


# Written with the project's own Python: scikit-learn's diabetes data, with a text column and an id.
WRITE_DIABETES = """
from sklearn.datasets import load_diabetes
frame = load_diabetes(as_frame=True, scaled=False).frame.rename(columns={"target": "progression"})
frame["sex"] = frame["sex"].map({1.0: "F", 2.0: "M"})
frame.insert(0, "patient_id", [f"P{i:04d}" for i in range(len(frame))])
frame.to_csv("patients.csv", index=False)
"""


def bake_adopt_green(work: Path, caches: Path) -> list[Row]:
    """Bake, lock, adopt a data set of one's own, then the default `nox` (lint, tests, repro)."""
    env = project_env(caches)
    bake_s, project = bake(work / "adopt")
    lock_s = must(nox(project, env, "lock"), "nox -s lock (adopt)")
    venv_s = must(nox(project, env, "pipeline", "--install-only"), "pipeline env (adopt)")
    python = project / ".nox" / "pipeline" / "bin" / "python"
    must(timed([str(python), "-c", WRITE_DIABETES], project, env), "writing the data set")
    adopt = ["pipeline", "--", "adopt", "patients.csv", "--target", "progression", "--id"]
    adopt_s = must(nox(project, env, *adopt, "patient_id"), "adopt")
    green_s, output, status = timed([sys.executable, "-m", "nox"], project, env)
    if status != 0:
        print(output[-3000:], file=sys.stderr)
    total = bake_s + lock_s + venv_s + adopt_s + green_s
    how = (
        f"bake {fmt(bake_s)} + lock {fmt(lock_s)} + pipeline env {fmt(venv_s)} + `adopt` "
        f"{fmt(adopt_s)} + `nox` (lint, tests, repro; their envs built) {fmt(green_s)}; "
        "diabetes, 442 rows, regression with a text column and an id; warm cache"
    )
    value = fmt(total) if status == 0 else f"failed (exit {status})"
    return [Row("bake -> adopt -> green `nox`", value, "", how)]


WRITE_TABLE = """
import sys
import numpy as np, pandas as pd
rows = int(sys.argv[1])
rng = np.random.default_rng(0)
frame = pd.DataFrame(rng.normal(size=(rows, 16)).round(4), columns=[f"x{i}" for i in range(16)])
frame.insert(0, "row_id", [f"R{i:07d}" for i in range(rows)])
for i, count in enumerate((3, 12, 40)):
    frame[f"c{i}"] = rng.choice([f"v{j}" for j in range(count)], rows)
score = frame["x0"] - frame["x1"] + frame["c0"].map({"v0": 1.0, "v1": 0.0, "v2": -1.0})
frame["label"] = np.where(score + rng.normal(size=rows) > 0, "yes", "no")
frame.to_csv("table.csv", index=False)
"""
READ_TABLE = "import pandas; pandas.read_csv('table.csv')"


def measure_scale(work: Path, caches: Path, sizes: list[int]) -> list[Row]:
    """At each size of a 21-column table: `adopt` against one read of the file with pandas
    (a fresh process each), and `repro` against one pipeline run, in the locked envs."""
    env = project_env(caches)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as on a user's machine: imports cached after one run
    warm = f"import {MODULE}.pipeline, {KIT}.cli, {KIT}.adopt, matplotlib.pyplot"
    rows: list[Row] = []
    for size in sizes:
        _, project = bake(work / f"scale-{size}")
        must(nox(project, env, "lock"), "nox -s lock (scale)")
        must(nox(project, env, "pipeline", "repro", "--install-only"), "envs (scale)")
        python = str(project / ".nox" / "pipeline" / "bin" / "python")
        must(timed([python, "-c", WRITE_TABLE, str(size)], project, env), "writing the table")
        must(timed([python, "-c", warm], project, env), "importing the stack once")
        read_s = must(timed([python, "-c", READ_TABLE], project, env), "reading the table")
        adopt = [python, "-m", MODULE, "adopt", "table.csv", "--target", "label", "--id", "row_id"]
        adopt_s = must(timed(adopt, project, env), "adopt (scale)")
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
        must(timed(["git", "add", "-A"], project, env), "git add")
        must(timed([*git, "commit", "-qm", "adopt"], project, env), "git commit")
        pipeline = [python, "-m", MODULE, "all", "--no-track"]
        pipeline_s = must(timed(pipeline, project, env), "pipeline (scale)")
        repro_python = str(project / ".nox" / "repro" / "bin" / "python")
        repro_s = must(timed([repro_python, "-m", f"{KIT}.repro"], project, env), "repro (scale)")
        label = f"{size:,} rows x 21 columns"
        rows += [
            Row(
                f"`adopt` / one read, {label}",
                f"{adopt_s / read_s:.1f}x",
                ADOPT_TARGET,
                f"adopt {fmt(adopt_s)}, `pandas.read_csv` {fmt(read_s)} (each a fresh process)",
            ),
            Row(
                f"`repro` / pipeline, {label}",
                f"{repro_s / pipeline_s:.2f}x",
                REPRO_TARGET,
                f"repro {fmt(repro_s)}, pipeline {fmt(pipeline_s)}; {os.cpu_count()} CPUs",
            ),
        ]
    return rows


def median_run(project: Path, env: dict[str, str], session: str, repeats: int, *args: str) -> tuple:
    """Build the session's env once (untimed), then time `repeats` runs; median and outputs."""
    warmup = nox(project, env, session, *args)
    if warmup[2] != 0:
        return None, warmup[1], warmup[2]
    runs = [nox(project, env, session, *args) for _ in range(repeats)]
    failed = [run for run in runs if run[2] != 0]
    if failed:
        return None, failed[0][1], failed[0][2]
    return statistics.median(run[0] for run in runs), "".join(run[1] for run in runs), 0


def measure_full_tests(project: Path, env: dict[str, str], pipeline_s: float) -> list[Row]:
    """Every generated test (`nox -s tests -- tests`: the slow ones too, no coverage) against
    one pipeline run: what a user waits for when they run the whole suite."""
    tests_s, _, status = median_run(project, env, "tests", 1, "--", "tests")
    if tests_s is None:
        return [Row("full generated pytest", f"failed (exit {status})", TESTS_TARGET)]
    return [
        Row("full generated pytest", fmt(tests_s), "", "`nox -s tests -- tests`, env built"),
        Row("full generated pytest / pipeline", f"{tests_s / pipeline_s:.1f}x", TESTS_TARGET),
    ]


def measure_repro(project: Path, caches: Path, repeats: int) -> list[Row]:
    env = project_env(caches)
    pipeline_s, _, status = median_run(project, env, "pipeline", repeats)
    if pipeline_s is None:
        return [Row("`nox -s pipeline`", f"failed (exit {status})")]
    rows = [Row("`nox -s pipeline`", fmt(pipeline_s), "", f"median of {repeats}, env built")]
    rows += measure_full_tests(project, env, pipeline_s)
    listed = timed([sys.executable, "-m", "nox", "--list"], project, env)[1]
    if "repro" not in listed.split():
        return rows + [Row("`nox -s repro` / pipeline", "n/a", REPRO_TARGET, "no repro session")]
    repro_s, output, status = median_run(project, env, "repro", repeats)
    if repro_s is None:
        return rows + [Row("`nox -s repro` / pipeline", f"failed (exit {status})", REPRO_TARGET)]
    reused = "yes" if output.count(ENV_REUSED) == repeats else "NO"
    matrix = re.findall(r"identical across (\d+) variations", output)
    what = f"control + varied run, {matrix[-1] if matrix else '?'} variations, no bisection"
    return rows + [
        Row("`nox -s repro`", fmt(repro_s), "", f"median of {repeats}: {what}"),
        Row(
            "`nox -s repro` / pipeline",
            f"{repro_s / pipeline_s:.2f}x",
            REPRO_TARGET,
            f"full variation matrix; locked env reused, not rebuilt: {reused}",
        ),
    ]


def measure_tune(project: Path, python: Path, env: dict[str, str], trials: int) -> list[Row]:
    """`tune` of a `trials`-trial study with 1 and with 2 worker processes on this machine
    (data and features stages included, as `tune` runs them), and the speed-up."""
    params = yaml_with_trials(project, trials)
    env = {**env, "PYTHONHASHSEED": "0", "MLFLOW_TRACKING_URI": f"sqlite:///{project / 'bench.db'}"}
    seconds = {}
    for workers in (1, 2):
        command = [str(python), "-m", MODULE, "--params", params.name, "tune"]
        took, _, status = timed([*command, "--workers", str(workers)], project, env)
        if status != 0:
            return [Row(f"`tune`, {trials} trials, {workers} workers", f"failed (exit {status})")]
        seconds[workers] = took
    how = f"{trials} trials of the default space, `--workers N`, tracked to a local sqlite store"
    return [
        Row(f"`tune`, {trials} trials, 1 worker", fmt(seconds[1]), "", how),
        Row(f"`tune`, {trials} trials, 2 workers", fmt(seconds[2]), "", "journal in .optuna/"),
        Row("`tune`: 1 worker / 2 workers", f"{seconds[1] / seconds[2]:.2f}x", "", "speed-up"),
    ]


def yaml_with_trials(project: Path, trials: int) -> Path:
    """A copy of params.yaml beside it with `trials:` of `tracking.tune` set."""
    text = (project / "params.yaml").read_text(encoding="utf-8")
    changed = re.sub(r"(?m)^(    trials:)\s*\d+", rf"\g<1> {trials}", text, count=1)
    path = project / "params-bench.yaml"
    path.write_text(changed, encoding="utf-8")
    return path


def load_hashing(project: Path):
    """Import the baked project's hashing.py by path (stdlib only, no install needed)."""
    path = project / "src" / KIT / "hashing.py"
    spec = importlib.util.spec_from_file_location("bench_hashing", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_files(root: Path, total_mib: int, file_mib: int = 1, per_dir: int = 64) -> list[Path]:
    """Write `total_mib` MiB of random-looking data as 1 MiB files spread over folders."""
    block = os.urandom(file_mib << 20)
    files = []
    for i in range(max(1, total_mib // file_mib)):
        path = root / f"dir-{i // per_dir:03d}" / f"part-{i:05d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(i.to_bytes(8, "little") + block[8:])
        files.append(path)
    return files


def measure_hashing(project: Path, work: Path, total_mib: int, repeats: int) -> list[Row]:
    hashing = load_hashing(project)
    root = work / "outputs"
    try:
        files = make_files(root, total_mib)
        size_mib = sum(f.stat().st_size for f in files) / (1 << 20)
        hashing.sha256_tree(root)  # first read: both tools then hash from the page cache
        ours = []
        for _ in range(repeats):
            start = time.perf_counter()
            hashing.sha256_tree(root)
            ours.append(time.perf_counter() - start)
        theirs = []
        for _ in range(repeats):
            args = ["sha256sum", *map(str, files)]
            theirs.append(must(timed(args, root, os.environ.copy()), "sha256sum"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    ours_rate, theirs_rate = size_mib / min(ours), size_mib / min(theirs)
    what = f"{len(files)} files, {size_mib:.0f} MiB, from the page cache, best of {repeats}"
    return [
        Row("hashing: `sha256_tree` (hashing.py)", f"{ours_rate:.0f} MiB/s", "", what),
        Row(
            "hashing: `sha256sum` (coreutils)",
            f"{theirs_rate:.0f} MiB/s",
            "",
            "same files, one process",
        ),
        Row("hashing: hashing.py / sha256sum", f"{ours_rate / theirs_rate:.2f}x", "", ""),
    ]


def table(rows: list[Row]) -> str:
    lines = ["| measure | this machine | target | how |", "|---|---|---|---|"]
    lines += [f"| {r.measure} | {r.value} | {r.target} | {r.how} |" for r in rows]
    return "\n".join(lines)


def machine() -> str:
    cpus = os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    python = platform.python_version()
    described = f"{platform.platform()}, Python {python}, {cpus} CPUs, load {load}"
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        # Every process then compiles what uv installed without bytecode: slower imports.
        described += ", PYTHONDONTWRITEBYTECODE set"
    return described


def sizes(text: str) -> list[int]:
    """--scale-rows: positive row counts, comma-separated."""
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 100:
        raise argparse.ArgumentTypeError(
            f"want row counts of 100 or more, e.g. 20000,200000: {text!r}"
        )
    return counts


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hash-mib", type=int, default=1024, help="MiB of files to hash")
    parser.add_argument("--bakes", type=int, default=5, help="bakes for the bake-time median")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of pipeline/repro/hash")
    parser.add_argument(
        "--scale-rows",
        type=sizes,
        default="20000,200000",
        help="table sizes (rows, comma-separated) for the adopt and repro ratios",
    )
    parser.add_argument("--tune-trials", type=int, default=20, help="trials of the timed `tune`")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if min(args.hash_mib, args.bakes, args.repeats, args.tune_trials) < 1:
        sys.exit("bench: --hash-mib, --bakes, --repeats and --tune-trials must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work, caches = Path(tmp), Path(tmp) / "caches"
        started = time.perf_counter()
        print(f"bench: {machine()}", file=sys.stderr)
        rows = measure_bakes(work, args.bakes)
        print("bench: bake to green, cold cache", file=sys.stderr)
        cold, _ = bake_to_green(work, caches, "cold")
        print("bench: bake to green, warm cache", file=sys.stderr)
        warm, project = bake_to_green(work, caches, "warm")
        rows += [cold[0], warm[0], cold[1], warm[1]]
        rows += option_rows(work, caches)
        print("bench: bake, adopt, green", file=sys.stderr)
        rows += bake_adopt_green(work, caches)
        print("bench: pipeline and repro", file=sys.stderr)
        rows += measure_repro(project, caches, args.repeats)
        print(f"bench: adopt and repro at {args.scale_rows} rows", file=sys.stderr)
        rows += measure_scale(work, caches, args.scale_rows)
        print(f"bench: tune, {args.tune_trials} trials, 1 and 2 workers", file=sys.stderr)
        python = project / ".nox" / "pipeline" / "bin" / "python"  # built by measure_repro
        rows += measure_tune(project, python, project_env(caches), args.tune_trials)
        print(f"bench: hashing {args.hash_mib} MiB", file=sys.stderr)
        rows += measure_hashing(project, work, args.hash_mib, args.repeats)
        print(f"bench: done in {fmt(time.perf_counter() - started)}", file=sys.stderr)
        print(f"Measured on {machine()} (`nox -s bench`).\n")
        print(table(rows), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
