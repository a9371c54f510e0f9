"""The baked project's two packages: the user's code in front, the kit (mlreprokit) behind it.

The kit never imports the project's package (it finds the pipeline through pyproject.toml),
carries no template syntax, and is byte-identical whatever the project is called, so a template
update replaces it without touching the user's code and it can be published as it is.
"""

import ast
import re

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .helpers import TEMPLATE, top_level_imports

KIT = "src/mlreprokit"


def kit_files(project) -> list[str]:
    return sorted(path for path in project.files() if path.startswith(f"{KIT}/"))


def imported_packages(source: str) -> set[str]:
    """The top-level packages a module imports by absolute name."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    "options",
    [
        {"tracking": "mlflow", "data_versioning": "dvc", "module_name": "churn"},
        {"tracking": "wandb", "module_name": "churn"},
        {"tracking": "none", "module_name": "churn"},
    ],
    ids=lambda options: f"tracking={options['tracking']}",
)
def test_kit_never_imports_the_project_package(baked, options):
    project = baked(**options)
    importing = [
        path
        for path in kit_files(project)
        if path.endswith(".py") and "churn" in imported_packages(project.text(path))
    ]
    assert kit_files(project) and importing == []


def test_kit_finds_the_pipeline_through_pyproject(baked):
    project = baked(module_name="churn")
    pyproject = tomllib.loads(project.text("pyproject.toml"))
    assert pyproject["tool"]["mlreprokit"]["pipeline"] == "churn.pipeline:PIPELINE"
    assert "PIPELINE = Pipeline(" in project.text("src/churn/pipeline.py")
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == [
        "src/churn",
        KIT,
    ]


def test_kit_templates_hold_no_template_syntax():
    root = TEMPLATE / "{{cookiecutter.project_slug}}"
    folders = [root / KIT, *(variant / KIT for variant in (root / "_variants").iterdir())]
    templated = [
        path.relative_to(root).as_posix()
        for folder in folders
        if folder.is_dir()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and any(mark in path.read_text(encoding="utf-8") for mark in ("{{", "{%"))
    ]
    assert templated == []


def test_kit_is_the_same_whatever_the_project_is_called(baked):
    first = baked(project_name="Churn Model", module_name="churn")
    second = baked(project_name="Other Thing", module_name="other")
    assert kit_files(first) == kit_files(second)
    differing = [path for path in kit_files(first) if first.text(path) != second.text(path)]
    assert differing == []


def test_kit_is_the_same_whatever_the_tracker(baked):
    """Every adapter ships in every bake: `tracking.tracker` in params.yaml picks one."""
    kits = [baked(tracking=tracker) for tracker in ("mlflow", "wandb", "none")]
    texts = [{path: kit.text(path) for path in kit_files(kit)} for kit in kits]
    assert texts[0] == texts[1] == texts[2]


@pytest.mark.parametrize("options", [{}, {"data_versioning": "dvc"}], ids=["default", "dvc"])
def test_kit_and_package_import_no_circle(baked, options):
    """Module-level imports of both packages form no circle (each can be imported first)."""
    project = baked(**options)
    modules = [
        path.removeprefix("src/").removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        for path in project.files()
        if path.startswith("src/") and path.endswith(".py")
    ]
    graph = {
        name: {other for other in top_level_imports(project, name) if other in modules} - {name}
        for name in modules
    }
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " -> ".join((*path[path.index(name) :], name))
        if name not in done:
            for other in sorted(graph[name]):
                visit(other, (*path, name))
            done.add(name)

    for name in sorted(graph):
        visit(name, ())


def test_kit_says_it_is_not_the_users_to_edit(baked):
    project = baked()
    header = project.text(f"{KIT}/__init__.py").split("\n\n", 1)[0]
    assert "Not yours to edit" in header
    assert "cruft update" in project.text(f"{KIT}/__init__.py")
    assert f"{KIT}/README.md" in project.text("README.md")


def test_users_package_is_small_and_mostly_ml_code(baked):
    project = baked(tracking="mlflow", data_versioning="dvc")
    own = [p for p in project.files() if p.startswith("src/my_ml_project/") and p.endswith(".py")]
    assert sorted(p.rsplit("/", 1)[1] for p in own) == [
        "__init__.py",
        "__main__.py",
        "config.py",
        "data.py",
        "evaluate.py",
        "features.py",
        "kinds.py",
        "metrics.py",
        "model.py",
        "pipeline.py",
        "train.py",
    ]


def string_constants(source: str) -> set[str]:
    return {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_kit_names_no_metric_of_the_users_table(baked):
    project = baked(tracking="none", data_versioning="dvc")
    table = ast.parse(project.text("src/my_ml_project/metrics.py"))
    (assign,) = [node for node in table.body if isinstance(node, ast.AnnAssign)]
    names = {key.value for key in assign.value.keys}
    assert {"accuracy", "r2"} <= names
    naming = {
        path: sorted(names & string_constants(project.text(path)))
        for path in kit_files(project)
        if path.endswith(".py")
    }
    assert {path: found for path, found in naming.items() if found} == {}


def requirement_names(text: str) -> set[str]:
    """The distribution names a requirements file asks for (no options, comments or versions)."""
    names = set()
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0].lower())
    return names


@pytest.mark.parametrize("python", ["3.10", "3.13"])
def test_kit_tests_install_the_default_projects_runtime(baked, python):
    """`nox -s kit` drives the default project: its lock must hold what that project needs."""
    kit_needs = requirement_names((TEMPLATE / "tests/kit/requirements.in").read_text())
    runtime = requirement_names(baked(python_version=python).text("requirements.in"))
    assert runtime and runtime <= kit_needs


@pytest.mark.parametrize("tracking", ["mlflow", "wandb", "none"])
def test_mypy_exempts_no_module_of_either_package(baked, tracking):
    mypy = tomllib.loads(baked(tracking=tracking).text("pyproject.toml"))["tool"]["mypy"]
    assert mypy["strict"] is True and mypy["files"] == ["src"]
    for override in mypy.get("overrides", []):
        assert "ignore_errors" not in override, override["module"]
        ours = [name for name in override["module"] if name.startswith(("mlreprokit", "my_ml"))]
        assert ours == ["mlreprokit.dvcfiles"], ours  # imported only where DVC is baked
