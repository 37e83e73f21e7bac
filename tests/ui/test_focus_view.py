"""The focused span and the find bar in the article (issue 26 §4): the focus ring is
unmistakable on a short entity, the find bar never covers the text it finds, and the
focused span scrolls into view whole, with context."""

from __future__ import annotations

from annotator.gui.focus_ring import CONTEXT_LINES
from PySide6.QtCore import QPoint, QRect, Qt

from .conftest import add_document

FILLER = ("The council met on Tuesday to discuss the budget, the roads and the schools "
          "of the district, as it does every month.")
CLAIM = ("The governor said that unemployment in the province fell by half over the last "
         "two years, the fastest fall recorded anywhere in the country since records began, "
         "according to the ministry.")


def luminance(image, x: int, y: int) -> float:
    c = image.pixelColor(x, y)
    return 0.2126 * c.red() + 0.7152 * c.green() + 0.0722 * c.blue()


def test_the_focus_ring_on_a_short_entity_is_solid_and_dark(project, open_window, qtbot):
    window = open_window()
    window.resize(1024, 700)
    article = window.article
    us = next(s for s in window.spans if s.label == "GPE" and s.end - s.start == 2)
    window.focus_span(None)
    qtbot.wait(20)
    rect = article.span_rects(us)[0]
    x = round(rect.left()) - 3  # the ring's left side
    ys = range(round(rect.top()) + 2, round(rect.bottom()) - 1)
    before = article.viewport().grab().toImage()
    window.focus_span(us.id)
    qtbot.wait(20)
    rect = article.span_rects(us)[0]
    x = round(rect.left()) - 3
    ys = range(round(rect.top()) + 2, round(rect.bottom()) - 1)
    after = article.viewport().grab().toImage()
    dpr = after.devicePixelRatio()
    dark = [luminance(after, int(x * dpr), int(y * dpr)) < 90 for y in ys]
    assert all(dark), dark  # a solid dark side, no dashes, on a pending suggestion
    assert sum(luminance(before, int(x * dpr), int(y * dpr)) < 90 for y in ys) == 0


def test_the_find_bar_never_covers_its_first_match(project, open_window, qtbot):
    window = open_window()
    window.resize(1024, 700)
    article = window.article
    article.open_find()
    qtbot.keyClicks(article.find_bar.edit, "told")  # on the first line
    qtbot.waitUntil(lambda: article.selection() is not None)
    start, end = article.selection()
    cursor = article.textCursor()
    cursor.setPosition(article.offsets.to_utf16(start))
    match = article.cursorRect(cursor)
    top_left = article.viewport().mapTo(article, match.topLeft())
    match_in_article = QRect(top_left, match.size())
    assert not article.find_bar.geometry().intersects(match_in_article)
    assert article.viewport().rect().contains(match)
    qtbot.keyClick(article.find_bar.edit, Qt.Key.Key_Escape)
    assert article.viewport().geometry().top() == 0  # the room is given back


def test_a_two_line_claim_near_the_bottom_shows_whole_with_context(db_path, project,
                                                                    open_window, qtbot):
    text = "\n\n".join([FILLER] * 14 + [CLAIM] + [FILLER] * 6)
    doc = add_document(project, text, [("claim", CLAIM, "CLAIM")])
    window = open_window()
    window.resize(1024, 700)
    window.open_document(doc)
    qtbot.wait(50)  # the window laid out (its document-label bar shown) before the key
    article = window.article
    claim = next(s for s in window.spans if s.layer == "claim")
    window.focus_span(claim.id)
    qtbot.wait(20)
    rects = article.span_rects(claim)
    assert len(rects) >= 2  # it wraps
    line = rects[0].height()
    height = article.viewport().height()
    assert rects[0].top() >= CONTEXT_LINES * line - 1
    assert rects[-1].bottom() <= height - CONTEXT_LINES * line + 1
    assert article.viewport().rect().contains(QPoint(10, round(rects[-1].bottom())))
