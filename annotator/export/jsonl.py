"""JSONL: one document a line, a superset of Prodigy's ``db-out`` shape.

Keys: ``text``, ``meta``, ``tokens``, ``spans`` (entities), ``claims`` (with their
attributes), the document labels (Prodigy's ``textcat`` ``options`` and ``accept``, and
``doc_labels`` by category and ``cats``: see :func:`doc_label_keys`), ``answer``
(``accept``/``ignore``/``reject`` for done/skipped/flagged; a document still new or in
progress carries ``status`` instead), ``_input_hash`` (of the text), ``_task_hash`` (of
the text and labels), ``_annotator_id`` (whose labels: the annotator's set, or the names
on the spans), ``_session_id`` (in a team project, as Prodigy writes it:
``TEAM-ANNOTATOR``) and ``_timestamp``, and with ``include_rejected`` a ``rejected`` list
of negative examples. Every value is
derived from stored data, and :mod:`annotator.importers` keeps what it cannot derive
(``_timestamp`` in meta), so import then export gives the same lines again.

The tokens are the project tokenizer's (:func:`annotator.tokens.blank_nlp`, the one the
suggestions were made with). An entity that does not start and end on token boundaries
follows the ``align`` policy as in the spacy and conll exports: ``strict`` leaves it out,
``expand``/``contract`` move it to the tokens it touches/contains; either way it is
counted in the summary. A document longer than ``MAX_TOKENIZED_CHARS`` is written
without tokens (counted, with a warning).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..jsonenc import compact_json
from ..tokens import compute
from .base import (
    DocRecord,
    DocScheme,
    ExportOptions,
    ExportSummary,
    OutputFiles,
    atomic_file,
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
          summary: ExportSummary, files: OutputFiles) -> None:
    with atomic_file(files, out, "wb") as fh:
        lines: list[bytes] = []
        for rec in records:
            lines.append(encode_bytes(rec, opts, summary))
            lines.append(b"\n")
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


def token_end(text: str, starts: Sequence[int], i: int) -> int:
    """Where token ``i`` ends, from the token starts alone: at the next token's start,
    less the one space spaCy keeps as a token's ``whitespace_`` (whitespace tokens
    never have one)."""
    nxt = starts[i + 1] if i + 1 < len(starts) else len(text)
    if nxt - 1 > starts[i] and text[nxt - 1] == " " and not text[starts[i]].isspace():
        return nxt - 1
    return nxt


def align(text: str, starts: Sequence[int], start: int, end: int, mode: str
          ) -> tuple[int, int, int, int] | None:
    """``(start, end, token_start, token_end)`` of a span under the ``align`` policy
    (token_end inclusive), or ``None`` where it is left out: off token boundaries under
    ``strict``, or with no whole token inside under ``contract``."""
    if not starts:
        return None
    first = max(bisect_right(starts, start) - 1, 0)
    last = max(bisect_right(starts, end - 1) - 1, 0)
    last_end = token_end(text, starts, last)
    if starts[first] == start and last_end == end:
        return start, end, first, last
    if mode == "expand":
        return starts[first], last_end, first, last
    if mode == "contract":
        if starts[first] < start:
            first += 1
        if last_end > end:
            last -= 1
        if first > last:
            return None
        return starts[first], token_end(text, starts, last), first, last
    return None


def _entities(rec: DocRecord, opts: ExportOptions, starts: Sequence[int],
              summary: ExportSummary | None) -> list[dict[str, Any]]:
    text = rec.doc.text
    spans: list[dict[str, Any]] = []
    tokens = opts.tokens and not rec.too_long
    last_end = -1
    for s in rec.entities:
        span: dict[str, Any]
        if tokens:
            where = align(text, starts, s.start, s.end, opts.align)
            if where is None:
                if summary is not None:
                    summary.skip(f"entity spans not on token boundaries (align={opts.align})")
                continue
            start, end, first, last = where
            if start < last_end:  # entities come sorted by start; two grew into one token
                if summary is not None:
                    summary.skip("entity spans overlapping another once aligned "
                                 f"(align={opts.align})")
                continue
            if (start, end) != (s.start, s.end) and summary is not None:
                summary.adjusted[f"entity spans moved to token boundaries (align={opts.align})"
                                 ] += 1
            span = {"start": start, "end": end, "token_start": first, "token_end": last}
            last_end = end
        else:
            start, end = s.start, s.end
            span = {"start": start, "end": end}
        span["label"] = s.label
        span["text"] = text[start:end]
        spans.append(span)
        if summary is not None:
            summary.spans_by_label[s.label] += 1
    return spans


def doc_label_keys(rec: DocRecord, scheme: DocScheme,
                   summary: ExportSummary | None = None) -> str:
    """The document labels as JSON keys (each with its leading comma): Prodigy's
    ``textcat`` answer (``options``, every document label of the scheme, and ``accept``,
    the ids of those chosen), ``doc_labels`` (``{category: [labels]}``: Prodigy's
    options do not say the category) and ``cats`` (``{label: 0 or 1}``, spaCy's)."""
    chosen = scheme.chosen(rec)
    accept = [label for labels in chosen.values() for label in labels]
    if summary is not None:
        summary.doc_labels_by_label.update(accept)
    every = scheme.all_labels()
    accepted = set(accept)
    return "".join((
        ',"options":', _dumps([{"id": label, "text": label} for label in every]),
        ',"accept":', _dumps(accept), ',"doc_labels":', _dumps(chosen),
        ',"cats":', _dumps({label: int(label in accepted) for label in every})))


def encode_bytes(rec: DocRecord, opts: ExportOptions,
                 summary: ExportSummary | None = None) -> bytes:
    """The JSONL line of one document (without the newline) in UTF-8, and with
    ``summary`` its spans counted there (written, left out, moved). The labels are
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
        if rec.too_long:
            if summary is not None:
                summary.untokenized += 1
        else:
            starts, encoded = rec.tokens if rec.tokens is not None else compute(text)
            parts.append(',"tokens":')
    head = "".join(parts).encode("utf-8")
    parts = []
    spans = _entities(rec, opts, starts, summary)
    if summary is not None:
        count_spans(summary, rec, entities=False)
    labels = [',"spans":', _dumps(spans), ',"claims":',
              _dumps([claim_dict(rec, s) for s in rec.claims])]
    if opts.include_rejected:
        labels += [',"rejected":', _dumps([
            {"layer": s.layer, "start": s.start, "end": s.end, "label": s.label,
             "text": text[s.start:s.end]} for s in rec.rejected])]
    if opts.doc_scheme is not None:
        labels.append(doc_label_keys(rec, opts.doc_scheme, summary))
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
