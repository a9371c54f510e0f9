"""Validate the options before anything is written; fail with one line naming the option."""

import json
import keyword
import re
import sys

SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13")
CHOICES = {
    "license": ("MIT", "BSD-3-Clause", "Apache-2.0", "None"),
    "ci": ("github", "gitlab", "both", "none"),
    "tracking": ("mlflow", "none"),
    "data_versioning": ("none", "dvc"),
    "environment": ("pip", "conda"),
    "docker": ("no", "yes"),
    "devcontainer": ("no", "yes"),
}


def check_slug(value: str) -> str | None:
    if not SLUG.match(value):
        return (
            f"project_slug {value!r} is not allowed: use lowercase letters, digits and "
            "single dashes, starting with a letter (e.g. my-ml-project)"
        )
    return None


def check_module(value: str) -> str | None:
    if not value.isidentifier() or keyword.iskeyword(value) or not value.isascii():
        return (
            f"module_name {value!r} is not allowed: use a Python identifier that is not a "
            "keyword (letters, digits, underscores, not starting with a digit)"
        )
    if value != value.lower():
        return (
            f"module_name {value!r} is not allowed: use lowercase (PEP 8), e.g. {value.lower()!r}"
        )
    return None


def check_email(value: str) -> str | None:
    if not EMAIL.match(value):
        return f"author_email {value!r} is not allowed: use an address like name@example.com"
    return None


def check_python(value: str) -> str | None:
    if value not in PYTHON_VERSIONS:
        return (
            f"python_version {value!r} is not allowed: choose one of {', '.join(PYTHON_VERSIONS)}"
        )
    return None


def check_choice(option: str, value: str) -> str | None:
    allowed = CHOICES[option]
    if value not in allowed:
        return f"{option} {value!r} is not allowed: choose one of {', '.join(allowed)}"
    return None


def problems(context: dict) -> list[str]:
    """Return one message per invalid option, in prompt order."""
    found = [
        check_slug(context["project_slug"]),
        check_module(context["module_name"]),
        check_email(context["author_email"]),
        check_python(context["python_version"]),
        *(check_choice(option, context[option]) for option in CHOICES),
    ]
    return [message for message in found if message]


def main() -> int:
    context = json.loads(r"""{{ cookiecutter | jsonify }}""")
    found = problems(context)
    if found:  # the first problem only: a bad slug also makes a bad derived module name
        print(f"ERROR: {found[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
