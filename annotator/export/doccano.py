"""doccano sequence-labelling JSONL: ``{"text", "label": [[start, end, label], ...],
"meta"}`` per line (code-point offsets; other keys become doccano metadata).

The default is the entity layer alone, which loads completely into a default doccano
project ("Allow overlapping spans" off: doccano drops a span that overlaps another, and
claims contain entities and overlap each other). With ``--layer all`` or ``claim``
claims go in as ``[start, end, label]`` too, and the summary warns that the doccano
project needs overlapping spans, with the number of spans that overlap another.
Rejected spans have no place in doccano and are counted as skipped.

Document labels: ``--layer doc`` writes doccano's text-classification lines, ``{"text",
"label": ["politics", "for"], "meta"}`` (doccano has no categories: every category's
labels in one list). ``--layer all`` adds them to the sequence-labelling line as ``cats``
(the key of doccano's combined form, intent detection and slot filling), which a
sequence-labelling project keeps as metadata and ``annotator import`` reads back."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .base import DocRecord, ExportOptions, ExportSummary, OutputFiles, atomic_file, count_spans


def outputs(out: Path, opts: ExportOptions) -> list[Path]:
    return [out]


def doc_labels(rec: DocRecord, opts: ExportOptions) -> list[str]:
    """The document's labels in the scheme's order, every category's in one list."""
    if opts.doc_scheme is None:
        return []
    return [x for labels in opts.doc_scheme.chosen(rec).values() for x in labels]


def line(rec: DocRecord, opts: ExportOptions | None = None) -> dict[str, Any]:
    """The doccano object of one document: text classification for ``--layer doc``,
    else sequence labelling (with the document labels as ``cats`` when written)."""
    meta = {**rec.doc.meta, "doc_id": rec.doc.id, "status": rec.doc.status}
    if opts is not None and opts.layer == "doc":
        return {"text": rec.doc.text, "label": doc_labels(rec, opts), "meta": meta}
    spans = sorted(rec.entities + rec.claims, key=lambda s: (s.start, -s.end, s.layer))
    item: dict[str, Any] = {"text": rec.doc.text,
                            "label": [[s.start, s.end, s.label] for s in spans]}
    if opts is not None and opts.doc_scheme is not None:
        item["cats"] = doc_labels(rec, opts)
    item["meta"] = meta
    return item


def overlapping(triples: list[list[Any]]) -> int:
    """How many of the sorted ``[start, end, label]`` overlap an earlier one (what a
    doccano project without overlapping spans would drop)."""
    n, reach = 0, -1
    for start, end, _ in triples:
        if start < reach:
            n += 1
        reach = max(reach, end)
    return n


def write(records: Iterable[DocRecord], out: Path, opts: ExportOptions,
          summary: ExportSummary, files: OutputFiles) -> None:
    overlaps = 0
    with atomic_file(files, out) as fh:
        for rec in records:
            item = line(rec, opts)
            fh.write(json.dumps(item, ensure_ascii=False))
            fh.write("\n")
            summary.doc_labels_by_label.update(x.label for x in rec.doc_labels)
            if opts.layer != "doc":
                overlaps += overlapping(item["label"])
            count_spans(summary, rec, rejected=False)
            if rec.rejected:
                summary.skip("rejected spans (doccano has no negative examples)",
                              len(rec.rejected))
    if opts.layer not in ("entity", "doc"):
        summary.warnings.append(
            "the doccano project needs \"Allow overlapping spans\" turned on "
            f"({overlaps} span(s) here overlap another: claims contain entities); a "
            "default project drops them. Export --layer entity for a default project")
    summary.files.append(out)
