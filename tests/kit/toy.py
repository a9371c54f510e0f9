"""The project the kit's tests drive: the default bake (MLflow tracking, no CI), rendered once per
test session into a temporary folder, its `src/` put on the import path (and on PYTHONPATH, for the
commands the kit starts). The kit is tested against the user's code it ships with, not a second
pipeline kept beside it; `conftest.py` removes the folder when the session ends."""

import os
import sys
import tempfile
from pathlib import Path

from ..helpers import DEFAULTS, bake

FOLDER = Path(tempfile.mkdtemp(prefix="kit-project-"))
PROJECT = bake(FOLDER, ci="none").root
MODULE = DEFAULTS["module_name"]
SRC = PROJECT / "src"

sys.path.insert(0, str(SRC))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
