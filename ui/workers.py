"""Work that must not freeze the window: suggestions, import, export.

Each worker opens its *own* :class:`Store` on the project file (an SQLite connection
is not shared across threads); WAL lets the window read while a worker writes. Their
signals are emitted in the worker's thread: connect them only to methods of objects
that live in the GUI thread (Qt then queues the call there), never to a lambda, which
Qt would run in the worker's thread (:class:`ui.taskbar.TaskBar` does this).
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from annotator.store import Store

if TYPE_CHECKING:  # imported where used: not before the first document is drawn
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from annotator.export.base import ExportOptions


def _reason(exc: Exception) -> str:
    """What the window shows of a failed task (:func:`failure_reason`)."""
    from annotator.suggest.service import failure_reason  # imports multiprocessing

    return failure_reason(exc)


class Cancelled(Exception):
    """Raised from a progress callback to stop a task (its transaction rolls back)."""


class SuggestWorker(QObject):
    """Stores model suggestions for documents that have none. Lives in its own thread,
    which only talks to a suggesting *process* (:mod:`annotator.suggest.service`,
    started on the first request: spaCy is never imported by the window's process).
    The thread waits on the pipe without the interpreter lock, so the suggester's
    Python work never makes a keystroke wait for the lock."""

    suggested = Signal(int)  # document id whose spans changed
    failed = Signal(str)
    busy = Signal(str)  # what it is doing now ("" when idle)

    def __init__(self, db_path: Path):
        super().__init__()
        self.db_path = db_path
        self.model: str | None = None  # a trained model's path; None: the default
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._interrupted = False

    @Slot(str)
    def use_model(self, model: str) -> None:
        """Suggest with ``model`` from the next document on ("" : the default)."""
        self.model = model or None
        if self._conn is not None:
            self._conn.send(("model", self.model or ""))

    @Slot(int)
    def suggest_document(self, doc_id: int) -> None:
        try:
            self._suggest(doc_id)
        except (EOFError, OSError) as exc:  # the process died (killed, out of memory)
            self._stop_process()
            self.busy.emit("")
            if self._interrupted:
                return
            self.failed.emit(f"suggestions for document {doc_id} failed: the suggesting "
                             f"process ended ({type(exc).__name__}); it starts again on "
                             "the next document")
        except Exception as exc:  # a worker must report, never die silently
            self.busy.emit("")
            self.failed.emit(f"suggestions for document {doc_id} failed: {_reason(exc)}")

    def _suggest(self, doc_id: int) -> None:
        if self._conn is None:
            from annotator.suggest.service import start  # multiprocessing, on first use

            self._process, self._conn = start(str(self.db_path))
            if self.model:
                self._conn.send(("model", self.model))
        self._conn.send(("suggest", doc_id))
        while True:
            message = self._conn.recv()  # waits without the interpreter lock
            kind = message[0]
            if kind == "busy":
                self.busy.emit(message[1])
                continue
            self.busy.emit("")  # first: the window is idle again when it hears the rest
            if kind == "done":
                if message[2]:
                    self.suggested.emit(doc_id)
            elif kind == "wrong_language":
                command = shlex.join(["annotator", "suggest", "--doc", str(doc_id),
                                      "--force-language", "--db", str(self.db_path)])
                self.failed.emit(f"No suggestions for document {doc_id}: {message[2]}. "
                                 f"To suggest anyway: {command}")
            else:
                self.failed.emit(f"suggestions for document {doc_id} failed: {message[2]}")
            return

    def _stop_process(self, timeout: float = 5.0) -> None:
        conn, process, self._conn, self._process = self._conn, self._process, None, None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
            conn.close()
        if process is not None:
            process.join(timeout)
            if process.is_alive():
                process.kill()
                process.join(timeout)
            from annotator.suggest.service import stopped

            stopped()

    def interrupt(self) -> None:
        """From the GUI thread, when the window closes: end the suggesting process now
        (its open transaction, if any, rolls back; what it committed stays), so this
        worker's thread stops waiting for it."""
        self._interrupted = True
        process = self._process
        if process is not None and process.is_alive():
            process.kill()

    def close(self) -> None:
        """Stop the suggesting process (call after this worker's thread has stopped)."""
        self._stop_process()


Task = Callable[[Store, Callable[[int], None]], str]


def import_task(paths: list[Path]) -> Task:
    """File ▸ Import: ``paths`` into the project in one transaction; progress counts
    documents; the summary line comes back."""
    def task(store: Store, progress: Callable[[int], None]) -> str:
        from annotator.importers import import_paths

        count = [0]

        def on_document() -> None:
            count[0] += 1
            progress(count[0])

        return import_paths(store, paths, on_document=on_document).summary()

    return task


def export_task(fmt: str, out: Path, options: ExportOptions, force: bool) -> Task:
    """File ▸ Export, as ``annotator export`` does it; the whole summary comes back, one
    line each (the window shows them all: :class:`ui.export_dialog.ExportReport`)."""
    def task(store: Store, progress: Callable[[int], None]) -> str:
        from annotator.export import export

        summary = export(store, fmt, out, options, force=force, on_progress=progress)
        return str(summary.summary())

    return task


def refresh_task(model: str) -> Task:
    """After training: the pending suggestions of every document not done, suggested
    again with ``model`` (decisions stay). Progress counts documents; Cancel keeps what
    was refreshed (a few documents are committed at a time)."""
    def task(store: Store, progress: Callable[[int], None]) -> str:
        from annotator.suggest.runner import load_suggester
        from annotator.train.loop import refresh_suggestions

        name = Path(model).name
        suggester = load_suggester(model, store.path)
        done = [0]

        def on_progress(n: int) -> None:
            progress(n)
            done[0] = n

        try:
            result = refresh_suggestions(store, suggester, on_progress=on_progress)
        except Cancelled:
            return (f"Refresh from {name} cancelled: {done[0]:,} document(s) refreshed, the "
                    "others keep their suggestions")
        return (f"Suggestions refreshed from {name}: {result.documents:,} document(s), "
                f"{result.entities_added:,} entities and {result.claims_added:,} claims "
                "pending; decisions untouched")

    return task


class TaskThread(QThread):
    """Runs ``task(store, progress)`` once in a thread with its own store (read-only if
    ``readonly``); ``progress(n)`` reports work done and raises :class:`Cancelled` after
    :meth:`cancel`."""

    progressed = Signal(int)
    succeeded = Signal(str)
    failed = Signal(str)

    def __init__(self, db_path: Path, task: Task, readonly: bool = False,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self.task = task
        self.readonly = readonly
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    def _progress(self, n: int) -> None:
        if self._cancelled:
            raise Cancelled
        self.progressed.emit(n)

    def run(self) -> None:
        try:
            with Store(self.db_path, readonly=self.readonly) as store:
                message = self.task(store, self._progress)
        except Cancelled:
            self.failed.emit("cancelled; nothing was written")
        except Exception as exc:  # shown to the user, the thread ends cleanly
            self.failed.emit(_reason(exc))
        else:
            self.succeeded.emit(message)


class CallThread(QThread):
    """Runs ``call(store)`` once in a thread with its own store of ``db_path`` (read-only
    if ``readonly``): ``returned(value)`` with what it returned, or ``failed(message)``.
    For short work whose result the GUI shows (a label change, figures to plot)."""

    returned = Signal(object)
    failed = Signal(str)

    def __init__(self, db_path: Path, call: Callable[[Store], Any], readonly: bool = False,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self.call = call
        self.readonly = readonly

    def run(self) -> None:
        try:
            with Store(self.db_path, readonly=self.readonly) as store:
                value = self.call(store)
        except Exception as exc:  # shown to the user, the thread ends cleanly
            self.failed.emit(_reason(exc))
        else:
            self.returned.emit(value)
