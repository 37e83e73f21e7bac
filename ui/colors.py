"""Label colours as drawn, one rule for the article, the legend and the span lists."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

FALLBACK_COLOR = "#868e96"  # a label the scheme does not know


def is_dark(palette: QPalette) -> bool:
    """Whether text is drawn on a dark background in this palette."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def label_color(color: str | None, dark: bool = False) -> QColor:
    """A label's colour as drawn: on a dark background, dark label colours are lifted so
    that fills and chips stay readable."""
    drawn = QColor(color or FALLBACK_COLOR)
    return drawn.lighter(135) if dark else drawn
