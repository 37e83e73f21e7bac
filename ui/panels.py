"""The right-hand side (the focused span's details, the claim editor, the span lists),
the label legend and small label helpers."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.model import CHECKWORTHY, CLAIM_TYPES, Document, LabelScheme, Span

from .colors import is_dark, label_color
from .models import SpanListModel
from .offsets import has_hidden, reveal

AUTHOR = "author"


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that never interprets its text as HTML."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


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
    done just now, and why), the title, the document's id, status, source and date, and
    the label legend."""

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
        for widget in (self.notice, self.title, self.meta, Legend(scheme)):
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


class SpanDetails(QGroupBox):
    """Label, decision, origin, score, model and cues of the focused span."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Focused span", parent)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLabel] = {}
        for name in ("label", "decision", "origin", "model", "score", "range", "text",
                     "cues"):
            value = plain_label()
            value.setWordWrap(name in ("label", "cues"))
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[name] = value
            form.addRow(name.capitalize(), value)
        self.show_span(None, "")

    def show_span(self, span: Span | None, text: str) -> None:
        self._fill(span, text)
        # Never shrink: the claim editor and span lists below stay put as the focus moves
        # (a change of height lays out and repaints the whole right-hand side).
        needed = self.heightForWidth(self.width())  # -1 if the height does not depend on it
        if needed > self.minimumHeight():
            self.setMinimumHeight(needed)

    def _fill(self, span: Span | None, text: str) -> None:
        if span is None:
            for value in self.fields.values():
                value.setText("")
            self.fields["label"].setText("No span focused: → or Space moves to the next one")
            return
        self.fields["label"].setText(reveal(f"{span.label} ({span.layer})"))
        self.fields["decision"].setText(span.decision)
        self.fields["origin"].setText(
            span.origin + (f" · by {span.annotator}" if span.annotator else ""))
        self.fields["model"].setText(reveal(_short(span.model or "—", 36)))
        self.fields["score"].setText("—" if span.score is None else f"{span.score:.2f}")
        self.fields["range"].setText(f"{span.start}–{span.end}")
        snippet = " ".join(text[span.start:span.end].split())
        self.fields["text"].setText(reveal(_short(snippet, 36)))
        self.fields["cues"].setText(reveal(", ".join(span.cues)) if span.cues else "—")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


class ClaimEditor(QGroupBox):
    """Attributes of the focused claim. Emits ``attribute_edited(name, value)``; the
    window turns that into an undoable session command. Not :attr:`editable` (a
    read-only project): it shows the claim but takes no edit."""

    attribute_edited = Signal(str, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Claim", parent)
        form = QFormLayout(self)
        self.claim_type = QComboBox()
        self.claim_type.addItem("—", None)
        for name in CLAIM_TYPES:
            self.claim_type.addItem(name, name)
        self.claimant = QComboBox()
        self.claimant.setEditable(True)
        self.claimant.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.claimant.lineEdit().setPlaceholderText("entity, free text or author")
        self.via = QLineEdit()
        self.via.setPlaceholderText("outlet relaying the claim")
        self.checkworthy = QComboBox()
        self.checkworthy.addItem("—", None)
        for name in CHECKWORTHY:
            self.checkworthy.addItem(name, name)
        self.hedged = QCheckBox("hedged (may, reportedly, …)")
        form.addRow("Type", self.claim_type)
        form.addRow("Claimant", self.claimant)
        form.addRow("Via", self.via)
        form.addRow("Check-worthy", self.checkworthy)
        form.addRow("", self.hedged)
        self.claim_type.activated.connect(self._on_claim_type_activated)
        self.checkworthy.activated.connect(self._on_checkworthy_activated)
        self.claimant.activated.connect(self._on_claimant_activated)
        self.claimant.lineEdit().editingFinished.connect(self._on_claimant_edited)
        self.via.editingFinished.connect(self._on_via_edited)
        self.hedged.clicked.connect(self._on_hedged_clicked)
        self.span: Span | None = None
        self._entities: list[tuple[int, str]] | None = None  # the claimant choices shown
        self.editable = True
        self.setEnabled(False)

    def show_claim(self, span: Span | None, entities: list[tuple[int, str]]) -> None:
        """Fill the editor for ``span`` (a claim) with ``entities`` as claimant choices:
        (span id, display text)."""
        self.span = span if span is not None and span.layer == "claim" else None
        self.setEnabled(self.span is not None and self.editable)
        blockers = [QSignalBlocker(w) for w in (self.claim_type, self.claimant, self.via,
                                                self.checkworthy, self.hedged)]
        # Refilled only when the choices changed: thousands of entities take milliseconds.
        if self.span is not None and entities != self._entities:
            self.claimant.clear()
            self.claimant.addItem("", None)
            self.claimant.addItem(AUTHOR, AUTHOR)
            for span_id, text in entities:
                self.claimant.addItem(text, span_id)
            self._entities = list(entities)
        self.claimant.setCurrentIndex(-1)  # so the index set below sets the edit text too
        claim = self.span.claim if self.span is not None else None
        if claim is None:
            self.claim_type.setCurrentIndex(0)
            self.checkworthy.setCurrentIndex(0)
            self.claimant.setCurrentIndex(0)
            self.via.clear()
            self.hedged.setChecked(False)
        else:
            self.claim_type.setCurrentIndex(max(self.claim_type.findData(claim.claim_type), 0))
            self.checkworthy.setCurrentIndex(
                max(self.checkworthy.findData(claim.checkworthy), 0))
            if claim.claimant_span_id is not None:
                found = self.claimant.findData(claim.claimant_span_id)
                self.claimant.setCurrentIndex(max(found, 0))
            elif claim.claimant_text:
                found = self.claimant.findData(claim.claimant_text)
                if found >= 0:
                    self.claimant.setCurrentIndex(found)
                else:
                    self.claimant.setEditText(claim.claimant_text)
            else:
                self.claimant.setCurrentIndex(0)
            self.via.setText(claim.via or "")
            self.hedged.setChecked(bool(claim.hedged))
        del blockers

    def _current_claimant(self) -> Any:
        claim = self.span.claim if self.span is not None else None
        if claim is None:
            return None
        return claim.claimant_span_id if claim.claimant_span_id is not None \
            else claim.claimant_text

    def _on_claim_type_activated(self, index: int) -> None:
        self.attribute_edited.emit("claim_type", self.claim_type.itemData(index))

    def _on_checkworthy_activated(self, index: int) -> None:
        self.attribute_edited.emit("checkworthy", self.checkworthy.itemData(index))

    def _on_claimant_activated(self, index: int) -> None:
        value = self.claimant.itemData(index)
        if value is None and self.claimant.currentText():
            value = self.claimant.currentText()
        if value != self._current_claimant():
            self.attribute_edited.emit("claimant", value)

    def _on_claimant_edited(self) -> None:
        text = self.claimant.currentText().strip()
        index = self.claimant.findText(text)
        value = self.claimant.itemData(index) if index > 0 else (text or None)
        if self.span is not None and value != self._current_claimant():
            self.attribute_edited.emit("claimant", value)

    def _on_via_edited(self) -> None:
        claim = self.span.claim if self.span is not None else None
        value = self.via.text().strip() or None
        if self.span is not None and value != (claim.via if claim else None):
            self.attribute_edited.emit("via", value)

    def _on_hedged_clicked(self, checked: bool) -> None:
        self.attribute_edited.emit("hedged", checked)


class SpanTable(QTableView):
    """A compact list of one layer's spans; selecting a row focuses the span."""

    span_activated = Signal(int)

    def __init__(self, model: SpanListModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
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
        self.clicked.connect(self._on_clicked)

    def _on_clicked(self, index: Any) -> None:
        span_id = index.data(Qt.ItemDataRole.UserRole)
        if span_id is not None:
            self.span_activated.emit(span_id)

    def select_span(self, span_id: int | None) -> None:
        model = self.model()
        assert isinstance(model, SpanListModel)
        row = model.row_of(span_id)
        blocker = QSignalBlocker(self.selectionModel())
        if row is None:
            self.clearSelection()
        else:
            self.selectRow(row)
            self.scrollTo(model.index(row, 0))
        del blocker


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
        self.tabs.addTab(self.claim_table, "Claims")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for widget in (self.details, self.claim_editor, self.tabs):
            layout.addWidget(widget)
        self.setMinimumWidth(300)

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
        entities = [(s.id, f"{' '.join(text[s.start:s.end].split())[:40]} ({s.label})")
                    for s in spans if s.layer == "entity" and s.decision != "rejected"
                    and s.id is not None] if span is not None and span.layer == "claim" else []
        if entities and has_hidden(text):
            entities = [(span_id, reveal(choice)) for span_id, choice in entities]
        self.claim_editor.show_claim(span, entities)
        span_id = span.id if span is not None else None
        self.entity_table.select_span(span_id)
        self.claim_table.select_span(span_id)
        if span is not None:
            self.tabs.setCurrentIndex(1 if span.layer == "claim" else 0)


class Legend(QWidget):
    """Colour chips of the labels with their keys, and the drawing conventions."""

    def __init__(self, scheme: LabelScheme, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(18, 4, 18, 4)
        layout.setSpacing(10)
        dark = is_dark(self.palette())
        for label in scheme.labels:
            if not label.key:
                continue
            chip = plain_label(f"{label.key} {label.name}")
            color = label_color(label.color, dark)
            fill = QColor(color)
            fill.setAlpha(70 if label.layer == "entity" else 45)
            chip.setStyleSheet(
                f"QLabel {{ background: rgba({fill.red()},{fill.green()},{fill.blue()},"
                f"{fill.alpha()}); border-left: 3px solid {color.name()};"
                " padding: 1px 5px; border-radius: 2px; }")
            chip.setToolTip(label.description)
            layout.addWidget(chip)
        layout.addStretch(1)
        hint = plain_label("solid = accepted · dashed = suggestion · band = claim")
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(hint)


def vbox(*widgets: QWidget, margins: int = 0) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(margins, margins, margins, margins)
    for widget in widgets:
        layout.addWidget(widget)
    return box
