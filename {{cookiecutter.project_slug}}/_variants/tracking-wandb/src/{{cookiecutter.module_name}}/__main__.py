"""`python -m {{ cookiecutter.module_name }}`: the pipeline, each run tracked with Weights & Biases, and `tune`."""

from .cli import main
from .tracked import commands

raise SystemExit(main(commands=commands()))
