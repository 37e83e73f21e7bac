"""Work that must not freeze the window: suggestions, import, export.

Each worker opens its *own* :class:`Store` on the project file (an SQLite connection
is not shared across threads); WAL lets the window read while a worker writes. Their
signals are emitted in the worker's thread: connect them only to methods of objects
that live in the GUI thread (Qt then queues the call there), never to a lambda, which
Qt would run in the worker's thread (:class:`ui.taskbar.TaskBar` does this).
"""

from __future__ import annotations

import shlex
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from annotator.errors import REPORT_WINDOW, describe
from annotator.export.base import ExportOptions
from annotator.store import Store, storage_reason

#: The longest write transaction of the background suggester, in milliseconds (the
#: window's decisions wait for at most one, see annotator.store.Precedence).
WORKER_CHUNK_MS = 20.0
#: The interpreter's switch interval while the background suggester works (seconds).
SWITCH_INTERVAL_S = 0.001


def _let_others_run() -> None:
    """Between two of the suggester's transactions: the GUI thread gets the
    interpreter lock (and a waiting decision the write lock) at once."""
    time.sleep(0.001)


def _freeze_heap() -> None:
    """Once the pipeline is loaded: the objects alive now (the window's, spaCy's) are
    left out of later garbage collections (``gc.freeze``). A full collection walked
    them all while holding the interpreter lock, so the GUI thread waited: 0.6 and
    1.6 s in one bench run while the suggester worked on a 400,000-character
    document, one key waiting 1.9 s (``bench/long.py``)."""
    import gc

    gc.collect()
    gc.freeze()


class Cancelled(Exception):
    """Raised from a progress callback to stop a task (its transaction rolls back)."""


def _reason(exc: Exception) -> str:
    """What the window shows of a failed task: a refusal in the core's words (as the
    command line says it), a failure of the storage (a full disk, a busy project) in a
    few; anything else is a bug: its traceback goes to stderr and the message asks for
    a report."""
    said = describe(exc)
    if said is None and isinstance(exc, OSError | sqlite3.Error):
        said = storage_reason(exc)
    if said is None:
        traceback.print_exception(exc)
        said = f"{type(exc).__name__}: {exc} ({REPORT_WINDOW})"
    return said


class SuggestWorker(QObject):
    """Stores model suggestions for documents that have none. Lives in its own thread;
    the spaCy pipeline is imported and loaded on the first request, never before."""

    suggested = Signal(int)  # document id whose spans changed
    failed = Signal(str)
    busy = Signal(str)  # what it is doing now ("" when idle)

    def __init__(self, db_path: Path):
        super().__init__()
        self.db_path = db_path
        self.model: str | None = None  # a trained model's path; None: the default
        self._store: Store | None = None
        self._nlp: Any = None

    @Slot(str)
    def use_model(self, model: str) -> None:
        """Suggest with ``model`` from the next document on ("" : the default)."""
        self.model = model or None
        self._nlp = None

    @Slot(int)
    def suggest_document(self, doc_id: int) -> None:
        try:
            done = self._suggest(doc_id)
        except Exception as exc:  # a worker must report, never die silently
            self.busy.emit("")  # first: the window is idle again when it hears the rest
            self.failed.emit(f"suggestions for document {doc_id} failed: {_reason(exc)}")
            return
        self.busy.emit("")
        if done:
            self.suggested.emit(doc_id)

    def _suggest(self, doc_id: int) -> bool:
        # Imported here: opening the window never imports spaCy.
        from annotator.suggest.runner import load_pipeline, suggest

        if self._store is None:
            # background: its writes give way to the window's decisions, and it writes
            # a long document in short transactions, so a keystroke never waits long
            self._store = Store(self.db_path, background=True)
        if self._store.has_model_spans(doc_id):
            return False
        if self._nlp is None:
            self.busy.emit("loading the spaCy pipeline…")
            self._nlp = load_pipeline()
            _freeze_heap()
        self.busy.emit(f"suggesting spans for document {doc_id}…")
        # Parsed in a worker process where processes fork (spaCy would otherwise hold
        # the interpreter lock for most of the parse, and keystrokes wait for it);
        # written in transactions of at most 20 ms: a decision waits for one at most.
        # The interpreter lock passes between threads every 1 ms, not 5, while this
        # thread works: each time the GUI thread takes it back during a keystroke (after
        # each SQLite call of the decision, each Qt call that released it) it waited up
        # to the switch interval for this thread to let go.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, SWITCH_INTERVAL_S))
        try:
            result = suggest(self._store, self._nlp, [doc_id], background=True,
                             chunk_ms=WORKER_CHUNK_MS, between=_let_others_run)
        finally:
            sys.setswitchinterval(interval)
        if doc_id in result.wrong_language:  # the language check (annotator.language)
            reason = next(iter(result.skipped))
            command = shlex.join(["annotator", "suggest", "--doc", str(doc_id),
                                  "--force-language", "--db", str(self.db_path)])
            self.failed.emit(f"No suggestions for document {doc_id}: "
                             f"{reason.split(';')[0]}. To suggest anyway: {command}")
            return False
        return True

    def close(self) -> None:
        """Close the worker's connection (call after its thread has stopped)."""
        if self._store is not None:
            self._store.close()
            self._store = None


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
