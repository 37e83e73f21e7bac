"""The agreement heat map, painted with QPainter, and what plots share: the colour
scale, text contrast and number format (the charts in ``charts.py`` use the last).

Why QPainter here when the bar and line charts use pyqtgraph: the heat map is a grid of
coloured cells with numbers, a table more than a plot (no axis to scale, no points or
lines). A plain ``QWidget`` whose ``paintEvent`` draws from its data is crisp at any size,
the same offscreen as on screen, and themed with the window's palette.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QLinearGradient, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

# Sequential blues for 0..1 (ColorBrewer "Blues", light to dark); oranges below 0.
_BLUES = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5",
          "#084594")
_ORANGES = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801")
MISSING = QColor("#e9ecef")


def _ramp(stops: Sequence[str], t: float) -> QColor:
    t = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    a, b = QColor(stops[i]), QColor(stops[i + 1])
    f = t - i
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * f,
                           a.greenF() + (b.greenF() - a.greenF()) * f,
                           a.blueF() + (b.blueF() - a.blueF()) * f)


def scale_color(value: float | None, low: float = 0.0, high: float = 1.0) -> QColor:
    """The colour of ``value``: blues from ``max(low, 0)`` to ``high``, oranges for
    values below 0 (a κ or α below chance), grey when there is no value."""
    if value is None:
        return QColor(MISSING)
    if value < 0:
        return _ramp(_ORANGES, value / min(low, -1e-9))
    start = max(low, 0.0)
    return _ramp(_BLUES, (value - start) / (high - start) if high > start else 1.0)


def text_color(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background``."""
    luminance = 0.299 * background.redF() + 0.587 * background.greenF() \
        + 0.114 * background.blueF()
    return QColor("#111111") if luminance > 0.55 else QColor("#ffffff")


def format_value(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


class HeatMap(QWidget):
    """A labelled grid of values, each cell coloured by :func:`scale_color` and showing
    its number, with a colour bar. ``set_data`` replaces what it shows."""

    CELL = 74
    BAR = 14

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[str] = []
        self.columns: list[str] = []
        self.values: list[list[float | None]] = []
        self.low, self.high = 0.0, 1.0
        self.title = ""
        self.diagonal = ""  # shown in diagonal cells that have no value
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(260, 200)

    def set_data(self, rows: list[str], columns: list[str],
                 values: list[list[float | None]], *, low: float = 0.0, high: float = 1.0,
                 title: str = "", diagonal: str = "") -> None:
        self.rows, self.columns, self.values = rows, columns, values
        self.low, self.high, self.title, self.diagonal = low, high, title, diagonal
        self.updateGeometry()
        self.update()

    def value(self, row: int, column: int) -> float | None:
        return self.values[row][column]

    def sizeHint(self) -> QSize:  # noqa: N802
        label = self._label_width()
        return QSize(label + self.CELL * max(len(self.columns), 1) + 90,
                     56 + self.CELL * max(len(self.rows), 1) + 24)

    def _label_width(self) -> int:
        metrics = QFontMetrics(self.font())
        return max([metrics.horizontalAdvance(r) for r in self.rows] + [40]) + 16

    def _grid(self) -> tuple[QRectF, float]:
        label = self._label_width()
        top = 30 + (22 if self.title else 0)
        n_rows, n_cols = max(len(self.rows), 1), max(len(self.columns), 1)
        cell = min((self.width() - label - 80) / n_cols, (self.height() - top - 12) / n_rows,
                   float(self.CELL) * 1.6)
        cell = max(cell, 24.0)
        return QRectF(label, top, cell * n_cols, cell * n_rows), cell

    def cell_rect(self, row: int, column: int) -> QRectF:
        grid, cell = self._grid()
        return QRectF(grid.left() + column * cell, grid.top() + row * cell, cell, cell)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        pen = self.palette().text().color()
        if self.title:
            bold = QFont(self.font())
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(pen)
            painter.drawText(QRectF(0, 4, self.width(), 20), Qt.AlignmentFlag.AlignCenter,
                             self.title)
            painter.setFont(self.font())
        if not self.rows:
            painter.setPen(pen)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No figures")
            return
        grid, cell = self._grid()
        number = QFont(self.font())
        number.setPointSizeF(max(self.font().pointSizeF(), 8.0) + (1 if cell > 60 else 0))
        for r, name in enumerate(self.rows):
            painter.setPen(pen)
            painter.drawText(QRectF(0, grid.top() + r * cell, grid.left() - 8, cell),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
        for c, name in enumerate(self.columns):
            painter.setPen(pen)
            painter.drawText(QRectF(grid.left() + c * cell, grid.top() - 24, cell, 22),
                             Qt.AlignmentFlag.AlignCenter, name)
        painter.setFont(number)
        for r in range(len(self.rows)):
            for c in range(len(self.columns)):
                rect = self.cell_rect(r, c).adjusted(1, 1, -1, -1)
                value = self.values[r][c]
                color = scale_color(value, self.low, self.high)
                painter.fillRect(rect, color)
                painter.setPen(text_color(color))
                text = self.diagonal if value is None and r == c and self.diagonal \
                    else format_value(value)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(self.font())
        self._paint_bar(painter, grid, pen)

    def _paint_bar(self, painter: QPainter, grid: QRectF, pen: QColor) -> None:
        bar = QRectF(grid.right() + 18, grid.top(), self.BAR, grid.height())
        gradient = QLinearGradient(QPointF(0, bar.bottom()), QPointF(0, bar.top()))
        steps = 12
        for i in range(steps + 1):
            value = self.low + (self.high - self.low) * i / steps
            gradient.setColorAt(i / steps, scale_color(value, self.low, self.high))
        painter.fillRect(bar, gradient)
        painter.setPen(pen)
        painter.drawRect(bar)
        for value, y in ((self.high, bar.top()), (self.low, bar.bottom())):
            painter.drawText(QRectF(bar.right() + 4, y - 9, 44, 18),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             format_value(value, 1))
