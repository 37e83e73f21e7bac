"""Decisions on document labels (issue 25), with undo: what the window's document-label
bar and ``annotator decide`` both call.

Each operation is one transaction, committed on return, that changes the rows of one
document's categories in one annotation set and logs one event per row it changes
(``doc_label.accept``, ``doc_label.reject``, ``doc_label.remove``, and
``doc_label.suggest`` when undo puts a suggestion back), with the annotator, the set and
the row before and after (:meth:`~annotator.model.DocLabel.as_dict`). It returns a
:class:`DocLabelChange`: the rows of the touched categories before and after, which is
all an undo stack needs (:func:`revert`, :func:`reapply`).

- An **exclusive** category (stance) *replaces*: the chosen label is accepted and any
  other accepted or pending label of the category goes: a model's becomes rejected (the
  suggestion stays on record, refused), a person's is removed.
- A **multi-label** category (topics) *toggles*: an accepted label goes (a person's
  removed, a model's rejected); any other is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..errors import ConflictError, LabelError, SessionError
from ..labels import existing_category
from ..model import Decision, DocLabel, LabelCategory
from ..session import saving
from ..store import Store

#: What a row put in a state is logged as.
ACTIONS: dict[Decision, str] = {"accepted": "doc_label.accept",
                                "rejected": "doc_label.reject",
                                "pending": "doc_label.suggest"}
REMOVE = "doc_label.remove"


@dataclass(frozen=True)
class DocLabelChange:
    """The rows of the categories one operation touched (``categories``), before and
    after it, in one document and annotation set; who made it."""

    doc_id: int
    before: tuple[DocLabel, ...]
    after: tuple[DocLabel, ...]
    annotator: str | None = None
    annotation_set: str = ""
    categories: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether nothing changed (choosing what was chosen already)."""
        return _states(self.before) == _states(self.after)


def choose(store: Store, doc_id: int, category: str, label: str, *,
           annotator: str | None = None, annotation_set: str = "") -> DocLabelChange:
    """Choose ``label`` of ``category`` for a document: an exclusive category replaces
    its choice, a multi-label one toggles the label (see the module's docstring)."""
    with saving(store):
        cat = _category(store, category, label)
        mine = next((r for r in store.doc_labels(doc_id, annotation_set)
                     if r.category == category and r.label == label), None)
        if not cat.exclusive and mine is not None and mine.decision == "accepted":
            rows = _rows(store, doc_id, annotation_set, (category,))
            target = {r.label: r for r in rows}
            _drop(target, mine, annotator)
            return _apply(store, doc_id, annotation_set, (category,), rows,
                          list(target.values()), annotator)
        return accept(store, doc_id, category, label, annotator=annotator,
                      annotation_set=annotation_set)


def accept(store: Store, doc_id: int, category: str, label: str, *,
           annotator: str | None = None, annotation_set: str = "") -> DocLabelChange:
    """Accept ``label`` of ``category`` for a document, never toggling it off (what a
    file of decisions wants: the same line twice changes nothing the second time); an
    exclusive category replaces its choice as :func:`choose` does."""
    with saving(store):
        cat = _category(store, category, label)
        rows = _rows(store, doc_id, annotation_set, (category,))
        target = {r.label: r for r in rows}
        if cat.exclusive:
            for other in rows:
                if other.label != label and other.decision in ("accepted", "pending"):
                    _drop(target, other, annotator)
        mine = target.get(label)
        if mine is None or mine.decision != "accepted":
            target[label] = _decided(mine, doc_id, category, label, "accepted", annotator,
                                     annotation_set)
        return _apply(store, doc_id, annotation_set, (category,), rows,
                      list(target.values()), annotator)


def remove(store: Store, doc_id: int, category: str, label: str, *,
           annotator: str | None = None, annotation_set: str = "") -> DocLabelChange:
    """Take ``label`` of ``category`` off a document: its row is deleted, whatever its
    origin and decision (nothing to remove: nothing changes)."""
    with saving(store):
        _category(store, category, label)
        rows = _rows(store, doc_id, annotation_set, (category,))
        target = [r for r in rows if r.label != label]
        return _apply(store, doc_id, annotation_set, (category,), rows, target, annotator)


def reject(store: Store, doc_id: int, category: str, label: str, *,
           annotator: str | None = None, annotation_set: str = "") -> DocLabelChange:
    """Refuse ``label`` of ``category`` for a document: its row becomes rejected (a
    person's rejected row when there was none: "not this label", which agreement and
    exports can use)."""
    with saving(store):
        _category(store, category, label)
        rows = _rows(store, doc_id, annotation_set, (category,))
        target = {r.label: r for r in rows}
        target[label] = _decided(target.get(label), doc_id, category, label, "rejected",
                                 annotator, annotation_set)
        return _apply(store, doc_id, annotation_set, (category,), rows,
                      list(target.values()), annotator)


def accept_suggestions(store: Store, doc_id: int, category: str | None = None, *,
                       annotator: str | None = None, annotation_set: str = ""
                       ) -> DocLabelChange | None:
    """Accept a document's pending suggestions (of ``category``, or of every category):
    a multi-label category takes all of them; an exclusive one its best-scored one
    (the others rejected), or, when a label is accepted already, none (they are
    rejected: the person's choice stands). ``None`` when nothing was pending."""
    with saving(store):
        scheme = store.label_scheme()
        if category is not None:
            existing_category(scheme, category)
        pending = [r for r in store.doc_labels(doc_id, annotation_set)
                   if r.decision == "pending" and category in (None, r.category)]
        if not pending:
            return None
        categories = tuple(dict.fromkeys(r.category for r in pending))
        rows = _rows(store, doc_id, annotation_set, categories)
        target = {(r.category, r.label): r for r in rows}
        for name in categories:
            cat = scheme.category(name)
            waiting = sorted((r for r in pending if r.category == name),
                             key=lambda r: -(r.score if r.score is not None else -1.0))
            taken = any(r.decision == "accepted" for r in rows if r.category == name)
            for i, row in enumerate(waiting):
                accept = cat is None or not cat.exclusive or (i == 0 and not taken)
                target[(name, row.label)] = replace(
                    row, decision="accepted" if accept else "rejected", annotator=annotator)
        return _apply(store, doc_id, annotation_set, categories, rows,
                      list(target.values()), annotator)


def revert(store: Store, change: DocLabelChange) -> None:
    """Undo ``change``: its categories' rows as they were before (logged as events).
    Raises :class:`ConflictError`, changing nothing, when they are no longer as
    ``change`` left them (another window changed them since)."""
    _restore(store, change, change.after, change.before, "undo")


def reapply(store: Store, change: DocLabelChange) -> None:
    """Redo ``change`` after :func:`revert` (the same conflict rule)."""
    _restore(store, change, change.before, change.after, "redo")


def missing_required(store: Store, doc_id: int, annotation_set: str = "") -> list[str]:
    """The required categories (in the scheme's order) in which the document has no
    accepted label in the set: marking it done asks first."""
    required = [c.name for c in store.label_scheme().categories if c.required]
    if not required:
        return []
    chosen = {r.category for r in store.doc_labels(doc_id, annotation_set)
              if r.decision == "accepted"}
    return [name for name in required if name not in chosen]


# -- helpers


def _restore(store: Store, change: DocLabelChange, expected: tuple[DocLabel, ...],
             target: tuple[DocLabel, ...], verb: str) -> None:
    categories = change.categories or tuple(dict.fromkeys(
        r.category for r in (*change.before, *change.after)))
    with saving(store):
        rows = _rows(store, change.doc_id, change.annotation_set, categories)
        if _states(rows) != _states(expected):
            raise ConflictError(f"cannot {verb} the document labels of document "
                                f"{change.doc_id}: they were changed in another window "
                                "since")
        _apply(store, change.doc_id, change.annotation_set, categories, rows, list(target),
               change.annotator)


def _category(store: Store, category: str, label: str) -> LabelCategory:
    """The category, when ``label`` is one of its document labels; else LabelError."""
    scheme = store.label_scheme()
    cat = existing_category(scheme, category)
    names = [x.name for x in scheme.doc_labels(category)]
    if label not in names:
        raise LabelError(f"no document label {label!r} in category {category} "
                         f"({', '.join(names) or 'none yet'})")
    return cat


def _rows(store: Store, doc_id: int, annotation_set: str,
          categories: tuple[str, ...]) -> list[DocLabel]:
    if store.document_status(doc_id) is None:
        raise SessionError(f"no document {doc_id}")
    return [r for r in store.doc_labels(doc_id, annotation_set) if r.category in categories]


def _decided(row: DocLabel | None, doc_id: int, category: str, label: str,
             decision: Decision, annotator: str | None, annotation_set: str) -> DocLabel:
    """``row`` (a suggestion keeps its origin, score and model) or a person's new row,
    with that decision by ``annotator``."""
    if row is None:
        return DocLabel(None, doc_id, category, label, "human", decision,
                        annotator=annotator, annotation_set=annotation_set)
    return replace(row, decision=decision, annotator=annotator)


def _drop(target: dict[str, DocLabel], row: DocLabel, annotator: str | None) -> None:
    """Take ``row`` off the document (``target``: the category's rows by label): a
    model's is rejected, a person's removed."""
    if row.origin == "model":
        target[row.label] = replace(row, decision="rejected", annotator=annotator)
    else:
        del target[row.label]


def _state(row: DocLabel) -> tuple[Any, ...]:
    return (row.category, row.label, row.origin, row.decision, row.score, row.model,
            row.annotator)


def _states(rows: tuple[DocLabel, ...] | list[DocLabel]) -> set[tuple[Any, ...]]:
    return {_state(r) for r in rows}


def _apply(store: Store, doc_id: int, annotation_set: str, categories: tuple[str, ...],
           current: list[DocLabel], target: list[DocLabel], annotator: str | None
           ) -> DocLabelChange:
    """Make the rows of ``categories`` be ``target`` (inside the caller's transaction),
    one event per row changed; the change."""
    now = {(r.category, r.label): r for r in current}
    wanted = {(r.category, r.label): r for r in target}
    for key, row in now.items():
        if key not in wanted:
            store.delete_doc_label(row.id or 0)
            _log(store, REMOVE, annotator, row, None)
    for key, row in wanted.items():
        old = now.get(key)
        if old is not None and _state(old) == _state(row):
            continue
        row = replace(row, annotation_set=annotation_set, doc_id=doc_id,
                      id=old.id if old is not None else row.id)
        row_id = store.put_doc_label(row)
        _log(store, ACTIONS[row.decision], annotator, old, replace(row, id=row_id))
    after = _rows(store, doc_id, annotation_set, categories)
    return DocLabelChange(doc_id, tuple(current), tuple(after), annotator, annotation_set,
                          categories)


def _log(store: Store, action: str, annotator: str | None, before: DocLabel | None,
         after: DocLabel | None) -> None:
    row = after or before
    assert row is not None
    store.log_event(action, annotator, row.doc_id, None,
                    None if before is None else before.as_dict(),
                    None if after is None else after.as_dict(),
                    annotation_set=row.annotation_set)
