"""Undo commands: each wraps one :mod:`annotator.session` operation.

``QUndoStack.push`` runs ``redo()`` at once: the first ``redo()`` performs the
operation (committed to SQLite before it returns) and keeps its :class:`Change`;
``undo()`` reverts that change and later ``redo()``s reapply it. An operation the
session refuses, or one that changes nothing, marks the command obsolete, so the stack
drops it. A command tells what happened through its :class:`CommandSignals`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from annotator.model import Layer, Status
from annotator.session import Change, Session, SessionError


class CommandSignals(QObject):
    """What the undo commands report (a QUndoCommand is not a QObject, so they emit
    through this one): ``changed(change, verb)`` after every successful redo ("redo") or
    undo ("undo"), so the window redraws what changed; ``refused(error)`` when the session
    refused, so it says why; ``told(message)`` after an undo or a later redo: what was
    undone or redone, for the status bar (issue 26)."""

    changed = Signal(object, str)
    refused = Signal(object)
    told = Signal(str)


class SessionCommand(QUndoCommand):
    """A session operation as an undoable command."""

    def __init__(self, session: Session, signals: CommandSignals, text: str,
                 operation: Callable[[], Change]):
        super().__init__(text)
        self.session = session
        self.signals = signals
        self.operation = operation
        self.change: Change | None = None
        self.error: SessionError | None = None

    def redo(self) -> None:
        again = self.change is not None  # not the first run: Ctrl+Shift+Z
        try:
            if self.change is None:
                self.change = self.operation()
                if self.change.empty:  # already so: no undo step (the stack drops it)
                    self.setObsolete(True)
                    return
            else:
                self.session.reapply(self.change)
        except SessionError as exc:
            self.error = exc
            if self.change is None:
                self.setObsolete(True)
            self.signals.refused.emit(exc)
            return
        self.signals.changed.emit(self.change, "redo")
        if again:
            self.signals.told.emit(f"Redone: {self.text()}")

    def undo(self) -> None:
        if self.change is None:
            return
        try:
            self.session.revert(self.change)
        except SessionError as exc:
            self.error = exc
            self.signals.refused.emit(exc)
            return
        self.signals.changed.emit(self.change, "undo")
        self.signals.told.emit(f"Undone: {self.text()}")


class AcceptSpanCommand(SessionCommand):
    def __init__(self, session: Session, signals: CommandSignals, span_id: int):
        super().__init__(session, signals, "Accept span", lambda: session.accept(span_id))


class RejectSpanCommand(SessionCommand):
    def __init__(self, session: Session, signals: CommandSignals, span_id: int):
        super().__init__(session, signals, "Reject span", lambda: session.reject(span_id))


class RelabelSpanCommand(SessionCommand):
    def __init__(self, session: Session, signals: CommandSignals, span_id: int, label: str):
        super().__init__(session, signals, f"Relabel as {label}",
                         lambda: session.relabel(span_id, label))


class ResizeSpanCommand(SessionCommand):
    """A boundary move. ``continuing``: the change of the resize of the same span just
    before; when the session continues it (one event, see ``Session.resize``), this
    command merges into that one: one undo step for the whole run of keys."""

    MERGE_ID = 1

    def __init__(self, session: Session, signals: CommandSignals, span_id: int, start: int,
                 end: int, continuing: Change | None = None):
        super().__init__(session, signals, "Resize span",
                         lambda: session.resize(span_id, start, end, continuing))
        self.span_id = span_id

    def id(self) -> int:
        return self.MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not isinstance(other, ResizeSpanCommand) or other.span_id != self.span_id \
                or other.change is None or not other.change.continued:
            return False
        self.change = other.change  # runs from this command's start to the latest move
        return True


class AddSpanCommand(SessionCommand):
    def __init__(self, session: Session, signals: CommandSignals, doc_id: int, layer: Layer,
                 start: int, end: int, label: str):
        super().__init__(session, signals, f"Add {label}",
                         lambda: session.add(doc_id, layer, start, end, label))


class AddManyCommand(SessionCommand):
    """Spans of one label over several ranges of a document: one transaction, one undo."""

    def __init__(self, session: Session, signals: CommandSignals, doc_id: int, layer: Layer,
                 ranges: list[tuple[int, int]], label: str):
        super().__init__(session, signals, f"Add {label} ×{len(ranges)}",
                         lambda: session.add_many(doc_id, layer, ranges, label))


class DeleteSpanCommand(SessionCommand):
    def __init__(self, session: Session, signals: CommandSignals, span_id: int):
        super().__init__(session, signals, "Delete span", lambda: session.delete(span_id))


class AcceptAllCommand(SessionCommand):
    """Accept every pending suggestion of the document (of one ``layer`` or ``label``)."""

    def __init__(self, session: Session, signals: CommandSignals, doc_id: int,
                 layer: Layer | None = None, label: str | None = None):
        what = f" {label}" if label else f" {layer}" if layer else ""
        super().__init__(session, signals, f"Accept all pending{what} in document",
                         lambda: session.accept_all(doc_id=doc_id, layer=layer, label=label))


class AcceptManyCommand(SessionCommand):
    """Accept the pending ones of ``span_ids`` (the rest of a paragraph), one undo step."""

    def __init__(self, session: Session, signals: CommandSignals, doc_id: int,
                 span_ids: list[int], what: str = "the rest of the paragraph"):
        super().__init__(session, signals, f"Accept {what}",
                         lambda: session.accept_many(doc_id, span_ids))


class SetClaimAttributeCommand(SessionCommand):
    def __init__(self, session: Session, signals: CommandSignals, span_id: int, name: str,
                 value: Any):
        super().__init__(session, signals, f"Set {name}",
                         lambda: session.set_claim_attribute(span_id, name, value))


class SetStatusCommand(SessionCommand):
    def __init__(self, session: Session, signals: CommandSignals, doc_id: int, status: Status,
                 note: str | None = None):
        super().__init__(session, signals, f"Mark {status.replace('_', ' ')}",
                         lambda: session.set_status(doc_id, status, note))
