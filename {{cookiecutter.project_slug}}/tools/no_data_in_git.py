"""Pre-commit guard: stop a commit that adds files under `data/` (pre-commit selects them).

Data is made by the pipeline or kept outside git; a force-added file (`git add -f`) is stopped too.
"""

import sys


def main(paths: list[str]) -> int:
    for path in paths:
        print(f"{path}: data stays out of git; unstage it with `git rm --cached {path}`")
    return 1 if paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
