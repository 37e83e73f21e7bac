"""Annotation operations: every decision a person makes, committed before it returns.

Each operation runs in one transaction that changes the spans (or the document) and
appends to the event log, then returns a :class:`Change`: the state of every touched
span before and after. :meth:`Session.revert` and :meth:`Session.reapply` restore one
side of a change, which is all an undo stack (``ui/commands.py``) needs.

**Repeated boundary moves.** Trimming a glued word takes several keys in a row; each
is committed at once, but a resize that *continues* the annotator's previous resize of
the same span (:meth:`Session.resize` with ``continuing``) within :data:`COALESCE_S`,
with nothing logged in between, rewrites that resize's event to end where the span now
ends instead of adding one. The log then says what the annotator did: one boundary move
from where the span was to where it was left, timestamped at the last key. The event
log's chain stays unbroken (each event's ``before`` is the ``after`` of the one before).

Within the ``entity`` layer, non-rejected spans never overlap: a new, resized,
relabelled or (re-)accepted entity replaces the *pending* suggestions it overlaps and
refuses to cover an accepted one (:class:`OverlapError`). Claims may overlap anything.

A session works in one annotation set (``Session(store, annotator, annotation_set)``,
default ``""``: the project's own, which is all a person working alone ever has, and
the gold set of a team project). Its operations read and write only that set's spans
and status, the overlap rule holds within it, and its events name it; a span of another
set is refused.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

from .errors import ConflictError as ConflictError
from .errors import NeedsReviewError as NeedsReviewError
from .errors import OverlapError as OverlapError
from .errors import SessionError as SessionError
from .errors import StorageError as StorageError
from .model import (
    CHECKWORTHY,
    CLAIM_TYPES,
    STATUSES,
    Claim,
    Span,
    as_status,
    check_plain_name,
)
from .store import ReadOnlyError, ReplacedError, Store, storage_reason

TYPE_CHECKING = False  # typing is not imported at run time: see annotator/model.py
if TYPE_CHECKING:
    from dataclasses import dataclass, field
    from typing import Any

    from .model import Decision, Layer, Status
else:  # Change's methods written out once, as the model's are (annotator/records.py)
    from .records import dataclass, field

#: Seconds within which a resize of a span continues the previous one (one event).
COALESCE_S = 1.0


def login_name() -> str:
    """The operating system's login name, the default annotator (``"annotator"`` where
    there is none, as in some containers)."""
    # getpass.getuser()'s own steps: importing getpass (with termios and warnings) was
    # 2 ms of `annotator mark`
    for key in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        name = os.environ.get(key)
        if name:
            return name
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, AttributeError):  # no pwd (Windows), no entry
        return "annotator"


def check_annotator_name(name: str, source: str = "--annotator") -> str:
    """``name`` stripped, if it is a plain name (:func:`~.model.check_plain_name`, the
    rule the window and split use); else :class:`SessionError` naming ``source``."""
    cleaned = name.strip()
    reason = check_plain_name(cleaned)
    if reason:
        raise SessionError(f"{source} {name!r}: {reason}")
    return cleaned


def decider(given: str | None, store: Store | None = None) -> str:
    """Who a decision is logged as, in this order: ``given`` (``--annotator``,
    ``Project(annotator=)``); ``$ANNOTATOR_NAME``; the annotator a split file was made
    for (its meta ``annotator``); the name saved in this project for this login
    (:func:`saved_name`, what the window asked); the login name. Every deciding command,
    the API and the window use this one rule."""
    if given is not None:
        return check_annotator_name(given)
    return named_annotator(store) or saved_name(store) or login_name()


def _name_key() -> str:
    """The project meta key of the name saved for this login (one per account, so a
    project file shared by two accounts does not log one person as the other)."""
    return f"annotator_name:{login_name()}"


def saved_name(store: Store | None) -> str | None:
    """The annotator name saved in this project for this login (:func:`save_name`), or
    ``None`` (none saved, or not a plain name). A setting of the project, not of the
    machine: the window's name was once one setting shared by every project of the
    account, and decisions in one project were logged under a name given in another."""
    if store is None:
        return None
    name = store.meta_value(_name_key())
    return name if name and check_plain_name(name) is None else None


def save_name(store: Store, name: str) -> bool:
    """Save ``name`` as this login's annotator name in this project (its ``meta``
    table, not a schema change), one small transaction. Returns whether the project
    holds it now: a read-only or busy project keeps none (the name is then asked or
    given again next time; nothing is decided in a read-only one)."""
    name = check_annotator_name(name, "annotator name")
    if saved_name(store) == name:
        return True
    if store.readonly:
        return False
    try:
        with store.write(250):
            store.set_meta(_name_key(), name)
    except (sqlite3.OperationalError, OSError) as exc:
        if storage_reason(exc, store.path) is None:
            raise
        return False
    return True


def project_annotator(store: Store, current: str) -> str:
    """Who works in ``store`` when a window that worked as ``current`` opens it: the
    :func:`decider` rule from ``$ANNOTATOR_NAME`` on, with ``current`` in place of the
    login name (the person at the window stays who they are). ``current`` is not saved
    as the project's name: it may be a split file's annotator, not this person's name
    in this project."""
    try:
        named = named_annotator(store)
    except SessionError:
        named = None
    if named:
        return named
    return saved_name(store) or current


def named_annotator(store: Store | None) -> str | None:
    """The annotator the environment or the project names, without asking anyone:
    ``$ANNOTATOR_NAME`` (if not empty), else the annotator a split file was made for;
    ``None`` if neither does. The middle of :func:`decider`'s rule, which the window
    follows too (after ``--annotator``, before its saved name)."""
    env = os.environ.get("ANNOTATOR_NAME")
    if env is not None and env.strip():
        return check_annotator_name(env, "$ANNOTATOR_NAME")
    if store is not None:
        split_for = store.meta_value("annotator")
        if split_for:
            return check_annotator_name(split_for, f"{store.path.name}'s annotator")
    return None


@dataclass
class Change:
    """What one operation did. ``before``/``after`` map span id to its state (``None``:
    the span did not exist on that side). ``doc_before``/``doc_after`` hold document
    fields (status, note) when the operation changed them."""

    action: str
    doc_id: int
    before: dict[int, Span | None] = field(default_factory=dict)
    after: dict[int, Span | None] = field(default_factory=dict)
    doc_before: dict[str, Any] = field(default_factory=dict)
    doc_after: dict[str, Any] = field(default_factory=dict)
    #: This resize continued the previous one: ``before`` is where that one started.
    continued: bool = False

    @property
    def empty(self) -> bool:
        """Nothing changed (a decision that was already so): no event, no undo step."""
        return not (self.before or self.after or self.doc_before or self.doc_after)

    @property
    def span(self) -> Span | None:
        """The main span the change produced (the first one on the after side)."""
        return next((s for s in self.after.values() if s is not None), None)


def review_hint(store: Store, emptied: dict[int, list[str]], nothing: str = "not marked"
                ) -> str:
    """Why documents of a team project are not reviewed (their gold set is empty while
    the annotators' sets ``emptied`` maps to hold spans), the review steps for them
    (:func:`review_steps`), and ``nothing`` (what was not done)."""
    ids = sorted(emptied)
    if len(ids) == 1:
        head = (f"document {ids[0]} is not reviewed: its gold set is empty while "
                f"{', '.join(n or 'gold' for n in emptied[ids[0]])} labelled spans in it")
    else:
        shown = ", ".join(map(str, ids[:10])) + (", …" if len(ids) > 10 else "")
        head = (f"{len(ids)} documents are not reviewed ({shown}): their gold set is "
                "empty while annotators labelled spans in them")
    return "; ".join([head, *review_steps(store, ids), nothing])


def review_steps(store: Store, doc_ids: list[int]) -> list[str]:
    """The review steps for documents of a team project: the window's review mode, and
    ``annotator review`` commands that run as printed (``--majority`` where two or more
    annotators marked the document done, ``--take NAME`` where one did)."""
    import shlex

    project = shlex.quote(str(store.path))
    shared: list[int] = []
    single: dict[str, list[int]] = {}
    unfinished: list[int] = []
    for doc_id in doc_ids:
        done = [n for n, st in store.document_sets(doc_id).items() if st == "done"]
        if len(done) >= 2:
            shared.append(doc_id)
        elif done:
            single.setdefault(done[0], []).append(doc_id)
        else:
            unfinished.append(doc_id)
    commands = []
    if shared:
        commands.append(f"annotator review {project} --majority"
                        + (f" --docs {shared[0]}" if len(doc_ids) == 1 else ""))
    for name, docs in single.items():
        commands.append(f"annotator review {project} --take {shlex.quote(name)} "
                        f"--docs {','.join(map(str, docs))}")
    steps = []
    if commands:
        steps.append("review first: " + " and ".join(f"`{c}`" for c in commands)
                     + " (or in the window: Ctrl+R, G takes a version, D marks it reviewed)")
    if unfinished:
        steps.append(f"{len(unfinished)} of them no annotator has marked done yet (merge "
                     "their finished files first)" if len(doc_ids) > 1 else
                     "no annotator has marked it done yet (merge their finished files first)")
    return steps


def span_dict(span: Span | None) -> dict[str, Any] | None:
    """A span as a JSON-able dict for the event log."""
    if span is None:
        return None
    out: dict[str, Any] = {
        "id": span.id, "layer": span.layer, "start": span.start, "end": span.end,
        "label": span.label, "origin": span.origin, "decision": span.decision,
        "score": span.score, "annotator": span.annotator,
    }
    if span.claim is not None:
        out["claim"] = span.claim.as_dict()
    return out


@contextlib.contextmanager
def saving(store: Store, wait_ms: int | None = None) -> Iterator[None]:
    """:meth:`Store.write`, with the storage's failures (busy, full disk, read-only, I/O
    error) turned into a :class:`StorageError` that the window can show like any
    refusal (every decision goes through it: spans here, document labels in
    :mod:`annotator.editing.doc_labels`)."""
    try:
        with store.write(wait_ms):
            yield
    except ReadOnlyError as exc:
        raise StorageError("not saved: the project is read-only (nothing was "
                           "changed)") from exc
    except ReplacedError as exc:
        raise StorageError(f"not saved: {exc}") from exc
    except (sqlite3.OperationalError, OSError) as exc:
        reason = storage_reason(exc, store.path)
        if reason is None:
            raise  # a bug, not the storage: let it show as one
        raise StorageError(f"not saved: {reason} (nothing was changed)") from exc


class Session:
    """One annotator working on one annotation set of one project."""

    def __init__(self, store: Store, annotator: str, annotation_set: str = ""):
        # the name reaches the log, and through merge a set name and a file name: a
        # plain name (the same rule as split's and merge's names)
        reason = check_plain_name(annotator)
        if reason:
            raise SessionError(f"annotator {annotator!r}: {reason}")
        self.store = store
        self.annotator = annotator
        self.annotation_set = annotation_set

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Run several operations in one transaction: each still logs its events, but
        nothing is committed until the block ends, and an exception raised in it rolls
        all of them back (operations join it as savepoints). Outside a batch every
        operation commits on its own, as the window needs."""
        with self._write():
            yield

    # -- span decisions

    def accept(self, span_id: int) -> Change:
        return self._set_decision(span_id, "accepted", "accept")

    def reject(self, span_id: int) -> Change:
        return self._set_decision(span_id, "rejected", "reject")

    def _set_decision(self, span_id: int, decision: Decision, action: str) -> Change:
        with self._write():
            # Read inside the transaction: another window may have changed the span.
            span = self._span(span_id)
            if span.decision == decision:
                return Change(action, span.doc_id)  # already so: nothing to log or undo
            replaced: list[Span] = []
            citing: list[Span] = []
            if decision == "accepted":
                # A rejected span accepted again may overlap live suggestions by now.
                replaced, citing = self._clear_way(span, span.start, span.end)
            self.store.update_span(span_id, decision=decision, annotator=self.annotator)
            return self._finish_edit(action, span, replaced, citing)

    def accept_all(
        self,
        doc_id: int | None = None,
        layer: Layer | None = None,
        label: str | None = None,
        min_score: float | None = None,
        max_score: float | None = None,
    ) -> Change:
        """Accept every pending suggestion matching the filters (one transaction).

        A pending entity that overlaps an accepted one is left pending; an unknown
        ``doc_id`` is refused (:class:`~annotator.errors.UnknownDocument`)."""
        if doc_id is not None:
            self.store.document(doc_id)
        with self._write():
            ids = self.store.pending_span_ids(doc_id=doc_id, layer=layer, label=label,
                                              min_score=min_score, max_score=max_score,
                                              annotation_set=self.annotation_set)
            return self._accept_pending(ids, doc_id or 0)

    def accept_many(self, doc_id: int, span_ids: list[int]) -> Change:
        """Accept those of ``span_ids`` (spans of ``doc_id``) that are pending, in one
        transaction: the window's "accept the rest of the paragraph". A pending entity
        that overlaps an accepted one is left pending, as by :meth:`accept_all`."""
        with self._write():
            pending = []
            for span_id in span_ids:
                span = self._span(span_id)
                if span.doc_id != doc_id:
                    raise SessionError(f"span {span_id} is not in document {doc_id}")
                if span.decision == "pending":
                    pending.append(span_id)
            return self._accept_pending(pending, doc_id)

    def _accept_pending(self, ids: list[int], doc_id: int) -> Change:
        """Accept the pending spans ``ids`` (inside a write), entities overlapping an
        accepted one left out."""
        before, done = [], []
        for span_id in ids:
            span = self._span(span_id)
            if span.layer == "entity" and self._accepted_overlaps(span):
                continue
            before.append(span)
            self.store.update_span(span_id, decision="accepted", annotator=self.annotator)
            done.append(span_id)
        return self._finish("accept_all", doc_id, before, done)

    def add(
        self,
        doc_id: int,
        layer: Layer,
        start: int,
        end: int,
        label: str,
        claim: Claim | None = None,
    ) -> Change:
        """A span made by a person, born accepted."""
        doc = self.store.get_document(doc_id)
        if doc is None:
            raise SessionError(f"no document {doc_id}")
        self._check_range(doc.text, start, end)
        with self._write():
            replaced = (self._check_overlap(doc_id, start, end, exclude=None)
                        if layer == "entity" else [])
            # A claim made by hand is not hedged until someone says so (as a model
            # claim without a hedge cue): false, never unknown.
            new = Span(doc_id=doc_id, layer=layer, start=start, end=end, label=label,
                       origin="human", decision="accepted", annotator=self.annotator,
                       claim=claim or (Claim(hedged=False) if layer == "claim" else None),
                       annotation_set=self.annotation_set)
            # Insert before deleting what it replaces: SQLite reuses the largest rowid
            # once it is deleted, and the new span must not take a replaced span's id
            # (the Change would lose the replaced span and undo could not restore it).
            new_id = self.store.insert_span(new)
            citing = self._delete_spans(replaced)
            return self._finish("add", doc_id, [*replaced, *citing],
                                [new_id, *(c.id for c in citing if c.id is not None)],
                                created=[new_id], deleted=[s.id for s in replaced])

    def add_many(self, doc_id: int, layer: Layer, ranges: list[tuple[int, int]],
                 label: str) -> Change:
        """Spans made by a person over every ``(start, end)`` of ``ranges``, born
        accepted, in one transaction (one undo). A range overlapping a live entity is
        refused (:class:`SessionError`), nothing written: the caller leaves those out."""
        doc = self.store.get_document(doc_id)
        if doc is None:
            raise SessionError(f"no document {doc_id}")
        for start, end in ranges:
            self._check_range(doc.text, start, end)
        with self._write():
            created = []
            for start, end in ranges:
                if layer == "entity" and self._check_overlap(doc_id, start, end, exclude=None):
                    raise SessionError(f"{doc.text[start:end]!r} at {start}–{end} overlaps "
                                       "a span")
                claim = Claim(hedged=False) if layer == "claim" else None
                created.append(self.store.insert_span(Span(
                    doc_id=doc_id, layer=layer, start=start, end=end, label=label,
                    origin="human", decision="accepted", annotator=self.annotator,
                    claim=claim, annotation_set=self.annotation_set)))
            return self._finish("add", doc_id, [], created, created=created)

    def delete(self, span_id: int) -> Change:
        with self._write():
            span = self._span(span_id)
            citing = self._delete_spans([span])
            return self._finish("delete", span.doc_id, [span, *citing],
                                [c.id for c in citing if c.id is not None], deleted=[span_id])

    def relabel(self, span_id: int, label: str) -> Change:
        """Change the label; the span becomes accepted (a relabel is a decision)."""
        with self._write():
            span = self._span(span_id)
            if span.label == label and span.decision == "accepted":
                return Change("relabel", span.doc_id)
            # Relabelling accepts: a rejected span must not come back over others.
            replaced, citing = self._clear_way(span, span.start, span.end)
            self.store.update_span(span_id, label=label, decision="accepted",
                                   annotator=self.annotator)
            return self._finish_edit("relabel", span, replaced, citing)

    def resize(self, span_id: int, start: int, end: int,
               continuing: Change | None = None) -> Change:
        """Move the span's edges; the span becomes accepted.

        ``continuing``: the Change of the previous resize of this span. If that is still
        the last event of the log, by this annotator, less than :data:`COALESCE_S` ago,
        and neither move replaced another span, this move continues it: its event is
        rewritten instead of a new one added, and the returned Change (``continued``)
        runs from the span's state before that resize (one undo step)."""
        with self._write():
            span = self._span(span_id)
            if (span.start, span.end) == (start, end) and span.decision == "accepted":
                return Change("resize", span.doc_id)
            doc = self.store.get_document(span.doc_id)
            assert doc is not None
            self._check_range(doc.text, start, end)
            event_id = self._continued_event(continuing, span)
            replaced, citing = self._clear_way(span, start, end)
            self.store.update_span(span_id, start=start, end=end, decision="accepted",
                                   annotator=self.annotator)
            if event_id is None or replaced or citing or continuing is None:
                return self._finish_edit("resize", span, replaced, citing)
            moved = self.store.get_span(span_id)
            self.store.extend_event(event_id, span_dict(moved))
            return Change("resize", span.doc_id, before=dict(continuing.before),
                          after={span_id: moved}, continued=True)

    def _continued_event(self, continuing: Change | None, span: Span) -> int | None:
        """The id of the event ``continuing`` logged, if a resize of ``span`` now may
        extend it (see :meth:`resize`); else None."""
        if continuing is None or continuing.action != "resize" or span.id is None \
                or set(continuing.before) != {span.id} or set(continuing.after) != {span.id}:
            return None
        state = span_dict(span)
        if span_dict(continuing.after[span.id]) != state:
            return None  # changed since, here or in another window
        last = self.store.last_event()
        if last is None or (last["action"], last["span_id"], last["annotator"],
                            last["after"]) != ("resize", span.id, self.annotator, state):
            return None
        age = datetime.now(UTC) - datetime.fromisoformat(last["ts"])
        return int(last["id"]) if age.total_seconds() < COALESCE_S else None

    def set_claim_attribute(self, span_id: int, name: str, value: Any) -> Change:
        """Set one claim attribute (claim_type, claimant, via, checkworthy, hedged).

        ``claimant`` takes an entity span id (int) or free text (str, e.g. "author");
        setting one clears the other. The claim becomes accepted."""
        with self._write():
            span = self._span(span_id)
            claim = self._updated_claim(span, name, value)
            if claim == span.claim and span.decision == "accepted":
                return Change(f"set_{name}", span.doc_id)
            self.store.set_claim(span_id, claim)
            self.store.update_span(span_id, decision="accepted", annotator=self.annotator)
            return self._finish(f"set_{name}", span.doc_id, [span], [span_id])

    def _updated_claim(self, span: Span, name: str, value: Any) -> Claim:
        """The span's claim attributes with ``name`` set to ``value`` (validated)."""
        if span.layer != "claim":
            raise SessionError(f"span {span.id} is not a claim")
        import copy  # here only: with weakref, 5 M instructions of `annotator mark`

        claim = copy.copy(span.claim) if span.claim else Claim()
        if name == "claimant":
            if isinstance(value, int):
                target = self.store.get_span(value)
                if target is None or target.doc_id != span.doc_id or target.layer != "entity" \
                        or target.annotation_set != span.annotation_set:
                    raise SessionError(f"claimant {value} is not an entity of this document")
                claim.claimant_span_id, claim.claimant_text = value, None
            else:
                claim.claimant_span_id, claim.claimant_text = None, value or None
        elif name == "claim_type":
            if value is not None and value not in CLAIM_TYPES:
                raise SessionError(f"claim_type must be one of {CLAIM_TYPES}")
            claim.claim_type = value
        elif name == "checkworthy":
            if value is not None and value not in CHECKWORTHY:
                raise SessionError(f"checkworthy must be one of {CHECKWORTHY}")
            claim.checkworthy = value
        elif name == "hedged":
            claim.hedged = None if value is None else bool(value)
        elif name == "via":
            claim.via = value or None
        else:
            raise SessionError(f"unknown claim attribute {name!r}")
        return claim

    # -- document decisions

    def set_status(self, doc_id: int, status: Status, note: str | None = None) -> Change:
        """Mark a document done, skipped, flagged (with a note), in progress or new."""
        if status not in STATUSES:
            raise SessionError(f"status must be one of {STATUSES}")
        with self._write():
            found = self.store.document_status(doc_id, self.annotation_set)
            if found is None:
                raise SessionError(f"no document {doc_id}" + (
                    f" in {self.annotation_set}'s set" if self.annotation_set else ""))
            before = {"status": found[0], "note": found[1]}
            after = {"status": status, "note": note if note is not None else found[1]}
            if before == after:
                return Change(f"status_{status}", doc_id)
            if status == "done":
                self.check_reviewed([doc_id])
            self._set_document_fields(doc_id, after)
            self.store.log_status_event(f"status_{status}", self.annotator, doc_id, before,
                                        after, annotation_set=self.annotation_set)
        return Change(f"status_{status}", doc_id, doc_before=before, doc_after=after)

    def set_statuses(self, doc_ids: list[int] | None, status: Status, note: str | None = None,
                     from_status: Status | None = None) -> list[int]:
        """:meth:`set_status` for many documents in one transaction (``None``: every
        document; ``from_status``: only those with that status now); returns the ids of
        the documents whose status or note changed."""
        if status not in STATUSES or (from_status is not None and from_status not in STATUSES):
            raise SessionError(f"status must be one of {STATUSES}")
        changed = []
        with self._write():
            if doc_ids is None:
                doc_ids = self.store.document_ids(from_status) if not self.annotation_set \
                    else self.store.set_documents(self.annotation_set, from_status)
            todo = []
            for doc_id in doc_ids:
                found = self.store.document_status(doc_id, self.annotation_set)
                if found is None:
                    raise SessionError(f"no document {doc_id}; nothing was marked")
                if from_status is not None and found[0] != from_status:
                    continue
                todo.append(doc_id)
            if status == "done":  # all of them refused at once, before any is marked
                self.check_reviewed([d for d in todo if (self.store.document_status(d)
                                                         or ("",))[0] != "done"],
                                    nothing="nothing was marked")
            for doc_id in todo:
                if not self.set_status(doc_id, status, note).empty:
                    changed.append(doc_id)
        return changed

    def check_reviewed(self, doc_ids: list[int], nothing: str = "not marked") -> None:
        """Refuse (:class:`NeedsReviewError`) to mark done, in a team project's gold set,
        a document whose gold set is empty while annotators' sets hold spans: "done"
        there means reviewed, and an empty gold set would export as "nothing here"
        (issue 21). The message names the review step that applies."""
        if self.annotation_set or not doc_ids or not self.store.has_annotation_sets():
            return
        emptied = self.store.emptied_documents(doc_ids)
        if emptied:
            raise NeedsReviewError(review_hint(self.store, emptied, nothing))

    def start(self, doc_id: int, wait_ms: int = 250) -> None:
        """Opening a new document marks it in progress (not undoable, not a decision).
        It waits at most ``wait_ms`` for another writer (the window opens the document
        for reading rather than freeze for the full busy timeout)."""
        found = self.store.document_status(doc_id, self.annotation_set)
        if found is not None and found[0] == "new":
            with self._write(wait_ms):
                self.set_status(doc_id, "in_progress")

    # -- undo support

    def revert(self, change: Change) -> None:
        """Put every span and document field back as it was before ``change``.

        Raises :class:`ConflictError` (and changes nothing) if something ``change``
        touched is no longer as ``change`` left it: another window changed it since."""
        self._restore(change, change.after, change.before, change.doc_after,
                      change.doc_before, "undo")

    def reapply(self, change: Change) -> None:
        """Redo ``change`` after a :meth:`revert` (same conflict rule)."""
        self._restore(change, change.before, change.after, change.doc_before,
                      change.doc_after, "redo")

    def _restore(self, change: Change, current: dict[int, Span | None],
                 target: dict[int, Span | None], doc_current: dict[str, Any],
                 doc_fields: dict[str, Any], verb: str) -> None:
        with self._write():
            self._check_unchanged(change, current, doc_current)
            for span_id, state in target.items():
                if state is None:
                    self.store.delete_span(span_id)
                else:
                    self.store.restore_span(state)
            for span_id in current:
                if span_id not in target:
                    self.store.delete_span(span_id)
            if doc_fields:
                self._set_document_fields(change.doc_id, doc_fields)
                self._log(f"{verb}_{change.action}", change.doc_id, None, doc_current,
                          doc_fields)
            # One event per span, carrying its id: every event of a span is found by
            # span_id, undo and redo included.
            for span_id in dict.fromkeys([*current, *target]):
                state = current.get(span_id) or target.get(span_id)
                self._log(f"{verb}_{change.action}", state.doc_id if state else change.doc_id,
                          span_id, span_dict(current.get(span_id)),
                          span_dict(target.get(span_id)))

    def _check_unchanged(self, change: Change, expected: dict[int, Span | None],
                         doc_expected: dict[str, Any]) -> None:
        for span_id, state in expected.items():
            if span_dict(self.store.get_span(span_id)) != span_dict(state):
                raise ConflictError(
                    f"cannot undo/redo {change.action}: span {span_id} was changed in "
                    "another window since")
        if doc_expected:
            found = self.store.document_status(change.doc_id, self.annotation_set)
            now = None if found is None else {"status": found[0], "note": found[1]}
            if now is None or {k: now[k] for k in doc_expected} != doc_expected:
                raise ConflictError(f"cannot undo/redo: document {change.doc_id} was changed "
                                    "in another window since")

    # -- helpers

    def _write(self, wait_ms: int | None = None) -> contextlib.AbstractContextManager[None]:
        return saving(self.store, wait_ms)

    def _span(self, span_id: int) -> Span:
        span = self.store.get_span(span_id)
        if span is None:
            raise SessionError(f"no span {span_id}")
        if span.annotation_set != self.annotation_set:
            whose = f"{span.annotation_set}'s set" if span.annotation_set else "the gold set"
            raise SessionError(f"span {span_id} belongs to {whose}, not to the set this "
                               "session edits")
        return span

    def _log(self, action: str, doc_id: int | None, span_id: int | None, before: Any,
             after: Any) -> None:
        self.store.log_event(action, self.annotator, doc_id, span_id, before, after,
                             annotation_set=self.annotation_set)

    def _set_document_fields(self, doc_id: int, fields: dict[str, Any]) -> None:
        """A document's status and note in this session's set."""
        if not self.annotation_set:
            self.store.set_document_fields(doc_id, **fields)
            return
        found = self.store.document_status(doc_id, self.annotation_set)
        current: dict[str, Any] = {"status": found[0], "note": found[1]} if found else {}
        current.update(fields)
        self.store.put_set_status(doc_id, self.annotation_set, as_status(current["status"]),
                                  current.get("note"))

    @staticmethod
    def _check_range(text: str, start: int, end: int) -> None:
        if not (0 <= start < end <= len(text)):
            raise SessionError(f"span [{start}, {end}) is empty or outside the text "
                               f"(length {len(text)})")

    def _delete_spans(self, spans: list[Span]) -> list[Span]:
        """Delete ``spans``; returns the claims that named one of them as claimant, as
        they were before (the foreign key unlinks them, so they belong in the Change:
        undo must link them again). In a Change's ``before`` they follow the deleted
        spans, so a revert restores the entity before the claim that points at it."""
        ids = [s.id for s in spans if s.id is not None]
        if not ids:
            return []
        citing = [self._span(i) for i in self.store.claims_citing(ids) if i not in ids]
        for span_id in ids:
            self.store.delete_span(span_id)
        return citing

    def _overlapping_entities(self, doc_id: int, start: int, end: int,
                              decisions: tuple[Decision, ...]) -> list[Span]:
        """Entity spans of ``decisions`` overlapping ``[start, end)``, in the store's
        order. One range query on the (doc_id, layer, start) index: reading every span of
        a 3,000-span document on each decision cost more than the rest of it together."""
        return [self._span(i) for i in self.store.overlapping_entity_ids(
            doc_id, start, end, decisions, self.annotation_set)]

    def _accepted_overlaps(self, span: Span) -> bool:
        return any(other.id != span.id for other in self._overlapping_entities(
            span.doc_id, span.start, span.end, ("accepted",)))

    def _check_overlap(self, doc_id: int, start: int, end: int, exclude: int | None
                       ) -> list[Span]:
        """Entity spans in the way: raise if an accepted one, else return pending ones."""
        pending = []
        for other in self._overlapping_entities(doc_id, start, end, ("pending", "accepted")):
            if other.id == exclude:
                continue
            if other.decision == "accepted":
                raise OverlapError(
                    f"overlaps accepted {other.label} [{other.start}, {other.end})")
            pending.append(other)
        return pending

    def _clear_way(self, span: Span, start: int, end: int) -> tuple[list[Span], list[Span]]:
        """For an entity about to hold ``[start, end)`` as accepted: refuse if an accepted
        entity is in the way, delete the pending ones that are; returns them and the
        claims that named them as claimant. Claims may overlap anything: nothing to do."""
        if span.layer != "entity":
            return [], []
        replaced = self._check_overlap(span.doc_id, start, end, exclude=span.id)
        return replaced, self._delete_spans(replaced)

    def _finish_edit(self, action: str, span: Span, replaced: list[Span],
                     citing: list[Span]) -> Change:
        """:meth:`_finish` for an operation on ``span`` that replaced others."""
        assert span.id is not None
        return self._finish(action, span.doc_id, [span, *replaced, *citing],
                            [span.id, *(c.id for c in citing if c.id is not None)],
                            deleted=[s.id for s in replaced])

    def _finish(self, action: str, doc_id: int, before: list[Span], after_ids: list[int],
                created: list[int] | None = None, deleted: list[int | None] | None = None
                ) -> Change:
        """Build the Change from the stored state and log it (inside the transaction)."""
        import copy  # here only, as in _updated_claim

        change = Change(action, doc_id)
        for span in before:
            assert span.id is not None
            change.before[span.id] = copy.copy(span)  # dataclasses.replace(span)
        for span_id in created or []:
            change.before[span_id] = None
        for after_id in after_ids:
            change.after[after_id] = self.store.get_span(after_id)
        for gone in deleted or []:
            if gone is not None:
                change.after[gone] = None
        for span_id in set(change.before) | set(change.after):
            state = change.before.get(span_id) or change.after.get(span_id)
            if state is None:
                continue
            # accept_all over the whole project: each event names its span's document.
            self._log(action, state.doc_id, span_id, span_dict(change.before.get(span_id)),
                      span_dict(change.after.get(span_id)))
        return change
