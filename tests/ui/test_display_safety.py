"""Display safety: bidi controls and invisible characters in stored text are shown as
marks, never obeyed, in the article, the title, the lists and the details; offsets
stay exact through them, emoji and Arabic."""

from __future__ import annotations

from typing import Any

import pytest
from annotator.gui.highlighter import MARK_COLOR
from annotator.gui.offsets import display_text
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from annotator.editing.reveal import BIDI_MARK, HIDDEN_MARK, has_hidden
from annotator.store import Store

from .conftest import add_document, find, settle_tokens

pytestmark = pytest.mark.gui

TEXT = ("😀 خالد الراشد sent \u202eexe.live\u202c to Alice\u200b Smith and 👍🏽 Bob in "
        "\u2067Baghdad\u2069 on Monday.")
TITLE = "Invoice \u202efdp.exe"


def test_display_text_keeps_lengths_and_shows_no_hidden_character() -> None:
    shown = display_text(TEXT)
    assert len(shown) == len(TEXT)
    assert len(shown.encode("utf-16-le")) == len(TEXT.encode("utf-16-le"))
    assert not has_hidden(shown)


def test_window_shows_bidi_controls_as_marks_with_exact_offsets(qtbot: Any, db_path: Any,
                                                              open_window: Any) -> None:
    with Store(db_path) as store:
        add_document(store, TEXT, [("entity", "exe.live", "ORG"), ("entity", "Bob", "PERSON"),
                                   ("claim", TEXT[:-1], "CLAIM")],
                     meta={"title": TITLE, "source": "src\u202eevil"})
    window = open_window()
    shown = window.article.toPlainText()
    assert shown == display_text(TEXT) and not has_hidden(shown)
    assert shown.count(BIDI_MARK) == 4 and shown.count(HIDDEN_MARK) == 1
    # The title, meta line, list row and window title show the marks too.
    assert window.header.title.text() == f"Invoice {BIDI_MARK}fdp.exe"
    assert window.header.meta.text().endswith(f"src{BIDI_MARK}evil")
    model = window.doc_model
    assert model.data(model.index(0, 2)) == f"Invoice {BIDI_MARK}fdp.exe"
    assert "\u202e" not in model.data(model.index(0, 2), Qt.ItemDataRole.ToolTipRole)
    # The span after the override: drawn, listed and detailed as stored.
    start, end = find(TEXT, "exe.live")
    span = next(s for s in window.spans if (s.start, s.end) == (start, end))
    window.focus_span(span.id)
    assert window.span_panel.details.fields["text"].full_text == f"{start}–{end} “exe.live”"
    claim = next(s for s in window.spans if s.layer == "claim")
    window.focus_span(claim.id)
    rows = window.span_panel.claim_model
    assert not has_hidden(rows.data(rows.index(0, 2)))
    # Offsets: a selection in Qt after emoji, Arabic and the controls is the stored range.
    window.focus_span(None)
    start, end = find(TEXT, "Alice")
    window.article.select_range(start, end)
    assert window.article.selection() == (start, end)
    assert window.article.textCursor().selectedText() == "Alice"
    qtbot.keyClick(window.article, Qt.Key.Key_1)  # PERSON
    start, end = find(TEXT, "Baghdad")
    window.article.select_range(start, end)
    qtbot.keyClick(window.article, Qt.Key.Key_3)  # GPE
    settle_tokens(qtbot, window)  # the label keys wait for the token boundaries
    with Store(db_path) as store:
        added = {TEXT[s.start:s.end]: s.label for s in store.spans(1) if s.origin == "human"}
    assert added == {"Alice": "PERSON", "Baghdad": "GPE"}
    # The highlighter paints each mark in the mark colour and "Bob" exactly.
    block = window.article.document().firstBlock()
    ranges = block.layout().formats()  # kept: its formats live as long as the list
    formats = [(r.start, r.length, r.format.foreground().color(),
                r.format.background().color().alpha()) for r in ranges]
    for i, char in enumerate(shown):
        if char in (BIDI_MARK, HIDDEN_MARK):
            pos = len(shown[:i].encode("utf-16-le")) // 2
            assert any(a <= pos < a + n and color == QColor(MARK_COLOR)
                       for a, n, color, _ in formats), (i, char)
    bob = window.article.offsets.to_utf16(TEXT.index("Bob"))
    assert any(a <= bob and bob + 3 <= a + n and alpha > 0 for a, n, _, alpha in formats)
    # The tooltip names what a mark stands for.
    # (the middle of the mark: its paragraph is right to left, its first strong letter
    # being Arabic, and the caret before it sits where an Arabic run ends)
    mark = TEXT.index("\u202e")
    left = window.article.cursorRect(_cursor_at(window, mark))
    right = window.article.cursorRect(_cursor_at(window, mark + 1))
    tip = window.article.tooltip_at(left.united(right).center())
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in tip


def _cursor_at(window: Any, index: int) -> Any:
    cursor = window.article.textCursor()
    cursor.setPosition(window.article.offsets.to_utf16(index))
    return cursor
