"""Models trained from a project: where they are, what their ``meta.json`` says, and
which one ``--model NAME|latest|PATH`` means. No spaCy here (``annotator models`` lists
them without loading one).

A model is a folder ``NAME-<n>`` in the project's model folder
(:func:`annotator.paths.models_dir`, ``news.db.models/`` beside ``news.db``)::

    news-3/
      meta.json        what was trained, from what, how well (see annotator.train)
      pipeline/        the spaCy pipeline with the trained NER   (entity layer)
      checkworthy/     the claim check-worthiness classifier       (claim layer)
      doccat/          one text classifier per document-label category (doc layer)

A folder appears complete or not at all: training writes into a hidden temporary
folder beside it and renames it at the end.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ModelError as ModelError
from .paths import models_dir

#: The version of the folder layout and ``meta.json``, written as ``annotator_model``.
FORMAT = 1
META = "meta.json"
PIPELINE = "pipeline"
_NUMBERED = re.compile(r"^(?P<name>.+)-(?P<n>[0-9]+)$")


@dataclass
class ModelInfo:
    """One trained model, as ``annotator models`` lists it."""

    name: str  # the folder name, NAME-<n>
    path: Path
    created: str
    layers: list[str]
    labels: dict[str, list[str]]
    examples: dict[str, Any]
    scores: dict[str, Any]
    seconds: float | None
    meta: dict[str, Any] = field(repr=False, default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": str(self.path), "created": self.created,
                "layers": self.layers, "labels": self.labels, "examples": self.examples,
                "scores": self.scores, "seconds": self.seconds,
                "done_documents": self.meta.get("done_documents")}


def read_meta(path: Path) -> dict[str, Any]:
    """The ``meta.json`` of a model folder; :class:`ModelError` if it has none."""
    file = Path(path) / META
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: not an Annotator model (no readable {META}: {exc})"
                         ) from exc
    if not isinstance(data, dict) or "annotator_model" not in data:
        raise ModelError(f"{path}: {META} is not an Annotator model's")
    return data


def is_model(path: Path) -> bool:
    """Whether ``path`` is an Annotator model folder (not a bare spaCy pipeline)."""
    try:
        read_meta(path)
    except ModelError:
        return False
    return True


def model_id(meta: dict[str, Any], path: Path | None = None) -> str:
    """The name stored as the ``model`` of the suggestions a model makes."""
    name = meta.get("name") or (path.name if path is not None else "model")
    return str(name)


def info(path: Path) -> ModelInfo:
    """What one model folder's ``meta.json`` says."""
    meta = read_meta(path)
    return ModelInfo(
        name=Path(path).name, path=Path(path), created=str(meta.get("created", "")),
        layers=list(meta.get("layers", [])), labels=dict(meta.get("labels", {})),
        examples=dict(meta.get("examples", {})), scores=dict(meta.get("scores", {})),
        seconds=meta.get("seconds"), meta=meta)


def list_models(db_path: Path) -> list[ModelInfo]:
    """The project's models, oldest first (by creation time, then name)."""
    folder = models_dir(Path(db_path))
    if not folder.is_dir():
        return []
    found = []
    for child in folder.iterdir():
        if child.name.startswith(".") or not child.is_dir():
            continue
        try:
            found.append(info(child))
        except ModelError:
            continue
    return sorted(found, key=lambda m: (m.created, _number(m.name), m.name))


def latest(db_path: Path) -> ModelInfo | None:
    """The project's newest model, if any."""
    models = list_models(db_path)
    return models[-1] if models else None


def resolve(spec: str, db_path: Path | None) -> Path | None:
    """The model folder ``spec`` names: ``latest``, a model's folder name (``news-3``),
    a run name (``news``: its newest run) or a path to a model folder. ``None`` when it
    names none of these (then it may be a spaCy pipeline: a package name or a path).
    Raises :class:`ModelError` for ``latest`` in a project without models."""
    if spec == "latest":
        newest = latest(db_path) if db_path is not None else None
        if newest is None:
            where = models_dir(Path(db_path)) if db_path is not None else "this project"
            raise ModelError(
                f"no trained model in {where}: models come from `annotator train` (on this "
                "project's done documents); to use another project's model, pass its "
                "folder as a path (--model OTHER.db.models/NAME-N)")
        return newest.path
    if db_path is not None and "/" not in spec and "\\" not in spec:
        models = list_models(db_path)
        exact = [m for m in models if m.name == spec]
        if exact:
            return exact[-1].path
        runs = [m for m in models if _base(m.name) == spec]
        if runs:
            return runs[-1].path
    path = Path(spec).expanduser()
    if path.is_dir() and is_model(path):
        return path
    return None


def next_name(db_path: Path, name: str) -> str:
    """``NAME-<n>`` with ``n`` one more than any run of that name in the project."""
    folder = models_dir(Path(db_path))
    n = 0
    if folder.is_dir():
        for child in folder.iterdir():
            match = _NUMBERED.match(child.name.lstrip("."))
            if match and match["name"] == name:
                n = max(n, int(match["n"]))
            elif child.name.startswith(f".{name}-"):  # a run in progress
                rest = child.name[len(name) + 2:].split(".", 1)[0]
                if rest.isdigit():
                    n = max(n, int(rest))
    return f"{name}-{n + 1}"


#: The lock file inside a training run's temporary folder, held while it runs.
RUN_LOCK = ".running"
#: A temporary folder without a lock file (made by an older version) counts as stale
#: when it has not changed for this long.
_UNLOCKED_STALE_SECONDS = 3600


def hold_run(tmp: Path) -> Any:
    """Mark ``tmp`` (a training run's temporary folder) as in use for as long as the
    returned handle is open: an exclusive ``flock`` on a file inside it, which the
    system drops when the process ends, however it ends. ``None`` where there is no
    ``flock`` (Windows)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    handle = open(tmp / RUN_LOCK, "wb")  # noqa: SIM115 - held until the run ends
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def remove_stale_runs(db_path: Path) -> tuple[int, int]:
    """Remove the temporary folders that killed training runs left in the project's
    model folder (``.NAME-N.xxxx.tmp``, whose lock no process holds); returns how many
    and their bytes. A run in progress holds its lock and is left alone."""
    import shutil
    import time

    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no way to tell; leave them
        return 0, 0
    folder = models_dir(Path(db_path))
    if not folder.is_dir():
        return 0, 0
    removed = size = 0
    for child in folder.iterdir():
        if not (child.name.startswith(".") and child.name.endswith(".tmp")
                and child.is_dir() and not child.is_symlink()):
            continue
        lock = child / RUN_LOCK
        try:
            if lock.is_file():
                with open(lock, "rb") as handle:
                    try:
                        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue  # a run in progress
            elif time.time() - child.stat().st_mtime < _UNLOCKED_STALE_SECONDS:
                continue  # just made, or an older version's run in progress
            bytes_ = sum(p.stat().st_size for p in child.rglob("*") if p.is_file())
            shutil.rmtree(child)
        except OSError:
            continue  # gone meanwhile, or not ours to remove: left as it is
        removed += 1
        size += bytes_
    return removed, size


def _base(folder_name: str) -> str:
    match = _NUMBERED.match(folder_name)
    return match["name"] if match else folder_name


def _number(folder_name: str) -> int:
    match = _NUMBERED.match(folder_name)
    return int(match["n"]) if match else 0
