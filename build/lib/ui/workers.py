"""Work that must not freeze the window: suggestions, import, export.

Each worker opens its *own* :class:`Store` on the project file (an SQLite connection
is not shared across threads); WAL lets the window read while a worker writes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from annotator.store import Store


class Cancelled(Exception):
    """Raised from a progress callback to stop a task (its transaction rolls back)."""


class SuggestWorker(QObject):
    """Stores model suggestions for documents that have none. Lives in its own thread;
    the spaCy pipeline is imported and loaded on the first request, never before."""

    suggested = Signal(int)  # document id whose spans changed
    failed = Signal(str)
    busy = Signal(str)  # what it is doing now ("" when idle)

    def __init__(self, db_path: Path):
        super().__init__()
        self.db_path = db_path
        self._store: Store | None = None
        self._nlp: Any = None
        self._unavailable = False

    @Slot(int)
    def suggest_document(self, doc_id: int) -> None:
        if self._unavailable:
            return
        try:
            from annotator.suggest.runner import load_pipeline, suggest
        except ImportError:
            self._unavailable = True
            self.failed.emit("suggestions are not available (annotator.suggest.runner)")
            return
        try:
            if self._store is None:
                self._store = Store(self.db_path)
            if self._store.has_model_spans(doc_id):
                return
            if self._nlp is None:
                self.busy.emit("loading the spaCy pipeline…")
                self._nlp = load_pipeline()
            self.busy.emit(f"suggesting spans for document {doc_id}…")
            suggest(self._store, self._nlp, [doc_id])
        except Exception as exc:  # a worker must report, never die silently
            self.failed.emit(f"suggestions for document {doc_id} failed: {exc}")
            return
        finally:
            self.busy.emit("")
        self.suggested.emit(doc_id)

    def close(self) -> None:
        """Close the worker's connection (call after its thread has stopped)."""
        if self._store is not None:
            self._store.close()
            self._store = None


Task = Callable[[Store, Callable[[int], None]], str]


class TaskThread(QThread):
    """Runs ``task(store, progress)`` once in a thread with its own store; ``progress(n)``
    reports work done and raises :class:`Cancelled` after :meth:`cancel`."""

    progressed = Signal(int)
    succeeded = Signal(str)
    failed = Signal(str)

    def __init__(self, db_path: Path, task: Task, parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self.task = task
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    def _progress(self, n: int) -> None:
        if self._cancelled:
            raise Cancelled
        self.progressed.emit(n)

    def run(self) -> None:
        try:
            with Store(self.db_path) as store:
                message = self.task(store, self._progress)
        except Cancelled:
            self.failed.emit("cancelled; nothing was written")
        except Exception as exc:  # shown to the user, the thread ends cleanly
            self.failed.emit(str(exc))
        else:
            self.succeeded.emit(message)
