"""Experiment trackers as observers of a run: the runner (cli.py) tells one what happened.

`base.Tracker` is the interface; `base.NoTracker` records nothing (an untracked run).
"""

from .base import NoTracker, Tracker

__all__ = ["NoTracker", "Tracker"]
