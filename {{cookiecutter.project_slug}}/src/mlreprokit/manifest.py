"""The run manifest: what a run was made from, so a result can be traced and re-run."""

import importlib.metadata
import platform
import subprocess
import sys
from pathlib import Path
from typing import Protocol

from .artifacts import write_json
from .ci_tags import ci_tags
from .doctor import facts as determinism_facts
from .hashing import sha256_tree
from .paths import MANIFEST, PARAMS

LOCKS = ("requirements.txt", "requirements-dev.txt")


class Seeded(Protocol):
    """The project's settings, as far as the manifest reads them."""

    @property
    def seed(self) -> int: ...


def git_state(root: Path) -> tuple[str | None, bool | None]:
    """Return (commit, dirty) of the repository holding `root`, or (None, None) outside git."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)

    try:
        head = git("rev-parse", "HEAD")
    except FileNotFoundError:
        return None, None
    if head.returncode != 0:
        return None, None
    return head.stdout.strip(), bool(
        git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    )


def build_manifest(config: Seeded, root: Path) -> dict[str, object]:
    commit, dirty = git_state(root)
    return {
        "git_commit": commit,
        "git_dirty": dirty,
        "locks_sha256": {lock: sha256_tree(root / lock) for lock in LOCKS},
        "params_sha256": sha256_tree(root / PARAMS),
        "data_raw_sha256": sha256_tree(root / "data" / "raw"),
        "seed": config.seed,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "determinism": determinism_facts(),  # what `python -m <module> doctor` prints
        "ci": ci_tags(),  # ci.provider, ci.pipeline_id, ci.branch, ci.request; {} outside CI
        "packages": sorted(
            f"{dist.metadata['Name']}=={dist.version}"
            for dist in importlib.metadata.distributions()
        ),
    }


def write_manifest(config: Seeded, root: Path) -> dict[str, object]:
    """Write `reports/manifest.json` (kept out of the compared outputs) and warn on a dirty tree."""
    manifest = build_manifest(config, root)
    if manifest["git_dirty"]:
        print(
            "WARNING: uncommitted changes in the work tree: this run cannot be traced to "
            f"commit {str(manifest['git_commit'])[:12]}; commit before a run you want to keep.",
            file=sys.stderr,
        )
    write_json(manifest, root / MANIFEST)
    return manifest
