"""`python -m <module> doctor`: what decides, on this machine, whether a run gives
the same results twice; one line per finding, with its fix. The run manifest records the same.

A finding that the last passing `repro` check varied on purpose (reports/repro.json) is only a
note: that check showed this project's outputs do not depend on it.
"""

import argparse
import importlib.util
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from .repro.report import REFERENCE

HELP = "print what decides whether a run here is deterministic, each finding with its fix"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
DETERMINISTIC_CUBLAS = (":4096:8", ":16:8")


@dataclass(frozen=True)
class Finding:
    name: str
    value: str
    fix: str = ""  # empty when nothing needs fixing
    note: str = ""  # why the fix does not matter for this project (set by `shown_harmless`)

    @property
    def status(self) -> str:
        return "note" if self.fix and self.note else "fix" if self.fix else "ok"

    def line(self) -> str:
        detail = {"ok": "", "fix": f": {self.fix}", "note": f": {self.note}"}[self.status]
        return f"{self.status:<4} {self.name} = {self.value}{detail}"


def variation_of(finding: Finding) -> str | None:
    """The `repro` variation that changes what `finding` is about (None: none does)."""
    if finding.name == "PYTHONHASHSEED":
        return "hash_seed"
    if finding.name in THREAD_VARIABLES or finding.name.startswith("thread pool "):
        return "threads"
    return "cpus" if finding.name == "CPUs" else None


def harmless_variations(root: Path) -> set[str]:
    """The variations the last `repro` check applied with every output identical (else none)."""
    try:
        check = json.loads((root / REFERENCE).read_text(encoding="utf-8"))["check"]
        passed = check["identical"] == check["declared"] and not check["causes"]
        return set(check["variations_applied"]) if passed else set()
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def shown_harmless(found: list[Finding], harmless: set[str]) -> list[Finding]:
    """Turn each fix into a note when the last passing repro check varied it on purpose."""
    noted = []
    for finding in found:
        variation = variation_of(finding)
        if finding.fix and variation in harmless:
            why = f"harmless here: repro varied {variation}, every output identical ({REFERENCE})"
            finding = replace(finding, note=why)
        noted.append(finding)
    return noted


def environment_findings(env: dict[str, str]) -> list[Finding]:
    seed = env.get("PYTHONHASHSEED", "")
    found = [
        Finding(
            "PYTHONHASHSEED",
            seed or "unset (random)",
            "" if seed.isdigit() else "start Python with PYTHONHASHSEED=0 (nox sessions do)",
        )
    ]
    for name in THREAD_VARIABLES:
        value = env.get(name, "")
        fix = "" if value else f"set {name} (e.g. 1): else the thread count follows the machine"
        found.append(Finding(name, value or "unset", fix))
    if env.get("OMP_DYNAMIC", "").lower() in ("true", "1"):
        found.append(Finding("OMP_DYNAMIC", env["OMP_DYNAMIC"], "set OMP_DYNAMIC=false"))
    return found


def cpu_findings() -> list[Finding]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [Finding("CPUs", f"{usable} usable of {os.cpu_count()}")]


def thread_pool_findings(env: dict[str, str]) -> list[Finding]:
    """The BLAS and OpenMP pools loaded by NumPy and scikit-learn, as threadpoolctl sees them."""
    try:
        import numpy  # noqa: F401 - loads the BLAS pool
        import sklearn.ensemble  # noqa: F401 - loads the OpenMP pool
        from threadpoolctl import threadpool_info
    except ImportError as error:
        return [Finding("thread pools", f"not inspected ({error.name} is not installed)")]
    found = []
    for pool in threadpool_info():
        # letters, digits and . _ - / : only, so a tracker accepts it as a tag key
        where = os.path.basename(os.path.dirname(pool["filepath"]))  # e.g. numpy.libs
        name = f"thread pool {pool['user_api']}/{pool['internal_api']} {where}"
        value = f"{pool['num_threads']} threads"
        fix = ""
        if pool["num_threads"] > 1 and not any(env.get(v) for v in THREAD_VARIABLES):
            fix = "its size follows the CPU count: fix it with the variables above"
        if pool["internal_api"] == "mkl" and not env.get("MKL_CBWR"):
            fix = "set MKL_CBWR=COMPATIBLE for the same float results on every CPU"
        found.append(Finding(name, value, fix))
    return found


def framework_findings(env: dict[str, str]) -> list[Finding]:
    """torch, TensorFlow and JAX, when installed: their determinism settings."""
    installed = {n for n in ("torch", "tensorflow", "jax") if importlib.util.find_spec(n)}
    found = []
    if installed & {"torch", "tensorflow"}:
        value = env.get("CUBLAS_WORKSPACE_CONFIG", "")
        ok = value in DETERMINISTIC_CUBLAS
        fix = "" if ok else "set CUBLAS_WORKSPACE_CONFIG=:4096:8 (seed.py does, per run)"
        found.append(Finding("CUBLAS_WORKSPACE_CONFIG", value or "unset", fix))
    if "torch" in installed:
        import torch

        on = torch.are_deterministic_algorithms_enabled()
        fix = "" if on else "seed.py turns it on in each run; call seed_everything() in notebooks"
        found.append(Finding("torch deterministic algorithms", str(on), fix))
        benchmark = torch.backends.cudnn.benchmark
        fix = "set torch.backends.cudnn.benchmark = False (seed.py does)" if benchmark else ""
        found.append(Finding("torch cudnn.benchmark", str(benchmark), fix))
    if "tensorflow" in installed:
        value = env.get("TF_DETERMINISTIC_OPS", "")
        fix = "" if value == "1" else "seed.py calls enable_op_determinism() in each run"
        found.append(Finding("TF_DETERMINISTIC_OPS", value or "unset", fix))
    if "jax" in installed:
        flags = env.get("XLA_FLAGS", "")
        on = "--xla_gpu_deterministic_ops=true" in flags
        fix = "" if on else "on GPU, add --xla_gpu_deterministic_ops=true to XLA_FLAGS"
        found.append(Finding("XLA_FLAGS", flags or "unset", fix))
    return found


def findings(env: dict[str, str] | None = None) -> list[Finding]:
    env = dict(os.environ) if env is None else env
    return [
        *environment_findings(env),
        *cpu_findings(),
        *thread_pool_findings(env),
        *framework_findings(env),
    ]


def facts() -> dict[str, str]:
    """The findings as {name: value}, for the run manifest."""
    return {finding.name: finding.value for finding in findings()}


def run(args: argparse.Namespace) -> int:
    found = shown_harmless(findings(), harmless_variations(Path.cwd()))
    for finding in found:
        print(finding.line())
    to_fix = sum(finding.status == "fix" for finding in found)
    notes = sum(finding.status == "note" for finding in found)
    if notes:
        print(f"{to_fix} to fix, {notes} notes (shown harmless by the last repro check)")
    else:
        print(f"{to_fix} to fix: a passing `nox -s repro` shows which of them matter here")
    return 0
