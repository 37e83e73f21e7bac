"""The right-hand side (the focused span's details, the claim editor, the span lists),
the document header and small label helpers."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.editing.reveal import reveal
from annotator.model import Document, LabelScheme, Span

from .claim_editor import ClaimEditor
from .claim_filter import ClaimFilterBar
from .doclabel_bar import DocLabelBar
from .legend import Legend
from .models import SpanListModel, plain_tooltip


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that never interprets its text as HTML."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def resize_within_screen(widget: QWidget, width: int, height: int) -> None:
    """``widget.resize(width, height)``, less what the screen has not (a dialog opened on
    a 1024x700 laptop screen fits it; the window manager's title bar is allowed for)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry().size()
        width, height = min(width, room.width()), min(height, room.height() - 40)
    widget.resize(width, height)


def notice_label() -> QLabel:
    """A lasting notice (hidden until it has something to say): what the window cannot
    do just now, and why."""
    label = plain_label()
    label.setWordWrap(True)
    label.setContentsMargins(18, 6, 18, 6)
    label.setStyleSheet("QLabel { background: rgba(240, 140, 0, 60); "
                        "border-left: 4px solid #e8590c; }")
    label.hide()
    return label


class DocumentHeader(QWidget):
    """Above the article: a lasting notice (hidden until there is one: what cannot be
    done just now, and why), the title, the document's id, status, source and date, the
    document-label bar (:attr:`doc_bar`) and the label legend."""

    def __init__(self, scheme: LabelScheme, parent: QWidget | None = None):
        super().__init__(parent)
        self.notice = notice_label()
        self.title = plain_label()
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() + 2)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setContentsMargins(18, 8, 18, 0)
        self.meta = plain_label()
        self.meta.setContentsMargins(18, 0, 18, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.legend = Legend(scheme)
        self.doc_bar = DocLabelBar(scheme)
        for widget in (self.notice, self.title, self.meta, self.doc_bar, self.legend):
            layout.addWidget(widget)

    def show_document(self, doc: Document | None) -> None:
        if doc is None:
            self.title.setText("No documents yet: File ▸ Import files… (Ctrl+I)")
            self.meta.setText("")
            return
        self.title.setText(reveal(doc.title or f"Document {doc.id}"))
        meta = [str(doc.meta[k]) for k in ("source", "date") if doc.meta.get(k)]
        note = [f"note: {doc.note}"] if doc.note else []
        self.meta.setText(reveal(" · ".join([f"#{doc.id}", doc.status.replace("_", " "),
                                             *meta, *note])))

    def show_notice(self, text: str | None) -> None:
        self.notice.setText(text or "")
        self.notice.setVisible(bool(text))


LRM = "\u200e"  # LEFT-TO-RIGHT MARK: a strong left-to-right character, zero width


class ElidedLabel(QLabel):
    """One line of plain text, cut with "…" to the width it is given (the whole text in
    its tooltip): the span details keep one height whatever they show."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.full_text = ""

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight,
                                              max(self.width(), 1))
        # A left-to-right mark first: the line is the window's (English) words, laid out
        # left to right even when its first letter is Arabic ("131–139 “محمد علي”" read
        # "139–131" as a right-to-left paragraph); the Arabic still reads right to left.
        self.setText(LRM + shown)
        self.setToolTip(plain_tooltip(self.full_text) if shown != self.full_text else "")


class SpanDetails(QGroupBox):
    """The focused span in four lines of one height each (label, decision, text, cues),
    so the claim editor and lists below never move as the focus does."""

    ROWS = ("label", "decision", "text", "cues")

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Focused span", parent)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setContentsMargins(6, 4, 6, 4)
        form.setVerticalSpacing(2)
        self.fields: dict[str, ElidedLabel] = {}
        for name in self.ROWS:
            value = ElidedLabel()
            self.fields[name] = value
            form.addRow(name.capitalize(), value)
        self.show_span(None, "")

    def show_span(self, span: Span | None, text: str) -> None:
        if span is None:
            for value in self.fields.values():
                value.set_full_text("")
            self.fields["label"].set_full_text("none: → or Space moves to one")
            return
        self.fields["label"].set_full_text(reveal(f"{span.label} ({span.layer})"))
        score = "" if span.score is None else f" · score {span.score:.2f}"
        by = f" by {span.annotator}" if span.annotator else ""
        model = f" · {span.model}" if span.model and span.origin == "model" else ""
        self.fields["decision"].set_full_text(
            reveal(f"{span.decision} · {span.origin}{by}{score}{model}"))
        snippet = " ".join(text[span.start:min(span.end, span.start + 300)].split())
        self.fields["text"].set_full_text(reveal(f"{span.start}–{span.end} “{snippet}”"))
        self.fields["cues"].set_full_text(reveal(", ".join(span.cues)) if span.cues else "—")


class SpanTable(QTableView):
    """A compact list of one layer's spans; selecting a row focuses the span."""

    span_activated = Signal(int)

    def __init__(self, model: SpanListModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        # Fixed widths: ResizeToContents asks every row for its size on each change,
        # which costs more than the decision itself on a 3,000-span document.
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        metrics = self.fontMetrics()
        header.resizeSection(0, metrics.horizontalAdvance("CARDINAL") + 30)
        header.resizeSection(1, metrics.horizontalAdvance("accepted") + 16)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self._syncing = False
        self._keyed = False
        self.clicked.connect(self._on_clicked)
        self.selectionModel().currentRowChanged.connect(self._on_current_row_changed)

    def _on_clicked(self, index: Any) -> None:
        span_id = index.data(Qt.ItemDataRole.UserRole)
        if span_id is not None:
            self.span_activated.emit(span_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        self._keyed = True  # a row change now is the annotator's: focus that span
        try:
            super().keyPressEvent(event)
        finally:
            self._keyed = False

    def _on_current_row_changed(self, current: Any, _previous: Any) -> None:
        # Only ↑/↓ in the list: a row made current by Qt (the list taking the focus)
        # must not move the focus away from the span being worked on.
        if self._keyed and not self._syncing and current.isValid():
            self._on_clicked(current)

    def select_span(self, span_id: int | None) -> None:
        """Show ``span_id``'s row as the current and only selected one. The selection
        model's signals are not blocked: the view repaints the rows it deselects on
        them (blocked, the last row stayed drawn as selected)."""
        model = self.model()
        assert isinstance(model, SpanListModel)
        row = model.row_of(span_id)
        selection = self.selectionModel()
        self._syncing = True
        try:
            if row is None:
                selection.clear()
            else:
                index = model.index(row, 0)
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)
                self.scrollTo(index)
        finally:
            self._syncing = False


class SpanPanel(QWidget):
    """The right-hand side: the focused span's details, the claim editor, and the lists
    of the open document's entities and claims. ``span_activated(span_id)``: a row was
    clicked."""

    span_activated = Signal(int)

    def __init__(self, scheme: LabelScheme, parent: QWidget | None = None):
        super().__init__(parent)
        self.details = SpanDetails()
        self.claim_editor = ClaimEditor()
        self.entity_model = SpanListModel(scheme, "entity", self)
        self.claim_model = SpanListModel(scheme, "claim", self)
        self.entity_table = SpanTable(self.entity_model)
        self.claim_table = SpanTable(self.claim_model)
        self.entity_table.span_activated.connect(self.span_activated)
        self.claim_table.span_activated.connect(self.span_activated)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.entity_table, "Entities")
        self.claim_filter_bar = ClaimFilterBar()  # the claim filter (ui/claim_filter.py)
        self.tabs.addTab(vbox(self.claim_filter_bar, self.claim_table), "Claims")
        self.tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        for widget in (self.details, self.claim_editor, self.tabs):
            layout.addWidget(widget)
        layout.setStretch(2, 1)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 38)

    def set_spans(self, text: str, spans: list[Span],
                  changed: dict[int, Span | None] | None = None) -> None:
        """The document's spans (``changed``: only these differ from the last call)."""
        for model in (self.entity_model, self.claim_model):
            if changed is None:
                model.set_spans(text, spans)
            else:
                model.update_spans(text, spans, changed)

    def show_focus(self, span: Span | None, text: str, spans: list[Span]) -> None:
        """Details and, for a claim, its attributes with the document's entities as
        claimant choices; the span's row selected in its list."""
        self.details.show_span(span, text)
        # Claimant choices only for a claim: thousands of entities on every focus move
        # cost more than the rest of the move.
        is_claim = span is not None and span.layer == "claim"
        self.claim_editor.show_claim(span if is_claim else None, text,
                                     spans if is_claim else None)
        span_id = span.id if span is not None else None
        self.entity_table.select_span(span_id)
        self.claim_table.select_span(span_id)
        if span is not None:
            self.tabs.setCurrentIndex(1 if span.layer == "claim" else 0)


def vbox(*widgets: QWidget, margins: int = 0) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(margins, margins, margins, margins)
    for widget in widgets:
        layout.addWidget(widget)
    return box
