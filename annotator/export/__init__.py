"""Exporters, one module per format, behind one call: :func:`export`.

Each format module has ``outputs(out, opts)`` (the paths it writes) and
``write(records, out, opts, summary, files)``, which writes through ``files``
(:class:`~annotator.export.base.OutputFiles`: temporary files renamed into place at
the end, removed on any failure); :data:`WRITERS` maps the format names to them.
Importing this package does not import spaCy; only the token-based code paths (``jsonl``
tokens, ``spacy``, ``conll``) load it, on first use.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from ..store import Store
from ..tokens import WorkerDied
from . import conll, doccano, jsonl, labelstudio, spacy_docbin
from .base import (
    ALIGN_CHOICES,
    FORMATS,
    LAYER_CHOICES,
    DocRecord,
    ExportError,
    ExportOptions,
    ExportSummary,
    OutputFiles,
    check_free,
    check_writable_target,
    default_layer,
    describe_os_error,
    iter_records,
    refuse_project_paths,
    remove_stale,
)

__all__ = ["ALIGN_CHOICES", "FORMATS", "LAYER_CHOICES", "WRITERS", "ExportError",
           "ExportOptions", "ExportSummary", "export", "default_output", "count_documents",
           "default_layer", "refuse_project_paths"]


class Writer(NamedTuple):
    """One format: what it writes, how, and its default output name."""

    outputs: Callable[[Path, ExportOptions], list[Path]]
    write: Callable[[Iterable[DocRecord], Path, ExportOptions, ExportSummary, OutputFiles],
                    None]
    default_name: str
    folder: bool = False  # ``out`` is a folder of outputs


WRITERS: dict[str, Writer] = {
    "jsonl": Writer(jsonl.outputs, jsonl.write, "export.jsonl"),
    "spacy": Writer(spacy_docbin.outputs, spacy_docbin.write, "spacy", folder=True),
    "doccano": Writer(doccano.outputs, doccano.write, "doccano.jsonl"),
    "labelstudio": Writer(labelstudio.outputs, labelstudio.write, "labelstudio.json"),
    "conll": Writer(conll.outputs, conll.write, "export.conll"),
}
assert tuple(WRITERS) == FORMATS


def default_output(fmt: str) -> Path:
    """A file (a folder for ``spacy``) name for ``fmt`` in the current folder."""
    return Path(WRITERS[fmt].default_name)


def empty_refusal(store: Store, summary: ExportSummary) -> str:
    """The message of an export that left every document out: why, and (in a team
    project) the review commands that give the documents a gold set."""
    from ..session import review_steps

    why = "; ".join(f"skipped {n}: {reason}" for reason, n in sorted(summary.skipped.items()))
    text = f"nothing exported: every document was left out ({why})"
    if store.has_annotation_sets():
        emptied = store.emptied_documents(store.document_ids())
        if emptied:
            text += "".join(f"; {step}" for step in review_steps(store, sorted(emptied)))
        names = ", ".join(s["name"] for s in store.annotation_sets())
        text += f"; or export one annotator's set with --set NAME ({names})"
    return text + "; --allow-empty writes the empty export; nothing was written"


def count_documents(store: Store, opts: ExportOptions | None = None) -> int:
    """How many documents an export with these options writes (a progress bar's total;
    for a team project's sets, an upper bound: every document it looks at)."""
    opts = opts or ExportOptions()
    if opts.set_filter == "" or not store.has_annotation_sets():
        return store.count_documents(opts.status_filter)
    if opts.set_filter is not None:
        return len(store.set_documents(opts.set_filter, opts.status_filter))
    return store.count_documents()


def export(
    store: Store,
    fmt: str,
    out: Path,
    opts: ExportOptions | None = None,
    *,
    force: bool = False,
    on_progress: Callable[[int], None] | None = None,
    processes: int | None = None,
) -> ExportSummary:
    """Export the project's labels as ``fmt`` to ``out`` (a folder for ``spacy``).

    ``opts`` says which documents and spans (default: documents marked done, accepted
    spans of the format's default layers; see :class:`ExportOptions`). Documents stream
    from the store and every output is written to a temporary file renamed into place
    at the end, so a failed or cancelled export leaves nothing behind (temporary files
    of an earlier export that was killed are removed, and counted in the summary).

    Refused with :class:`ExportError`, before anything is written: an output that is,
    or resolves to, the project or one of its own files (:func:`refuse_project_paths`),
    an existing output unless ``force`` (a dangling symlink counts as existing), a
    folder where a file goes and the reverse. A failed write (a full disk, no
    permission) is an :class:`ExportError` with a one-line message too.
    ``on_progress(n)`` is called with the number of documents done; an exception raised
    from it cancels the export. Tokens not cached yet are made by ``processes`` worker
    processes (``None``: as many as pay, see :class:`annotator.tokens.TokenCache`). Safe
    to call from a worker thread (the store's connection allows it; do not share it
    concurrently).
    """
    writer = WRITERS.get(fmt)
    if writer is None:
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    opts = opts or ExportOptions()
    opts.check()
    if opts.layer is None:
        opts = dataclasses.replace(opts, layer=default_layer(fmt))
    out = Path(out)
    refuse_project_paths(store, [out])
    paths = writer.outputs(out, opts)
    refuse_project_paths(store, paths)
    check_writable_target(out, writer.folder)
    check_free(paths, force)
    summary = ExportSummary(fmt=fmt, out=out)
    files = OutputFiles()
    try:
        summary.stale_removed = remove_stale(paths, out if writer.folder else None)
        records = iter_records(store, opts, summary, on_progress,
                               tokens=fmt == "jsonl" and opts.tokens, processes=processes)
        try:
            writer.write(records, out, opts, summary, files)
        finally:
            records.close()  # now, not when collected: stops tokenising workers
        if summary.documents == 0 and summary.skipped and not opts.allow_empty:
            # Every document left out: an empty output would look like a success.
            raise ExportError(empty_refusal(store, summary))
        files.commit()
    except OSError as exc:
        raise ExportError(describe_os_error(exc, out)) from exc
    except WorkerDied as exc:
        raise ExportError(f"{exc}; nothing was written (export again, or with --processes 1 "
                          "to tokenise in this process)") from exc
    finally:
        files.close()
    return summary
