"""The spans of one layer of the open document as a Qt item model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from annotator.editing.reveal import has_hidden, reveal
from annotator.model import LabelScheme, Span

from .colors import label_color

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole.value
DECORATION = Qt.ItemDataRole.DecorationRole.value
USER = Qt.ItemDataRole.UserRole.value


class SpanListModel(QAbstractTableModel):
    """The spans of one layer of the open document: label, decision, text; those
    :attr:`hides` says are filtered out (the claim filter, ui/claim_filter.py) left out."""

    HEADERS = ("Label", "Decision", "Text")

    def __init__(self, scheme: LabelScheme, layer: str, parent: Any = None):
        super().__init__(parent)
        self.scheme = scheme
        self.layer = layer
        self.spans: list[Span] = []
        self._texts: list[str] = []
        self._row_of_id: dict[int | None, int] = {}
        self.hides: Callable[[Span], bool] | None = None

    def set_scheme(self, scheme: LabelScheme) -> None:
        """Another scheme: the colour chips of every row are drawn again."""
        self.scheme = scheme
        if self.spans:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.spans) - 1, 0))

    def set_spans(self, text: str, spans: list[Span]) -> None:
        self.beginResetModel()
        hides = self.hides
        self.spans = [s for s in spans if s.layer == self.layer
                      and (hides is None or not hides(s))]
        self._texts = [_snippet(text, s) for s in self.spans]
        if has_hidden(text):  # checked once: most articles have none
            self._texts = [reveal(t) for t in self._texts]
        self._row_of_id = {s.id: i for i, s in enumerate(self.spans)}
        self.endResetModel()

    def update_spans(self, text: str, spans: list[Span], changed: dict[int, Span | None]
                     ) -> None:
        """``spans`` after a decision that changed the spans in ``changed`` (span id ->
        new state, None when deleted). A decision that keeps every span where it was
        (accept, reject, relabel, claim attributes) updates those rows in place; one that
        adds, deletes or moves spans resets the list (a reset on every keystroke costs
        more than the decision on a 3,000-span document)."""
        rows = []
        for span_id, state in changed.items():
            row = self._row_of_id.get(span_id)
            out = state is None or state.layer != self.layer or (
                self.hides is not None and self.hides(state))
            if out or row is None or state is None:
                if row is None and out:
                    continue  # neither side is in this list
                self.set_spans(text, spans)
                return
            old = self.spans[row]
            if (old.start, old.end) != (state.start, state.end):
                self.set_spans(text, spans)
                return
            rows.append((row, state))
        for row, state in rows:
            self.spans[row] = state
        if rows:  # one signal, also for an accept-all of thousands
            top, bottom = min(r for r, _ in rows), max(r for r, _ in rows)
            self.dataChanged.emit(self.index(top, 0), self.index(bottom, len(self.HEADERS) - 1))

    def row_of(self, span_id: int | None) -> int | None:
        return self._row_of_id.get(span_id) if span_id is not None else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.spans)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if role not in (DISPLAY, DECORATION, USER):
            return None
        i = index.row()
        if not index.isValid() or not 0 <= i < len(self.spans):
            return None
        span = self.spans[i]
        column = index.column()
        if role == DISPLAY:
            if column == 0:
                return span.label
            if column == 1:
                return span.decision
            return self._texts[i]
        if role == DECORATION and column == 0:
            label = self.scheme.get(span.label)
            return label_color(label.color if label else None)
        if role == USER:
            return span.id
        return None


def _snippet(text: str, span: Span) -> str:
    """The span's text on one line, a long one cut to 120 characters."""
    if span.end - span.start > 200:
        return " ".join(text[span.start:span.start + 200].split())[:120]
    return " ".join(text[span.start:span.end].split())
