"""Validate the options before anything is written; fail with one line naming the option.

The allowed values come from cookiecutter.json (its choice lists and `_python_versions`), so a
value added there is accepted here without an edit.
"""

import json
import keyword
import re
import sys
import tempfile
from pathlib import Path

SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MAX_NAME = 100  # project_name: a title, not a description
MAX_SLUG = 60  # project_slug and module_name: folder, distribution and import names
NO_SLUG = "no-letters-in-project-name"  # what cookiecutter.json derives from a name without any
# Import names a project module must not shadow: its dependencies and the test folder.
# (`python -m <module>` and pytest would import the project instead of the library.)
TAKEN_MODULES = {
    "alembic",
    "dotenv",
    "dvc",
    "joblib",
    "matplotlib",
    "mlflow",
    "nox",
    "numpy",
    "pandas",
    "pre_commit",
    "pytest",
    "ruff",
    "scipy",
    "skops",
    "sklearn",
    "sqlalchemy",
    "test",
    "tests",
    "tomli",
    "wandb",
    "yaml",
}


def check_name(value: str) -> str | None:
    if len(value) > MAX_NAME:
        return f"project_name is {len(value)} characters long: use at most {MAX_NAME}"
    return None


def check_slug(value: str) -> str | None:
    if value == NO_SLUG:
        return (
            "project_slug cannot be made from project_name (it has no letters or digits): "
            "give a name with letters, or set project_slug"
        )
    if len(value) > MAX_SLUG:
        return f"project_slug is {len(value)} characters long: use at most {MAX_SLUG}"
    if not SLUG.match(value):
        return (
            f"project_slug {value!r} is not allowed: use lowercase letters, digits and "
            "single dashes, starting with a letter (e.g. my-ml-project)"
        )
    return None


def check_module(value: str) -> str | None:
    if len(value) > MAX_SLUG:
        return f"module_name is {len(value)} characters long: use at most {MAX_SLUG}"
    if not value.isidentifier() or keyword.iskeyword(value) or not value.isascii():
        return (
            f"module_name {value!r} is not allowed: use a Python identifier that is not a "
            "keyword (letters, digits, underscores, not starting with a digit)"
        )
    if value != value.lower():
        return (
            f"module_name {value!r} is not allowed: use lowercase (PEP 8), e.g. {value.lower()!r}"
        )
    if value in sys.stdlib_module_names or value in TAKEN_MODULES:
        return (
            f"module_name {value!r} is not allowed: it shadows the standard library or a "
            f"dependency; choose another, e.g. {value + '_model'!r}"
        )
    return None


def check_email(value: str) -> str | None:
    if not EMAIL.match(value):
        return f"author_email {value!r} is not allowed: use an address like name@example.com"
    return None


def check_python(value: str, allowed: list[str]) -> str | None:
    if value not in allowed:
        return f"python_version {value!r} is not allowed: choose one of {', '.join(allowed)}"
    return None


def check_choice(option: str, value: str, allowed: list[str]) -> str | None:
    if value not in allowed:
        return f"{option} {value!r} is not allowed: choose one of {', '.join(allowed)}"
    return None


def choices(original: dict) -> dict[str, list[str]]:
    """The choice options of cookiecutter.json (lists), without the private `_` keys."""
    return {
        key: value
        for key, value in original.items()
        if isinstance(value, list) and not key.startswith("_")
    }


def problems(context: dict, original: dict) -> list[str]:
    """Return one message per invalid option, in prompt order.

    `context` holds the chosen values; `original` is cookiecutter.json as cookiecutter read it
    (empty when a tool such as cruft renders the hook without it: its prompts checked choices).
    """
    found = [
        check_name(context["project_name"]),
        check_slug(context["project_slug"]),
        check_module(context["module_name"]),
        check_email(context["author_email"]),
        check_python(context["python_version"], context["_python_versions"]),
        *(
            check_choice(option, context[option], allowed)
            for option, allowed in choices(original).items()
        ),
    ]
    return [message for message in found if message]


def main() -> int:
    context = json.loads(r"""{{ cookiecutter | jsonify }}""")
    original = json.loads(r"""{{ _cookiecutter | default({}) | jsonify }}""")
    found = problems(context, original)
    if found:  # the first problem only: a bad slug also makes a bad derived module name
        print(f"error: {found[0]}", file=sys.stderr)
        return 1
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
