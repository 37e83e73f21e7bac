"""The keyboard cheat sheet (F1), built from the window's own action table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .actions import ActionSpec
from .panels import plain_label

COLUMNS = (("&Span", "&Edit"), ("&Go", "&Document", "&Claim", "&Review"),
           ("&Label", "&View", "&Project", "&File", "&Help"))


def key_text(keys: tuple[str, ...]) -> str:
    """``("Right", "J")`` as the platform writes them: "→ / J"-style, native names."""
    return "  /  ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)
                        for k in keys)


#: The most a sheet takes of the screen (or of its window): it fits 1024x700.
FRACTION = 0.92


class CheatSheet(QDialog):
    """Every action with keys, grouped as in the menus. It scrolls where the screen is
    small, and only one is open at a time: showing one closes any other of the same
    window, and F1 inside it opens no second copy (issue 26)."""

    def __init__(self, specs: Sequence[ActionSpec[Any]], parent: QWidget | None = None,
                 extra: Sequence[tuple[str, str]] = ()):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Keyboard cheat sheet")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.area = QScrollArea(self)
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(self.area)
        self.content = content = QWidget(self.area)
        self.area.setWidget(content)
        grid = QGridLayout(content)
        grid.setContentsMargins(16, 16, 16, 16)
        grid.setHorizontalSpacing(16)
        boxes = [[self._group(group.replace("&", ""), items) for group in groups
                  if (items := [s for s in specs if s.menu == group and s.keys])]
                 for groups in COLUMNS]
        if extra:  # ``extra``: (keys, what) lines of their own, after the Document group
            boxes[1].insert(2, self._lines("Document labels", extra))
        columns = self.reflow(boxes, self.limit().width() - 32 - self._bar())
        for column, stacked in enumerate(columns):
            stack = QVBoxLayout()
            for box in stacked:
                stack.addWidget(box)
            stack.addStretch(1)
            grid.addLayout(stack, 0, column)
        note = plain_label(
            "Label keys relabel the focused span, or label the selected text (widened to "
            "whole words; hold Alt while selecting to keep it exact); L picks any label by "
            "name. Caret mode (V): ←/→ a character, Ctrl+←/→ a word, Shift+←/→ select by "
            "token, / finds text; then a label key. In a field or list its own keys work "
            "(↑/↓, Return commits a claim field); Esc always returns to the article. Tab "
            "order: article, document-label bar, claim fields, span list (claims: the claim "
            "filter first), status filter, "
            "search, document list. Every decision is saved at once; repeated boundary "
            "moves within a second are one undo step.")
        note.setWordWrap(True)
        grid.addWidget(note, 1, 0, 1, len(columns))
        self.resize(self.fitting_size(content.sizeHint()))

    @staticmethod
    def reflow(columns: list[list[QGroupBox]], width: int) -> list[list[QGroupBox]]:
        """The menus' columns as they are where ``width`` holds them; else the groups in
        the same order in as many columns as fit, about equally tall."""
        def wide(stack: list[QGroupBox]) -> int:
            return max((box.sizeHint().width() for box in stack), default=0)

        if sum(wide(c) + 16 for c in columns) - 16 <= width:
            return columns
        boxes = [box for column in columns for box in column]
        total = sum(box.sizeHint().height() for box in boxes)
        for count in range(len(columns), 0, -1):
            out: list[list[QGroupBox]] = [[]]
            height = 0
            for box in boxes:
                if out[-1] and len(out) < count and height >= total / count:
                    out.append([])
                    height = 0
                out[-1].append(box)
                height += box.sizeHint().height()
            if sum(wide(c) + 16 for c in out) - 16 <= width:
                break
        return out

    def _bar(self) -> int:
        return int(self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent))

    def limit(self) -> QSize:
        """The most the sheet takes: a share of its window's screen."""
        parent = self.parentWidget()
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        if screen is None:
            return QSize(1 << 20, 1 << 20)
        return screen.availableGeometry().size() * FRACTION

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """The content's size as it fits the screen (``adjustSize()`` keeps to it)."""
        return self.fitting_size(self.content.sizeHint())

    def fitting_size(self, wanted: QSize) -> QSize:
        """``wanted`` (plus a scroll bar) within :meth:`limit`."""
        limit = self.limit()
        return QSize(min(wanted.width() + self._bar() + 4, limit.width()),
                     min(wanted.height() + 4, limit.height()))

    def showEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        """Close any other sheet of the same window: one at a time."""
        parent = self.parentWidget()
        if parent is not None:
            for other in parent.findChildren(CheatSheet):
                if other is not self and other.isVisible():
                    other.close()
        super().showEvent(event)  # type: ignore[arg-type]

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_F1:  # already open: no second copy
            self.raise_()
            self.activateWindow()
            event.accept()
            return
        super().keyPressEvent(event)

    @classmethod
    def _group(cls, title: str, specs: Sequence[ActionSpec[Any]]) -> QGroupBox:
        return cls._lines(title, [(key_text(spec.keys), spec.text.replace("&", "").rstrip("…"))
                                  for spec in specs])

    @staticmethod
    def _lines(title: str, lines: Sequence[tuple[str, str]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(14)
        for keys_text, text in lines:
            keys = plain_label(keys_text)
            font = keys.font()
            font.setBold(True)
            keys.setFont(font)
            form.addRow(keys, plain_label(text))
        return box
