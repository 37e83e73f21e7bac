"""JSONL: one document a line, a superset of Prodigy's ``db-out`` shape.

Keys: ``text``, ``meta``, ``tokens``, ``spans`` (entities), ``claims`` (with their
attributes), ``answer`` (``accept``/``ignore``/``reject`` for done/skipped/flagged; a
document still new or in progress carries ``status`` instead), ``_input_hash`` (of the
text), ``_task_hash`` (of the text and labels), ``_annotator_id`` (whose labels: the
annotator's set, or the names on the spans), ``_session_id`` (in a team project, as
Prodigy writes it: ``TEAM-ANNOTATOR``) and ``_timestamp``,
and with ``include_rejected`` a ``rejected`` list of negative examples. Every value is
derived from stored data, and :mod:`annotator.importers` keeps what it cannot derive
(``_timestamp`` in meta), so import then export gives the same lines again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..jsonenc import compact_json
from ..tokens import compute, token_range
from .base import (
    DocRecord,
    ExportOptions,
    ExportSummary,
    atomic_file,
    check_free,
    claim_dict,
    count_spans,
    epoch_seconds,
    stable_hash,
)

WRITE_EVERY = 128  # pieces (a line and its newline each) per write call
ANSWERS = {"done": "accept", "skipped": "ignore", "flagged": "reject"}
_dumps = compact_json


def outputs(out: Path, opts: ExportOptions) -> list[Path]:
    return [out]


def write(records: Iterable[DocRecord], out: Path, opts: ExportOptions,
          summary: ExportSummary, force: bool) -> None:
    check_free(outputs(out, opts), force)
    with atomic_file(out, "wb") as fh:
        lines: list[bytes] = []
        for rec in records:
            lines.append(encode_bytes(rec, opts))
            lines.append(b"\n")
            count_spans(summary, rec)
            if len(lines) >= WRITE_EVERY:
                fh.write(b"".join(lines))
                lines.clear()
        fh.write(b"".join(lines))
    summary.files.append(out)


def task(rec: DocRecord, opts: ExportOptions) -> dict[str, Any]:
    """The JSONL object of one document."""
    result: dict[str, Any] = json.loads(encode(rec, opts))
    return result


def encode(rec: DocRecord, opts: ExportOptions) -> str:
    """The JSONL line of one document (without the newline)."""
    return encode_bytes(rec, opts).decode("utf-8")


def encode_bytes(rec: DocRecord, opts: ExportOptions) -> bytes:
    """The JSONL line of one document (without the newline) in UTF-8. The labels are
    encoded once, for the line and for ``_task_hash`` alike; the tokens, often the
    largest part, go from the cache into the line as bytes, never decoded."""
    text = rec.doc.text
    meta = rec.doc.meta
    stored_ts = meta.get("_timestamp")
    if stored_ts is not None:
        meta = {k: v for k, v in meta.items() if k != "_timestamp"}
    parts = ['{"text":', _dumps(text), ',"meta":', _dumps(meta)]
    starts: Sequence[int] = []
    encoded = b""
    if opts.tokens:
        if rec.tokens is not None:
            starts, encoded = rec.tokens
        else:
            starts, encoded = compute(text)
        parts.append(',"tokens":')
    head = "".join(parts).encode("utf-8")
    parts = []
    spans = []
    for s in rec.entities:
        span: dict[str, Any] = {"start": s.start, "end": s.end}
        if opts.tokens:
            span["token_start"], span["token_end"] = token_range(starts, s.start, s.end)
        span["label"] = s.label
        span["text"] = text[s.start:s.end]
        spans.append(span)
    labels = [',"spans":', _dumps(spans), ',"claims":',
              _dumps([claim_dict(rec, s) for s in rec.claims])]
    if opts.include_rejected:
        labels += [',"rejected":', _dumps([
            {"layer": s.layer, "start": s.start, "end": s.end, "label": s.label,
             "text": text[s.start:s.end]} for s in rec.rejected])]
    parts += labels
    status = rec.doc.status
    parts.append(f',"answer":"{ANSWERS[status]}"' if status in ANSWERS
                 else f',"status":{_dumps(status)}')
    input_hash = stable_hash(text)
    task_hash = stable_hash(f"{input_hash}{''.join(labels)}")
    labelled = rec.entities + rec.claims
    names = sorted({s.annotator for s in labelled if s.annotator})
    if stored_ts is None:
        # ISO 8601 strings of one format sort as the times they name
        stamps = [s.updated_at for s in labelled if s.updated_at]
        stamps.append(rec.doc.updated_at or "")
        stored_ts = epoch_seconds(max(stamps))
    annotator_id = rec.annotator_id if rec.session_id else ",".join(names) if names else None
    session = f',"_session_id":{_dumps(rec.session_id)}' if rec.session_id else ""
    parts.append(f',"_input_hash":{input_hash},"_task_hash":{task_hash}'
                 f',"_annotator_id":{_dumps(annotator_id)}{session}'
                 f',"_timestamp":{_dumps(stored_ts)}}}')
    return b"".join((head, encoded, "".join(parts).encode("utf-8")))
