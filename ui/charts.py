"""Charts drawn with QPainter, as the heat map in ``plotting.py`` is (why QPainter and not
a plotting library is said there and in the README): horizontal bars (figures per label,
acceptance by score bucket) and lines (the learning curve), over a value axis with round
ticks. Each chart is a plain ``QWidget`` painting from its data, so tests read the values
it shows (:meth:`Chart.series_named`) and ``grab()`` renders it offscreen as on screen."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from .plotting import format_value

SERIES_COLORS = ("#2171b5", "#d94801", "#6baed6", "#fd8d3c")


@dataclass
class Series:
    """One named, coloured row of values: ``values`` for a bar chart (one per
    category, ``None`` where there is none), ``points`` (x, y) for a line chart."""

    name: str
    color: str
    values: list[float | None] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # text beside each bar or point


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round tick values from ``low`` to ``high`` (1, 2 or 5 times a power of ten
    apart), at most ``most`` + 1 of them."""
    span = max(high - low, 1e-9)
    raw = span / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


class Chart(QWidget):
    """What the charts share: a title, a legend of the series (of two or more, or of
    any number with :attr:`legend`), an empty text."""

    legend = False

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.series: list[Series] = []
        self.title = ""
        self.empty = "No figures"
        self.low, self.high = 0.0, 1.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 200)

    def series_named(self, name: str) -> Series:
        return next(s for s in self.series if s.name == name)

    def _begin(self) -> tuple[QPainter, QColor, float]:
        """A painter over the cleared widget, the text colour, and the top of the plot
        (under the title and legend)."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        pen = self.palette().text().color()
        top = 6.0
        if self.title:
            bold = QFont(self.font())
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(pen)
            painter.drawText(QRectF(0, top, self.width(), 20), Qt.AlignmentFlag.AlignCenter,
                             self.title)
            painter.setFont(self.font())
            top += 22
        x = 12.0
        metrics = QFontMetrics(self.font())
        shown = self.series if len(self.series) > 1 or self.legend else []
        for series in shown:
            painter.fillRect(QRectF(x, top + 4, 12, 10), QColor(series.color))
            painter.setPen(pen)
            painter.drawText(QPointF(x + 16, top + 13), series.name)
            x += 16 + metrics.horizontalAdvance(series.name) + 18
        return painter, pen, top + (20 if shown else 4)

    def _paint_empty(self, painter: QPainter, pen: QColor) -> None:
        painter.setPen(pen)
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                         self.empty)


class BarChart(Chart):
    """Horizontal bars, one band per category (its name on the left), one bar per series
    in each band, the value (or the series' note) at the end of each bar."""

    BAR = 14

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.categories: list[str] = []
        self.category_colors: list[str | None] = []  # a chip before each name

    def set_data(self, categories: list[str], series: list[Series], *, title: str = "",
                 low: float = 0.0, high: float = 1.0, empty: str = "No figures",
                 category_colors: list[str | None] | None = None) -> None:
        self.categories, self.series, self.title, self.empty = categories, series, title, empty
        self.low, self.high = low, high
        self.category_colors = category_colors or [None] * len(categories)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        band = self.BAR * max(len(self.series), 1) + 8
        return QSize(520, 70 + band * max(len(self.categories), 1) + 30)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter, pen, top = self._begin()
        if not self.categories or not self.series:
            self._paint_empty(painter, pen)
            return
        metrics = QFontMetrics(self.font())
        left = max(metrics.horizontalAdvance(c) for c in self.categories) + 30
        notes = [n for s in self.series for n in s.notes] or ["0.00"]
        right = self.width() - max(metrics.horizontalAdvance(n) for n in notes) - 16
        # Bands as tall as their bars need: a few categories stay together at the top.
        band = min((self.height() - 24 - top) / len(self.categories),
                   self.BAR * len(self.series) + 14.0)
        bottom = top + band * len(self.categories)
        bar = min(float(self.BAR), (band - 4) / len(self.series))
        scale = (right - left) / (self.high - self.low)
        grid = QColor(pen)
        grid.setAlpha(40)
        for tick in nice_ticks(self.low, self.high, 5):
            x = left + (tick - self.low) * scale
            painter.setPen(grid)
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
            painter.setPen(pen)
            painter.drawText(QRectF(x - 30, bottom + 4, 60, 18), Qt.AlignmentFlag.AlignCenter,
                             f"{tick:g}")
        for i, name in enumerate(self.categories):
            y = top + i * band
            painter.setPen(pen)
            painter.drawText(QRectF(0, y, left - 8, band),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
            chip = self.category_colors[i] if i < len(self.category_colors) else None
            if chip:
                painter.fillRect(QRectF(left - 6, y + 3, 3, band - 6), QColor(chip))
            offset = y + (band - bar * len(self.series)) / 2
            for k, series in enumerate(self.series):
                value = series.values[i] if i < len(series.values) else None
                rect = QRectF(left, offset + k * bar + 1, 0, bar - 2)
                if value is not None:
                    rect.setWidth(max((min(value, self.high) - self.low) * scale, 1.0))
                    painter.fillRect(rect, QColor(series.color))
                note = series.notes[i] if i < len(series.notes) else format_value(value)
                painter.setPen(pen)
                painter.drawText(QRectF(rect.right() + 4, rect.top() - 3, 160, bar + 4),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 note)


class LineChart(Chart):
    """Series of (x, y) points joined by lines, each point marked and its y written
    beside it; x and y axes with round ticks, named by :attr:`x_label`, :attr:`y_label`."""

    legend = True

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.x_label = ""
        self.y_label = ""

    def set_data(self, series: list[Series], *, title: str = "", x_label: str = "",
                 y_label: str = "", low: float = 0.0, high: float = 1.0,
                 empty: str = "No figures") -> None:
        self.series, self.title, self.empty = series, title, empty
        self.x_label, self.y_label, self.low, self.high = x_label, y_label, low, high
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(560, 340)

    def x_range(self) -> tuple[float, float]:
        xs = [x for s in self.series for x, _ in s.points]
        low, high = (min(xs), max(xs)) if xs else (0.0, 1.0)
        return (0.0, max(high, 1.0)) if low >= 0 else (low, high)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter, pen, top = self._begin()
        if not any(s.points for s in self.series):
            self._paint_empty(painter, pen)
            return
        plot = QRectF(58, top + 22, self.width() - 58 - 24, self.height() - top - 22 - 46)
        x_low, x_high = self.x_range()
        x_ticks = nice_ticks(x_low, x_high, 6)
        x_high = max(x_high, x_ticks[-1])

        def at(x: float, y: float) -> QPointF:
            return QPointF(plot.left() + (x - x_low) / (x_high - x_low) * plot.width(),
                           plot.bottom() - (y - self.low) / (self.high - self.low)
                           * plot.height())

        grid = QColor(pen)
        grid.setAlpha(40)
        for tick in nice_ticks(self.low, self.high, 5):
            y = at(x_low, tick).y()
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(pen)
            painter.drawText(QRectF(0, y - 9, plot.left() - 6, 18),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{tick:g}")
        for tick in x_ticks:
            x = at(tick, self.low).x()
            painter.setPen(grid)
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            painter.setPen(pen)
            painter.drawText(QRectF(x - 40, plot.bottom() + 4, 80, 18),
                             Qt.AlignmentFlag.AlignCenter, f"{tick:g}")
        painter.drawRect(plot)
        painter.drawText(QRectF(plot.left(), plot.bottom() + 22, plot.width(), 18),
                         Qt.AlignmentFlag.AlignCenter, self.x_label)
        painter.save()
        painter.translate(14, plot.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-plot.height() / 2, -9, plot.height(), 18),
                         Qt.AlignmentFlag.AlignCenter, self.y_label)
        painter.restore()
        for n, series in enumerate(self.series):
            color = QColor(series.color)
            below = n % 2 == 1  # the second series' numbers under its points
            points = [at(x, y) for x, y in series.points]
            painter.setPen(QPen(color, 2))
            for a, b in zip(points, points[1:], strict=False):
                painter.drawLine(a, b)
            painter.setBrush(color)
            for k, point in enumerate(points):
                painter.drawEllipse(point, 4, 4)
                note = series.notes[k] if k < len(series.notes) else \
                    format_value(series.points[k][1])
                painter.drawText(QRectF(point.x() - 40, point.y() + (6 if below else -22),
                                        80, 16), Qt.AlignmentFlag.AlignCenter, note)
            painter.setBrush(Qt.BrushStyle.NoBrush)
