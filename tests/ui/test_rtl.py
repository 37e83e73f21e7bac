"""Issue 26, right-to-left articles: each paragraph takes its base direction from its
text (an Arabic one right to left and right-aligned), offsets read start–end, and an
Arabic word labelled in the window exports with exact offsets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication

from annotator.export import ExportOptions, export
from annotator.store import Store

from .conftest import add_document, settle_tokens

pytestmark = pytest.mark.gui

ARABIC = ("وذكرت وزارة الداخلية العراقية في بيان أن 300 عائلة نزحت من مدينة البصرة يوم "
          "الاثنين، وأضافت أن فرق الإغاثة وصلت إلى المخيمات.\n"
          "وقال محمد علي إن الأوضاع مستقرة في بغداد.\n"
          "ونقلت وكالة رويترز عن مسؤول قوله إن 12 شخصا أصيبوا.")
MIXED = ("The ministry said 300 families were evacuated from Basra on Monday.\n"
         "وقال محمد علي إن الأوضاع مستقرة في بغداد، according to Reuters.\n"
         "بغداد is the capital of Iraq, the official said.\n"
         "A sign read: بغداد.")
LTR, RTL = Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft


def _blocks(window: Any) -> list[tuple[str, Qt.LayoutDirection, float]]:
    """Each paragraph: its first words, its layout direction, and where its first
    character is drawn (x in the viewport, as painted)."""
    window.article.viewport().grab()  # painted: every visible block laid out
    out = []
    block = window.article.document().firstBlock()
    while block.isValid():
        layout = block.layout()
        x = layout.lineAt(0).cursorToX(0)[0]
        out.append((block.text()[:4], layout.textOption().textDirection(), x))
        block = block.next()
    return out


def _open(qtbot: Any, open_window: Any, db_path: Any, text: str,
          spans: list[tuple[str, str, str]] | None = None) -> Any:
    with Store(db_path) as store:
        add_document(store, text, spans or [])
    window = open_window()
    window.resize(1024, 700)
    window.open_document(1)
    settle_tokens(qtbot, window)
    return window


def test_rtl_each_paragraph_takes_its_direction_from_its_first_strong_letter(
        qtbot, db_path, open_window, tmp_path):
    window = _open(qtbot, open_window, db_path, MIXED, [("entity", "محمد علي", "PERSON")])
    middle = window.article.viewport().width() / 2
    blocks = _blocks(window)
    assert [d for _, d, _ in blocks] == [LTR, RTL, RTL, LTR]
    # an RTL paragraph starts at the right edge, an LTR one at the left
    assert [x > middle for _, _, x in blocks] == [False, True, True, False]
    window.grab().save(str(tmp_path / "mixed.png"))


def test_rtl_arabic_document_is_right_to_left_and_right_aligned(qtbot, db_path,
                                                               open_window, tmp_path):
    window = _open(qtbot, open_window, db_path, ARABIC, [("entity", "بغداد", "GPE")])
    blocks = _blocks(window)
    assert [d for _, d, _ in blocks] == [RTL, RTL, RTL]
    for block in (window.article.document().firstBlock(),):
        option = block.layout().textOption()
        assert option.alignment() & Qt.AlignmentFlag.AlignRight
    window.grab().save(str(tmp_path / "arabic.png"))


def _visual_order(text: str, font: Any, first: str, second: str) -> bool:
    """Whether ``first`` is drawn left of ``second`` in ``text`` laid out as a label
    does (direction from the text)."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(10_000)
    layout.endLayout()
    a = line.cursorToX(text.index(first))[0]
    b = line.cursorToX(text.index(second))[0]
    return a < b


def test_rtl_span_panel_shows_offsets_start_end_in_order(qtbot, db_path, open_window):
    window = _open(qtbot, open_window, db_path, ARABIC, [("entity", "محمد علي", "PERSON")])
    field = window.span_panel.details.fields["text"]
    start = ARABIC.index("محمد علي")
    assert field.full_text.startswith(f"{start}–{start + 8} ")
    # drawn: the start left of the end ("131–139", not "139–131")
    assert _visual_order(field.text(), field.font(), str(start), str(start + 8))


def test_rtl_find_an_arabic_word_label_it_and_export_exact_offsets(qtbot, db_path,
                                                                   open_window, tmp_path):
    window = _open(qtbot, open_window, db_path, ARABIC)
    qtbot.keyClick(window.article, Qt.Key.Key_Slash)
    for char in "بغداد":  # as a keyboard layout sends it (QTest types Latin-1 only)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(window.article.find_bar.edit,
                                   QKeyEvent(kind, Qt.Key.Key_unknown,
                                             Qt.KeyboardModifier.NoModifier, char))
    qtbot.keyClick(window.article.find_bar.edit, Qt.Key.Key_Return)
    settle_tokens(qtbot, window)
    qtbot.keyClick(window.article, Qt.Key.Key_3)  # GPE
    settle_tokens(qtbot, window)
    [span] = window.store.spans(1)
    assert ARABIC[span.start:span.end] == "بغداد"
    out = tmp_path / "out.jsonl"
    export(window.store, "jsonl", out, ExportOptions(status="any"))
    [item] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    [exported] = item["spans"]
    assert item["text"][exported["start"]:exported["end"]] == "بغداد"
    assert (exported["start"], exported["end"]) == (span.start, span.end)


def test_rtl_caret_arrows_move_visually_in_a_right_to_left_paragraph(qtbot, db_path,
                                                                    open_window):
    """In an Arabic paragraph ← moves forward in the text (leftwards on screen) and →
    back; in an English one as before."""
    text = "وذكرت وزارة الداخلية في بيان.\nThe ministry said so."
    window = _open(qtbot, open_window, db_path, text)

    def key(k: Any, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
        qtbot.keyClick(window.article, k, modifier)
        settle_tokens(qtbot, window)

    key(Qt.Key.Key_V)
    assert window.article.caret_mode
    key(Qt.Key.Key_Home)
    assert window.article.caret_position() == 0
    key(Qt.Key.Key_Left)
    assert window.article.caret_position() == 1
    key(Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)  # a word, forward
    assert window.article.caret_position() == text.index("وزارة")
    key(Qt.Key.Key_Right)
    assert window.article.caret_position() == text.index("وزارة") - 1
    key(Qt.Key.Key_Down)  # the English paragraph: → is forward
    key(Qt.Key.Key_Home)
    here = window.article.caret_position()
    assert here == text.index("The")
    key(Qt.Key.Key_Right)
    assert window.article.caret_position() == here + 1


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_rtl_window_says_once_that_an_arabic_document_gets_no_english_suggestions(
        qtbot, db_path, open_window):
    """The window's suggester runs the language check: an Arabic document opened with
    the English pipeline gets no suggestions and one message naming a command that
    suggests anyway; opening it again says nothing more."""
    import shlex

    with Store(db_path) as store:
        add_document(store, "The ministry said so.", [("entity", "ministry", "ORG")])
        doc_id = add_document(store, ARABIC)
    window = open_window(auto_suggest=True)
    with qtbot.waitSignal(window.taskbar.suggestion_failed, timeout=120_000) as failed:
        window.open_document(doc_id)
    [message] = failed.args
    assert message.startswith(f"No suggestions for document {doc_id}: Arabic script, and "
                              "the pipeline's language is English (en). To suggest anyway: ")
    command = shlex.split(message.split("To suggest anyway: ")[1])
    assert command == ["annotator", "suggest", "--doc", str(doc_id), "--force-language",
                       "--db", str(db_path)]
    assert window.store.spans(doc_id) == []
    assert window.store.document(doc_id).meta["script"] == "Arabic"
    with qtbot.assertNotEmitted(window.taskbar.suggestion_failed, wait=500):
        window.open_document(1)
        window.open_document(doc_id)
