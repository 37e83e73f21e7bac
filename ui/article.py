"""The article: read-only plain text with spans highlighted and the focused one outlined,
a caret mode for selecting without the mouse (``caret.py``), and the panels over it:
the refusal banner, the label picker and the find bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import (
    QFontDatabase,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextCursor,
)
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from annotator.editing.reveal import hidden_name
from annotator.model import Document, LabelScheme, Span, store_order

from . import caret
from .bidi import BidiLayout
from .colors import is_dark
from .focus_ring import paint_focus, range_rects, reveal_whole
from .highlighter import SpanHighlighter, SpanIndex, SpanStyles
from .messages import RefusalBanner
from .models import plain_tooltip
from .offsets import OffsetMap, display_text
from .picker import FindBar, LabelPicker
from .tokens import WindowTokens


def describe(span: Span) -> str:
    """One line about a span for tooltips and the status bar (never article text)."""
    parts = [span.label, span.decision, span.origin]
    if span.score is not None:
        parts.append(f"score {span.score:.2f}")
    text = " · ".join(parts)
    if span.cues:
        text += "\ncues: " + ", ".join(span.cues)
    return text


class ArticleView(QPlainTextEdit):
    """Shows one document; spans come from the store, offsets are converted here."""

    span_activated = Signal(int)  # a span was clicked: its id
    caret_mode_changed = Signal(bool)

    def __init__(self, scheme: LabelScheme, parent: QWidget | None = None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setUndoRedoEnabled(False)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        font.setPointSizeF(max(font.pointSizeF(), 10.0) + 2)
        self.setFont(font)
        self.document().setDocumentMargin(18)
        # Each paragraph gets its base direction from its first strong character, as
        # browsers' dir=auto (BidiLayout): an Arabic one is right to left and
        # right-aligned, with its final "." on the left; an English one is unchanged.
        # (kept here: a layout whose Python object is collected loses its override)
        self.bidi_layout = BidiLayout(self.document())
        self.document().setDocumentLayout(self.bidi_layout)
        self.styles = SpanStyles(scheme, dark=is_dark(self.palette()))
        self.highlighter = SpanHighlighter(self.document(), self.styles)
        self.doc: Document | None = None
        self.offsets = OffsetMap("")
        self.spans: list[Span] = []
        self.index: SpanIndex | None = None
        self.focused_id: int | None = None
        self._focused: Span | None = None  # asked for on every paint: found once
        self.show_rejected = False
        self.hides: Callable[[Span], bool] | None = None  # the claim filter's, if any
        self.exact_selection = False  # the modifier was held when the selection ended
        self.caret_mode = False
        # The project tokenizer's boundaries, asked for on the first key or click here.
        self.tokens = WindowTokens(self)
        self.banner = RefusalBanner(self)
        self.picker = LabelPicker(self)
        self.find_bar = FindBar(self)
        self.find_bar.searched.connect(self._on_find_bar_searched)
        self._find_from = 0

    # -- content

    def set_document(self, doc: Document | None, spans: list[Span]) -> None:
        """Show ``doc`` with ``spans``; one highlighting pass."""
        self.set_caret_mode(False)
        for overlay in (self.picker, self.find_bar):
            overlay.hide()
        self.doc = doc
        self.focused_id = None
        self._focused = None
        text = doc.text if doc else ""
        self.offsets = OffsetMap(text)
        self.tokens.set_document(doc.id if doc else None, text)
        self.spans = spans
        self.index = SpanIndex(spans, self.offsets, self.show_rejected, self.hides)
        # Index first and no rehighlight: setPlainText highlights every block once.
        self.highlighter.set_index(self.index, rehighlight=False)
        self.setPlainText(display_text(text))
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def set_spans(self, spans: list[Span], changed: dict[int, Span | None] | None = None
                  ) -> None:
        """New span states for the same document (after a decision or suggestions).
        ``changed`` (span id -> new state, None when deleted), when known, says which
        spans differ, so only those are converted and compared."""
        old = self.index
        self.spans = spans
        if changed is not None and old is not None:
            self.index, drawn = old.replaced(changed)
            self.highlighter.set_index(self.index, rehighlight=False)
            self._rehighlight_ranges([(d.start, d.end) for d in drawn])
        else:
            self.index = SpanIndex(spans, self.offsets, self.show_rejected, self.hides)
            self.highlighter.set_index(self.index, rehighlight=False)
            self._rehighlight_changed(old, self.index)
        self._focused = self._find_focused()
        self.viewport().update()

    def _rehighlight_changed(self, old: SpanIndex | None, new: SpanIndex) -> None:
        """Redraw only the blocks whose spans changed (a full pass costs ~100 ms on the
        largest articles; one decision touches one or two blocks)."""
        before = _drawn_keys(old)
        after = _drawn_keys(new)
        changed = before ^ after
        self._rehighlight_ranges([(start, end) for start, end, *_ in changed])

    def _rehighlight_ranges(self, ranges: list[tuple[int, int]]) -> None:
        """Redraw the blocks that hold the UTF-16 ranges (all of them, past 200)."""
        if len(ranges) > 200:
            self.highlighter.rehighlight()
            return
        doc = self.document()
        done: set[int] = set()
        for start, end in ranges:
            block = doc.findBlock(start)
            while block.isValid() and block.position() <= end:
                if block.blockNumber() not in done:
                    done.add(block.blockNumber())
                    self.highlighter.rehighlightBlock(block)
                block = block.next()

    def set_show_rejected(self, show: bool) -> None:
        self.show_rejected = show
        self.index = SpanIndex(self.spans, self.offsets, show, self.hides)
        self.highlighter.set_index(self.index)

    def set_hides(self, hides: Callable[[Span], bool] | None) -> None:
        """Filter claims out (ui/claim_filter.py): not drawn, or dimmed if decided, and
        never stepped to; one highlighting pass."""
        self.hides = hides
        self.set_show_rejected(self.show_rejected)
        self.viewport().update()

    def set_focused(self, span_id: int | None, ensure_visible: bool = True) -> None:
        self.focused_id = span_id
        span = self._focused = self._find_focused()
        if span is not None and ensure_visible:
            cursor = self.textCursor()
            cursor.setPosition(self.offsets.to_utf16(span.start))
            self.setTextCursor(cursor)
            self.ensureCursorVisible()
            reveal_whole(self, self.span_rects(span))  # all of it, with context
        self.viewport().update()

    def span_rects(self, span: Span) -> list[QRectF]:
        """The viewport rectangles of ``span``, one per visual line."""
        return range_rects(self, self.offsets.to_utf16(span.start),
                           self.offsets.to_utf16(span.end))

    def focused_span(self) -> Span | None:
        return self._focused

    def visible_spans(self) -> list[Span]:
        """The spans stepped to: all but the rejected ones, unless those are shown, and
        but the claims the claim filter hides."""
        hides, rejected = self.hides, self.show_rejected
        if rejected and hides is None:
            return self.spans
        return [s for s in self.spans if (rejected or s.decision != "rejected")
                and (hides is None or not hides(s))]

    def neighbour(self, step: int, pending: bool = False) -> Span | None:
        """The visible span one ``step`` (+1, -1) from the focused one in reading order;
        with ``pending``, the next suggestion (wrapping around). None if there is none."""
        spans = [s for s in self.visible_spans() if not pending or s.decision == "pending"]
        current = self._focused
        if not spans:
            return None
        if current is None:
            return spans[0] if step > 0 else spans[-1]
        key = store_order(current)
        if step > 0:
            return next((s for s in spans if store_order(s) > key),
                        spans[0] if pending else current)
        return next((s for s in reversed(spans) if store_order(s) < key),
                    spans[-1] if pending else current)

    def _find_focused(self) -> Span | None:
        if self.focused_id is None:
            return None
        return next((s for s in self.spans if s.id == self.focused_id), None)

    # -- caret mode (see caret.py)

    def set_caret_mode(self, on: bool) -> None:
        """Caret mode on (the caret at the focused span, if any) or off (no selection)."""
        if on and not self.caret_mode:
            span = self.focused_span()
            if span is not None:
                self.select_range(span.start, span.start)
        if not on:
            self.clear_selection()
        if on != self.caret_mode:
            self.caret_mode = on
            self.viewport().update()
            self.caret_mode_changed.emit(on)

    def caret_position(self) -> int:
        """The caret, in code points."""
        return self.offsets.from_utf16(self.textCursor().position())

    def open_find(self) -> None:
        """The find bar (caret mode on): the match of what is typed gets selected."""
        self.set_caret_mode(True)
        self._find_from = self.caret_position()
        self.find_bar.open()

    def reserve_top(self, top: int) -> None:
        """Start the text ``top`` px lower (the find bar's room; 0: none)."""
        self.setViewportMargins(0, top, 0, 0)

    def _on_find_bar_searched(self, query: str, after_match: bool) -> None:
        if self.doc is None:
            return
        start = self._find_from
        if after_match:
            selected = self.selection()
            start = (selected[0] + 1) if selected else self.caret_position()
        found = caret.find(self.doc.text, query, start)
        if found is not None:
            self.select_range(*found)
            self.exact_selection = False
            self.ensureCursorVisible()

    # -- selection, in code points

    def selection(self) -> tuple[int, int] | None:
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return (self.offsets.from_utf16(cursor.selectionStart()),
                self.offsets.from_utf16(cursor.selectionEnd()))

    def select_range(self, start: int, end: int) -> None:
        """Select code points ``[start, end)`` (used by tests and the go-to actions)."""
        cursor = self.textCursor()
        cursor.setPosition(self.offsets.to_utf16(start))
        cursor.setPosition(self.offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)

    def span_at(self, point: QPoint) -> Span | None:
        if self.index is None:
            return None
        pos = self.cursorForPosition(point).position()
        found = self.index.at(pos)
        return found[0].span if found else None

    def tooltip_at(self, point: QPoint) -> str:
        """What a tooltip says at ``point``: the hidden character a mark stands for, and
        the span there."""
        lines = []
        if self.doc is not None:
            index = self.offsets.from_utf16(self.cursorForPosition(point).position())
            # The cursor lands before or after the character under the mouse.
            for i in (index, index - 1):
                name = hidden_name(self.doc.text[i]) if 0 <= i < len(self.doc.text) else None
                if name:
                    lines.append(f"{name} at offset {i}, shown as a mark")
                    break
        span = self.span_at(point)
        if span is not None:
            lines.append(describe(span))
        return "\n".join(lines)

    def zoom(self, steps: int) -> None:
        font = self.font()
        if steps == 0:
            base = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
            font.setPointSizeF(max(base.pointSizeF(), 10.0) + 2)
        else:
            font.setPointSizeF(min(max(font.pointSizeF() + steps, 7.0), 40.0))
        self.setFont(font)

    # -- events

    def event(self, event: QEvent) -> bool:
        if event.type() in _INTENT and not self.tokens.wanted:
            self.tokens.want()  # the first key or click: the token boundaries are wanted
        if event.type() == QEvent.Type.ShortcutOverride:
            # Caret mode takes the arrow keys; otherwise the window's single-key
            # shortcuts (a, x, 1..0, arrows) win over the read-only text control, and
            # keys nobody claims still reach keyPressEvent.
            if self.caret_mode and caret.takes(event):  # type: ignore[arg-type]
                event.accept()
                return True
            event.ignore()
            return False
        if event.type() == QEvent.Type.ToolTip:
            tip = self.tooltip_at(event.pos())  # type: ignore[attr-defined]
            if tip:
                QToolTip.showText(event.globalPos(),  # type: ignore[attr-defined]
                                  plain_tooltip(tip), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if self.caret_mode and caret.move_caret(self, event):
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.banner.isVisible():
            self.banner.place()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self.tokens.wanted:
            self.tokens.want()  # a selection may follow: its tokens are wanted
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        self.exact_selection = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            span = self.span_at(event.position().toPoint())
            if span is not None and span.id is not None:
                self.span_activated.emit(span.id)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if self.caret_mode:  # a caret that shows in a read-only view, and the mode
            painter = QPainter(self.viewport())
            caret = self.cursorRect()
            painter.fillRect(caret.x() - 1, caret.y(), 3, caret.height(),
                             self.palette().color(self.palette().ColorRole.Highlight))
            painter.end()
        span = self.focused_span()
        if span is not None:
            painter = QPainter(self.viewport())
            paint_focus(self, painter, self.span_rects(span))
            painter.end()


_INTENT = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)


def _drawn_keys(index: SpanIndex | None
                ) -> set[tuple[int, int, str, str, str, int, bool]]:
    if index is None:
        return set()
    return {(d.start, d.end, d.span.label, d.span.decision, d.span.layer, d.span.id or 0,
             d.dim)
            for d in (*index.entities, *index.claims)}
