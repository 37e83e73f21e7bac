"""Exporters, one module per format, behind one call: :func:`export`.

Importing this package does not import spaCy; only the token-based code paths
(``jsonl`` tokens, ``spacy``, ``conll``) load it, on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from ..store import Store
from .base import (
    ALIGN_CHOICES,
    FORMATS,
    LAYER_CHOICES,
    ExportError,
    ExportOptions,
    ExportSummary,
    iter_records,
)

__all__ = ["ALIGN_CHOICES", "FORMATS", "LAYER_CHOICES", "ExportError", "ExportOptions",
           "ExportSummary", "export", "default_output", "count_documents"]

MODULES = {"jsonl": "jsonl", "spacy": "spacy_docbin", "doccano": "doccano",
           "labelstudio": "labelstudio", "conll": "conll"}
DEFAULT_NAMES = {"jsonl": "export.jsonl", "spacy": "spacy", "doccano": "doccano.jsonl",
                 "labelstudio": "labelstudio.json", "conll": "export.conll"}


def default_output(fmt: str) -> Path:
    """A file (a folder for ``spacy``) name for ``fmt`` in the current folder."""
    return Path(DEFAULT_NAMES[fmt])


def count_documents(store: Store, status: str = "done") -> int:
    """How many documents an export with this ``status`` filter writes (for a
    progress bar's total)."""
    return store.count_documents(ExportOptions(status=status).status_filter)


def export(
    store: Store,
    fmt: str,
    out: Path,
    *,
    status: str = "done",
    layer: str = "all",
    include_rejected: bool = False,
    annotator: str | None = None,
    dev_fraction: float = 0.2,
    seed: int = 0,
    align: str = "strict",
    force: bool = False,
    on_progress: Callable[[int], None] | None = None,
    spancat: bool = False,
    tokens: bool = True,
) -> ExportSummary:
    """Export the project's labels as ``fmt`` to ``out`` (a folder for ``spacy``).

    By default only documents marked done (``status="any"`` for all) and only accepted
    spans of both layers; ``include_rejected`` adds rejected suggestions as negative
    examples where the format has a place for them. Documents stream from the store and
    the output is written to a temporary file renamed into place at the end, so a failed
    or cancelled export leaves nothing behind. An existing output is refused
    (:class:`ExportError`) unless ``force``. ``on_progress(n)`` is called with the number
    of documents done; an exception raised from it cancels the export. Safe to call from
    a worker thread (the store's connection allows it; do not share it concurrently).
    """
    if fmt not in MODULES:
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    opts = ExportOptions(status=status, layer=layer, include_rejected=include_rejected,
                         annotator=annotator, dev_fraction=dev_fraction, seed=seed,
                         align=align, spancat=spancat, tokens=tokens)
    opts.check()
    out = Path(out)
    module = importlib.import_module(f".{MODULES[fmt]}", __name__)
    summary = ExportSummary(fmt=fmt, out=out)
    records = iter_records(store, opts, summary, on_progress,
                           tokens=fmt == "jsonl" and opts.tokens)
    module.write(records, out, opts, summary, force)
    return summary
