#!/bin/sh
# Dev container set-up: build .venv (the editor's and notebooks' interpreter) from the lock.
set -eu

python -m pip install --quiet --disable-pip-version-check nox uv
if [ ! -f requirements-dev.txt ]; then
    echo "No lock yet: making it with 'nox -s lock' (commit requirements*.txt afterwards)."
    python -m nox -s lock
fi
python -m venv --without-pip .venv
python -m uv pip sync --python .venv/bin/python --require-hashes requirements-dev.txt
python -m uv pip install --python .venv/bin/python --no-deps --editable .
echo "Ready: .venv matches requirements-dev.txt; 'nox' runs lint, tests and the repro check."
