"""Stage `data`: fetch `data.source` of params.yaml into `data/raw/`, verified by its SHA-256.

Sources: an https URL, s3://, gs://, az:// and other fsspec URLs (install fsspec and its
filesystem, e.g. s3fs), a local path inside the project, or `bundled:NAME`, a data set that
ships inside scikit-learn (the demo). A hash that differs stops the run in one line. To
combine several sources, or to fetch from a database, write that here.
"""

from pathlib import Path

from mlreprokit.sources import fetch_raw

from .config import Config


def run(config: Config, root: Path) -> None:
    fetch_raw(config.data, root)
