"""The document list's full-text index, filled in idle time.

:meth:`annotator.store.Store.update_search_index` adds documents to the index in one
short write transaction (about 0.13 ms a document). The window calls it on the GUI
thread in ticks of at most :data:`BUDGET_MS`, only after :data:`IDLE_MS` without a key
or a document opened, each tick waiting at most :data:`WAIT_MS` for another writer: the
annotator never waits for it. (A worker with its own connection would still hold the
project's write lock while a decision wants it; a tick between keys holds nothing.)
Documents not indexed yet are still found, by substring, so a search is never wrong
meanwhile, only slower on a large project."""

from __future__ import annotations

import sqlite3
import time

from PySide6.QtCore import QObject, QTimer, Signal

from annotator.store import ReadOnlyError, Store

BUDGET_MS = 12.0  # per tick: below a frame, so a key pressed meanwhile waits less
IDLE_MS = 800  # since the last key or document opened
TICK_MS = 40
WAIT_MS = 0  # never wait for another writer: try again at the next tick
MAX_BATCH = 500


def next_batch(batch: int, spent_ms: float) -> int:
    """The next call's batch after one of ``batch`` documents took ``spent_ms``: twice
    as many while a call stays under half the tick's budget, half as many when it goes
    over. (Sizing it from the milliseconds per document counted each call's fixed cost,
    its commit, as the documents': once a slow moment had cut the batch to one
    document, a commit of 3 ms or more kept it there, 1 or 2 documents per tick, 184
    documents a second at 1,000,000.)"""
    if spent_ms < BUDGET_MS / 2:
        return min(MAX_BATCH, batch * 2)
    if spent_ms > BUDGET_MS:
        return max(1, batch // 2)
    return batch


class SearchIndexer(QObject):
    """Fills ``store``'s search index when the window is idle. ``progressed(left)``:
    documents not indexed yet (0: complete, and it stops)."""

    progressed = Signal(int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.store: Store | None = None
        self.left: int | None = None  # counted at the first idle tick
        self._batch = 20
        self._last_activity = time.monotonic()
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self, store: Store) -> None:
        """Index ``store`` from now on (a read-only project is left alone)."""
        self.store, self.left = store, None
        self.note_activity()
        if store.readonly:
            self._timer.stop()
        else:
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.store = None

    def note_activity(self) -> None:
        """A key or a document opened: wait for the next idle moment."""
        self._last_activity = time.monotonic()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def tick(self) -> int:
        """Index documents for about :data:`BUDGET_MS`; returns how many."""
        store = self.store
        if store is None:
            return 0
        started = time.perf_counter()
        done = 0
        try:
            if self.left is None:
                self.left = store.count_unindexed()
            while self.left and (time.perf_counter() - started) * 1000 < BUDGET_MS / 2:
                t0 = time.perf_counter()
                added = store.update_search_index(self._batch, wait_ms=WAIT_MS,
                                                  durable=False)
                spent_ms = (time.perf_counter() - t0) * 1000
                done += added
                self.left = max(self.left - added, 0) if added else 0
                self._batch = next_batch(self._batch, spent_ms)
        except (sqlite3.OperationalError, ReadOnlyError):
            return done  # busy elsewhere, or read-only now: the next tick tries again
        if self.left == 0:
            self._timer.stop()
        self.progressed.emit(self.left or 0)
        return done

    def _on_timer_timeout(self) -> None:
        if (time.monotonic() - self._last_activity) * 1000 >= IDLE_MS:
            self.tick()
