"""`tracking:` in params.yaml: nothing, since this project has no tracker (tracking=none).

A `tracking:` section with any key in it is an unknown key. To track runs, bake a project with
a tracker (the template's `tracking` option) and copy its tracking modules over.
"""

import dataclasses

# The environment variables that name a team's tracker: none here.
TEAM_VARIABLES: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class TrackingConfig:
    """No settings: runs are only written to disk (reports/manifest.json and the outputs)."""
