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

TYPE_CHECKING = False  # typing is not imported at run time: see annotator/model.py
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


#: The files SQLite keeps beside a project ``NAME``: ``NAME-wal``, ``NAME-shm`` and
#: ``NAME-journal``.
SQLITE_SUFFIXES = ("-wal", "-shm", "-journal")


def side_files(db_path: Path, models: bool = True) -> list[Path]:
    """The files that belong to the project ``db_path`` beside it: SQLite's ``-wal``,
    ``-shm`` and ``-journal`` and, with ``models``, the folder of the models trained
    from it (:func:`models_dir`). The one list of them: what is copied, removed or
    protected with a project is named here."""
    files = [Path(f"{db_path}{suffix}") for suffix in SQLITE_SUFFIXES]
    return [*files, models_dir(db_path)] if models else files


def project_files(db_path: Path) -> list[Path]:
    """The project file and SQLite's files beside it (:func:`side_files` without the
    models folder)."""
    return [db_path, *side_files(db_path, models=False)]


def remove_project_files(db_path: Path, sidecars_only: bool = False) -> None:
    """Delete a project file that is not open (a temporary or failed one) and SQLite's
    files beside it (only those, with ``sidecars_only``); missing ones are fine."""
    for path in side_files(db_path, models=False) if sidecars_only else project_files(db_path):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


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


def clash_refusal(project: Path, path: Path) -> str:
    """The words of every refusal to write ``path``, one of :func:`project_clashes`
    (an export, a split, a label scheme written from the command line or the window)."""
    return (f"refused: {path} is the project {project} itself or one of its own files "
            "(-wal, -shm, -journal, backups, models): writing there would destroy the "
            "project; choose another output")


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
