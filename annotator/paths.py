"""Where things are: the default project, the project's model folder and the files
shipped in ``resources/`` (installed as the package ``annotator.resources``).

No click, no Qt: the command line and the window both ask here.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
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


def project_files(db_path: Path) -> list[Path]:
    """The project file and SQLite's files beside it."""
    return [db_path] + [Path(f"{db_path}{suffix}") for suffix in ("-wal", "-shm", "-journal")]


def project_clashes(project: Path, paths: Iterable[Path]) -> list[Path]:
    """Those of ``paths`` that are, or would write inside, the project's own name space:
    the project file ``NAME``, SQLite's ``NAME-wal``, ``NAME-shm``, ``NAME-journal`` (any
    ``NAME-*``), the backups ``NAME.vN.bak`` and the models folder ``NAME.models/``,
    whether named directly, through a symlink (the real path is compared) or as a hard
    link (device and inode are compared, with ``stat``: the project file is never opened
    outside its connection). Export and split refuse to write to them."""
    real_project = Path(os.path.realpath(project))
    keys = set()
    for path in project_files(project) + project_files(real_project):
        with contextlib.suppress(OSError):
            st = os.stat(path)
            keys.add((st.st_dev, st.st_ino))
    own = re.compile(rf"{re.escape(real_project.name)}(?:-.*|\.v\d+\.bak|\.models)?",
                     re.DOTALL)
    found = []
    for path in paths:
        real = Path(os.path.realpath(path))
        hit = any(p.parent == real_project.parent and own.fullmatch(p.name)
                  for p in (real, *real.parents))
        if not hit:
            with contextlib.suppress(OSError):
                st = os.stat(path)
                hit = (st.st_dev, st.st_ino) in keys
        if hit:
            found.append(path)
    return found


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
