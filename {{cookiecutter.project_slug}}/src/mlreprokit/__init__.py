"""mlreprokit: the reproducibility kit under this project. Not yours to edit.

It runs the pipeline your package declares (`[tool.mlreprokit] pipeline` in pyproject.toml),
checks that reruns agree (`repro`), adopts data, gates metrics, tracks runs and writes run
manifests. It never imports your package by name. It came with the cookiecutter template and is
updated with it (`cruft update`), which replaces this folder and leaves your package alone; once
published it becomes one pinned line in requirements.in. What your code may import from it, and
every command and setting it offers: README.md beside this file.
"""

__version__ = "0.3.0"
