"""The window's background suggester, as a process of its own.

The window asks for one document's suggestions at a time. Run in a thread of the
window's process, the suggester's Python work (the claim rules over a long document's
parse, the unpickled parse itself, its garbage collections) shared the interpreter lock
with the thread that draws the window and handles keys: the slowest keystroke waited
up to 155 ms while a 400,000-character document was suggested (``bench/long.py``).
In a process of its own it shares nothing with the window but the project file, whose
write lock it takes in transactions of at most :data:`CHUNK_MS` (a decision waits for one
at most; its store is a *background* one, which gives way to the window's writes).

The two ends talk over a :func:`multiprocessing.Pipe` (plain tuples):

- to the service: ``("suggest", doc_id)``, ``("model", path_or_empty)``, ``("stop",)``;
- from it: ``("busy", text)``, ``("done", doc_id, changed)``,
  ``("wrong_language", doc_id, reason)``, ``("failed", doc_id, message)``.

The process is started with ``spawn`` (a process forked from one running Qt's threads
may hang), imports spaCy and loads the pipeline on its first request, never before.
Nothing here imports Qt.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

#: The longest write transaction of the background suggester, in milliseconds.
CHUNK_MS = 20.0


def failure_reason(exc: BaseException) -> str:
    """What a window says of failed background work: a refusal in the core's words (as
    the command line says it), a failure of the storage in a few; anything else is a
    bug: its traceback goes to stderr and the message asks for a report."""
    from ..errors import REPORT_WINDOW, describe
    from ..store import storage_reason

    said = describe(exc)
    if said is None and isinstance(exc, OSError | sqlite3.Error):
        said = storage_reason(exc)
    if said is None:
        traceback.print_exception(exc)
        said = f"{type(exc).__name__}: {exc} ({REPORT_WINDOW})"
    return said


def _let_others_run() -> None:
    """Between two transactions: a decision waiting for the write lock takes it."""
    time.sleep(0.001)


class _Service:
    """The state of the serving process: its store, and the pipeline once loaded."""

    def __init__(self, conn: Connection, db_path: str):
        from ..store import Store

        self.conn = conn
        self.store = Store(db_path, background=True)
        self.model = ""  # a trained model's path; "": the default pipeline
        self.nlp: Any = None

    def suggest(self, doc_id: int) -> None:
        from .runner import load_pipeline, load_suggester, suggest

        if self.store.has_model_spans(doc_id) or self.store.get_document(doc_id) is None:
            self.conn.send(("done", doc_id, False))  # suggested already, or deleted
            return
        if self.nlp is None:
            self.conn.send(("busy", "loading the spaCy pipeline…"))
            self.nlp = (load_suggester(self.model, self.store.path) if self.model
                        else load_pipeline())
        self.conn.send(("busy", f"suggesting spans for document {doc_id}…"))
        result = suggest(self.store, self.nlp, [doc_id], background=True,
                         parse_apart=False, chunk_ms=CHUNK_MS, between=_let_others_run)
        if doc_id in result.wrong_language:  # the language check (annotator.language)
            reason = next(iter(result.skipped))
            self.conn.send(("wrong_language", doc_id, reason.split(";")[0]))
        else:
            self.conn.send(("done", doc_id, True))

    def run(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):  # the window is gone
                return
            if message[0] == "stop":
                return
            if message[0] == "model":
                self.model, self.nlp = str(message[1] or ""), None
                continue
            doc_id = int(message[1])
            try:
                self.suggest(doc_id)
            except Exception as exc:  # reported to the window; the service goes on
                self.conn.send(("failed", doc_id, failure_reason(exc)))


def serve(conn: Connection, db_path: str, busy_timeout_ms: int | None = None,
          decisions: Any = None) -> None:
    """The serving process's body: suggestions for each document asked, until
    ``("stop",)`` or the other end closes. ``busy_timeout_ms``: the window's wait for
    the write lock, if it is not the default; ``decisions``: the window's shared count
    of its decisions waiting or running, which this process's writes give way to
    (:meth:`annotator.store.base.Precedence.share`)."""
    if decisions is not None:
        from ..store.base import PRECEDENCE

        PRECEDENCE.share(decisions)
    if busy_timeout_ms is not None:
        from ..store import files

        files.BUSY_TIMEOUT_MS = busy_timeout_ms
    service = _Service(conn, db_path)
    try:
        service.run()
    finally:
        service.store.close()
        conn.close()


def stopped() -> None:
    """After the serving process ended: this process's writes no longer count for one
    (see :func:`start`)."""
    from ..store.base import PRECEDENCE

    PRECEDENCE.share(None)


def start(db_path: str) -> tuple[multiprocessing.process.BaseProcess, Connection]:
    """Start a serving process on ``db_path``: the process and the window's end of the
    pipe. It waits for the write lock as long as this process does, and its writes
    give way to this process's foreground ones (the window's decisions), as a
    background store's do within one process."""
    from ..store import files
    from ..store.base import PRECEDENCE

    context = multiprocessing.get_context("spawn")
    if PRECEDENCE.shared is None:
        PRECEDENCE.share(context.Value("i", 0))
    ours, theirs = context.Pipe()
    process = context.Process(target=serve, args=(theirs, db_path, files.BUSY_TIMEOUT_MS,
                                                  PRECEDENCE.shared),
                              daemon=True,
                              name="annotator-suggest")
    process.start()
    theirs.close()
    return process, ours
