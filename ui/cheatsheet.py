"""The keyboard cheat sheet (F1), built from the window's own action table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
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


class CheatSheet(QDialog):
    """Every action with keys, grouped as in the menus."""

    def __init__(self, specs: Sequence[ActionSpec[Any]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard cheat sheet")
        grid = QGridLayout(self)
        grid.setContentsMargins(16, 16, 16, 16)
        grid.setHorizontalSpacing(16)
        for column, groups in enumerate(COLUMNS):
            stack = QVBoxLayout()
            for group in groups:
                items = [s for s in specs if s.menu == group and s.keys]
                if items:
                    stack.addWidget(self._group(group.replace("&", ""), items))
            stack.addStretch(1)
            grid.addLayout(stack, 0, column)
        note = plain_label(
            "Label keys relabel the focused span, or label the selected text (widened to "
            "whole words; hold Alt while selecting to keep it exact); L picks any label by "
            "name. Caret mode (V): ←/→ a character, Ctrl+←/→ a word, Shift+←/→ select by "
            "token, / finds text; then a label key. In a field or list its own keys work "
            "(↑/↓, Return commits a claim field); Esc always returns to the article. Tab "
            "order: article, claim fields, span list, status filter, search, document "
            "list. Every decision is saved at once; repeated boundary moves within a "
            "second are one undo step.")
        note.setWordWrap(True)
        grid.addWidget(note, 1, 0, 1, len(COLUMNS))

    @staticmethod
    def _group(title: str, specs: Sequence[ActionSpec[Any]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(14)
        for spec in specs:
            keys = plain_label(key_text(spec.keys))
            font = keys.font()
            font.setBold(True)
            keys.setFont(font)
            form.addRow(keys, plain_label(spec.text.replace("&", "").rstrip("…")))
        return box
