"""Qt item models over the store (qtmodeltester) and the pure helpers of ui/."""

from __future__ import annotations

import pytest
from annotator.gui.models import PAGE, DocumentListModel, SpanListModel
from annotator.gui.offsets import OffsetMap, display_text, from_utf16, to_utf16
from PySide6.QtCore import QModelIndex

from annotator.editing.reveal import HIDDEN_MARK
from annotator.model import LabelScheme
from annotator.session import Session

from .conftest import add_document


@pytest.mark.gui
def test_models_document_list_is_lazy_and_valid(qtmodeltester, store):
    for i in range(PAGE * 2 + 50):
        add_document(store, f"Article number {i} about Mosul.")
    model = DocumentListModel(store)  # no search: every row, read where the view looks
    assert model.rowCount() == PAGE * 2 + 50 == model.total
    assert not model.canFetchMore(QModelIndex())
    assert model.load_until(PAGE * 2 + 40) == PAGE * 2 + 39
    model.set_filter(None, "Article")  # a search: lazy, a page at a time
    assert model.rowCount() == PAGE and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == PAGE * 2
    model.set_filter(None, "number 7 ")
    assert [model.doc_id(r) for r in range(model.rowCount())] == [8]
    model.set_filter(None, None)
    qtmodeltester.check(model)  # fetches every page on the way


@pytest.mark.gui
@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_models_document_list_pages_follow_the_filter(store):
    for i in range(PAGE * 4):
        add_document(store, f"Article number {i} about {'Mosul' if i % 3 else 'Baghdad'}.",
                     status="done" if i % 2 else "new")
    model = DocumentListModel(store)
    model.set_filter("done", "Mosul")
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    expected = [r["id"] for r in store.document_rows("done", "Mosul", limit=10_000)]
    assert len(expected) > PAGE
    assert [model.doc_id(r) for r in range(model.rowCount())] == expected
    assert [model.row_of(doc_id) for doc_id in expected] == list(range(len(expected)))


@pytest.mark.gui
def test_models_document_list_loads_nothing_toward_a_far_document(store):
    with store.write():
        for i in range(PAGE * 7):
            store.insert_document(f"Article {i}", {}, f"hash{i}")
    model = DocumentListModel(store)
    model.set_filter(None, "Article")  # a search's list is lazy
    assert model.load_until(PAGE * 6 + 10) is None  # more than five pages on
    assert model.rowCount() == PAGE
    assert model.load_until(PAGE * 5) == PAGE * 5 - 1  # within reach: loaded
    assert model.rowCount() == PAGE * 5


@pytest.mark.gui
def test_models_span_list_updates_decided_rows_in_place(qtmodeltester, project):
    model = SpanListModel(LabelScheme.load(), "entity")
    doc = project.get_document(1)
    model.set_spans(doc.text, project.spans(1))
    qtmodeltester.check(model)  # and it keeps checking the signals below
    resets = []
    model.modelReset.connect(lambda: resets.append(True))
    session = Session(project, "tester")
    for change in (session.accept(model.spans[2].id), session.reject(model.spans[0].id)):
        model.update_spans(doc.text, project.spans(1), change.after)
    assert resets == []
    change = session.add(1, "entity", 0, 7, "PERSON")  # "General": a new row
    model.update_spans(doc.text, project.spans(1), change.after)
    assert resets == [True]
    assert model.spans == [s for s in project.spans(1) if s.layer == "entity"]


@pytest.mark.gui
def test_models_span_list_is_valid(qtmodeltester, project):
    model = SpanListModel(LabelScheme.load(), "entity")
    doc = project.get_document(1)
    model.set_spans(doc.text, project.spans(1))
    qtmodeltester.check(model)
    assert model.rowCount() == 6


def test_offsets_emoji_astral_and_arabic():
    text = "😀 Alice خالد 𝔘 Bob"
    omap = OffsetMap(text)
    for index in range(len(text) + 1):
        pos = omap.to_utf16(index)
        assert pos == len(text[:index].encode("utf-16-le")) // 2
        assert omap.from_utf16(pos) == index
    assert to_utf16(text, 2) == 3 and from_utf16(text, 3) == 2
    assert omap.from_utf16(1) == 0  # inside the surrogate pair: the emoji's start


def test_offsets_display_text_keeps_every_position():
    text = "a\r\nb\rc\u2028d\u2029e\n"
    shown = display_text(text)
    assert len(shown) == len(text) and "\r" not in shown
    assert shown[text.index("b")] == "b"
    assert display_text("\ufeffx") == HIDDEN_MARK + "x"  # Qt would drop a leading BOM


def test_tokens_snap_grow_shrink():
    from annotator.tokens import TokenBounds

    tokens = TokenBounds.of("the Wall Street Journal, inIraq.")
    assert tokens.snap(5, 11) == (4, 15)  # "all St" -> "Wall Street"
    assert tokens.snap(3, 4) is None
    assert tokens.grow_start(4) == 0
    assert tokens.shrink_start(4, 15) == 9
    assert tokens.grow_end(15) == 23
    assert tokens.shrink_end(4, 23) == 15
    assert tokens.shrink_end(4, 8) == 8  # a one-token span stays


@pytest.mark.gui
def test_models_document_list_search_shows_a_page_without_counting_every_match(store):
    # counting a search's matches before the first row read every text not in the
    # full-text index (seconds at 1,000,000 documents): the first page shows, the rest
    # comes page by page, and the list ends where the matches do
    with store.write():
        for i in range(PAGE * 20 + 7):
            store.insert_document(f"Officials in Erbil said so. {'x' * 300}", {}, f"h{i}")
    model = DocumentListModel(store, sync_scan=10**9)  # on this thread: its steps counted
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    store.conn.set_progress_handler(count, 1000)
    model.set_filter(None, "erbil")
    page_steps, steps[0] = steps[0], 0
    store.count_rows(None, "erbil")  # what the first page waited for before
    store.conn.set_progress_handler(None, 0)
    assert page_steps < steps[0]  # a page's worth of reading, less than the count alone
    assert model.rowCount() == PAGE and model.canFetchMore(QModelIndex())
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == PAGE * 20 + 7 == model.total
    model.set_filter(None, "mosul")
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
