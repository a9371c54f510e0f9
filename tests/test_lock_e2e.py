"""`nox -s lock` with uv and with pip-tools: the same pins and hashes, and no machine's indexes."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from .helpers import Baked, bake, bake_locked, nox

pytestmark = pytest.mark.slow

LOCK_FILES = ("requirements.txt", "requirements-dev.txt")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")
# Lines pip-compile copies from pip's configuration unless told not to.
INDEX_OPTION = re.compile(
    r"^\s*(-i|-f|--index-url|--extra-index-url|--find-links|--trusted-host)\b"
)


def pins(lock_text: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Map each normalised name to its pinned version and the set of its hashes."""
    found: dict[str, tuple[str, set[str]]] = {}
    name = None
    for line in lock_text.splitlines():
        if match := PIN.match(line):
            name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            found[name] = (match.group(2), set())
        if name is not None:
            found[name][1].update(HASH.findall(line))
    return {key: (version, frozenset(hashes)) for key, (version, hashes) in found.items()}


def lock_with(project: Baked, tool: str, env: dict[str, str]) -> dict[str, str]:
    """Run `nox -s lock` with `tool` from scratch and return the lock files' text."""
    for name in LOCK_FILES:
        (project.root / name).unlink(missing_ok=True)
    nox(project, "-s", "lock", **env, **({"LOCK_WITH": "pip-tools"} if tool == "pip-tools" else {}))
    return {name: (project.root / name).read_text() for name in LOCK_FILES}


def pip_setting(name: str) -> str:
    """This machine's own pip setting (environment first, then pip.conf), kept when adding ours."""
    env = os.environ.get(f"PIP_{name.upper().replace('-', '_')}")
    if env is not None:
        return env
    done = subprocess.run(
        [sys.executable, "-m", "pip", "config", "get", f"global.{name}"],
        capture_output=True,
        text=True,
    )
    return " ".join(done.stdout.split()) if done.returncode == 0 else ""


@pytest.fixture(scope="module")
def machine_indexes(tmp_path_factory) -> dict[str, str]:
    """Extra find-links and index locations, as a company machine's pip and uv config would add."""
    root = tmp_path_factory.mktemp("indexes")
    (root / "wheelhouse").mkdir()
    (root / "simple").mkdir()
    wheelhouse, index = str(root / "wheelhouse"), (root / "simple").as_uri()
    return {
        "PIP_FIND_LINKS": f"{pip_setting('find-links')} {wheelhouse}".strip(),
        "PIP_EXTRA_INDEX_URL": f"{pip_setting('extra-index-url')} {index}".strip(),
        "UV_FIND_LINKS": wheelhouse,
        "UV_EXTRA_INDEX_URL": index,
        "MARK": str(root),
    }


@pytest.fixture(scope="module")
def locks(tmp_path_factory, machine_indexes) -> dict[str, dict[str, str]]:
    """The default project locked from scratch by each tool, under the machine's extra indexes."""
    project = bake(tmp_path_factory.mktemp("lock"))
    env = {key: value for key, value in machine_indexes.items() if key != "MARK"}
    # uv answers from its HTTP cache for minutes, pip asks the index: a release published in
    # between made the two disagree (python-discovery 1.9.6 vs 1.9.7). Both ask the index now.
    env["UV_NO_CACHE"] = "1"
    made = {tool: lock_with(project, tool, env) for tool in ("uv", "pip-tools")}
    # A teammate with uv re-locks over pip-tools' files: nothing may move.
    nox(project, "-s", "lock", **env)
    made["uv over pip-tools"] = {name: (project.root / name).read_text() for name in LOCK_FILES}
    shutil.rmtree(project.root / ".nox", ignore_errors=True)
    return made


@pytest.mark.parametrize("lock_file", LOCK_FILES)
def test_lock_uv_and_pip_tools_agree_on_pins_and_hashes(locks, lock_file):
    by_uv, by_pip_tools = pins(locks["uv"][lock_file]), pins(locks["pip-tools"][lock_file])
    assert len(by_uv) > 10
    assert {name: version for name, (version, _) in by_uv.items()} == {
        name: version for name, (version, _) in by_pip_tools.items()
    }
    assert by_uv == by_pip_tools


@pytest.mark.parametrize("lock_file", LOCK_FILES)
def test_lock_uv_over_pip_tools_lock_changes_no_pin(locks, lock_file):
    assert pins(locks["uv over pip-tools"][lock_file]) == pins(locks["pip-tools"][lock_file])


@pytest.mark.parametrize("tool", ["uv", "pip-tools"])
def test_lock_files_carry_no_index_url_or_find_links(locks, machine_indexes, tool):
    for name, text in locks[tool].items():
        options = [line for line in text.splitlines() if INDEX_OPTION.match(line)]
        assert options == [], name
        assert "file:" not in text and machine_indexes["MARK"] not in text, name
        for location in machine_indexes["PIP_FIND_LINKS"].split():
            assert location not in text, name
        assert all(PIN.match(line) for line in text.splitlines() if line[:1].isalnum()), name


def test_lock_pins_every_requirement_with_hashes(locks):
    for tool in ("uv", "pip-tools"):
        for name, text in locks[tool].items():
            unhashed = [pkg for pkg, (_, hashes) in pins(text).items() if not hashes]
            assert unhashed == [], f"{tool} {name}"


def test_lock_records_how_to_regenerate(locks):
    for tool in ("uv", "pip-tools"):
        # The header tells a reader to regenerate with the session, not a raw compiler command.
        assert "nox -s lock" in locks[tool]["requirements.txt"], tool


def test_lock_inputs_changed_since_the_lock_says_to_relock(tmp_path):
    """After `cruft update` (or an edit) adds a requirement, a session says to run `nox -s lock`
    in one line before it installs anything (it said `unrecognized arguments: --cov`)."""
    project = bake_locked(tmp_path)
    source = project.root / "requirements-dev.in"
    source.write_text(source.read_text() + "pytest-timeout  # a need the template added\n")
    done = nox(project, "-s", "tests", check=False)
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if "aborted" in line]
    assert errors == [
        "nox > Session tests aborted: the lock files are out of date (requirements-dev.in "
        "requires `pytest-timeout` but requirements-dev.txt does not pin it): run `nox -s lock`."
    ]
