"""Projects baked with `cruft create` stay linked to the template: check and update work."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import TEMPLATE, run

pytestmark = pytest.mark.slow

PARAMS_LINE = "# A line the template added after the bake.\n"


def cruft(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "cruft", *args], cwd, check)


def git(*args: str, cwd: Path) -> str:
    return run(["git", *args], cwd).stdout


@pytest.fixture
def template(tmp_path) -> Path:
    """A local git clone of the template's committed HEAD (cruft needs a git repository)."""
    clone = tmp_path / "template"
    run(["git", "clone", "--quiet", str(TEMPLATE), str(clone)], tmp_path)
    return clone


def change_template(template: Path) -> None:
    """Commit a change to a generated file, as a template maintainer would."""
    params = template / "{{cookiecutter.project_slug}}" / "params.yaml"
    params.write_text(params.read_text() + PARAMS_LINE)
    git("commit", "--quiet", "--all", "--message", "Template change", cwd=template)


def create(template: Path, output_dir: Path) -> Path:
    cruft("create", "--no-input", str(template), "--output-dir", str(output_dir), cwd=output_dir)
    return output_dir / "my-ml-project"


def test_cruft_create_records_template_and_commit(template, tmp_path):
    project = create(template, tmp_path)
    state = json.loads((project / ".cruft.json").read_text())
    assert state["template"] == str(template)
    assert state["commit"] == git("rev-parse", "HEAD", cwd=template).strip()
    assert state["context"]["cookiecutter"]["project_slug"] == "my-ml-project"
    # post_gen made the first commit before cruft wrote .cruft.json: the one file left to commit.
    assert git("status", "--porcelain", cwd=project) == "?? .cruft.json\n"
    assert "up to date" in cruft("check", cwd=project).stdout


def test_cruft_update_applies_template_change_and_keeps_local_edits(template, tmp_path):
    project = create(template, tmp_path)
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nOur own notes.\n")
    git("add", "--all", cwd=project)
    git("commit", "--quiet", "--message", "Record template; own notes", cwd=project)
    change_template(template)

    assert cruft("check", cwd=project, check=False).returncode != 0
    cruft("update", "--skip-apply-ask", cwd=project)

    assert (project / "params.yaml").read_text().endswith(PARAMS_LINE)
    assert readme.read_text().endswith("Our own notes.\n")
    changed = {line[3:] for line in git("status", "--porcelain", cwd=project).splitlines()}
    assert changed == {".cruft.json", "params.yaml"}
    assert cruft("check", cwd=project).returncode == 0


def test_cruft_update_works_for_project_inside_another_repository(template, tmp_path):
    outer = tmp_path / "monorepo"
    outer.mkdir()
    git("init", "--quiet", cwd=outer)
    project = create(template, outer)
    assert not (project / ".git").exists()  # post_gen left the outer repository in charge
    git("add", "--all", cwd=outer)
    git("commit", "--quiet", "--message", "Add the project", cwd=outer)
    change_template(template)

    cruft("update", "--skip-apply-ask", cwd=project)

    assert (project / "params.yaml").read_text().endswith(PARAMS_LINE)
    assert cruft("check", cwd=project).returncode == 0


KIT_LINE = "# A line the kit's next release added.\n"


def test_cruft_update_of_the_kit_leaves_the_users_code_alone(template, tmp_path):
    """The split's promise: a release that changes only the kit merges without a conflict,
    however the user changed their model and stages."""
    project = create(template, tmp_path)
    model, features = (project / "src/my_ml_project" / name for name in ("model.py", "features.py"))
    model.write_text(model.read_text().replace('strategy="median"', 'strategy="mean"'))
    features.write_text(
        features.read_text().replace("    return frame\n", "    return frame.copy()\n")
    )
    git("add", "--all", cwd=project)
    git("commit", "--quiet", "--message", "Our model and features", cwd=project)
    kit = template / "{{cookiecutter.project_slug}}" / "src/mlreprokit/doctor.py"
    kit.write_text(kit.read_text() + KIT_LINE)
    git("commit", "--quiet", "--all", "--message", "Kit change", cwd=template)

    cruft("update", "--skip-apply-ask", cwd=project)

    assert (project / "src/mlreprokit/doctor.py").read_text().endswith(KIT_LINE)
    assert 'strategy="mean"' in model.read_text()
    assert "return frame.copy()" in features.read_text()
    changed = {line[3:] for line in git("status", "--porcelain", cwd=project).splitlines()}
    assert changed == {".cruft.json", "src/mlreprokit/doctor.py"}
    assert not list(project.rglob("*.rej"))
