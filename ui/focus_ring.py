"""The focused span in the article: drawn so it cannot be missed, and scrolled into view
whole.

The ring was a 2 px box in the label's own colour, dashed for a suggestion: on a short
entity ("US") over its own fill it all but vanished. Now it is a solid
:data:`RING_WIDTH` px outline in the text colour (black on a light palette, white on a
dark one), whatever the span's label or decision, one outline around all the lines of a
long span; the fill and the dashed underline still tell a suggestion.

Scrolling: Qt's ``ensureCursorVisible`` brings the span's first character just inside
the viewport, so a focused span below the fold landed on the last visible line and a
two-line claim showed its first line only. :func:`reveal_whole` keeps every line of
the span in view with :data:`CONTEXT_LINES` lines of context above and below, centring
it when it has to scroll (a span taller than that starts near the top).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QTextLine
from PySide6.QtWidgets import QPlainTextEdit

#: The ring's width (px).
RING_WIDTH = 3.0
#: Room between the text and the ring (px).
PAD = 3.0
#: Lines of context kept above and below the focused span when it is scrolled to.
CONTEXT_LINES = 2


def ring_color(view: QPlainTextEdit) -> QColor:
    """The text colour: the strongest contrast with the page and every fill."""
    return view.palette().color(view.palette().ColorRole.Text)


def paint_focus(view: QPlainTextEdit, painter: QPainter, rects: list[QRectF]) -> None:
    """The ring around a span's ``rects`` (on the viewport): one outline around all."""
    if not rects:
        return
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for rect in rects:  # lines touch: their union has one outline
        path.addRect(rect.adjusted(-PAD, -1, PAD, 1))
    pen = QPen(ring_color(view), RING_WIDTH)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path.simplified())


def reveal_whole(view: QPlainTextEdit, rects: list[QRectF]) -> None:
    """Scroll (by lines, as the view does) so every line of a span (its ``rects``)
    shows with :data:`CONTEXT_LINES` of context around it; nothing moves if it does."""
    if not rects:
        return
    line = max(rects[0].height(), 1.0)
    height = view.viewport().height()
    margin = min(CONTEXT_LINES * line, height / 4)
    top, bottom = rects[0].top(), rects[-1].bottom()
    if top >= margin and bottom <= height - margin:
        return
    tall = bottom - top
    wanted = (height - tall) / 2 if tall <= height - 2 * margin else margin
    bar = view.verticalScrollBar()
    bar.setValue(bar.value() + round((top - wanted) / line))


def range_rects(view: QPlainTextEdit, start: int, end: int) -> list[QRectF]:
    """Viewport rectangles covering UTF-16 ``[start, end)``, one per visual line."""
    rects = []
    doc = view.document()
    offset = view.contentOffset()
    block = doc.findBlock(start)
    while block.isValid() and block.position() < end:
        if not block.isVisible():
            block = block.next()
            continue
        top_left = view.blockBoundingGeometry(block).translated(offset).topLeft()
        layout = block.layout()
        base = block.position()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            a = max(start - base, line.textStart())
            b = min(end - base, line.textStart() + line.textLength())
            if a >= b:
                continue
            x1, x2 = _cursor_x(line, a), _cursor_x(line, b)
            rects.append(QRectF(top_left.x() + min(x1, x2), top_left.y() + line.y(),
                                abs(x2 - x1), line.height()))
        block = block.next()
    return rects


def _cursor_x(line: QTextLine, position: int) -> float:
    """The x of ``position`` in ``line``: PySide6's ``cursorToX`` returns ``(x,
    position)`` where its stub says ``object``."""
    result = line.cursorToX(position)
    assert isinstance(result, tuple)
    return float(result[0])
