"""Session-wide bakes: each option set is baked once and shared by the tests that read it."""

import pytest

from .helpers import Baked, bake, nox


@pytest.fixture(scope="session")
def baked(tmp_path_factory):
    """Return a function that bakes an option set once per test session."""
    cache: dict[tuple, Baked] = {}

    def get(**options: str) -> Baked:
        key = tuple(sorted(options.items()))
        if key not in cache:
            cache[key] = bake(tmp_path_factory.mktemp("bake"), **options)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def locked_project(tmp_path_factory) -> Baked:
    """The default project, baked and locked with its own `nox -s lock` (slow tests only)."""
    project = bake(tmp_path_factory.mktemp("e2e"))
    nox(project, "-s", "lock")
    return project
