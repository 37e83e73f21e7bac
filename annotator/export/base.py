"""What every exporter shares: options, the summary, the filtered document stream,
atomic output files and stable hashes. Imports no spaCy."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import threading
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from .. import testhook
from ..errors import ExportError as ExportError
from ..formats import ALIGN_CHOICES, FORMATS, LAYER_CHOICES
from ..model import (
    AUTO,
    GOLD,
    LAYERS,
    DocLabel,
    Document,
    LabelCategory,
    LabelScheme,
    Span,
    check_label_name,
)
from ..paths import clash_refusal, project_clashes
from ..store import Store
from ..tokens import TokenCache, TokenRequest

__all__ = ["ALIGN_CHOICES", "FORMATS", "LAYER_CHOICES"]  # re-exported (see ..formats)
PROGRESS_EVERY = 100  # documents between two on_progress calls
#: Documents longer than this (spaCy's default ``nlp.max_length``) are not tokenised: a
#: spaCy ``Doc`` costs about 60 bytes of memory per character of text (measured: a
#: 300 MB document needed more than 14 GB), so the JSONL export writes them without
#: tokens and the token formats (spacy, conll) leave them out, counted, with a warning.
MAX_TOKENIZED_CHARS = 1_000_000


@dataclass
class ExportOptions:
    """Which documents and spans go out, and how spaCy formats align them."""

    status: str = "done"
    layer: str | None = None  # None: the format's default (see default_layer)
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
    #: Write an export with no document in it instead of failing, when every document
    #: was left out (for example none reviewed; see :func:`annotator.export.export`).
    allow_empty: bool = False
    #: The project's document-label categories when the export writes document labels
    #: (``layer`` doc or all, and the scheme has some); filled in by the export itself.
    doc_scheme: DocScheme | None = None

    def check(self) -> None:
        if self.layer is not None and self.layer not in LAYER_CHOICES:
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
        return resolve_set(self.annotation_set)


@dataclass(frozen=True)
class DocScheme:
    """The document-label categories of a project, each with its labels in order: what
    the exports write as options, columns, choices and ``textcat`` components."""

    categories: tuple[LabelCategory, ...]
    labels: dict[str, tuple[str, ...]]  # category -> its labels' names

    @classmethod
    def of(cls, scheme: LabelScheme) -> DocScheme | None:
        """The categories of ``scheme`` that have labels, or ``None`` if none has."""
        cats = tuple(c for c in scheme.categories if scheme.doc_labels(c.name))
        if not cats:
            return None
        return cls(cats, {c.name: tuple(x.name for x in scheme.doc_labels(c.name))
                          for c in cats})

    def all_labels(self) -> list[str]:
        """Every document label, category by category (names are unique in a scheme)."""
        return [label for c in self.categories for label in self.labels[c.name]]

    def has(self, category: str, label: str) -> bool:
        return label in self.labels.get(category, ())

    def chosen(self, rec: DocRecord) -> dict[str, list[str]]:
        """The record's document labels by category, in the scheme's order (every
        category, an empty list where the document has none)."""
        got = {(x.category, x.label) for x in rec.doc_labels}
        return {c.name: [label for label in self.labels[c.name] if (c.name, label) in got]
                for c in self.categories}


def wants_doc_labels(layer: str | None) -> bool:
    """Whether an export of ``layer`` writes document labels."""
    return layer in ("doc", "all", None)


def resolve_set(name: str) -> str | None:
    """``--set`` as :meth:`Store.iter_set_documents` takes it: ``auto`` -> ``None``,
    ``gold`` -> ``""`` (the project's own set), an annotator's name as it is. The one
    meaning of ``--set`` for ``export``, ``train`` and ``evaluate``."""
    return None if name == AUTO else "" if name in (GOLD, "") else name


def unknown_set(store: Store, name: str) -> str | None:
    """Why ``--set name`` cannot be chosen in this project (no such annotator's set),
    or ``None``."""
    wanted = resolve_set(name)
    known = [s["name"] for s in store.annotation_sets()]
    if not wanted or wanted in known:
        return None
    return (f"no annotation set {name!r} in the project (auto, gold, or an annotator's: "
            f"{', '.join(known) or 'none: not a team project'})")


def emptied_reason(store: Store, doc_id: int, name: str, layers: Iterable[str]) -> str | None:
    """Why a document whose chosen set ``name`` keeps no span is left out (another set
    of it has spans: "nothing here" where an annotator found something), or ``None``."""
    if store.has_annotation_sets() and store.emptied_documents([doc_id], name, tuple(layers)):
        return EMPTIED.format(which=f"{name}'s" if name else "gold")
    return None


def nothing_chosen(store: Store, annotation_set: str, skipped: Mapping[str, int],
                   what: str) -> str:
    """Why ``--set annotation_set`` chose no done document (``what``: "nothing to learn
    from"), and the step that gives some: in a team project the review (done in the gold
    set means reviewed), with ``annotator review`` commands that run as printed; else
    marking documents done."""
    left = "".join(f"; left out {n}: {reason}" for reason, n in sorted(skipped.items()))
    if not store.has_annotation_sets():
        return (f"no document is marked done: {what} (mark documents done with D in the "
                "window, `annotator mark done`, or import labelled data with --status "
                f"done){left}")
    from ..session import review_steps

    name = resolve_set(annotation_set)
    names = ", ".join(s["name"] for s in store.annotation_sets())
    if name:
        return (f"--set {annotation_set}: {name} marked no document done in the files merged "
                f"so far: {what}{left} (merge their finished file, or choose another set: "
                f"gold, auto, or one of {names})")
    waiting = sorted({i for s in store.annotation_sets()
                      for i in store.set_documents(s["name"], "done")}
                     - set(store.document_ids("done")))
    steps = "".join(f"; {step}" for step in review_steps(store, waiting))
    return (f"--set {annotation_set}: no reviewed document, {what} (a team project: done "
            f"in the gold set means reviewed; 0 of {store.count_documents()} are){left}"
            f"{steps}; or use one annotator's labels with --set NAME ({names})")


def chosen_documents(store: Store, annotation_set: str, layers: Iterable[str],
                     skip: Callable[[str], None], status: str | None = "done"
                     ) -> Iterator[tuple[Document, list[Span], str]]:
    """The documents (with ``status``) of the set ``--set annotation_set`` chooses, with
    their spans in that set and its name, as ``export`` writes them: a document auto
    cannot choose for (two or more unreviewed sets) and one whose chosen set has no
    accepted span of ``layers`` while another set has are left out, each through
    ``skip(reason)`` (``train`` and ``evaluate --set`` read a team's labels this way)."""
    layers = tuple(layers)
    for doc, found, name in store.iter_set_documents(status, resolve_set(annotation_set)):
        if found is None:
            skip(NOT_REVIEWED)
            continue
        kept = any(s.decision == "accepted" and s.layer in layers for s in found)
        reason = None if kept else emptied_reason(store, doc.id, name, layers)
        if reason is not None:
            skip(reason)
            continue
        yield doc, found, name


def default_layer(fmt: str) -> str:
    """The layers a format exports unless asked otherwise: doccano takes entities only,
    because a default doccano project ("Allow overlapping spans" off) drops every span
    that overlaps another, and claims contain entities and overlap each other."""
    return "entity" if fmt == "doccano" else "doc" if fmt == "csv" else "all"


@dataclass
class ExportSummary:
    """What an export wrote, and what it left out and why."""

    fmt: str
    out: Path
    documents: int = 0
    spans_by_label: Counter[str] = field(default_factory=Counter)
    doc_labels_by_label: Counter[str] = field(default_factory=Counter)
    rejected_by_label: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> count
    adjusted: Counter[str] = field(default_factory=Counter)  # kept, but moved
    files: list[Path] = field(default_factory=list)
    splits: dict[str, int] = field(default_factory=dict)
    tokenized: int = 0  # documents whose tokens were not cached yet
    tokens_saved: int = 0  # of those, written to the cache
    untokenized: int = 0  # documents too long to tokenise, written without tokens
    stale_removed: int = 0  # temporary files of an earlier, killed export, removed
    warnings: list[str] = field(default_factory=list)
    command: str | None = None  # how to use the export (spacy: the train command)

    @property
    def spans(self) -> int:
        return sum(self.spans_by_label.values())

    @property
    def doc_labels(self) -> int:
        return sum(self.doc_labels_by_label.values())

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n

    def summary(self) -> str:
        """One line (plus one per skip reason): documents, spans per label, skips."""
        labels = ", ".join(f"{k} {v}" for k, v in sorted(self.spans_by_label.items()))
        text = (f"exported {self.documents} document(s), {self.spans} span(s)"
                f"{f' ({labels})' if labels else ''}")
        if self.doc_labels:
            chosen = ", ".join(f"{k} {v}" for k, v in sorted(self.doc_labels_by_label.items()))
            text += f", {self.doc_labels} document label(s) ({chosen})"
        text += f" as {self.fmt} to {self.out}"
        if self.splits:
            text += " [" + ", ".join(f"{k} {v}" for k, v in self.splits.items()) + "]"
        if self.rejected_by_label:
            text += f"; {sum(self.rejected_by_label.values())} rejected span(s) as negatives"
        for reason, n in sorted(self.skipped.items()):
            text += f"\n  skipped {n}: {reason}"
        for reason, n in sorted(self.adjusted.items()):
            text += f"\n  adjusted {n}: {reason}"
        if self.untokenized:
            text += (f"\n  warning: {self.untokenized} document(s) over "
                     f"{MAX_TOKENIZED_CHARS:,} characters written without tokens (their spans "
                     "without token_start/token_end)")
        for warning in self.warnings:
            text += f"\n  warning: {warning}"
        if self.stale_removed:
            text += (f"\n  removed {self.stale_removed} temporary file(s) left by an earlier "
                     "interrupted export")
        if self.tokenized:
            text += f"\n  tokenized {self.tokenized} document(s) without cached tokens"
            if self.tokens_saved == self.tokenized:
                text += " (cached now, for the next export)"
            else:
                text += (f" ({self.tokens_saved} cached for the next export; the project "
                         "could not be written for the rest)")
        if self.command:
            text += f"\n  {self.command}"
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
    #: The accepted document labels (when the export writes them).
    doc_labels: list[DocLabel] = field(default_factory=list)
    #: Whose labels these are, as Prodigy means ``_annotator_id`` and ``_session_id``:
    #: set in a team project (its annotators' files included), else ``None`` (the names
    #: on the spans, and no session).
    annotator_id: str | None = None
    session_id: str | None = None

    @property
    def too_long(self) -> bool:
        """Too long to tokenise (see :data:`MAX_TOKENIZED_CHARS`)."""
        return len(self.doc.text) > MAX_TOKENIZED_CHARS

    def skip_document(self, summary: ExportSummary, reason: str) -> None:
        """Leave the whole document out, counting it and each of its spans."""
        n = len(self.entities) + len(self.claims) + len(self.rejected)
        if n:
            summary.skip(f"spans of {reason}", n)
        if self.doc_labels:
            summary.skip(f"document labels of {reason}", len(self.doc_labels))
        summary.skip(reason)
        summary.documents -= 1


#: Why documents of a team project are left out (the reasons in the summary).
NOT_REVIEWED = ("two or more annotators' sets, not reviewed (review them, or export one "
                "annotator's with --set NAME)")
EMPTIED = ("documents whose {which} set has no span while another set of them has spans "
           "(not reviewed: review them, or export an annotator's set with --set NAME)")

TOKEN_BATCH = 256  # documents whose cached tokens are read (and written) together


def iter_records(store: Store, opts: ExportOptions, summary: ExportSummary,
                 on_progress: Callable[[int], None] | None = None,
                 tokens: bool = False, processes: int | None = 1
                 ) -> Generator[DocRecord, None, None]:
    """Stream the documents the options select, with their spans filtered, and with
    ``tokens`` their tokens from the project's token cache (:class:`TokenCache`; those
    not cached yet are tokenised by ``processes`` worker processes, ``None``: by as many
    as pay, while this one writes the batch before).

    ``on_progress(n)`` gets the number of documents done every few documents and at
    the end; an exception it raises cancels the export (nothing is left behind)."""
    records = _iter_records(store, opts, summary, on_progress)
    if not tokens:
        yield from records
        return
    with TokenCache(store, processes=processes) as cache:
        ahead: tuple[list[DocRecord], TokenRequest] | None = None
        for batch in _batches(records, TOKEN_BATCH):
            asked = cache.request([(r.doc.id, r.doc.text) for r in batch if not r.too_long])
            if ahead is not None:  # the batch before, tokenised while this one was read
                yield from _with_tokens(cache, *ahead, summary)
            ahead = batch, asked
        if ahead is not None:
            yield from _with_tokens(cache, *ahead, summary)


def _batches(records: Iterator[DocRecord], size: int) -> Iterator[list[DocRecord]]:
    batch: list[DocRecord] = []
    for rec in records:
        batch.append(rec)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _with_tokens(cache: TokenCache, batch: list[DocRecord], asked: TokenRequest,
                 summary: ExportSummary) -> list[DocRecord]:
    found = cache.collect(asked)
    for r in batch:
        r.tokens = found.get(r.doc.id)
    summary.tokenized, summary.tokens_saved = cache.computed, cache.saved
    return batch


def _iter_records(store: Store, opts: ExportOptions, summary: ExportSummary,
                  on_progress: Callable[[int], None] | None) -> Iterator[DocRecord]:
    layers = LAYERS if opts.layer in ("all", None) else () if opts.layer == "doc" \
        else (opts.layer,)
    bad_labels: dict[str, str | None] = {}
    n = 0
    team = store.meta_value("team")
    sets = store.has_annotation_sets()
    # one query a document (26 µs) only where there can be something to find: most
    # projects without document labels export as fast as before
    doc_labels_here = opts.doc_scheme is not None and (sets or any(
        n["accepted"] for by_label in store.doc_label_counts().values()
        for n in by_label.values()))
    for doc, found, name in store.iter_set_documents(opts.status_filter, opts.set_filter):
        if found is None:
            summary.skip(NOT_REVIEWED)
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
            if span.label not in bad_labels:
                bad_labels[span.label] = check_label_name(span.label)
            if bad_labels[span.label] is not None:
                # made before labels were checked: it would corrupt CoNLL lines and
                # Label Studio's XML; rename the label to export it
                if span.decision == "accepted" or opts.include_rejected:
                    summary.skip("spans whose label is not a valid name (whitespace or "
                                 "control characters; rename the label)")
                continue
            if span.decision == "accepted":
                (entities if span.layer == "entity" else claims).append(span)
            elif span.decision == "rejected" and opts.include_rejected:
                rejected.append(span)
        doc_labels = _doc_labels(store, doc.id, name, opts, summary) if doc_labels_here \
            else []
        emptied = None if entities or claims or doc_labels or opts.annotator or not sets \
            or not layers else emptied_reason(store, doc.id, name, layers)
        if emptied is not None:
            # "Nothing here" where an annotator found something: poison for training.
            summary.skip(emptied)
            continue
        rec = DocRecord(doc, entities, claims, rejected,
                        {s.id: s for s in spans if s.id is not None}, doc_labels=doc_labels)
        if team is not None:
            rec.annotator_id = name or ",".join(sorted(
                {s.annotator for s in entities + claims if s.annotator})) or None
            rec.session_id = f"{team}-{rec.annotator_id or GOLD}"
        yield rec
        testhook.step("export")  # TEST-ONLY: a kill test may stop here
        n += 1
        summary.documents += 1
        if on_progress is not None and n % PROGRESS_EVERY == 0:
            on_progress(n)
    if on_progress is not None:
        on_progress(n)


#: Why a stored document label is not exported (summary.skipped).
NOT_IN_SCHEME = ("document labels whose label or category is no longer in the project's "
                 "scheme (add it back with `annotator labels add NAME --layer doc`)")


def _doc_labels(store: Store, doc_id: int, annotation_set: str, opts: ExportOptions,
                summary: ExportSummary) -> list[DocLabel]:
    """The document's accepted document labels in ``annotation_set`` that the export
    writes (``opts.doc_scheme``; none without), those outside the scheme counted."""
    scheme = opts.doc_scheme
    if scheme is None:
        return []
    kept = []
    for label in store.doc_labels(doc_id, annotation_set):
        if label.decision != "accepted":
            continue
        if opts.annotator is not None and label.annotator != opts.annotator:
            continue
        if not scheme.has(label.category, label.label):
            summary.skip(NOT_IN_SCHEME)
            continue
        kept.append(label)
    return kept


# --- output files -------------------------------------------------------------------

#: The names an earlier, killed export may have left: ``.NAME.XXXXXXXX.tmp`` beside a
#: file output (ours, and :func:`tempfile.mkstemp`'s of older versions), and
#: ``.export-XXXXXXXX`` folders inside a spacy output folder.
STALE_TMP = r"\.{name}\.[A-Za-z0-9_]{{6,16}}\.tmp"
STALE_DIR = re.compile(r"\.export-[A-Za-z0-9_]{6,16}")


HELD_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back while the body runs, so that the few renames
    that put an export in place, and the removal of its temporary files, are not cut in
    half; a signal that came meanwhile is acted on right after, by the handler that was
    in place. Python runs signal handlers in the main thread only, so elsewhere (a
    window's worker) there is nothing to hold back. The handlers are swapped rather than
    the signals masked: a masked signal goes to another thread of the process, whose C
    handler still has the main thread run the Python one."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def remember(signum: int, frame: Any) -> None:
        caught.append(signum)

    old: dict[int, Any] = {}
    try:
        for signum in HELD_SIGNALS:
            old[signum] = signal.signal(signum, remember)
        yield
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)
        if caught:
            handler = old[caught[0]]
            if callable(handler):
                handler(caught[0], None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), caught[0])


class OutputFiles:
    """The files and folders one export makes, temporary until :meth:`commit`.

    Every path is recorded *before* it is created, so whatever stops the export (an
    exception, SIGINT, SIGTERM turned into an exception by the CLI, a full disk),
    :meth:`close` finds and removes it: temporary files, staging folders, and the
    output folders this export made that are still empty. Files are created with mode
    0666 (0777 for folders) less the umask, as any program's files, not ``mkstemp``'s
    0600, so that a server running as another user (Label Studio, doccano) can read
    them. :meth:`commit` renames everything into place at the end."""

    def __init__(self) -> None:
        self.temporary: list[Path] = []
        self.created_dirs: list[Path] = []
        self.moves: list[tuple[Path, Path]] = []
        self.committed = False

    def make_dirs(self, folder: Path) -> None:
        """``mkdir -p folder``, remembering the folders made (removed again if the
        export fails and leaves them empty)."""
        missing = []
        while not os.path.lexists(folder):
            missing.append(folder)
            if folder.parent == folder:
                break
            folder = folder.parent
        for path in reversed(missing):
            self.created_dirs.append(path)
            with contextlib.suppress(FileExistsError):
                path.mkdir()

    def temp_file(self, path: Path) -> tuple[int, Path]:
        """A new file ``.NAME.XXXXXXXX.tmp`` beside ``path``: (open descriptor, path)."""
        self.make_dirs(path.parent)
        while True:
            tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
            self.temporary.append(tmp)
            try:
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
                return os.open(tmp, flags, 0o666), tmp
            except FileExistsError:
                self.temporary.pop()

    def temp_dir(self, parent: Path) -> Path:
        """A new folder ``parent/.export-XXXXXXXX`` (same file system as the output,
        so the renames into place are atomic)."""
        self.make_dirs(parent)
        while True:
            tmp = parent / f".export-{secrets.token_hex(4)}"
            self.temporary.append(tmp)
            try:
                tmp.mkdir(0o777)
                return tmp
            except FileExistsError:
                self.temporary.pop()

    def place(self, src: Path, dst: Path) -> None:
        """Rename ``src`` to ``dst`` at :meth:`commit`."""
        self.moves.append((src, dst))

    def commit(self) -> None:
        """Put every output in place (signals held back: all of them or none)."""
        with signals_deferred():
            for src, dst in self.moves:
                testhook.step("export")  # TEST-ONLY: between the renames
                move_into_place(src, dst)
            self.committed = True

    def close(self) -> None:
        """Remove what is temporary; after a failure, the output folders this export
        made as well, if they are empty."""
        with signals_deferred():
            for path in reversed(self.temporary):
                _remove(path)
            if not self.committed:
                for folder in reversed(self.created_dirs):
                    with contextlib.suppress(OSError):
                        folder.rmdir()  # only if empty: never what was there before


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


def remove_stale(paths: list[Path], folder: Path | None = None) -> int:
    """Remove the temporary files that a killed earlier export to ``paths`` (and the
    staging folders it left in ``folder``) left behind; how many were removed."""
    removed = 0
    for path in paths:
        pattern = re.compile(STALE_TMP.format(name=re.escape(path.name)))
        with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
            for entry in entries:
                if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed += 1
    if folder is not None:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if STALE_DIR.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                    removed += 1
    return removed


def check_free(paths: list[Path], force: bool) -> None:
    """Refuse to overwrite unless ``force``; a symlink counts as taken even when it
    points nowhere (``force`` replaces the link, never what it points to)."""
    if force:
        return
    taken = [p for p in paths if os.path.lexists(p)]
    if taken:
        dangling = [p for p in taken if not p.exists()]
        note = f" (a symlink to nothing: {', '.join(map(str, dangling))})" if dangling else ""
        raise ExportError(f"{', '.join(map(str, taken))} already exists{note}; "
                          "pass force (--force) to overwrite")


def check_writable_target(out: Path, folder: bool) -> None:
    """Refuse, before anything is written, an ``out`` that cannot be written as asked:
    a folder where a file goes, a file where a folder goes, a file among its parents."""
    if folder:
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out} is a file; this format writes a folder: choose a "
                              "folder name")
    elif out.is_dir():
        raise ExportError(f"{out} is a folder; this format writes a file: choose a file "
                          "name (--force replaces files, never folders)")
    parent = out.parent
    while not parent.exists():
        if os.path.lexists(parent):
            raise ExportError(f"cannot write {out}: {parent} is a symlink to nothing")
        parent = parent.parent
    if not parent.is_dir():
        raise ExportError(f"cannot write {out}: {parent} is a file, not a folder")


def refuse_project_paths(store: Store, paths: Iterable[Path]) -> None:
    """Refuse (:class:`ExportError`) any output that is, or would write inside, the
    project's own name space (see :func:`annotator.paths.project_clashes`: the project
    file, its side files and backups, by name, symlink or hard link)."""
    for path in project_clashes(store.path, paths):
        raise ExportError(clash_refusal(store.path, path))


@contextlib.contextmanager
def atomic_file(files: OutputFiles, path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write to a temporary file next to ``path``; it is renamed over ``path`` when
    ``files`` commits (and removed if anything fails first)."""
    fd, tmp = files.temp_file(path)
    enc = None if "b" in mode else "utf-8"
    with os.fdopen(fd, mode, encoding=enc, newline=None if enc is None else "\n") as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())
    files.place(tmp, path)


def move_into_place(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst``, replacing a file or folder already there."""
    if dst.is_dir() and not dst.is_symlink():
        shutil.rmtree(dst)
    os.replace(src, dst)


def describe_os_error(exc: OSError, out: Path | None = None) -> str:
    """One line for a failed write to ``out``: what happened and what to do."""
    name = exc.filename or out
    where = f" {name}" if name else ""
    if exc.errno == errno.ENOSPC:
        return f"disk full: could not write{where}; nothing was written (free space and " \
               "export again)"
    if exc.errno == errno.EFBIG:
        return f"file too large for this file system or limit: could not write{where}; " \
               "nothing was written"
    if exc.errno == errno.EROFS:
        return f"read-only file system: could not write{where}; choose another --out"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied: could not write{where}; choose another --out"
    if isinstance(exc, IsADirectoryError):
        return f"{name or 'the output'} is a folder; choose a file name"
    if isinstance(exc, NotADirectoryError | FileExistsError):
        return f"cannot write{where}: a part of the path is a file, not a folder"
    return f"could not write{where}: {exc.strerror or exc}; nothing was written"


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


def count_spans(summary: ExportSummary, rec: DocRecord, *, entities: bool = True,
                claims: bool = True, rejected: bool = True) -> None:
    """Add a record's spans to the summary (what the format writes)."""
    if entities:
        for span in rec.entities:
            summary.spans_by_label[span.label] += 1
    if claims:
        for span in rec.claims:
            summary.spans_by_label[span.label] += 1
    if rejected:
        for span in rec.rejected:
            summary.rejected_by_label[span.label] += 1
