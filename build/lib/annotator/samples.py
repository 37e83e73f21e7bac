"""The sample articles shipped in ``resources/samples/``, imported into a new project."""

from __future__ import annotations

import contextlib
from importlib.resources import as_file

from .paths import resource
from .store import Store


def seed_if_empty(store: Store) -> int:
    """Import every sample article when the project has no documents; returns how many
    were imported (0 when the project already has documents)."""
    if store.count_documents() > 0:
        return 0
    from .importers import import_paths

    entries = sorted((p for p in resource("samples").iterdir()
                      if p.is_file() and p.name.endswith(".txt")), key=lambda p: p.name)
    if not entries:
        return 0
    with contextlib.ExitStack() as stack:
        files = [stack.enter_context(as_file(entry)) for entry in entries]
        return import_paths(store, files).imported
