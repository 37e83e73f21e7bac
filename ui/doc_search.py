"""The document list's search pages, read in a thread when they may scan many texts.

While the full-text index is being filled (:mod:`ui.indexer`), documents not indexed
yet are searched by substring (``LIKE``): a word found in few or no documents reads
every such text before the page is known (22 s at 1,000,000 documents). The list asks
:func:`scan_size` first; above :data:`SYNC_SCAN` texts, :class:`PageThread` reads the
page with its own read-only connection (SQLite connections are per thread) and posts
the rows back, and a newer query interrupts an older one
(its connection's progress handler aborts it). Same query, same
store method (:meth:`annotator.store.Store.document_rows`): same rows, same order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from annotator.store import Store
from annotator.store.rows import fts_query

# Texts a LIKE may read on the GUI thread: a few ms (and few SQLite steps) at most.
SYNC_SCAN = 2_000
STEPS = 1_000  # SQLite steps between two looks at a cancelled thread's flag


def scan_size(store: Store, search: str | None) -> int:
    """How many texts a page of ``search`` may read by substring: every document when
    the words give no full-text query, else those the index lacks (from the counters:
    no scan)."""
    if not search:
        return 0
    if not fts_query(search) or not store.search_indexed_upto():
        return store.count_documents()
    return store.count_unindexed()


class PageThread(QThread):
    """Reads one page of the list, ``document_rows(status, search, offset, limit,
    after_id)``, with its own read-only store of ``db_path``. ``found(generation, rows)``
    or ``failed(generation, message)``; nothing after :meth:`cancel`."""

    found = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, db_path: Path, generation: int, query: dict[str, Any]):
        super().__init__()
        self.db_path = db_path
        self.generation = generation
        self.query = query
        self._cancelled = False

    def cancel(self) -> None:
        """From the GUI thread: stop the query now. Its connection's progress handler
        sees the flag within :data:`STEPS` SQLite steps and aborts (``interrupted``);
        the thread then ends without a word."""
        self._cancelled = True

    def _stop_asked(self) -> int:
        return 1 if self._cancelled else 0

    def run(self) -> None:
        try:
            with Store(self.db_path, readonly=True) as store:
                store.conn.set_progress_handler(self._stop_asked, STEPS)
                rows = store.document_rows(**self.query)
        except Exception as exc:  # shown in the list's note; the thread ends cleanly
            if not self._cancelled:
                self.failed.emit(self.generation, f"{type(exc).__name__}: {exc}")
            return
        if not self._cancelled:
            self.found.emit(self.generation, rows)


class PageReader(QObject):
    """The list's pages read in threads, one query at a time: :meth:`read` cancels the
    one before. ``found(kind, rows)``/``failed(message)`` for the newest only."""

    found = Signal(str, object)
    failed = Signal(str)

    def __init__(self, db_path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self._generation = 0
        self._kind = ""
        self._threads: list[PageThread] = []

    @property
    def usable(self) -> bool:
        """A project file another connection can open (not an in-memory store)."""
        return self.db_path.is_file()

    @property
    def busy(self) -> bool:
        return bool(self._kind)

    def read(self, kind: str, query: dict[str, Any]) -> None:
        """Read ``document_rows(**query)`` in a thread; ``kind`` comes back with the rows."""
        self.cancel()
        self._generation += 1
        self._kind = kind
        thread = PageThread(self.db_path, self._generation, query)
        thread.found.connect(self._on_found)
        thread.failed.connect(self._on_failed)
        thread.finished.connect(self._on_finished)
        self._threads.append(thread)
        thread.start()

    def cancel(self) -> None:
        """Forget the query under way (its thread stops at its next steps)."""
        self._kind = ""
        for thread in self._threads:
            thread.cancel()

    def stop(self) -> None:
        """Cancel and wait for every thread (before the list or the window goes)."""
        self.cancel()
        for thread in self._threads:
            thread.wait()
        self._threads.clear()

    def _on_found(self, generation: int, rows: object) -> None:
        if generation == self._generation and self._kind:
            kind, self._kind = self._kind, ""
            self.found.emit(kind, rows)

    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._generation and self._kind:
            self._kind = ""
            self.failed.emit(message)

    def _on_finished(self) -> None:
        for thread in [t for t in self._threads if t.isFinished()]:
            self._threads.remove(thread)
            thread.deleteLater()
