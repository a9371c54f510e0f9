"""Pre-commit guard: every lock file is complete and hashed, and agrees with its `.in` file.

Offline and fast: no resolver runs. It finds a requirement of `requirements*.in` missing from its
lock, a lock line not pinned with `==` and `--hash`, a package pinned differently in a lock and in
its `-c` constraint lock, and a tool in `.pre-commit-config.yaml` pinned differently than in the
locks. Before the first `nox -s lock` (no lock file at all) there is nothing to check.
Usage: `python tools/check_locks.py [PROJECT_ROOT]`; exit 1 with one line per problem.
"""

import re
import sys
from pathlib import Path

FIX = "run `nox -s lock` and commit the lock files"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")
NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")
TOOL_PIN = re.compile(r"""["'\s-]([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9._+!-]+)""")


def normalize(name: str) -> str:
    """PEP 503 name: case and runs of `-_.` do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def logical_lines(path: Path) -> list[str]:
    """Lines without comments, with `\\` continuations joined."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = (re.sub(r"(^|\s)#.*", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def requirements_in(path: Path) -> dict[str, str]:
    """{name: line} of every requirement in an `.in` file and the `.in` files it `-r`-includes."""
    found: dict[str, str] = {}
    for line in logical_lines(path):
        if line.startswith(("-r ", "--requirement ")):
            found |= requirements_in(path.parent / line.split(maxsplit=1)[1])
        elif not line.startswith("-") and (match := NAME.match(line)):
            found[normalize(match.group(1))] = line
    return found


def constraints(path: Path) -> list[Path]:
    """The lock files an `.in` file constrains itself to (`-c requirements.txt`)."""
    return [
        path.parent / line.split(maxsplit=1)[1]
        for line in logical_lines(path)
        if line.startswith(("-c ", "--constraint "))
    ]


def read_lock(path: Path, problems: list[str]) -> dict[str, str]:
    """{name: version} of a lock; a problem for each line not pinned with `==` and a hash."""
    pins: dict[str, str] = {}
    for line in logical_lines(path):
        match = PIN.match(line)
        if not match or "--hash=sha256:" not in line:
            problems.append(f"{path.name}: `{line.split()[0]}` is not pinned with == and --hash")
            continue
        pins[normalize(match.group(1))] = match.group(3)
    return pins


def check(root: Path) -> list[str]:
    """Every problem found in the lock files below `root`, one line each."""
    sources = sorted(root.glob("requirements*.in"))
    locks = {source: source.with_suffix(".txt") for source in sources}
    if not any(lock.exists() for lock in locks.values()):
        return []  # not locked yet: every nox session says to run `nox -s lock` first
    problems: list[str] = []
    pinned: dict[Path, dict[str, str]] = {}
    for source, lock in locks.items():
        if not lock.exists():
            problems.append(f"{lock.name} is missing while other lock files exist")
            continue
        pinned[lock] = pins = read_lock(lock, problems)
        for name, line in requirements_in(source).items():
            if name not in pins and ";" not in line:  # a marker may exclude it on this Python
                problems.append(f"{source.name} requires `{line}` but {lock.name} does not pin it")
    for source, lock in locks.items():
        for constraint in constraints(source):
            for name, version in pinned.get(lock, {}).items():
                other = pinned.get(constraint, {}).get(name)
                if other and other != version:
                    problems.append(
                        f"{name} is {version} in {lock.name} but {other} in {constraint.name}"
                    )
    config = root / ".pre-commit-config.yaml"
    if config.exists():
        locked = {name: v for pins in pinned.values() for name, v in pins.items()}
        for name, version in TOOL_PIN.findall(config.read_text(encoding="utf-8")):
            if locked.get(normalize(name), version) != version:
                problems.append(
                    f".pre-commit-config.yaml pins {name}=={version} but the lock has "
                    f"{locked[normalize(name)]}: use one version in both"
                )
    return problems


def main(argv: list[str]) -> int:
    problems = check(Path(argv[0]) if argv else Path.cwd())
    for problem in problems:
        print(f"lock check: {problem}")
    if problems:
        print(f"lock check: {FIX}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
