"""What every exporter shares: options, the summary, the filtered document stream,
atomic output files and stable hashes. Imports no spaCy."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from ..model import AUTO, GOLD, Document, Span
from ..store import Store
from ..tokens import TokenCache

FORMATS = ("jsonl", "spacy", "doccano", "labelstudio", "conll")
LAYER_CHOICES = ("entity", "claim", "all")
ALIGN_CHOICES = ("strict", "expand", "contract")
PROGRESS_EVERY = 100  # documents between two on_progress calls


class ExportError(Exception):
    """The export cannot be done (output exists, bad option); nothing was written."""


@dataclass
class ExportOptions:
    """Which documents and spans go out, and how spaCy formats align them."""

    status: str = "done"
    layer: str = "all"
    include_rejected: bool = False
    annotator: str | None = None
    dev_fraction: float = 0.2
    seed: int = 0
    align: str = "strict"
    spancat: bool = False
    tokens: bool = True
    #: ``auto`` (gold where reviewed, else the one annotator's set), ``gold`` (the
    #: project's own set), or an annotator's set by name.
    annotation_set: str = AUTO

    def check(self) -> None:
        if self.layer not in LAYER_CHOICES:
            raise ExportError(f"layer must be one of {LAYER_CHOICES}, not {self.layer!r}")
        if self.align not in ALIGN_CHOICES:
            raise ExportError(f"align must be one of {ALIGN_CHOICES}, not {self.align!r}")
        if not 0.0 <= self.dev_fraction < 1.0:
            raise ExportError(f"dev fraction must be in [0, 1), not {self.dev_fraction}")

    @property
    def status_filter(self) -> str | None:
        return None if self.status in ("any", "all", "") else self.status

    @property
    def set_filter(self) -> str | None:
        """The set as :meth:`Store.iter_set_documents` takes it (``None``: auto)."""
        name = self.annotation_set
        return None if name == AUTO else "" if name in (GOLD, "") else name


@dataclass
class ExportSummary:
    """What an export wrote, and what it left out and why."""

    fmt: str
    out: Path
    documents: int = 0
    spans_by_label: Counter[str] = field(default_factory=Counter)
    rejected_by_label: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> count
    adjusted: Counter[str] = field(default_factory=Counter)  # kept, but moved
    files: list[Path] = field(default_factory=list)
    splits: dict[str, int] = field(default_factory=dict)
    tokenized: int = 0  # documents whose tokens were not cached yet
    tokens_saved: int = 0  # of those, written to the cache

    @property
    def spans(self) -> int:
        return sum(self.spans_by_label.values())

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n

    def summary(self) -> str:
        """One line (plus one per skip reason): documents, spans per label, skips."""
        labels = ", ".join(f"{k} {v}" for k, v in sorted(self.spans_by_label.items()))
        text = (f"exported {self.documents} document(s), {self.spans} span(s)"
                f"{f' ({labels})' if labels else ''} as {self.fmt} to {self.out}")
        if self.splits:
            text += " [" + ", ".join(f"{k} {v}" for k, v in self.splits.items()) + "]"
        if self.rejected_by_label:
            text += f"; {sum(self.rejected_by_label.values())} rejected span(s) as negatives"
        for reason, n in sorted(self.skipped.items()):
            text += f"\n  skipped {n}: {reason}"
        for reason, n in sorted(self.adjusted.items()):
            text += f"\n  adjusted {n}: {reason}"
        if self.tokenized:
            text += f"\n  tokenized {self.tokenized} document(s) without cached tokens"
            if self.tokens_saved == self.tokenized:
                text += " (cached now, for the next export)"
            else:
                text += (f" ({self.tokens_saved} cached for the next export; the project "
                         "could not be written for the rest)")
        return text


@dataclass
class DocRecord:
    """One document ready to export: its accepted (filtered) spans by layer, the
    rejected ones if asked for, and every span of the document by id (claimants)."""

    doc: Document
    entities: list[Span]
    claims: list[Span]
    rejected: list[Span]
    by_id: dict[int, Span]
    tokens: Any = None  # (token starts, tokens JSON in UTF-8) when asked for
    #: Whose labels these are, as Prodigy means ``_annotator_id`` and ``_session_id``:
    #: set in a team project (its annotators' files included), else ``None`` (the names
    #: on the spans, and no session).
    annotator_id: str | None = None
    session_id: str | None = None


TOKEN_BATCH = 500  # documents whose cached tokens are read (and written) together


def iter_records(store: Store, opts: ExportOptions, summary: ExportSummary,
                 on_progress: Callable[[int], None] | None = None,
                 tokens: bool = False) -> Iterator[DocRecord]:
    """Stream the documents the options select, with their spans filtered, and with
    ``tokens`` their tokens from the project's token cache (:class:`TokenCache`).

    ``on_progress(n)`` gets the number of documents done every few documents and at
    the end; an exception it raises cancels the export (nothing is left behind)."""
    records = _iter_records(store, opts, summary, on_progress)
    if not tokens:
        yield from records
        return
    cache = TokenCache(store)
    batch: list[DocRecord] = []
    for rec in itertools.chain(records, [None]):
        if rec is not None:
            batch.append(rec)
            if len(batch) < TOKEN_BATCH:
                continue
        found = cache.get([(r.doc.id, r.doc.text) for r in batch])
        for r in batch:
            r.tokens = found[r.doc.id]
        summary.tokenized, summary.tokens_saved = cache.computed, cache.saved
        yield from batch
        batch = []


def _iter_records(store: Store, opts: ExportOptions, summary: ExportSummary,
                  on_progress: Callable[[int], None] | None) -> Iterator[DocRecord]:
    layers = ("entity", "claim") if opts.layer == "all" else (opts.layer,)
    n = 0
    team = store.meta_value("team")
    for doc, found, name in store.iter_set_documents(opts.status_filter, opts.set_filter):
        if found is None:
            summary.skip("two or more annotators' sets, not reviewed (review them, or "
                         "export one annotator's with --set NAME)")
            continue
        spans = found
        entities: list[Span] = []
        claims: list[Span] = []
        rejected: list[Span] = []
        for span in spans:
            if span.layer not in layers:
                continue
            if opts.annotator is not None and span.annotator != opts.annotator:
                continue
            if span.decision == "accepted":
                (entities if span.layer == "entity" else claims).append(span)
            elif span.decision == "rejected" and opts.include_rejected:
                rejected.append(span)
        rec = DocRecord(doc, entities, claims, rejected,
                        {s.id: s for s in spans if s.id is not None})
        if team is not None:
            rec.annotator_id = name or ",".join(sorted(
                {s.annotator for s in entities + claims if s.annotator})) or None
            rec.session_id = f"{team}-{rec.annotator_id or GOLD}"
        yield rec
        n += 1
        summary.documents = n
        if on_progress is not None and n % PROGRESS_EVERY == 0:
            on_progress(n)
    if on_progress is not None:
        on_progress(n)


# --- output files -------------------------------------------------------------------


def check_free(paths: list[Path], force: bool) -> None:
    """Refuse to overwrite unless ``force``."""
    if force:
        return
    taken = [p for p in paths if p.exists()]
    if taken:
        raise ExportError(f"{', '.join(map(str, taken))} already exists; "
                          "pass force (--force) to overwrite")


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write to a temporary file next to ``path``; rename over it only on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        enc = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=enc, newline=None if enc is None else "\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def staging_dir(parent: Path) -> Iterator[Path]:
    """A temporary folder in ``parent`` (same file system, so renames are atomic),
    removed afterwards with whatever is still in it."""
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=parent))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def move_into_place(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst``, replacing a file or folder already there."""
    if dst.is_dir() and not dst.is_symlink():
        shutil.rmtree(dst)
    os.replace(src, dst)


# --- shared values ------------------------------------------------------------------


def stable_hash(value: Any) -> int:
    """A signed 32-bit hash of a string (or JSON-able value), the same in every run
    (Prodigy's ``_input_hash``/``_task_hash`` are signed 32-bit integers too)."""
    data = value if isinstance(value, str) else json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.blake2b(data.encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def epoch_seconds(timestamp: str | None) -> int | None:
    """``2024-08-13T02:20:04.123Z`` as integer seconds since the epoch."""
    if not timestamp:
        return None
    try:
        return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def claimant(rec: DocRecord, span: Span) -> dict[str, Any] | None:
    """The claim's claimant: ``{"text", "start", "end", "label"}`` when linked to an
    entity span of the document, ``{"text"}`` for free text, else ``None``."""
    claim = span.claim
    if claim is None:
        return None
    target = rec.by_id.get(claim.claimant_span_id) if claim.claimant_span_id else None
    if target is not None:
        return {"text": rec.doc.text[target.start:target.end], "start": target.start,
                "end": target.end, "label": target.label}
    if claim.claimant_text:
        return {"text": claim.claimant_text}
    return None


def claim_dict(rec: DocRecord, s: Span) -> dict[str, Any]:
    """A claim span with its attributes (JSONL ``claims``, DocBin ``user_data``)."""
    c = s.claim
    return {
        "start": s.start, "end": s.end, "text": rec.doc.text[s.start:s.end], "label": s.label,
        "claim_type": c.claim_type if c else None,
        "claimant": claimant(rec, s),
        "via": c.via if c else None,
        "checkworthy": c.checkworthy if c else None,
        "hedged": c.hedged if c else None,
    }


def count_spans(summary: ExportSummary, rec: DocRecord, *, claims: bool = True,
                rejected: bool = True) -> None:
    """Add a record's spans to the summary (what the format writes)."""
    for span in rec.entities:
        summary.spans_by_label[span.label] += 1
    if claims:
        for span in rec.claims:
            summary.spans_by_label[span.label] += 1
    if rejected:
        for span in rec.rejected:
            summary.rejected_by_label[span.label] += 1
