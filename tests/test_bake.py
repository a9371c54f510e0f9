"""Bake a matrix of options and check what comes out: the exact files, rendered and parseable."""

import itertools
import json
import py_compile
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .helpers import TEMPLATE, Baked

BASE_FILES = {
    ".gitignore",
    ".pre-commit-config.yaml",
    "README.md",
    "noxfile.py",
    "params.yaml",
    "schema.yaml",
    "pyproject.toml",
    "requirements.in",
    "requirements-dev.in",
    "data/raw/.gitkeep",
    "data/interim/.gitkeep",
    "data/processed/.gitkeep",
    "data/external/.gitkeep",
    "models/.gitkeep",
    "notebooks/.gitkeep",
    "reports/figures/.gitkeep",
    "tools/check_locks.py",
    "tools/no_data_in_git.py",
    # The project's own package: what a data scientist writes and changes.
    *(
        f"src/{{module}}/{name}.py"
        for name in (
            "__init__",
            "__main__",
            "config",
            "data",
            "evaluate",
            "features",
            "kinds",
            "metrics",
            "model",
            "pipeline",
            "train",
        )
    ),
    # The kit: the machinery, which never imports the project's package.
    "src/mlreprokit/README.md",
    *(
        f"src/mlreprokit/{name}.py"
        for name in (
            "__init__",
            "adopt",
            "artifacts",
            "ci_tags",
            "cli",
            "commands",
            "config",
            "datasets",
            "doctor",
            "drift",
            "errors",
            "gate",
            "hashing",
            "manifest",
            "metrics",
            "monitor",
            "paths",
            "profile",
            "project",
            "refresh",
            "schema",
            "seed",
            "sources",
            "synthetic",
            "tracking_config",
        )
    ),
    *(
        f"src/mlreprokit/repro/{name}.py"
        for name in (
            "__init__",
            "__main__",
            "bisect",
            "compare",
            "main",
            "report",
            "settings",
            "variations",
            "workspace",
        )
    ),
    "src/mlreprokit/repro/file_order/sitecustomize.py",
    "src/mlreprokit/trackers/__init__.py",
    "src/mlreprokit/trackers/base.py",
    "src/mlreprokit/TRACKING.md",
    *(  # every tracker's adapter, in every bake: `tracking.tracker` in params.yaml picks one
        f"src/mlreprokit/{name}.py"
        for name in (
            "champion",
            "mlflow_tracking",
            "mlflow_tune",
            "predict",
            "proposal",
            "registry",
            "runinfo",
            "search",
            "tracked",
            "tracking",
            "tune_config",
            "wandb_tracking",
            "wandb_tune",
        )
    ),
    *(
        f"tests/{name}.py"
        for name in (
            "conftest",
            "test_check_locks",
            "test_config",
            "test_evaluate",
            "test_features",
            "test_kit",
            "test_metrics",
            "test_pipeline",
            "test_train",
        )
    ),
}
# Files that exist only for one value of one option.
AUDIT = ".github/workflows/audit.yml"  # nox -s audit, weekly and when a lock changes
MONITOR = ".github/workflows/monitor.yml"  # monitor weekly, retrain into a pull request

OPTION_FILES = {
    ("license", "MIT"): {"LICENSE"},
    ("license", "BSD-3-Clause"): {"LICENSE"},
    ("license", "Apache-2.0"): {"LICENSE"},
    ("devcontainer", "yes"): {".devcontainer/devcontainer.json", ".devcontainer/post-create.sh"},
    ("environment", "conda"): {"environment.yml"},
    ("docker", "yes"): {"Dockerfile", ".dockerignore"},
    ("data_versioning", "dvc"): {
        ".dvc/.gitignore",
        ".dvc/config",
        "dvc.yaml",
        "src/mlreprokit/dvcfiles.py",
        "tests/test_dvc_yaml.py",
    },
    ("ci", "github"): {".github/workflows/ci.yml", AUDIT, MONITOR, ".github/dependabot.yml"},
    ("ci", "gitlab"): {".gitlab-ci.yml"},
    ("ci", "both"): {
        ".github/workflows/ci.yml",
        AUDIT,
        MONITOR,
        ".github/dependabot.yml",
        ".gitlab-ci.yml",
    },
    ("tracking", "mlflow"): {".env.example", "MLproject"},
}
# Files that exist only for a combination of option values.
COMBINED_FILES = {
    (("ci", "github"), ("tracking", "mlflow")): {".github/workflows/promote.yml"},
    (("ci", "both"), ("tracking", "mlflow")): {".github/workflows/promote.yml"},
    (("ci", "github"), ("docker", "yes")): {".github/workflows/docker.yml"},
    (("ci", "both"), ("docker", "yes")): {".github/workflows/docker.yml"},
}

# tracking x data_versioning interact (both touch the pipeline and its tracked outputs); the other
# options are rotated through those combinations so that every value is baked at least once.
INTERACTING = list(itertools.product(["mlflow", "wandb", "none"], ["none", "dvc"]))
ROTATED = {
    "license": ["MIT", "BSD-3-Clause", "Apache-2.0", "None", "MIT", "BSD-3-Clause"],
    "ci": ["github", "gitlab", "github", "gitlab", "both", "none"],
    "devcontainer": ["no", "yes", "yes", "no", "no", "yes"],
    "environment": ["pip", "conda", "conda", "pip", "pip", "conda"],
    "docker": ["yes", "no", "yes", "no", "no", "yes"],
    "python_version": ["3.10", "3.11", "3.12", "3.13", "3.11", "3.10"],
}
MATRIX = [
    {"tracking": tracking, "data_versioning": dvc, **{k: v[i] for k, v in ROTATED.items()}}
    for i, (tracking, dvc) in enumerate(INTERACTING)
]


def matrix_id(options: dict) -> str:
    return "-".join(f"{key}={value}" for key, value in options.items())


def expected_files(options: dict, module: str = "my_ml_project") -> set[str]:
    files = set(BASE_FILES)
    for (option, value), extra in OPTION_FILES.items():
        if options.get(option) == value:
            files |= extra
    for condition, extra in COMBINED_FILES.items():
        if all(options.get(option) == value for option, value in condition):
            files |= extra
    return {path.format(module=module) for path in files}


@pytest.fixture(params=MATRIX, ids=matrix_id)
def project(request, baked) -> Baked:
    return baked(**request.param)


def test_bake_matrix_gives_exact_file_set(project):
    assert project.files() == expected_files(project.options)


GITHUB_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")  # `${{ ... }}` in workflows is GitHub's, not Jinja


def test_bake_matrix_leaves_no_template_syntax(project):
    leftovers = [
        path
        for path in project.files()
        if any(
            mark in GITHUB_EXPRESSION.sub("", project.text(path))
            for mark in ("{{", "{%", "cookiecutter.")
        )
    ]
    assert leftovers == []


def test_bake_matrix_python_compiles(project):
    for path in sorted(p for p in project.files() if p.endswith(".py")):
        py_compile.compile(str(project.root / path), doraise=True)


def test_bake_matrix_config_files_parse(project):
    for path in project.files():
        if path.endswith(".toml"):
            tomllib.loads(project.text(path))
        elif path.endswith((".yaml", ".yml")) or path == "MLproject":
            assert yaml.safe_load(project.text(path)) is not None, path
        elif path.endswith(".json"):
            json.loads(project.text(path))


def test_bake_matrix_requires_python_admits_chosen_version(project):
    pyproject = tomllib.loads(project.text("pyproject.toml"))
    version = project.options["python_version"]
    assert pyproject["project"]["requires-python"] == f">={version}"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + version.replace(".", "")


def test_bake_matrix_license_matches_option(project):
    license_ = project.options["license"]
    pyproject = tomllib.loads(project.text("pyproject.toml"))
    if license_ == "None":
        assert pyproject["project"]["license"] == "LicenseRef-Proprietary"
    else:
        assert pyproject["project"]["license"] == license_
        first_line = project.text("LICENSE").splitlines()[0]
        assert {"MIT": "MIT", "BSD-3-Clause": "BSD 3-Clause", "Apache-2.0": "Apache"}[
            license_
        ] in first_line


def test_bake_tracking_none_wires_no_tracker_into_ci_readme_or_requirements(baked):
    """The adapters ship in every bake (src/mlreprokit/); what is wired to a tracker is not."""
    project = baked(tracking="none", ci="both", docker="yes", devcontainer="yes")
    wired = ("requirements.in", "noxfile.py", ".gitlab-ci.yml", ".github/workflows")
    for tracker in ("mlflow", "wandb", "weights & biases"):
        mentions = [
            path
            for path in project.files()
            if path.startswith(wired) and tracker in project.text(path).lower()
        ]
        assert mentions == [], tracker
    assert yaml.safe_load(project.text("params.yaml"))["tracking"] == {"tracker": "none"}


def test_bake_default_makes_first_commit(baked):
    import subprocess

    project = baked()
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=project.root, capture_output=True, text=True
    )
    assert log.stdout.strip() == "Initial commit from cookiecutter-reproducible-ml"
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project.root, capture_output=True, text=True
    )
    assert status.stdout == ""


def test_bake_default_gitkeeps_are_tracked_but_data_ignored(baked):
    import subprocess

    project = baked()
    tracked = subprocess.run(["git", "ls-files"], cwd=project.root, capture_output=True, text=True)
    assert "data/raw/.gitkeep" in tracked.stdout.splitlines()
    (project.root / "data/raw/x.csv").write_text("a\n1\n")
    try:
        ignored = subprocess.run(
            ["git", "check-ignore", "data/raw/x.csv", "data/raw/.gitkeep"],
            cwd=project.root,
            capture_output=True,
            text=True,
        )
        assert ignored.stdout.split() == ["data/raw/x.csv"]
    finally:
        (project.root / "data/raw/x.csv").unlink()


def test_bake_custom_names_flow_everywhere(baked):
    project = baked(project_name="Churn Model", module_name="churn")
    assert project.root.name == "churn-model"
    assert "src/churn/pipeline.py" in project.files()
    assert "from churn.config import" in project.text("tests/conftest.py")
    assert 'MODULE = "churn"' in project.text("noxfile.py")


def test_bake_description_with_quotes_stays_valid_toml(baked):
    project = baked(description='Predicts "churn" \\ fast', author_name="O'Brien")
    pyproject = tomllib.loads(project.text("pyproject.toml"))
    assert pyproject["project"]["description"] == 'Predicts "churn" \\ fast'
    assert pyproject["project"]["authors"][0]["name"] == "O'Brien"


def test_bake_apache_license_is_the_full_text_with_year_and_author(baked):
    import datetime

    text = baked(license="Apache-2.0", author_name="Ada Lovelace").text("LICENSE")
    year = datetime.datetime.now(datetime.timezone.utc).year
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX" in text
    assert f"   Copyright {year} Ada Lovelace\n" in text
    assert "[yyyy]" not in text and "[name of copyright owner]" not in text


JINJA_TAG = re.compile(r"{%-?\s*(if|endif|for|endfor)\b")


def if_depth(text: str) -> int:
    """The deepest nesting of `{% if %}` / `{% for %}` blocks in a template text."""
    depth = deepest = 0
    for match in JINJA_TAG.finditer(text):
        depth += 1 if match.group(1) in ("if", "for") else -1
        deepest = max(deepest, depth)
    return deepest


def test_template_files_nest_if_at_most_one_level():
    root = TEMPLATE / "{{cookiecutter.project_slug}}"
    nested = [
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and if_depth(path.read_text(encoding="utf-8")) > 1
    ]
    assert nested == []


def test_bake_readme_first_screen_is_the_three_commands(baked):
    readme = baked().text("README.md")
    first_block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands == ["nox -s lock", "nox -s dev", "nox"]
    assert readme.index("```bash") < 800  # on the first screen, under the title


BIGGEST = {
    "tracking": "mlflow",
    "ci": "both",
    "data_versioning": "dvc",
    "docker": "yes",
    "devcontainer": "yes",
    "environment": "conda",
}


def test_bake_readme_is_the_users_and_short(baked):
    """The manual is the kit's (src/mlreprokit/README.md); the project's README stays short."""
    for options in ({}, BIGGEST):
        readme = baked(**options).text("README.md")
        assert len(readme.splitlines()) <= 260, options
        assert "src/mlreprokit/README.md" in readme, options


OPTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
CONDITION = re.compile(r"cookiecutter\.(\w+)\s*(?:==|!=)\s*['\"]([^'\"]*)['\"]")
CONDITION_IN = re.compile(r"cookiecutter\.(\w+)\s+in\s+\[([^\]]*)\]")
ALLOWED = {
    **{key: value for key, value in OPTIONS.items() if isinstance(value, list)},
    "python_version": OPTIONS["_python_versions"],
}


def test_template_conditions_name_values_of_cookiecutter_json():
    """A typo or a removed value in `{% if cookiecutter.X == "v" %}` would never match, silently."""
    root = TEMPLATE / "{{cookiecutter.project_slug}}"
    unknown = []
    for path in sorted(root.rglob("*")):
        text = path.relative_to(root).as_posix()
        if path.is_file():
            text += "\n" + path.read_text(encoding="utf-8")
        found = [(option, value) for option, value in CONDITION.findall(text)]
        for option, values in CONDITION_IN.findall(text):
            found += [(option, value.strip(" '\"")) for value in values.split(",")]
        unknown += [
            (path.name, option, value)
            for option, value in found
            if option in ALLOWED and value not in ALLOWED[option]
        ]
    assert unknown == []


def test_bake_matrix_bakes_every_value_of_every_option():
    """A value added to cookiecutter.json and left out of MATRIX would never be baked here."""
    missing = [
        (option, value)
        for option, values in ALLOWED.items()
        if not option.startswith("_")
        for value in values
        if value not in {options[option] for options in MATRIX}
    ]
    assert missing == []


@pytest.mark.parametrize(
    "options",
    [{"tracking": "mlflow", "data_versioning": "dvc"}, {"tracking": "wandb"}, {"tracking": "none"}],
    ids=["mlflow-dvc", "wandb", "none"],
)
def test_bake_python_passes_the_bakes_own_ruff(baked, options):
    """What the baked pre-commit's ruff says, in seconds, for every variant's Python file: not
    only where an end-to-end test runs `nox -s lint`."""
    project = baked(**options)
    pinned = re.findall(r"ruff==([\w.]+)", project.text(".pre-commit-config.yaml"))
    ruff = str(Path(sys.executable).parent / "ruff")
    version = subprocess.run([ruff, "--version"], capture_output=True, text=True, check=True)
    assert set(pinned) == {version.stdout.split()[-1]}, "requirements-test.txt pins another ruff"
    for check in (["check"], ["format", "--check"]):
        done = subprocess.run([ruff, *check, "."], cwd=project.root, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
