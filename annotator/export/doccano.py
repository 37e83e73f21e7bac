"""doccano sequence-labelling JSONL: ``{"text", "label": [[start, end, label], ...],
"meta"}`` per line (code-point offsets; other keys become doccano metadata).

The default is the entity layer alone, which loads completely into a default doccano
project ("Allow overlapping spans" off: doccano drops a span that overlaps another, and
claims contain entities and overlap each other). With ``--layer all`` or ``claim``
claims go in as ``[start, end, label]`` too, and the summary warns that the doccano
project needs overlapping spans, with the number of spans that overlap another.
Rejected spans have no place in doccano and are counted as skipped."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .base import DocRecord, ExportOptions, ExportSummary, OutputFiles, atomic_file, count_spans


def outputs(out: Path, opts: ExportOptions) -> list[Path]:
    return [out]


def line(rec: DocRecord) -> dict[str, Any]:
    """The doccano object of one document."""
    spans = sorted(rec.entities + rec.claims, key=lambda s: (s.start, -s.end, s.layer))
    return {"text": rec.doc.text, "label": [[s.start, s.end, s.label] for s in spans],
            "meta": {**rec.doc.meta, "doc_id": rec.doc.id, "status": rec.doc.status}}


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
            item = line(rec)
            fh.write(json.dumps(item, ensure_ascii=False))
            fh.write("\n")
            overlaps += overlapping(item["label"])
            count_spans(summary, rec, rejected=False)
            if rec.rejected:
                summary.skip("rejected spans (doccano has no negative examples)",
                              len(rec.rejected))
    if opts.layer != "entity":
        summary.warnings.append(
            "the doccano project needs \"Allow overlapping spans\" turned on "
            f"({overlaps} span(s) here overlap another: claims contain entities); a "
            "default project drops them. Export --layer entity for a default project")
    summary.files.append(out)
