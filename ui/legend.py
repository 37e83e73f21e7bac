"""The label legend above the article: every label of the project as a colour chip
(with its key when it has one), wrapped onto as many lines as the width needs, so the
window fits a laptop screen whatever the scheme holds."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QSizePolicy, QWidget

from annotator.labels import RESERVED_KEYS
from annotator.model import LabelScheme

from .colors import is_dark, label_color


class FlowLayout(QLayout):
    """Items left to right, wrapped onto the next line when the width runs out (after
    Qt's flow layout example); its height follows its width."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins: QMargins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Lay the items out in ``rect`` (or only measure); returns the height used."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line > 0:
                x, y, line = area.x(), y + line + self._spacing // 2, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()


class Legend(QWidget):
    """Colour chips of every label, keys first, and the drawing conventions;
    :meth:`set_scheme` redraws them for a changed scheme."""

    def __init__(self, scheme: LabelScheme, parent: QWidget | None = None):
        super().__init__(parent)
        self.flow = FlowLayout(self)
        self.flow.setContentsMargins(18, 2, 18, 2)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.chips: dict[str, QLabel] = {}
        self.hint = QLabel("solid = accepted · dashed = suggestion · band = claim", self)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.set_scheme(scheme)

    def set_scheme(self, scheme: LabelScheme) -> None:
        """One chip per label of ``scheme`` (the old chips go), then the hint."""
        for chip in self.chips.values():
            chip.hide()
            chip.deleteLater()
        while self.flow.takeAt(0) is not None:
            pass
        dark = is_dark(self.palette())
        font = self.font()
        font.setPointSizeF(font.pointSizeF() - 1)
        self.chips = {}
        # A key a command has (a scheme older than the command) is not the label's
        # (the core reserves every command key: test_keyboard checks it).
        keys = {x.name: x.key.upper() for x in scheme.span_labels()
                if x.key and x.key.lower() not in RESERVED_KEYS}
        spans = scheme.span_labels()
        keyed = [x for x in spans if x.name in keys]
        rules = []  # one style sheet for every chip: parsed once, not once a chip
        for i, label in enumerate([*keyed, *(x for x in spans if x.name not in keys)]):
            chip = QLabel(self)
            chip.setObjectName(f"chip{i}")
            chip.setTextFormat(Qt.TextFormat.PlainText)
            chip.setText(f"{keys[label.name]} {label.name}" if label.name in keys
                         else label.name)
            chip.setFont(font)
            color = label_color(label.color, dark)
            fill = QColor(color)
            fill.setAlpha(70 if label.layer == "entity" else 45)
            rules.append(f"QLabel#chip{i} {{ background: rgba({fill.red()},{fill.green()},"
                         f"{fill.blue()},{fill.alpha()}); border-left: 3px solid "
                         f"{color.name()}; }}")
            how = f"key {keys[label.name]}" if label.name in keys \
                else "no key: L, then type its name"
            chip.setToolTip(f"{label.name} ({label.layer}, {how}): {label.description}")
            chip.show()
            self.flow.addWidget(chip)
            self.chips[label.name] = chip
        self.setStyleSheet("QLabel[objectName^=\"chip\"] { padding: 0px 4px; "
                           "border-radius: 2px; }\n" + "\n".join(rules))
        self.hint.setFont(font)
        self.flow.addWidget(self.hint)
        self.updateGeometry()

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        layout = self.layout()
        return layout.heightForWidth(width) if layout is not None else 0
