"""`python -m {{ cookiecutter.module_name }}`: run the pipeline."""

from .cli import main

raise SystemExit(main())
