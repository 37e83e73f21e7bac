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
from . import conll, csvfile, doccano, jsonl, labelstudio, spacy_docbin
from .base import (
    ALIGN_CHOICES,
    FORMATS,
    LAYER_CHOICES,
    DocRecord,
    DocScheme,
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
    unknown_set,
    wants_doc_labels,
)

__all__ = ["ALIGN_CHOICES", "FORMATS", "LAYER_CHOICES", "WRITERS", "ExportError",
           "ExportOptions", "ExportSummary", "check_export", "count_documents",
           "default_layer", "default_output", "export", "refuse_project_paths"]


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
    "csv": Writer(csvfile.outputs, csvfile.write, "export.csv"),
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


def unknown_set_refusal(store: Store, opts: ExportOptions) -> ExportError | None:
    """The refusal of a set (``--set``) the project does not hold, else ``None``."""
    why = unknown_set(store, opts.annotation_set)
    return None if why is None else ExportError(why)


def check_set(store: Store, annotation_set: str) -> None:
    """Refuse (:class:`ExportError`) a set (``--set``) the project does not hold: what
    :func:`export` says, for those that read a set another way (``train``,
    ``evaluate``) and would rather say it before they load a pipeline."""
    why = unknown_set(store, annotation_set)
    if why is not None:
        raise ExportError(why)


def nothing_refusal(store: Store, opts: ExportOptions) -> ExportError | None:
    """The refusal of an export that no document matches (none has the status asked
    for, in the set asked for), unless ``allow_empty``: what to do instead (mark
    documents done, review them in a team project, another status or set), else
    ``None``. Documents left out one by one as the export goes are refused after it
    (:func:`empty_refusal`)."""
    if opts.allow_empty or count_documents(store, opts):
        return None
    total = store.count_documents()
    what = "are done" if opts.status == "done" else f"have status {opts.status}"
    if store.has_annotation_sets() and opts.set_filter in ("", None):
        # A team project: done in the gold set means reviewed; `mark done` would only
        # be refused (or, before, empty the gold set).
        from ..session import review_steps

        emptied = sorted(store.emptied_documents(store.document_ids()))
        steps = "; ".join(review_steps(store, emptied))
        names = ", ".join(s["name"] for s in store.annotation_sets())
        return ExportError(
            f"nothing to export: 0 of {total} documents {what} in the gold set (done there "
            f"means reviewed)", hint=f"{steps + '; ' if steps else ''}or export one "
            f"annotator's set with --set NAME ({names}); or pass --allow-empty")
    return ExportError(
        f"nothing to export: 0 of {total} documents {what}",
        hint="mark documents done (D in the window, or `annotator mark done ID ...`), "
             "choose another --status (--status any exports every document), or pass "
             "--allow-empty")


def check_export(store: Store, fmt: str, out: Path, opts: ExportOptions | None = None, *,
                 force: bool = False) -> None:
    """Raise the :class:`ExportError` that :func:`export` would raise before writing
    anything, in its words (the window's Export dialog asks before it closes; the
    command line gets them from :func:`export`)."""
    _prepare(store, fmt, out, opts, force)


def _prepare(store: Store, fmt: str, out: Path, opts: ExportOptions | None, force: bool
             ) -> tuple[Writer, ExportOptions, Path, list[Path]]:
    """Every refusal that needs no writing, in order: the format and options, an output
    among the project's own files, an unknown set, nothing to export, an output that
    cannot be written or exists. The writer, the options (the format's default layer
    filled in), the output and the paths it writes."""
    writer = WRITERS.get(fmt)
    if writer is None:
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    opts = opts or ExportOptions()
    opts.check()
    if opts.layer is None:
        opts = dataclasses.replace(opts, layer=default_layer(fmt))
    if opts.doc_scheme is None and wants_doc_labels(opts.layer):
        opts = dataclasses.replace(opts, doc_scheme=DocScheme.of(store.label_scheme()))
    out = Path(out)
    refuse_project_paths(store, [out])
    paths = writer.outputs(out, opts)
    refuse_project_paths(store, paths)
    refusal = unknown_set_refusal(store, opts) or nothing_refusal(store, opts)
    if refusal is not None:
        raise refusal
    check_writable_target(out, writer.folder)
    check_free(paths, force)
    return writer, opts, out, paths


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

    Refused with :class:`ExportError`, before anything is written (:func:`check_export`):
    an output that is, or resolves to, the project or one of its own files
    (:func:`refuse_project_paths`), a set the project does not hold, no document to
    export (unless ``allow_empty``), an existing output unless ``force`` (a dangling
    symlink counts as existing), a folder where a file goes and the reverse. After the
    stream: every document left out (:func:`empty_refusal`, unless ``allow_empty``). A
    failed write (a full disk, no permission) is an :class:`ExportError` with a
    one-line message too. ``on_progress(n)`` is called with the number of documents
    done; an exception raised from it cancels the export. Tokens not cached yet are made
    by ``processes`` worker processes (``None``: as many as pay, see
    :class:`annotator.tokens.TokenCache`). Safe to call from a worker thread (the
    store's connection allows it; do not share it concurrently).
    """
    writer, opts, out, paths = _prepare(store, fmt, out, opts, force)
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
        raise ExportError(str(exc), hint="nothing was written (export again, or with "
                          "--processes 1 to tokenise in this process)") from exc
    finally:
        files.close()
    return summary
