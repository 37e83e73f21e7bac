"""CSV: one row per document, one column per document-label category, for a
spreadsheet or any tool that reads a table.

Columns: ``doc_id``, ``status``, ``text``, then one column per category of the
project's scheme (in its order), holding the document's accepted labels of that
category, several joined by a single space (label names never hold whitespace, see
:func:`annotator.model.check_label_name`). ``annotator import FILE.csv
--doc-label-column CATEGORY`` reads such a column back. Spans have no place in a table:
with ``--layer all`` (the default is ``doc``) they are counted as skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from .base import (
    DocRecord,
    ExportError,
    ExportOptions,
    ExportSummary,
    OutputFiles,
    atomic_file,
)

#: What joins the labels of a multi-label category in its cell.
JOIN = " "
FIXED = ("doc_id", "status", "text")


def outputs(out: Path, opts: ExportOptions) -> list[Path]:
    clash = set(FIXED) & set(header(opts)[len(FIXED):])
    if clash:
        raise ExportError(f"a document-label category is named {', '.join(sorted(clash))}, "
                          "as a column of the CSV export is; rename the category")
    return [out]


def header(opts: ExportOptions) -> list[str]:
    """The columns: the fixed ones, then one per category."""
    cats = [c.name for c in opts.doc_scheme.categories] if opts.doc_scheme else []
    return [*FIXED, *cats]


def row(rec: DocRecord, opts: ExportOptions) -> list[str]:
    """One document's cells."""
    chosen = opts.doc_scheme.chosen(rec) if opts.doc_scheme else {}
    return [str(rec.doc.id), rec.doc.status, rec.doc.text,
            *(JOIN.join(labels) for labels in chosen.values())]


def write(records: Iterable[DocRecord], out: Path, opts: ExportOptions,
          summary: ExportSummary, files: OutputFiles) -> None:
    with atomic_file(files, out) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header(opts))
        for rec in records:
            writer.writerow(row(rec, opts))
            summary.doc_labels_by_label.update(x.label for x in rec.doc_labels)
            spans = len(rec.entities) + len(rec.claims) + len(rec.rejected)
            if spans:
                summary.skip("spans (a CSV row holds the document labels only; export "
                             "jsonl for spans)", spans)
    summary.files.append(out)
