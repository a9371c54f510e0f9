"""`python -m <this package> [all|STAGE|COMMAND]`: run the pipeline and the kit's commands."""

from mlreprokit.cli import main
from mlreprokit.commands import commands

raise SystemExit(main(commands=commands, prog=f"python -m {__package__}"))
