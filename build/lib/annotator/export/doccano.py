"""doccano sequence-labelling JSONL: ``{"text", "label": [[start, end, label], ...],
"meta"}`` per line (code-point offsets; other keys become doccano metadata).

Claims go in as ``[start, end, label]`` too when the claim layer is exported (enable
overlapping spans in the doccano project, or export ``--layer entity``). Rejected spans
have no place in doccano and are counted as skipped."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .base import DocRecord, ExportOptions, ExportSummary, atomic_file, check_free, count_spans


def outputs(out: Path, opts: ExportOptions) -> list[Path]:
    return [out]


def line(rec: DocRecord) -> dict[str, Any]:
    """The doccano object of one document."""
    spans = sorted(rec.entities + rec.claims, key=lambda s: (s.start, -s.end, s.layer))
    return {"text": rec.doc.text, "label": [[s.start, s.end, s.label] for s in spans],
            "meta": {**rec.doc.meta, "doc_id": rec.doc.id, "status": rec.doc.status}}


def write(records: Iterable[DocRecord], out: Path, opts: ExportOptions,
          summary: ExportSummary, force: bool) -> None:
    check_free(outputs(out, opts), force)
    with atomic_file(out) as fh:
        for rec in records:
            fh.write(json.dumps(line(rec), ensure_ascii=False))
            fh.write("\n")
            count_spans(summary, rec, rejected=False)
            if rec.rejected:
                summary.skip("rejected spans (doccano has no negative examples)",
                              len(rec.rejected))
    summary.files.append(out)
