"""Default `python_version` to the Python running the bake, so a default project installs here."""

import json
import sys
from pathlib import Path

SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


def baking_python(version_info=sys.version_info) -> str:
    """Return the running Python as `X.Y`, clamped to the supported range."""
    running = f"{version_info[0]}.{version_info[1]}"
    if running in SUPPORTED:
        return running
    return SUPPORTED[0] if version_info[:2] < (3, 10) else SUPPORTED[-1]


def main() -> None:
    path = Path("cookiecutter.json")
    context = json.loads(path.read_text(encoding="utf-8"))
    context["python_version"] = baking_python()
    path.write_text(json.dumps(context, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
