"""Where things are: the default project, the project's model folder and the files
shipped in ``resources/`` (installed as the package ``annotator.resources``).

No click, no Qt: the command line and the window both ask here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def default_db_path() -> Path:
    """``$ANNOTATOR_DB``, else ``default.db`` in the platform's user data directory."""
    env = os.environ.get("ANNOTATOR_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path("annotator", appauthor=False) / "default.db"


def models_dir(db_path: Path) -> Path:
    """The folder of pipelines trained from a project: ``NAME.db.models/`` beside it."""
    return db_path.with_name(f"{db_path.name}.models")


def resource(name: str) -> Traversable:
    """A file shipped in ``resources/`` (``labels.toml``, ``samples/...``), read through
    :mod:`importlib.resources` so it works from a source checkout and an installed
    wheel alike."""
    from importlib.resources import files

    node = files("annotator.resources")
    for part in name.split("/"):
        node = node / part
    return node


def load_lexicon(name: str) -> list[str]:
    """Lines of ``resources/<name>``, without blank lines and ``#`` comments."""
    lines = resource(name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
