"""Right-to-left paragraphs in the article: each block's base direction and alignment
from its first strong character, as browsers do with ``dir=auto`` (docs/rtl.md)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QTextBlock
from PySide6.QtWidgets import QPlainTextDocumentLayout

from annotator.language import right_to_left


def base_direction(text: str) -> Qt.LayoutDirection:
    """A paragraph's base direction from its first strong character, as browsers do
    with ``dir=auto`` (:func:`annotator.language.right_to_left`)."""
    return Qt.LayoutDirection.RightToLeft if right_to_left(text) \
        else Qt.LayoutDirection.LeftToRight


class BidiLayout(QPlainTextDocumentLayout):
    """The plain-text layout with each block's direction and alignment from its text
    (:func:`base_direction`). QPlainTextDocumentLayout gives every block the document's
    default text option and ignores block formats, so the option of a right-to-left
    block's layout is set here, where every paint, caret and hit test asks for the
    block's rectangle (after the block is laid out). Alignment and direction do not
    change where lines break, only where they are drawn."""

    def blockBoundingRect(self, block: QTextBlock) -> QRectF:  # noqa: N802
        rect = super().blockBoundingRect(block)
        layout = block.layout()
        option = layout.textOption()
        direction = base_direction(block.text())
        if option.textDirection() != direction:
            option.setTextDirection(direction)
            option.setAlignment(Qt.AlignmentFlag.AlignRight if direction
                                == Qt.LayoutDirection.RightToLeft
                                else Qt.AlignmentFlag.AlignLeft)
            layout.setTextOption(option)
        return rect
