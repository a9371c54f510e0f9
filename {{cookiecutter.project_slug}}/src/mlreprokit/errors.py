"""The one base of every error a user can cause: `cli.main` reports it in one line."""


class ProjectError(Exception):
    """A problem the user can fix (a key, a column, a file, an option), never a bug."""


class UsageError(ProjectError):
    """A command used wrongly, or run before what it needs exists."""


class ConfigError(ProjectError, ValueError):
    """`params.yaml` is missing, malformed or does not match the expected settings."""
