"""Undo commands: each wraps one :mod:`annotator.session` operation.

``QUndoStack.push`` runs ``redo()`` at once: the first ``redo()`` performs the
operation (committed to SQLite before it returns) and keeps its :class:`Change`;
``undo()`` reverts that change and later ``redo()``s reapply it. An operation the
session refuses marks the command obsolete, so the stack drops it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from annotator.session import Change, Session, SessionError

Notify = Callable[[Change, str], None]


class SessionCommand(QUndoCommand):
    """A session operation as an undoable command; ``notify(change, verb)`` runs after
    every redo/undo so the window can redraw what changed."""

    def __init__(self, session: Session, text: str, operation: Callable[[], Change],
                 notify: Notify):
        super().__init__(text)
        self.session = session
        self.operation = operation
        self.notify = notify
        self.change: Change | None = None
        self.error: SessionError | None = None

    def redo(self) -> None:
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
            self.notify_error()
            return
        self.notify(self.change, "redo")

    def undo(self) -> None:
        if self.change is None:
            return
        try:
            self.session.revert(self.change)
        except SessionError as exc:
            self.error = exc
            self.notify_error()
            return
        self.notify(self.change, "undo")

    def notify_error(self) -> None:
        """Overridden by the window (via ``on_error``) to show the message."""
        handler: Any = getattr(self, "on_error", None)
        if handler is not None and self.error is not None:
            handler(self.error)


class AcceptSpanCommand(SessionCommand):
    def __init__(self, session: Session, span_id: int, notify: Notify):
        super().__init__(session, "Accept span", lambda: session.accept(span_id), notify)


class RejectSpanCommand(SessionCommand):
    def __init__(self, session: Session, span_id: int, notify: Notify):
        super().__init__(session, "Reject span", lambda: session.reject(span_id), notify)


class RelabelSpanCommand(SessionCommand):
    def __init__(self, session: Session, span_id: int, label: str, notify: Notify):
        super().__init__(session, f"Relabel as {label}",
                         lambda: session.relabel(span_id, label), notify)


class ResizeSpanCommand(SessionCommand):
    def __init__(self, session: Session, span_id: int, start: int, end: int, notify: Notify):
        super().__init__(session, "Resize span",
                         lambda: session.resize(span_id, start, end), notify)


class AddSpanCommand(SessionCommand):
    def __init__(self, session: Session, doc_id: int, layer: str, start: int, end: int,
                 label: str, notify: Notify):
        super().__init__(session, f"Add {label}",
                         lambda: session.add(doc_id, layer, start, end, label), notify)


class DeleteSpanCommand(SessionCommand):
    def __init__(self, session: Session, span_id: int, notify: Notify):
        super().__init__(session, "Delete span", lambda: session.delete(span_id), notify)


class AcceptAllCommand(SessionCommand):
    def __init__(self, session: Session, doc_id: int, notify: Notify):
        super().__init__(session, "Accept all in document",
                         lambda: session.accept_all(doc_id=doc_id), notify)


class SetClaimAttributeCommand(SessionCommand):
    def __init__(self, session: Session, span_id: int, name: str, value: Any, notify: Notify):
        super().__init__(session, f"Set {name}",
                         lambda: session.set_claim_attribute(span_id, name, value), notify)


class SetStatusCommand(SessionCommand):
    def __init__(self, session: Session, doc_id: int, status: str, notify: Notify,
                 note: str | None = None):
        super().__init__(session, f"Mark {status.replace('_', ' ')}",
                         lambda: session.set_status(doc_id, status, note), notify)
