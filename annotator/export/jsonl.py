"""JSONL: one document a line, a superset of Prodigy's ``db-out`` shape.

Keys: ``text``, ``meta``, ``tokens``, ``spans`` (entities), ``claims`` (with their
attributes), ``answer`` (``accept``/``ignore``/``reject`` for done/skipped/flagged; a
document still new or in progress carries ``status`` instead), ``_input_hash`` (of the
text), ``_task_hash`` (of the text and labels), ``_annotator_id`` and ``_timestamp``,
and with ``include_rejected`` a ``rejected`` list of negative examples. Every value is
derived from stored data, and :mod:`annotator.importers` keeps what it cannot derive
(``_timestamp`` in meta), so import then export gives the same lines again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .base import (
    DocRecord,
    ExportOptions,
    ExportSummary,
    atomic_file,
    check_free,
    claimant,
    count_spans,
    epoch_seconds,
    stable_hash,
)

ANSWERS = {"done": "accept", "skipped": "ignore", "flagged": "reject"}


def outputs(out: Path, opts: ExportOptions) -> list[Path]:
    return [out]


def write(records: Iterable[DocRecord], out: Path, opts: ExportOptions,
          summary: ExportSummary, force: bool) -> None:
    check_free(outputs(out, opts), force)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with atomic_file(out) as fh:
        for rec in records:
            fh.write(dumps(task(rec, opts)))
            fh.write("\n")
            count_spans(summary, rec)
    summary.files.append(out)


def task(rec: DocRecord, opts: ExportOptions) -> dict[str, Any]:
    """The JSONL object of one document."""
    text = rec.doc.text
    meta = dict(rec.doc.meta)
    stored_ts = meta.pop("_timestamp", None)
    item: dict[str, Any] = {"text": text, "meta": meta}
    starts: list[int] = []
    if opts.tokens:
        from .tokens import token_dicts

        tokens = token_dicts(text)
        item["tokens"] = tokens
        starts = [t["start"] for t in tokens]
    spans = []
    for s in rec.entities:
        span: dict[str, Any] = {"start": s.start, "end": s.end}
        if opts.tokens:
            from .tokens import token_range

            span["token_start"], span["token_end"] = token_range(starts, s.start, s.end)
        span["label"] = s.label
        span["text"] = text[s.start:s.end]
        spans.append(span)
    item["spans"] = spans
    item["claims"] = [claim_dict(rec, s) for s in rec.claims]
    if opts.include_rejected:
        item["rejected"] = [{"layer": s.layer, "start": s.start, "end": s.end,
                             "label": s.label, "text": text[s.start:s.end]}
                            for s in rec.rejected]
    status = rec.doc.status
    if status in ANSWERS:
        item["answer"] = ANSWERS[status]
    else:
        item["status"] = status
    input_hash = stable_hash(text)
    item["_input_hash"] = input_hash
    item["_task_hash"] = stable_hash([input_hash, item["spans"], item["claims"],
                                      item.get("rejected")])
    labelled = rec.entities + rec.claims
    names = sorted({s.annotator for s in labelled if s.annotator})
    item["_annotator_id"] = ",".join(names) if names else None
    if stored_ts is None:
        times = [epoch_seconds(s.updated_at) for s in labelled]
        times.append(epoch_seconds(rec.doc.updated_at))
        stored_ts = max((t for t in times if t is not None), default=None)
    item["_timestamp"] = stored_ts
    return item


def claim_dict(rec: DocRecord, s: Any) -> dict[str, Any]:
    """A claim span with its attributes."""
    c = s.claim
    return {
        "start": s.start, "end": s.end, "text": rec.doc.text[s.start:s.end], "label": s.label,
        "claim_type": c.claim_type if c else None,
        "claimant": claimant(rec, s),
        "via": c.via if c else None,
        "checkworthy": c.checkworthy if c else None,
        "hedged": c.hedged if c else None,
    }
