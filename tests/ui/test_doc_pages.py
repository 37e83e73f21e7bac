"""The document list without a search spans the whole project (issue 28 §1: scrolling to
the end of 1,000,000 documents): its row count from the counters, its rows read a page
at a time where the view looks, and only a few pages held."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from annotator.gui.doc_pages import KEEP, PAGE
from annotator.gui.models import DocumentListModel
from PySide6.QtWidgets import QApplication, QTableView

from annotator.store import Store

N_DOCS = 30_000


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30,000 generated documents (every seventh done, some deleted: ids with gaps)."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    store = Store(path)
    with store.write():
        store.insert_documents([(f"Report {i} from Mosul. " + "Officials said so. " * 20,
                                 {"title": f"Report number {i}"}, f"h{i}",
                                 "done" if i % 7 == 0 else "new") for i in range(N_DOCS)])
    store.close()
    return path


@pytest.fixture
def big(big_file: Path, tmp_path: Path) -> Iterator[Store]:
    """A copy of the big project for one test (by SQLite itself: never open() it)."""
    source = Store(big_file)
    copy = tmp_path / "copy.db"
    source.conn.execute("VACUUM INTO ?", (str(copy),))
    source.close()
    store = Store(copy)
    yield store
    store.close()


def _view(model: DocumentListModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.resize(600, 400)
    view.show()
    QApplication.processEvents()
    return view


def _shown_rows(view: QTableView) -> list[int]:
    """The rows the view draws."""
    top = view.rowAt(0)
    bottom = view.rowAt(view.viewport().height() - 1)
    bottom = view.model().rowCount() - 1 if bottom < 0 else bottom
    return list(range(top, bottom + 1))


@pytest.mark.gui
@pytest.mark.slow  # a 30,000-document project
def test_doc_list_scroll_bar_reaches_the_last_document(qtbot: Any, big: Store) -> None:
    model = DocumentListModel(big)
    view = _view(model)
    qtbot.addWidget(view)
    bar = view.verticalScrollBar()
    shown = len(_shown_rows(view))
    assert model.rowCount() == N_DOCS
    assert bar.maximum() >= N_DOCS - shown  # the scroll bar covers every document
    view.scrollToBottom()
    QApplication.processEvents()
    rows = _shown_rows(view)
    assert rows[-1] == N_DOCS - 1
    last = big.document_row(big.id_range()[1])
    assert last is not None
    assert model.data(model.index(rows[-1], 2)) == last["title"] == f"Report number {N_DOCS - 1}"


@pytest.mark.gui
@pytest.mark.slow
def test_doc_list_holds_a_few_pages_whatever_it_scrolled(qtbot: Any, big: Store) -> None:
    with big.write():  # gaps in the ids: pages are found by keyset, not by the id
        big.conn.execute("DELETE FROM documents WHERE id % 1000 = 3")
    model = DocumentListModel(big)
    view = _view(model)
    qtbot.addWidget(view)
    bar = view.verticalScrollBar()
    expected = big.document_ids()
    assert model.rowCount() == len(expected) < N_DOCS
    for value in [bar.maximum(), *range(bar.maximum(), 0, -bar.maximum() // 60), 0,
                  bar.maximum() // 2, bar.maximum() // 3]:
        bar.setValue(value)
        QApplication.processEvents()
        assert [model.doc_id(r) for r in _shown_rows(view)] == [
            expected[r] for r in _shown_rows(view)]
        assert model.paged is not None and model.paged.held <= KEEP * PAGE
    model.set_filter("done", None)  # a status filter: its count from the counters too
    done = big.document_ids("done")
    assert model.rowCount() == len(done)
    view.scrollToBottom()
    QApplication.processEvents()
    assert [model.doc_id(r) for r in _shown_rows(view)] == done[-len(_shown_rows(view)):]
    assert model.row_of(done[len(done) // 2]) == len(done) // 2


@pytest.mark.gui
@pytest.mark.slow
def test_doc_list_page_reads_cost_a_page_of_steps(big: Store) -> None:
    model = DocumentListModel(big)
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    reads = []
    big.conn.set_progress_handler(count, 10)
    for row in (N_DOCS - 1, N_DOCS // 2, 17_123, 123):
        steps[0] = 0
        assert model.doc_id(row) == row + 1
        reads.append(steps[0])
    steps[0] = 0
    big.document_rows(None, None, N_DOCS - PAGE, PAGE)  # the last page by OFFSET
    offset_read = steps[0]
    big.conn.set_progress_handler(None, 0)
    assert max(reads) * 4 < offset_read
    assert max(reads) < 2_000  # 20,000 VM steps: a page of 200 rows, wherever it is


@pytest.mark.gui
@pytest.mark.slow
def test_doc_list_follows_another_writer(qtbot: Any, big: Store) -> None:
    model = DocumentListModel(big)
    view = _view(model)
    qtbot.addWidget(view)
    view.scrollToBottom()
    QApplication.processEvents()
    other = Store(big.path)
    with other.write():
        other.insert_document("A late report from Raqqa.", {"title": "Late report"}, "late")
        other.conn.execute("UPDATE documents SET status = 'flagged' WHERE id = ?", (N_DOCS,))
    other.close()
    assert model.follow() is False  # no reset: the view keeps its place
    assert model.rowCount() == N_DOCS + 1
    assert model.data(model.index(N_DOCS, 2)) == "Late report"
    assert model.data(model.index(N_DOCS - 1, 1)) == "⚑"


@pytest.mark.gui
@pytest.mark.slow
def test_doc_list_finds_the_next_document_without_counting(big: Store) -> None:
    # the window selects the document it opens: the next one after the rows held is
    # found by reading the following page, not by counting the ids before it
    model = DocumentListModel(big)
    model.set_filter("new", None)
    new = big.document_ids("new")
    middle = len(new) // 2 // PAGE * PAGE
    assert model.doc_id(middle) == new[middle]  # the view looks at the middle
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    big.conn.set_progress_handler(count, 10)
    assert model.row_of(new[middle + PAGE + 3]) == middle + PAGE + 3
    found, steps[0] = steps[0], 0
    assert big.position("new", new[middle + PAGE + 3]) == middle + PAGE + 3
    counted = steps[0]
    big.conn.set_progress_handler(None, 0)
    assert found * 2 < counted


@pytest.mark.gui
@pytest.mark.slow
def test_doc_list_end_and_home_keys_reach_the_last_and_first_document(
        qtbot: Any, big: Store) -> None:
    from annotator.gui.doclist import DocumentPanel
    from PySide6.QtCore import Qt

    panel = DocumentPanel(big)
    qtbot.addWidget(panel)
    panel.resize(400, 500)
    panel.show()
    panel.focus_list()
    QApplication.processEvents()
    table = panel.table
    qtbot.keyClick(table, Qt.Key.Key_End)  # before: the row's last column, row 0
    QApplication.processEvents()
    assert table.currentIndex().row() == N_DOCS - 1
    assert panel.model.doc_id(table.currentIndex().row()) == big.id_range()[1]
    assert N_DOCS - 1 in _shown_rows(table)  # scrolled there, no page read before it
    assert panel.model.paged is not None and panel.model.paged.held <= 2 * PAGE
    qtbot.keyClick(table, Qt.Key.Key_Home)
    QApplication.processEvents()
    assert table.currentIndex().row() == 0 and 0 in _shown_rows(table)
