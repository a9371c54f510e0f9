"""{{ cookiecutter.project_name }}: a reproducible machine-learning pipeline."""

__version__ = "0.1.0"
