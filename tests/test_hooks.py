"""The hooks: bad option values stop the bake with one clear line and leave nothing behind."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

import local_extensions

from .helpers import TEMPLATE


def load_hook(name: str):
    spec = importlib.util.spec_from_file_location(name, TEMPLATE / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre_gen = load_hook("pre_gen_project")
post_gen = load_hook("post_gen_project")

LONG_NAME = "Churn " * 50  # 300 characters: its slug would be a file name too long for the OS
REJECTS = [
    ("project_name", LONG_NAME, "project_name is 300 characters long: use at most 100"),
    ("project_name", "!!!", "project_slug cannot be made from project_name"),
    ("project_slug", "../escape", "project_slug '../escape' is not allowed"),
    ("project_slug", "has space", "project_slug 'has space' is not allowed"),
    ("project_slug", "x" * 61, "project_slug is 61 characters long: use at most 60"),
    ("module_name", "class", "module_name 'class' is not allowed"),
    ("module_name", "9lives", "module_name '9lives' is not allowed"),
    ("module_name", "has-dash", "module_name 'has-dash' is not allowed"),
    ("module_name", "json", "module_name 'json' is not allowed: it shadows the standard library"),
    ("module_name", "test", "module_name 'test' is not allowed: it shadows"),
    ("module_name", "mlflow", "module_name 'mlflow' is not allowed: it shadows"),
    ("module_name", "sklearn", "module_name 'sklearn' is not allowed: it shadows"),
    ("python_version", "2.7", "python_version '2.7' is not allowed: choose one of 3.10, 3.11"),
    ("author_email", "not-an-email", "author_email 'not-an-email' is not allowed"),
]


@pytest.mark.parametrize(
    ("option", "value", "message"), REJECTS, ids=[f"{o}={v[:20]}" for o, v, _ in REJECTS]
)
def test_pre_gen_rejects_bad_value_in_one_line(tmp_path, option, value, message):
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            str(TEMPLATE),
            "-o",
            str(out),
            f"{option}={value}",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    output = (done.stdout + done.stderr).splitlines()
    errors = [line for line in output if line.startswith("error: ")]
    assert len(errors) == 1
    assert message in errors[0]
    assert "Traceback" not in done.stdout + done.stderr  # local_extensions drops cookiecutter's
    assert list(out.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


OPTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
CHOICES = pre_gen.choices(OPTIONS)
DEFAULTS = {
    "project_name": "My ML Project",
    "project_slug": "my-ml-project",
    "module_name": "my_ml_project",
    "author_email": "a@b.io",
    "python_version": "3.12",
    "_python_versions": OPTIONS["_python_versions"],
    **{key: value[0] for key, value in CHOICES.items()},
}


@pytest.mark.parametrize(
    ("name", "slug", "module"),
    [
        ('He said "hi"', "he-said-hi", "he_said_hi"),
        ("Données 中文", "donnees-zhong-wen", "donnees_zhong_wen"),
        ("Churn model (v2)", "churn-model-v2", "churn_model_v2"),
    ],
)
def test_bake_derives_slug_and_module_from_any_name(baked, name, slug, module):
    project = baked(project_name=name)
    assert project.root.name == slug
    assert f"src/{module}/pipeline.py" in project.files()


def test_problems_accepts_defaults():
    assert pre_gen.problems(DEFAULTS, OPTIONS) == []


@pytest.mark.parametrize(("option", "values"), CHOICES.items())
def test_problems_accepts_every_value_of_cookiecutter_json(option, values):
    for value in values:
        assert pre_gen.problems({**DEFAULTS, option: value}, OPTIONS) == []


def test_problems_accepts_a_value_added_to_cookiecutter_json():
    options = {**OPTIONS, "tracking": [*OPTIONS["tracking"], "neptune"]}
    assert pre_gen.problems({**DEFAULTS, "tracking": "neptune"}, options) == []


@pytest.mark.parametrize("slug", ["a", "ml-2", "x1-y2-z3"])
def test_check_slug_accepts_good_slugs(slug):
    assert pre_gen.check_slug(slug) is None


@pytest.mark.parametrize("slug", ["-a", "a-", "a--b", "A", "a_b", "a/b", "", "2a"])
def test_check_slug_rejects_bad_slugs(slug):
    assert "project_slug" in pre_gen.check_slug(slug)


@pytest.mark.parametrize("module", ["Upper", "naïve", "None", "a b", "os", "pandas", "tests"])
def test_check_module_rejects(module):
    assert "module_name" in pre_gen.check_module(module)


def test_check_choice_names_allowed_values():
    assert pre_gen.check_choice("ci", "jenkins", OPTIONS["ci"]) == (
        "ci 'jenkins' is not allowed: choose one of github, gitlab, both, none"
    )


@pytest.mark.parametrize(
    ("version_info", "expected"),
    [((3, 11, 7), "3.11"), ((3, 13, 0), "3.13"), ((3, 14, 1), "3.13"), ((3, 9, 18), "3.10")],
)
def test_baking_python_clamps_to_supported(version_info, expected):
    assert local_extensions.baking_python(version_info) == expected


def test_default_bake_installs_on_the_baking_python(baked):
    project = baked()
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    expected = (
        running if running in local_extensions.SUPPORTED else local_extensions.baking_python()
    )
    assert f'PYTHON = "{expected}"' in project.text("noxfile.py")
    assert f'requires-python = ">={expected}"' in project.text("pyproject.toml")


@pytest.mark.parametrize(
    ("ci", "expected"),
    [
        ("github", ["ci-github"]),
        ("gitlab", ["ci-gitlab"]),
        ("both", ["ci-github", "ci-gitlab"]),
        ("none", []),
    ],
)
def test_chosen_variants_ci(ci, expected):
    options = {
        "license": "MIT",
        "tracking": "none",
        "data_versioning": "none",
        "environment": "pip",
        "docker": "no",
        "devcontainer": "no",
        "ci": ci,
    }
    assert post_gen.chosen_variants(options)[6:] == expected


def test_apply_variants_moves_chosen_and_drops_rest(tmp_path):
    for name in ("keep", "drop"):
        (tmp_path / "_variants" / name / "sub").mkdir(parents=True)
        (tmp_path / "_variants" / name / "sub" / "f.txt").write_text(name)
    post_gen.apply_variants(tmp_path, ["keep"])
    assert (tmp_path / "sub" / "f.txt").read_text() == "keep"
    assert not (tmp_path / "_variants").exists()


def test_start_git_without_identity_stages_and_says_so(tmp_path, monkeypatch):
    (tmp_path / "f.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none.gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)
    message = post_gen.start_git()
    assert message.startswith("No git identity configured")
    staged = subprocess.run(
        ["git", "diff", "--cached", "--name-only"], capture_output=True, text=True
    )
    assert staged.stdout.split() == ["f.txt"]


def test_start_git_inside_repository_skips(tmp_path, monkeypatch):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "project").mkdir()
    monkeypatch.chdir(tmp_path / "project")
    assert "skipped" in post_gen.start_git()
    assert not (tmp_path / "project" / ".git").exists()


@pytest.mark.parametrize(("ci", "kept"), [("github", True), ("both", True), ("gitlab", False)])
def test_prune_unneeded_keeps_docker_workflow_only_with_github_ci(tmp_path, ci, kept):
    workflow = tmp_path / ".github" / "workflows" / "docker.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("name: docker\n")
    post_gen.prune_unneeded(tmp_path, {"ci": ci})
    assert workflow.exists() is kept
    assert (tmp_path / ".github").exists() is kept  # no empty folder left behind


def test_drop_missing_deps_keeps_baked_modules_and_other_lines(tmp_path):
    (tmp_path / "src" / "m").mkdir(parents=True)
    (tmp_path / "src" / "m" / "config.py").write_text("")
    dvc_yaml = tmp_path / "dvc.yaml"
    dvc_yaml.write_text(
        "stages:\n  data:\n    deps:\n    - src/m/config.py\n    - src/m/tune_config.py\n"
        "    - requirements.txt\n    - data/raw/missing.csv\n"
    )
    post_gen.drop_missing_deps(tmp_path)
    assert dvc_yaml.read_text() == (
        "stages:\n  data:\n    deps:\n    - src/m/config.py\n"
        "    - requirements.txt\n    - data/raw/missing.csv\n"
    )


def test_drop_missing_deps_without_dvc_writes_nothing(tmp_path):
    post_gen.drop_missing_deps(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_pytest_cookies_bakes_like_the_cli(cookies, baked):
    result = cookies.bake(extra_context={"project_name": "Churn model (v2)"})
    assert result.exception is None, repr(result.exception)
    assert result.project_path.name == "churn-model-v2"
    cli = baked(project_name="Churn model (v2)")
    baked_files = {
        path.relative_to(result.project_path).as_posix()
        for path in result.project_path.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(result.project_path).parts
    }
    assert baked_files == cli.files()


@pytest.mark.parametrize("extra", [[], ["author_email=not-an-email"]], ids=["bake", "rejected"])
def test_hooks_leave_no_rendered_copy_in_the_temp_folder(tmp_path, extra):
    """cookiecutter writes each rendered hook into TMPDIR; the hooks remove their own copy."""
    temp, out = tmp_path / "tmp", tmp_path / "out"
    temp.mkdir()
    out.mkdir()
    subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE), "-o", str(out), *extra],
        env={**os.environ, "TMPDIR": str(temp)},
        capture_output=True,
        check=False,
    )
    assert (out / "my-ml-project").exists() is not extra  # the bake did run (or was refused)
    assert list(temp.iterdir()) == []
