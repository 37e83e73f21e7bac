"""The Statistics view's charts, drawn with pyqtgraph (why pyqtgraph: docs/teams.md,
Statistics): horizontal bars (F1 per label, acceptance per label and by score bucket)
and lines (the learning curve). Each chart is a ``QWidget`` holding the data it was given
(:meth:`Chart.series_named`, so tests read the very values it draws) and a read-only
plot: no mouse panning or zooming, no context menu, no focus, colours and fonts from the
widget's palette (light or dark), redrawn when the palette changes.

pyqtgraph, and numpy with it, is imported by this module only, which the Statistics view
imports when it is opened: never on the way to the window's first document."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from .colors import is_dark, label_color
from .plotting import format_value

SERIES_COLORS = ("#2171b5", "#d94801", "#6baed6", "#fd8d3c")
_RESTYLE = (QEvent.Type.PaletteChange, QEvent.Type.FontChange, QEvent.Type.StyleChange)


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
    raw = span / max(most, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


def tick_labels(values: list[float]) -> list[tuple[float, str]]:
    return [(v, f"{v:g}") for v in values]


class LegendSample(pg.ItemSample):
    """A legend's sample: a bar's colour as a box about the height of the text (not
    pyqtgraph's 18 px square); a line with its symbol as pyqtgraph draws it."""

    def paint(self, p: QPainter, *args: Any) -> None:
        if isinstance(self.item, pg.BarGraphItem):
            p.fillRect(QRectF(4, 5, 12, 11), self.item.opts["brush"])
        else:
            super().paint(p, *args)


class Axis(pg.AxisItem):
    """An axis whose first and last tick values may stand past its ends (0 and 1 under
    a plot from 0 to 1), which pyqtgraph leaves out when the axis draws a grid."""

    OVERHANG = 24

    def boundingRect(self) -> QRectF:  # noqa: N802
        rect: QRectF = super().boundingRect()
        if self.orientation in ("left", "right"):
            return rect.adjusted(0, -self.OVERHANG, 0, self.OVERHANG)
        return rect.adjusted(-self.OVERHANG, 0, self.OVERHANG, 0)


class CategoryAxis(Axis):
    """A left axis naming one category per tick, with a chip of the category's colour
    between its name and the plot (the label's colour, as in the legend); no tick marks
    and no axis line (the bars start from the grid line at 0)."""

    CHIP = 3

    def __init__(self, colors: dict[str, QColor]):
        super().__init__("left")
        self.colors = colors

    def drawPicture(self, p: QPainter, axisSpec: Any, tickSpecs: Any,  # noqa: N802, N803
                    textSpecs: Any) -> None:  # noqa: N803
        super().drawPicture(p, axisSpec, [], textSpecs)
        for rect, _flags, text in textSpecs:
            color = self.colors.get(text)
            if color is not None:
                p.fillRect(QRectF(rect.right() + 3, rect.top() + 1, self.CHIP,
                                  rect.height() - 2), color)


class Chart(QWidget):
    """What the charts share: a title, a legend of the series (of two or more, or of
    any number with :attr:`legend`) above the plot, where it hides no data; the
    ``empty`` text when there is nothing to draw. :meth:`_draw` (re)builds the plot from
    the data, with the palette's colours."""

    legend = False

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.series: list[Series] = []
        self.title = ""
        self.empty = "No figures"
        self.low, self.high = 0.0, 1.0
        self.plot: Any = None  # the pg.PlotItem drawn, once there is data
        self.legend_item: Any = None  # its pg.LegendItem, above it
        self.drawn_once = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 200)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # read-only: the keys stay put
        self.view.setAntialiasing(True)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.message = QLabel(self.empty)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.view, 1)
        layout.addStretch(0)  # under a bar chart that needs less than its height
        self.view.hide()

    def series_named(self, name: str) -> Series:
        return next(s for s in self.series if s.name == name)

    def has_data(self) -> bool:
        return False

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in _RESTYLE and self.drawn_once:
            self._draw()

    # -- colours and text from the palette

    def text_color(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Text)

    def faint(self, alpha: int) -> QColor:
        color = QColor(self.text_color())
        color.setAlpha(alpha)
        return color

    def drawn(self, color: str) -> QColor:
        """A series' colour as drawn: lifted on a dark background, for text beside it."""
        return label_color(color, is_dark(self.palette()))

    def point_size(self) -> str:
        size = self.font().pointSizeF()
        return f"{size if size > 0 else 9:g}pt"

    def text_item(self, text: str, color: QColor, anchor: tuple[float, float]) -> Any:
        item = pg.TextItem(text, color=color, anchor=anchor)
        item.setFont(self.font())
        return item

    # -- the plot

    def _draw(self) -> None:
        self.drawn_once = True
        self.view.clear()
        self.plot = self.legend_item = None
        if not self.has_data():
            self.message.setText(self.empty)
            self.message.show()
            self.view.hide()
            return
        self.message.hide()
        self.view.show()
        self.view.setBackground(self.palette().color(QPalette.ColorRole.Base))
        row = 0
        if self.title:
            self.view.addLabel(escape(self.title), row=row, col=0, bold=True,
                               color=self.text_color(), size=self.point_size())
            row += 1
        if len(self.series) > 1 or self.legend:
            legend_row = self.view.addLayout(row=row, col=0)
            height = QFontMetrics(self.font()).height() + 10
            legend_row.setMinimumHeight(height)
            legend_row.setMaximumHeight(height)
            row += 1
        else:
            legend_row = None
        plot = self.view.addPlot(row=row, col=0, axisItems=self._axes())
        self.plot = plot
        plot.setMouseEnabled(x=False, y=False)
        plot.setMenuEnabled(False)
        plot.hideButtons()  # the "A" (auto-range) button
        box = plot.getViewBox()
        box.setFlag(box.GraphicsItemFlag.ItemClipsChildrenToShape, False)  # text overhangs
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(self.faint(150))
            axis.setTextPen(self.text_color())
            axis.setStyle(tickFont=self.font())
            axis.setZValue(-200)  # its grid lines under the bars and lines (the view: -100)
        samples = self._fill(plot)
        if legend_row is not None:
            legend = pg.LegendItem(offset=None, colCount=len(samples), frame=False,
                                   labelTextColor=self.text_color(),
                                   labelTextSize=self.point_size(), horSpacing=4,
                                   sampleType=LegendSample)
            legend.layout.setContentsMargins(0, 0, 0, 0)  # its size: what it shows
            legend.setParentItem(legend_row)
            for k, (sample, name) in enumerate(samples):
                legend.addItem(sample, escape(name))
                legend.layout.setColumnSpacing(2 * k + 1, 20)  # between one entry and the next
            legend.anchor(itemPos=(0, 0.5), parentPos=(0, 0.5), offset=(8, 0))
            self.legend_item = legend

    def _axes(self) -> dict[str, Any]:
        return {"left": Axis("left"), "bottom": Axis("bottom")}

    def _fill(self, plot: Any) -> list[tuple[Any, str]]:
        """Draws the data into ``plot``; returns the legend's (item, name) pairs."""
        raise NotImplementedError


class BarChart(Chart):
    """Horizontal bars, one band per category (its name on the y axis, after a chip of
    its colour), one bar per series in each band, the value (two decimals, or the
    series' note) at the end of each bar; x from ``low`` to ``high`` (0..1)."""

    BAR = 14  # pixels per bar, at most: a few categories stay together at the top

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
        self._draw()
        # never squeezed below its bands: the values beside the bars overprinted
        self.setMinimumHeight(self.sizeHint().height() if self.has_data() else 200)
        self.updateGeometry()

    def has_data(self) -> bool:
        return bool(self.categories and self.series)

    def notes(self, series: Series) -> list[str]:
        values = series.values + [None] * (len(self.categories) - len(series.values))
        return [series.notes[i] if i < len(series.notes) else format_value(value)
                for i, value in enumerate(values[:len(self.categories)])]

    def _bar(self) -> int:
        """Pixels per bar: two values written one over the other need a line each."""
        line = QFontMetrics(self.font()).height() + 2
        return max(self.BAR, line) if len(self.series) > 1 else self.BAR

    def _band(self) -> int:
        return self._bar() * max(len(self.series), 1) + 14

    def _frame_height(self) -> int:
        """The height around the bands: title, legend, x axis, margins."""
        line = QFontMetrics(self.font()).height()
        legend = line + 10 if len(self.series) > 1 or self.legend else 0
        return (line + 12 if self.title else 0) + legend + line + 30

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(520, self._frame_height() + self._band() * max(len(self.categories), 1))

    def _axes(self) -> dict[str, Any]:
        dark = is_dark(self.palette())
        return {"left": CategoryAxis({name: label_color(color, dark) for name, color in
                                      zip(self.categories, self.category_colors, strict=False)
                                      if color}), "bottom": Axis("bottom")}

    def _fill(self, plot: Any) -> list[tuple[Any, str]]:
        n, k = len(self.categories), len(self.series)
        # the bands as tall as their bars need, under the title: the rest stays empty
        self.view.setMaximumHeight(self._frame_height() + self._band() * n)
        metrics = QFontMetrics(self.font())
        widest = max(metrics.horizontalAdvance(note) for s in self.series
                     for note in self.notes(s) + ["0.00"])
        self.view.ci.setContentsMargins(4, 4, 4, 4)
        plot.layout.setContentsMargins(0, 0, widest + 12, 0)  # the values past the bars
        left = plot.getAxis("left")
        left.setTicks([list(enumerate(self.categories)), []])
        left.setStyle(tickLength=0, tickTextOffset=3 + CategoryAxis.CHIP + 5)
        left.setPen(self.faint(0))  # no axis line: the chips stand at the bars' start
        plot.getAxis("bottom").setTicks([tick_labels(nice_ticks(self.low, self.high, 5)), []])
        plot.showGrid(x=True, y=False, alpha=0.18)
        box = plot.getViewBox()
        box.invertY(True)  # the first category on top
        box.setRange(xRange=(self.low, self.high), yRange=(-0.5, n - 0.5), padding=0)
        thick = 0.8 / k  # a band is 1 high: its bars take 0.8 of it
        samples = []
        for j, series in enumerate(self.series):
            ys, widths = [], []
            centre = [i - 0.4 + thick * (j + 0.5) for i in range(n)]
            for i, value in enumerate(series.values[:n]):
                if value is not None:
                    ys.append(centre[i])
                    widths.append(max(min(value, self.high) - self.low, 0.0))
            bars = pg.BarGraphItem(x0=[self.low] * len(ys), y=ys, width=widths,
                                   height=thick * 0.88, brush=QColor(series.color),
                                   pen=pg.mkPen(None))
            plot.addItem(bars)
            samples.append((bars, series.name))
            for i, note in enumerate(self.notes(series)):
                value = series.values[i] if i < len(series.values) else None
                x = self.low if value is None else min(max(value, self.low), self.high)
                text = self.text_item(note, self.text_color(), (0.0, 0.5))
                text.setPos(x, centre[i])
                plot.addItem(text)
        return samples


class LineChart(Chart):
    """Series of (x, y) points joined by lines, each point marked and its y written
    above it (the second series' under it); x and y axes with round ticks, named by
    :attr:`x_label`, :attr:`y_label`; y from ``low`` to ``high`` (0..1)."""

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
        self._draw()

    def has_data(self) -> bool:
        return any(s.points for s in self.series)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(560, 340)

    def x_range(self) -> tuple[float, float]:
        xs = [x for s in self.series for x, _ in s.points]
        low, high = (min(xs), max(xs)) if xs else (0.0, 1.0)
        return (0.0, max(high, 1.0)) if low >= 0 else (low, high)

    def _fill(self, plot: Any) -> list[tuple[Any, str]]:
        line = QFontMetrics(self.font()).height()
        self.view.setMaximumHeight(16_777_215)
        self.view.ci.setContentsMargins(4, 4, 4, 4)
        x_low, x_high = self.x_range()
        # room right of the last point (a single run sat on the border) for its mark and
        # number; whole documents: a tick every 1, 2, 5, 10... of them
        x_high += max((x_high - x_low) * 0.1, 1.0)
        x_ticks = nice_ticks(x_low, x_high, max(1, min(6, math.ceil(x_high - x_low))))
        x_high = max(x_high, x_ticks[-1])
        plot.getAxis("bottom").setTicks([tick_labels(x_ticks), []])
        plot.getAxis("left").setTicks([tick_labels(nice_ticks(self.low, self.high, 5)), []])
        for name, text in (("bottom", self.x_label), ("left", self.y_label)):
            plot.setLabel(name, escape(text), color=self.text_color().name(),
                          **{"font-size": self.point_size()})
        plot.showGrid(x=True, y=True, alpha=0.18)
        box = plot.getViewBox()
        box.setBorder(self.faint(150))
        box.setRange(xRange=(x_low, x_high), yRange=(self.low, self.high), padding=0)
        # room above the top for the numbers over points at ``high``
        plot.layout.setContentsMargins(0, line + 6, 28, 0)
        samples = []
        for n, series in enumerate(self.series):
            color = QColor(series.color)
            xs = [x for x, _ in series.points]
            ys = [y for _, y in series.points]
            item = pg.PlotDataItem(xs, ys, pen=pg.mkPen(color, width=2), symbol="o",
                                   symbolSize=10, symbolBrush=color,
                                   symbolPen=pg.mkPen(self.palette().color(
                                       QPalette.ColorRole.Base), width=1.5),
                                   antialias=True)
            plot.addItem(item)
            samples.append((item, series.name))
            below = n % 2 == 1  # the second series' numbers under its points
            for k, (x, y) in enumerate(series.points):
                note = series.notes[k] if k < len(series.notes) else format_value(y)
                text = self.text_item(note, self.drawn(series.color),
                                      (0.5, -0.15 if below else 1.15))
                text.setPos(x, y)
                plot.addItem(text)
        return samples
