"""The sample articles shipped in ``resources/samples/``, imported into a new project."""

from __future__ import annotations

from .model import RESOURCES
from .store import Store

SAMPLES = RESOURCES / "samples"


def seed_if_empty(store: Store) -> int:
    """Import every sample article when the project has no documents; returns how many
    were imported (0 when the project already has documents)."""
    if store.count_documents() > 0:
        return 0
    from .importers import import_paths

    files = sorted(p for p in SAMPLES.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        return 0
    return import_paths(store, files).imported
