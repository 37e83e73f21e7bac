"""A search while the full-text index is incomplete never holds the window: the substring
scan of the documents not indexed yet runs in a thread (ui/doc_search.py), and the list
shows the same rows, in the same order, as the store's own pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer

from annotator.importers import content_hash
from annotator.store import Store

DOCS = 20_000
EVERY = 997  # one document in EVERY holds the word found
STEP = 10  # SQLite steps between two calls of the progress handler
# SQLite steps the GUI thread may take in one event-loop turn: a page of the list, a
# document opened. A substring scan of the project's unindexed texts takes ~10 times more.
TURN_STEPS = 60_000


def generate(db_path: Path, indexed: int = 0) -> None:
    """DOCS short articles (every EVERY-th says "zebra"); the first ``indexed`` in the
    full-text index, the rest not yet, as while the window's indexer is on its way."""
    texts = [f"Report {i} on the council budget and the harbour works, week {i % 52}."
             + (" A zebra escaped." if i % EVERY == 0 else "") for i in range(1, DOCS + 1)]
    with Store(db_path) as store:
        with store.write():
            store.insert_documents([(t, {}, content_hash(t), "new") for t in texts])
        while indexed > 0:
            indexed -= store.update_search_index(min(indexed, 5_000)) or indexed


class TurnSteps:
    """The SQLite steps the window's connection takes in each event-loop turn (between
    two runs of a zero-interval timer)."""

    def __init__(self, window: Any):
        self.turns: list[int] = []
        self._steps = 0
        self.conn = window.store.conn
        self.conn.set_progress_handler(self._count, STEP)
        self.timer = QTimer(interval=0)
        self.timer.timeout.connect(self._turn)
        self.timer.start()

    def _count(self) -> int:
        self._steps += STEP
        return 0

    def _turn(self) -> None:
        self.turns.append(self._steps)
        self._steps = 0

    def stop(self) -> int:
        """The largest turn's steps (the turn in progress included)."""
        self.timer.stop()
        self.conn.set_progress_handler(None, 0)
        return max([*self.turns, self._steps])


def all_rows(qtbot: Any, model: Any) -> list[int]:
    """Every row of the list's search, its pages fetched as a view would."""
    from PySide6.QtCore import QModelIndex

    def done() -> bool:
        return not getattr(model, "searching", False)

    qtbot.waitUntil(done, timeout=30_000)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(done, timeout=30_000)
    return [model.doc_id(r) for r in range(model.rowCount())]


def searching_now(panel: Any) -> bool:
    """The list waits for a search's rows from its thread."""
    return bool(getattr(panel.model, "searching", False))


def store_rows(db_path: Path, search: str) -> list[int]:
    """The store's own pages of ``search``, read on this thread as the list did."""
    with Store(db_path, readonly=True) as store:
        ids: list[int] = []
        while True:
            page = store.document_rows(None, search, limit=200, after_id=ids[-1] if ids else 0)
            ids += [r["id"] for r in page]
            if len(page) < 200:
                return ids


def test_search_of_unindexed_documents_keeps_each_turn_small(
        qtbot: Any, open_window: Any, db_path: Path) -> None:
    generate(db_path)
    window = open_window()
    window.indexer.stop()
    panel = window.documents
    assert window.store.count_unindexed() == DOCS
    steps = TurnSteps(window)
    qtbot.keyClicks(panel.search_box, "qzxv")  # in no document: every text is read
    panel.apply_filter()
    searching = searching_now(panel)  # the rows come later
    note = panel.search_note.text() if searching else ""
    # Meanwhile: more keys (a newer search cancels this one), the list stepped, a
    # document opened; each in turns as small as a page of the list.
    qtbot.keyClicks(panel.search_box, "w")
    panel.apply_filter()
    window.open_document(5)
    qtbot.waitUntil(lambda: not searching_now(panel), timeout=30_000)
    assert panel.model.rowCount() == 0 and panel.search_box.text() == "qzxvw"
    panel.search_box.clear()
    panel.apply_filter()
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    qtbot.wait(50)
    largest = steps.stop()
    print("largest turn (SQLite steps):", largest)
    assert largest < TURN_STEPS
    assert window.doc is not None and window.doc.id == 5
    assert searching and note.startswith("Searching…")
    assert f"{DOCS:,} documents not indexed yet are searched by substring" in note
    assert panel.search_note.isHidden()


def test_threaded_search_finds_the_same_documents_in_the_same_order(
        qtbot: Any, open_window: Any, db_path: Path) -> None:
    generate(db_path, indexed=6_000)  # found through the index, then by substring
    expected = store_rows(db_path, "zebra")
    assert len(expected) == DOCS // EVERY > 0
    window = open_window()
    window.indexer.stop()
    panel = window.documents
    panel.search_box.setText("zebra")
    panel.apply_filter()
    assert all_rows(qtbot, panel.model) == expected
    # A word on every page: pages of 200 fetched one after another, in id order.
    expected = store_rows(db_path, "harbour")
    panel.search_box.setText("harbour")
    panel.apply_filter()
    assert all_rows(qtbot, panel.model) == expected == list(range(1, DOCS + 1))
