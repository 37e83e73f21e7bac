"""Undo commands for document labels (issue 25): each wraps one operation of
:mod:`annotator.editing.doc_labels` (``choose``, ``accept_suggestions``, ``reject``).

As for spans (:mod:`ui.commands`): ``QUndoStack.push`` runs ``redo()`` at once, and the
first ``redo()`` performs the operation, committed to SQLite before it returns, and
keeps its :class:`DocLabelChange`; ``undo()`` is ``revert`` of that change and later
``redo()``s are ``reapply``. They share the window's undo stack with the span commands,
so Ctrl+Z undoes the last decision whatever it was on. A refused operation, or one that
changes nothing, marks the command obsolete: the stack drops it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from annotator.editing.doc_labels import DocLabelChange, reapply, revert
from annotator.errors import AnnotatorError
from annotator.store import Store


class DocLabelSignals(QObject):
    """What the document-label commands report: ``changed(change, verb)`` after a redo
    ("redo") or undo ("undo"), so the bar redraws; ``refused(message)`` when the core
    refused (the banner says why); ``told(message)``: what an undo or a later redo did,
    for the status bar."""

    changed = Signal(object, str)
    refused = Signal(str)
    told = Signal(str)


class DocLabelCommand(QUndoCommand):
    """One document-label operation as an undoable command."""

    def __init__(self, store: Store, signals: DocLabelSignals, text: str,
                 operation: Callable[[], DocLabelChange | None]):
        super().__init__(text)
        self.store = store
        self.signals = signals
        self.operation = operation
        self.change: DocLabelChange | None = None
        self.error: str | None = None

    def redo(self) -> None:
        again = self.change is not None  # not the first run: Ctrl+Shift+Z
        try:
            if self.change is None:
                change = self.operation()
                if change is None or change.empty:
                    self.setObsolete(True)  # nothing to do: no undo step
                    return
                self.change = change
            else:
                reapply(self.store, self.change)
        except AnnotatorError as exc:
            self._refuse(exc)
            return
        self.signals.changed.emit(self.change, "redo")
        if again:
            self.signals.told.emit(f"Redone: {self.text()}")

    def undo(self) -> None:
        if self.change is None:
            return
        try:
            revert(self.store, self.change)
        except AnnotatorError as exc:
            self._refuse(exc)
            return
        self.signals.changed.emit(self.change, "undo")
        self.signals.told.emit(f"Undone: {self.text()}")

    def _refuse(self, exc: AnnotatorError) -> None:
        self.error = exc.describe()
        if self.change is None:
            self.setObsolete(True)
        self.signals.refused.emit(self.error)
