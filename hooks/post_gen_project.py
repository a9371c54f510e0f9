"""Finish a bake: keep the variant folders the options chose, drop the rest, start git."""

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

VARIANTS = Path("_variants")
# Options whose value picks a `_variants/<option>-<value>/` folder (ci is mapped below).
VARIANT_OPTIONS = (
    "license",
    "tracking",
    "data_versioning",
    "environment",
    "docker",
    "devcontainer",
)
CI_VARIANTS = {"github": ["ci-github"], "gitlab": ["ci-gitlab"], "both": ["ci-github", "ci-gitlab"]}


def chosen_variants(options: dict) -> list[str]:
    """Return the names of the `_variants/` folders the options select."""
    names = [f"{option}-{options[option]}" for option in VARIANT_OPTIONS]
    return names + CI_VARIANTS.get(options["ci"], [])


def apply_variants(root: Path, names: list[str]) -> None:
    """Move each chosen variant's files into the project, then remove every variant folder."""
    for name in names:
        variant = root / VARIANTS / name
        for source in sorted(p for p in variant.rglob("*") if p.is_file()):
            target = root / source.relative_to(variant)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)
    shutil.rmtree(root / VARIANTS)


def needs_github_ci(options: dict) -> bool:
    return options["ci"] in ("github", "both")


# Files a variant brings that only make sense with another option's value.
REQUIRES = {Path(".github/workflows/docker.yml"): needs_github_ci}


def prune_unneeded(root: Path, options: dict) -> None:
    """Remove the files whose other option was not chosen, and folders they leave empty."""
    for relative, needed in REQUIRES.items():
        path = root / relative
        if path.exists() and not needed(options):
            path.unlink()
            for folder in path.parents:
                if folder == root or any(folder.iterdir()):
                    break
                folder.rmdir()


# A dependency line of dvc.yaml naming a module of the project.
DVC_MODULE_DEP = re.compile(r"\s*- (src/\S+\.py)")


def drop_missing_deps(root: Path) -> None:
    """dvc.yaml lists each module a stage imports under any option; drop those not baked."""
    path = root / "dvc.yaml"
    if not path.exists():
        return
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [
        line
        for line in lines
        if not (dep := DVC_MODULE_DEP.fullmatch(line.rstrip("\n"))) or (root / dep[1]).exists()
    ]
    path.write_text("".join(kept), encoding="utf-8")


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False)


def start_git() -> str:
    """Initialise a repository with a first commit where that makes sense; say what happened."""
    if shutil.which("git") is None:
        return "git not found: skipped `git init`."
    if git("rev-parse", "--is-inside-work-tree").returncode == 0:
        return "Inside an existing git repository: skipped `git init`."
    git("init", "-q")
    # `main` whatever init.defaultBranch says (git's own default is still `master`): the CI files
    # trigger on pushes to `main` and take the reference metrics from it.
    git("symbolic-ref", "HEAD", "refs/heads/main")
    git("add", "-A")
    if not (
        git("config", "user.name").stdout.strip() and git("config", "user.email").stdout.strip()
    ):
        return (
            "No git identity configured: ran `git init` and staged the files; commit them yourself."
        )
    done = git(
        "commit", "-q", "--no-verify", "-m", "Initial commit from cookiecutter-reproducible-ml"
    )
    if done.returncode != 0:
        return f"git commit failed, files are staged: {done.stderr.strip().splitlines()[-1:]}"
    return "Initialised git with a first commit."


def start_dvc(options: dict, in_git: bool) -> str | None:
    """Say how DVC is set up: `.dvc/` ships ready (what `dvc init` writes), so nothing runs here."""
    if options["data_versioning"] != "dvc":
        return None
    if not in_git:
        return "DVC needs git: run `git init` (or `dvc config core.no_scm true`) before using dvc."
    return (
        "DVC is set up without `dvc init` (.dvc/ ships with analytics off); the default remote "
        f"is ~/dvc-remotes/{options['project_slug']}; dvc installs with requirements-dev.txt."
    )


def main() -> int:
    options = json.loads(r"""{{ cookiecutter | jsonify }}""")
    apply_variants(Path.cwd(), chosen_variants(options))
    prune_unneeded(Path.cwd(), options)
    drop_missing_deps(Path.cwd())
    print(start_git())
    in_git = shutil.which("git") is not None and git("rev-parse").returncode == 0
    if dvc := start_dvc(options, in_git):
        print(dvc)
    return 0


def forget_rendered_copy(path: Path = Path(__file__)) -> None:
    """cookiecutter runs a rendered copy of this hook from the temp folder and never deletes it."""
    if path.resolve().parent == Path(tempfile.gettempdir()).resolve():
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        forget_rendered_copy()
