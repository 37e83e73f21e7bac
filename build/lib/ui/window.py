"""The annotation window: document list, article, span details and claim editor."""

from __future__ import annotations

import time
from bisect import insort
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QSignalBlocker, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QWidget,
)

from annotator.export.base import ExportOptions
from annotator.model import STATUSES, Document, Label, LabelScheme, Span
from annotator.session import Change, Session, SessionError
from annotator.store import Store

from .article import ArticleView, describe
from .commands import (
    AcceptAllCommand,
    AcceptSpanCommand,
    AddSpanCommand,
    DeleteSpanCommand,
    RejectSpanCommand,
    RelabelSpanCommand,
    ResizeSpanCommand,
    SessionCommand,
    SetClaimAttributeCommand,
    SetStatusCommand,
)
from .models import DocumentListModel, SpanListModel
from .panels import ClaimEditor, Legend, SpanDetails, SpanTable, plain_label, vbox
from .tokens import Tokens
from .workers import SuggestWorker, TaskThread

RECENT_MAX = 8


def _store_order(span: Span) -> tuple[int, int, int]:
    """The order of :meth:`Store.spans`: start, longest first, id."""
    return span.start, -span.end, span.id or 0


@dataclass
class ActionSpec:
    """One entry of a menu: shown in the menu, bound to its keys, listed in the cheat
    sheet (which is built from these, so it cannot drift from the real bindings)."""

    menu: str
    text: str
    keys: tuple[str, ...]
    slot: Callable[[], Any]
    name: str = ""


class MainWindow(QMainWindow):
    """One project, one annotator. Every decision goes through :class:`Session` (and
    so is committed) before the window redraws it."""

    suggestion_requested = Signal(int)
    document_opened = Signal(int)

    def __init__(self, store: Store, annotator: str, settings: QSettings,
                 scheme: LabelScheme | None = None, auto_suggest: bool = True):
        super().__init__()
        self.settings = settings
        self.scheme = scheme or LabelScheme.load()
        self.auto_suggest = auto_suggest
        self.annotator = annotator
        self.store = store
        self.session = Session(store, annotator)
        self.undo_stack = QUndoStack(self)
        self.doc: Document | None = None
        self.spans: list[Span] = []
        self._tokens: Tokens | None = None
        self.actions_by_name: dict[str, QAction] = {}
        self.specs: list[ActionSpec] = []
        self.last_label: Label | None = self.scheme.for_layer("entity")[0]
        self.last_open_ms = 0.0
        self._suggest_tried: set[int] = set()
        self._suggest_thread: QThread | None = None
        self._suggest_worker: SuggestWorker | None = None
        self._task: TaskThread | None = None
        self.setWindowTitle("Annotator")
        self._build_widgets()
        self._build_actions()
        self._set_project_widgets()
        self.restoreGeometry(settings.value("geometry", b""))  # type: ignore[arg-type]
        splitter_state = settings.value("splitter")
        if splitter_state:
            self.splitter.restoreState(splitter_state)  # type: ignore[arg-type]
        self._open_first_document()

    # -- construction

    def _build_widgets(self) -> None:
        # Left: filters, the lazy document list, progress.
        self.status_filter = QComboBox()
        self.status_filter.addItem("All documents", None)
        for status in STATUSES:
            self.status_filter.addItem(status.replace("_", " ").capitalize(), status)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search title or text (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.doc_table = QTableView()
        self.doc_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.doc_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.doc_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.doc_table.verticalHeader().hide()
        self.doc_table.setShowGrid(False)
        self.doc_table.setWordWrap(False)
        self.doc_table.setAlternatingRowColors(True)
        self.doc_table.verticalHeader().setDefaultSectionSize(
            self.fontMetrics().height() + 8)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._on_filter_changed)
        self.search_box.textChanged.connect(lambda _: self._search_timer.start())
        self.status_filter.currentIndexChanged.connect(lambda _: self._on_filter_changed())
        self.doc_table.clicked.connect(self._on_doc_clicked)
        self.doc_table.activated.connect(self._on_doc_clicked)
        left = vbox(self.status_filter, self.search_box, self.doc_table, self.progress,
                    margins=6)
        # Room for a title of a few words next to the id and the counts.
        left.setMinimumWidth(36 * self.fontMetrics().horizontalAdvance("0"))

        # Centre: title line, legend, article.
        self.title_label = plain_label()
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() + 2)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setContentsMargins(18, 8, 18, 0)
        self.meta_label = plain_label()
        self.meta_label.setContentsMargins(18, 0, 18, 0)
        self.meta_label.setForegroundRole(self.meta_label.foregroundRole())
        self.article = ArticleView(self.scheme)
        self.article.span_clicked.connect(self._on_span_activated)
        centre = vbox(self.title_label, self.meta_label, Legend(self.scheme), self.article)
        centre.layout().setSpacing(2)  # type: ignore[union-attr]

        # Right: details, claim editor, lists of entities and claims.
        self.details = SpanDetails()
        self.claim_editor = ClaimEditor()
        self.claim_editor.attribute_edited.connect(self._on_claim_attribute_edited)
        self.entity_model = SpanListModel(self.scheme, "entity", self)
        self.claim_model = SpanListModel(self.scheme, "claim", self)
        self.entity_table = SpanTable(self.entity_model)
        self.claim_table = SpanTable(self.claim_model)
        self.entity_table.span_activated.connect(self._on_span_activated)
        self.claim_table.span_activated.connect(self._on_span_activated)
        self.span_tabs = QTabWidget()
        self.span_tabs.addTab(self.entity_table, "Entities")
        self.span_tabs.addTab(self.claim_table, "Claims")
        right = vbox(self.details, self.claim_editor, self.span_tabs, margins=6)
        right.setMinimumWidth(300)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([340, 760, 340])
        self.setCentralWidget(self.splitter)
        self.resize(1400, 860)

        # Status bar: messages left; task progress, position and annotator right.
        bar = self.statusBar()
        self.task_label = plain_label()
        self.task_progress = QProgressBar()
        self.task_progress.setMaximumWidth(160)
        self.task_cancel = QPushButton("Cancel")
        self.task_cancel.clicked.connect(self._on_task_cancel_clicked)
        self.task_box = QWidget()
        task_layout = QHBoxLayout(self.task_box)
        task_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.task_label, self.task_progress, self.task_cancel):
            task_layout.addWidget(widget)
        self.task_box.hide()
        self.position_label = plain_label()
        self.annotator_label = plain_label()
        bar.addPermanentWidget(self.task_box)
        bar.addPermanentWidget(self.position_label)
        bar.addPermanentWidget(self.annotator_label)

    def _build_actions(self) -> None:
        specs = [
            ActionSpec("&File", "&Open project…", ("Ctrl+O",), self._on_open_project),
            ActionSpec("&File", "&New project…", ("Ctrl+N",), self._on_new_project),
            ActionSpec("&File", "&Import files…", ("Ctrl+I",), self._on_import),
            ActionSpec("&File", "&Export…", ("Ctrl+E",), self._on_export),
            ActionSpec("&File", "Change &annotator…", (), self._on_change_annotator),
            ActionSpec("&File", "&Quit", ("Ctrl+Q",), self.close),
            ActionSpec("&Edit", "&Undo", ("Ctrl+Z",), self.undo_stack.undo, "undo"),
            ActionSpec("&Edit", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), self.undo_stack.redo,
                       "redo"),
            ActionSpec("&Edit", "&Search documents", ("Ctrl+F",), self._on_focus_search),
            ActionSpec("&Span", "&Accept", ("A",), self.accept_focused, "accept"),
            ActionSpec("&Span", "Re&ject", ("X",), self.reject_focused, "reject"),
            ActionSpec("&Span", "&Delete", ("Delete", "Backspace"), self.delete_focused,
                       "delete"),
            ActionSpec("&Span", "Add span from &selection (last label)", ("Return",),
                       self.add_from_selection_last_label, "add"),
            ActionSpec("&Span", "Accept a&ll pending in document", ("Shift+A",),
                       self.accept_all, "accept_all"),
            ActionSpec("&Span", "Start one token earlier", ("Alt+Left",),
                       lambda: self.resize_focused("start", -1, True), "grow_start"),
            ActionSpec("&Span", "Start one token later", ("Alt+Right",),
                       lambda: self.resize_focused("start", +1, True), "shrink_start"),
            ActionSpec("&Span", "End one token later", ("Shift+Right",),
                       lambda: self.resize_focused("end", +1, True), "grow_end"),
            ActionSpec("&Span", "End one token earlier", ("Shift+Left",),
                       lambda: self.resize_focused("end", -1, True), "shrink_end"),
            ActionSpec("&Span", "Start one character earlier", ("Alt+Shift+Left",),
                       lambda: self.resize_focused("start", -1, False), "grow_start_char"),
            ActionSpec("&Span", "Start one character later", ("Alt+Shift+Right",),
                       lambda: self.resize_focused("start", +1, False), "shrink_start_char"),
            ActionSpec("&Span", "End one character later", ("Ctrl+Shift+Right",),
                       lambda: self.resize_focused("end", +1, False), "grow_end_char"),
            ActionSpec("&Span", "End one character earlier", ("Ctrl+Shift+Left",),
                       lambda: self.resize_focused("end", -1, False), "shrink_end_char"),
            ActionSpec("&Go", "&Next span", ("Right", "J"), lambda: self.move_focus(+1),
                       "next_span"),
            ActionSpec("&Go", "&Previous span", ("Left", "K"), lambda: self.move_focus(-1),
                       "prev_span"),
            ActionSpec("&Go", "Next &suggestion", ("Space", "Down"),
                       lambda: self.move_focus(+1, pending=True), "next_pending"),
            ActionSpec("&Go", "Previous s&uggestion", ("Shift+Space", "Up"),
                       lambda: self.move_focus(-1, pending=True), "prev_pending"),
            ActionSpec("&Go", "Next &document", ("Ctrl+Down", "N"),
                       lambda: self.step_document(+1), "next_doc"),
            ActionSpec("&Go", "P&revious document", ("Ctrl+Up", "P"),
                       lambda: self.step_document(-1), "prev_doc"),
            ActionSpec("&Go", "&Go to document…", ("Ctrl+G",), self._on_goto_document),
            ActionSpec("&Go", "Back to the &article", ("Escape",), self._on_focus_article),
            ActionSpec("&Document", "Mark &done and open next", ("D", "Ctrl+Return"),
                       self.mark_done, "done"),
            ActionSpec("&Document", "&Skip and open next", ("S",), self.skip, "skip"),
            ActionSpec("&Document", "&Flag with a note…", ("F",), self.flag, "flag"),
            ActionSpec("&Document", "Mark in &progress", (), self.mark_in_progress),
            ActionSpec("&View", "Zoom &in", ("Ctrl++", "Ctrl+="),
                       lambda: self.article.zoom(+1), "zoom_in"),
            ActionSpec("&View", "Zoom &out", ("Ctrl+-",), lambda: self.article.zoom(-1),
                       "zoom_out"),
            ActionSpec("&View", "&Reset zoom", ("Ctrl+0",), lambda: self.article.zoom(0)),
            ActionSpec("&View", "Show re&jected suggestions", ("Ctrl+H",),
                       self._on_toggle_rejected, "show_rejected"),
            ActionSpec("&Help", "&Keyboard cheat sheet", ("F1",), self.show_cheat_sheet,
                       "cheat_sheet"),
        ]
        label_menu = "&Label"
        for label in self.scheme.labels:
            keys = (label.key.upper(),) if label.key else ()
            specs.append(ActionSpec(label_menu, f"{label.name}", keys,
                                    lambda lab=label: self.apply_label(lab),
                                    f"label_{label.name}"))
        menus: dict[str, QMenu] = {}
        for spec in specs:
            menu = menus.get(spec.menu)
            if menu is None:
                menu = menus[spec.menu] = self.menuBar().addMenu(spec.menu)
                if spec.menu == "&File":
                    self.recent_menu = QMenu("Recent projects", self)
            action = QAction(spec.text, self)
            action.setShortcuts([QKeySequence(k) for k in spec.keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, slot=spec.slot: slot())
            if spec.name == "show_rejected":
                action.setCheckable(True)
            menu.addAction(action)
            if spec.text.startswith("&Export"):
                menu.addMenu(self.recent_menu)
            if spec.name:
                self.actions_by_name[spec.name] = action
            self.addAction(action)
        self.specs = specs
        self.undo_stack.canUndoChanged.connect(self.actions_by_name["undo"].setEnabled)
        self.undo_stack.canRedoChanged.connect(self.actions_by_name["redo"].setEnabled)
        self.actions_by_name["undo"].setEnabled(False)
        self.actions_by_name["redo"].setEnabled(False)

    # -- project

    def _set_project_widgets(self) -> None:
        self.doc_model = DocumentListModel(self.store, self)
        self.doc_table.setModel(self.doc_model)
        header = self.doc_table.horizontalHeader()
        header.setMinimumSectionSize(20)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        digits = self.fontMetrics().horizontalAdvance("0")
        for column, width in ((0, 7 * digits), (1, 3 * digits), (3, 4 * digits),
                              (4, 4 * digits)):
            header.resizeSection(column, width)
        self.doc_table.selectionModel().currentRowChanged.connect(self._on_doc_row_changed)
        self.annotator_label.setText(f"Annotator: {self.annotator}")
        self.setWindowTitle(f"Annotator — {self.store.path.name}")
        self._update_progress()
        self._remember_recent(self.store.path)

    def set_project(self, path: Path) -> None:
        """Close the current project and open ``path`` (created if new)."""
        store = Store(path)
        self._stop_workers()
        self.undo_stack.clear()
        self.store.close()
        self.store = store
        self.session = Session(store, self.annotator)
        self._suggest_tried.clear()
        self.doc = None
        self._set_project_widgets()
        self._open_first_document()

    def _open_first_document(self) -> None:
        last = self.settings.value("last_document")
        last_project = self.settings.value("last_project")
        doc_id = None
        if last is not None and last_project == str(self.store.path.resolve()):
            try:
                doc_id = int(last)  # type: ignore[call-overload]
            except (TypeError, ValueError):
                doc_id = None
        if doc_id is None or self.store.get_document(doc_id) is None:
            doc_id = self.store.next_document(0) or self.store.following_document(0)
        if doc_id is not None:
            self.open_document(doc_id)
        else:
            self.show_document(None)

    def _remember_recent(self, path: Path) -> None:
        value = self.settings.value("recent_projects") or []
        recent = [value] if isinstance(value, str) else list(value)  # type: ignore[arg-type]
        resolved = str(path.resolve())
        recent = [resolved] + [p for p in recent if p != resolved]
        self.settings.setValue("recent_projects", recent[:RECENT_MAX])
        self.recent_menu.clear()
        for item in recent[:RECENT_MAX]:
            action = self.recent_menu.addAction(item)
            action.triggered.connect(lambda _=False, p=item: self.set_project(Path(p)))

    # -- documents

    def open_document(self, doc_id: int) -> None:
        """Show a document: mark it in progress, draw its spans, focus the first
        suggestion; ask the background worker for suggestions if it has none."""
        started = time.perf_counter()
        doc = self.store.get_document(doc_id)
        if doc is None:
            self.statusBar().showMessage(f"No document {doc_id}", 4000)
            return
        if doc.status == "new":
            self.session.start(doc_id)
            doc.status = "in_progress"
        self.show_document(doc)
        self.last_open_ms = (time.perf_counter() - started) * 1000
        self.settings.setValue("last_document", doc_id)
        self.settings.setValue("last_project", str(self.store.path.resolve()))
        self._select_list_row(doc_id)
        if self.auto_suggest and doc_id not in self._suggest_tried and \
                not self.store.has_model_spans(doc_id):
            self._suggest_tried.add(doc_id)
            self._request_suggestions(doc_id)
        self.document_opened.emit(doc_id)

    def show_document(self, doc: Document | None) -> None:
        self.doc = doc
        self.spans = self.store.spans(doc.id) if doc else []
        self._tokens = None
        self.article.set_document(doc, self.spans)
        self._fill_span_lists()
        if doc is None:
            self.title_label.setText("No documents yet: File ▸ Import files… (Ctrl+I)")
            self.meta_label.setText("")
        else:
            self.title_label.setText(doc.title or f"Document {doc.id}")
            meta = [str(doc.meta[k]) for k in ("source", "date") if doc.meta.get(k)]
            self.meta_label.setText(" · ".join([f"#{doc.id}", doc.status.replace("_", " "),
                                                *meta] + ([f"note: {doc.note}"]
                                                          if doc.note else [])))
        first = next((s for s in self._visible_spans() if s.decision == "pending"), None)
        self.focus_span(first.id if first else None, ensure_visible=False)
        self._update_position()

    def reload_spans(self, focus: int | None = None,
                     states: dict[int, Span | None] | None = None) -> None:
        """Redraw the open document's spans: re-read them all, or take ``states`` (span
        id -> stored state, None when deleted) from a committed :class:`Change`."""
        if self.doc is None:
            return
        if states is None:
            self.spans = self.store.spans(self.doc.id)
            self.article.set_spans(self.spans)
            self._fill_span_lists()
        else:
            doc_id = self.doc.id
            states = {i: s for i, s in states.items() if s is None or s.doc_id == doc_id}
            spans = [s for s in self.spans if s.id not in states]
            for state in states.values():
                if state is not None:
                    insort(spans, state, key=_store_order)
            self.spans = spans
            # Only the changed spans are redrawn and their rows updated.
            self.article.set_spans(spans, states)
            self.entity_model.update_spans(self.doc.text, spans, states)
            self.claim_model.update_spans(self.doc.text, spans, states)
        if focus is None or not any(s.id == focus for s in self.spans):
            focus = self.article.focused_id
            if not any(s.id == focus for s in self._visible_spans()):
                focus = None
        self.focus_span(focus, ensure_visible=focus is not None)
        self.doc_model.refresh_document(self.doc.id)

    def _fill_span_lists(self) -> None:
        text = self.doc.text if self.doc else ""
        self.entity_model.set_spans(text, self.spans)
        self.claim_model.set_spans(text, self.spans)
        self.claim_table.setEnabled(True)

    def _select_list_row(self, doc_id: int) -> None:
        row = self.doc_model.load_until(doc_id)
        blocker = QSignalBlocker(self.doc_table.selectionModel())
        if row is None:
            self.doc_table.clearSelection()
        else:
            index = self.doc_model.index(row, 0)
            self.doc_table.selectionModel().setCurrentIndex(
                index, self.doc_table.selectionModel().SelectionFlag.ClearAndSelect
                | self.doc_table.selectionModel().SelectionFlag.Rows)
            self.doc_table.scrollTo(index)
        del blocker

    def step_document(self, step: int) -> None:
        if self.doc is None:
            return
        target = (self.store.following_document(self.doc.id) if step > 0
                  else self.store.previous_document(self.doc.id))
        if target is None:
            self.statusBar().showMessage("No more documents that way", 3000)
            return
        self.open_document(target)

    def _open_next_not_done(self, after: int) -> None:
        target = self.store.next_document(after)
        if target is None:
            self.statusBar().showMessage("Every document is done, skipped or flagged.", 6000)
            self.reload_document_header()
            return
        self.open_document(target)

    def reload_document_header(self) -> None:
        if self.doc is not None:
            doc = self.store.get_document(self.doc.id)
            if doc is not None:
                self.doc = doc
                self.show_document(doc)

    def _update_progress(self) -> None:
        total = self.store.count_documents()
        done = self.store.count_documents("done")
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} / {total} done")

    def _update_position(self) -> None:
        if self.doc is None:
            self.position_label.setText("")
            return
        visible = self._visible_spans()
        pending = sum(1 for s in self.spans if s.decision == "pending")
        focused = next((i for i, s in enumerate(visible) if s.id == self.article.focused_id),
                       None)
        where = f"span {focused + 1}/{len(visible)}" if focused is not None \
            else f"{len(visible)} spans"
        self.position_label.setText(
            f"Document #{self.doc.id} · {where} · {pending} pending")

    @property
    def tokens(self) -> Tokens:
        """The open document's tokens, made when a span is first edited (not on every
        open: a long article has tens of thousands)."""
        if self._tokens is None:
            self._tokens = Tokens(self.doc.text if self.doc else "")
        return self._tokens

    # -- focus

    def _visible_spans(self) -> list[Span]:
        if self.article.show_rejected:
            return self.spans
        return [s for s in self.spans if s.decision != "rejected"]

    def focus_span(self, span_id: int | None, ensure_visible: bool = True) -> None:
        self.article.set_focused(span_id, ensure_visible)
        span = self.article.focused_span()
        text = self.doc.text if self.doc else ""
        self.details.show_span(span, text)
        # Claimant choices only for a claim: thousands of entities on every focus move
        # cost more than the rest of the move.
        entities = [(s.id, f"{' '.join(text[s.start:s.end].split())[:40]} ({s.label})")
                    for s in self.spans if s.layer == "entity" and s.decision != "rejected"
                    and s.id is not None] if span is not None and span.layer == "claim" else []
        self.claim_editor.show_claim(span, entities)
        self.entity_table.select_span(span_id)
        self.claim_table.select_span(span_id)
        if span is not None:
            self.span_tabs.setCurrentIndex(1 if span.layer == "claim" else 0)
            self.statusBar().showMessage(describe(span).replace("\n", " · "), 4000)
        self._update_position()

    def move_focus(self, step: int, pending: bool = False) -> None:
        spans = [s for s in self._visible_spans() if not pending or s.decision == "pending"]
        if not spans:
            self.statusBar().showMessage("No pending suggestions left in this document"
                                         if pending else "No spans in this document", 3000)
            return
        current = self.article.focused_span()
        if current is None:
            target = spans[0] if step > 0 else spans[-1]
        else:
            key = (current.start, -current.end, current.id or 0)
            keys = [(s.start, -s.end, s.id or 0) for s in spans]
            if step > 0:
                after = [i for i, k in enumerate(keys) if k > key]
                target = spans[after[0]] if after else (spans[0] if pending else current)
            else:
                before = [i for i, k in enumerate(keys) if k < key]
                target = spans[before[-1]] if before else (spans[-1] if pending else current)
        self.focus_span(target.id)

    def _next_pending_after(self, span: Span) -> int | None:
        pending = [s for s in self.spans if s.decision == "pending" and s.id != span.id]
        later = [s for s in pending if (s.start, -s.end) > (span.start, -span.end)]
        target = (later or pending or [None])[0]
        return target.id if target is not None else None

    # -- decisions (each one a command on the undo stack)

    def push(self, command: SessionCommand) -> bool:
        """Run ``command`` through the undo stack; False (and a message) if refused."""
        command.on_error = self._on_command_failed  # type: ignore[attr-defined]
        self.undo_stack.push(command)
        return command.error is None

    def _notify(self, change: Change, verb: str) -> None:
        if self.doc is None or change.doc_id != self.doc.id:
            if change.doc_id:
                self.open_document(change.doc_id)
            self._update_progress()
            return
        if change.doc_after or change.doc_before:
            self._update_progress()
            self.doc_model.refresh_document(change.doc_id)
            self.reload_document_header()
            return
        focus = None
        if verb == "redo" and change.span is not None:
            focus = change.span.id
        elif verb == "undo":
            focus = next(iter(change.before), None)
            if change.before.get(focus or -1) is None:
                focus = None
        self.reload_spans(focus, change.after if verb == "redo" else change.before)

    def _on_command_failed(self, error: SessionError) -> None:
        self.statusBar().showMessage(str(error), 6000)
        QTimer.singleShot(0, lambda: self.reload_spans())

    def _focused_or_message(self) -> Span | None:
        span = self.article.focused_span()
        if span is None or span.id is None:
            self.statusBar().showMessage("No span focused (→ or Space to move to one)", 3000)
            return None
        return span

    def accept_focused(self) -> None:
        span = self._focused_or_message()
        if span is None or span.id is None:
            return
        following = self._next_pending_after(span)
        if self.push(AcceptSpanCommand(self.session, span.id, self._notify)) and following:
            self.focus_span(following)

    def reject_focused(self) -> None:
        span = self._focused_or_message()
        if span is None or span.id is None:
            return
        following = self._next_pending_after(span)
        if self.push(RejectSpanCommand(self.session, span.id, self._notify)):
            self.focus_span(following)

    def delete_focused(self) -> None:
        span = self._focused_or_message()
        if span is None or span.id is None:
            return
        following = self._next_pending_after(span)
        if self.push(DeleteSpanCommand(self.session, span.id, self._notify)):
            self.focus_span(following)

    def accept_all(self) -> None:
        if self.doc is not None:
            self.push(AcceptAllCommand(self.session, self.doc.id, self._notify))

    def apply_label(self, label: Label) -> None:
        """A label key: label the selection if there is one, else relabel the focused
        span (of the same layer)."""
        if self.doc is None:
            return
        if self.article.selection() is not None:
            self.add_from_selection(label)
            return
        span = self._focused_or_message()
        if span is None or span.id is None:
            return
        if span.layer != label.layer:
            self.statusBar().showMessage(
                f"{label.name} is a {label.layer} label; the focused span is a {span.layer}. "
                "Select text to add a new span.", 5000)
            return
        if label.layer == "entity":
            self.last_label = label
        self.push(RelabelSpanCommand(self.session, span.id, label.name, self._notify))

    def add_from_selection_last_label(self) -> None:
        if self.last_label is not None:
            self.add_from_selection(self.last_label)

    def add_from_selection(self, label: Label, exact: bool | None = None) -> None:
        """A new span over the selection, widened to whole tokens unless ``exact`` (or
        Alt was held when the mouse selection ended)."""
        selection = self.article.selection()
        if self.doc is None or selection is None:
            self.statusBar().showMessage("Select some text first", 3000)
            return
        start, end = selection
        if not (self.article.exact_selection if exact is None else exact):
            snapped = self.tokens.snap(start, end)
            if snapped is None:
                self.statusBar().showMessage("The selection holds no word", 3000)
                return
            start, end = snapped
        else:  # never start or end on whitespace
            text = self.doc.text
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start == end:
                return
        if label.layer == "entity":
            self.last_label = label
        self.article.clear_selection()
        self.push(AddSpanCommand(self.session, self.doc.id, label.layer, start, end,
                                 label.name, self._notify))

    def resize_focused(self, edge: str, step: int, by_token: bool) -> None:
        """Move one edge of the focused span by a token or a character."""
        span = self._focused_or_message()
        if span is None or span.id is None or self.doc is None:
            return
        start, end = span.start, span.end
        if edge == "start":
            if by_token:
                start = self.tokens.grow_start(start) if step < 0 \
                    else self.tokens.shrink_start(start, end)
            else:
                start = min(max(start + step, 0), end - 1)
        else:
            if by_token:
                end = self.tokens.grow_end(end) if step > 0 \
                    else self.tokens.shrink_end(start, end)
            else:
                end = max(min(end + step, len(self.doc.text)), start + 1)
        if (start, end) == (span.start, span.end):
            self.statusBar().showMessage("The span cannot move that way", 3000)
            return
        self.push(ResizeSpanCommand(self.session, span.id, start, end, self._notify))

    def _on_claim_attribute_edited(self, name: str, value: object) -> None:
        span = self.claim_editor.span
        if span is not None and span.id is not None:
            self.push(SetClaimAttributeCommand(self.session, span.id, name, value,
                                               self._notify))

    def _set_status_and_next(self, status: str, note: str | None = None) -> None:
        if self.doc is None:
            return
        doc_id = self.doc.id
        if self.push(SetStatusCommand(self.session, doc_id, status, self._notify, note)):
            self._open_next_not_done(doc_id)

    def mark_done(self) -> None:
        self._set_status_and_next("done")

    def skip(self) -> None:
        self._set_status_and_next("skipped")

    def flag(self) -> None:
        if self.doc is None:
            return
        note, ok = QInputDialog.getText(self, "Flag document",
                                        "What is wrong with this document?",
                                        text=self.doc.note or "")
        if ok:
            self._set_status_and_next("flagged", note.strip() or None)

    def mark_in_progress(self) -> None:
        if self.doc is not None:
            self.push(SetStatusCommand(self.session, self.doc.id, "in_progress",
                                       self._notify))

    # -- slots

    def _on_doc_clicked(self, index: Any) -> None:
        doc_id = self.doc_model.doc_id(index.row())
        if doc_id is not None and (self.doc is None or doc_id != self.doc.id):
            self.open_document(doc_id)

    def _on_doc_row_changed(self, current: Any, _previous: Any) -> None:
        if current.isValid():
            self._on_doc_clicked(current)

    def _on_filter_changed(self) -> None:
        self.doc_model.set_filter(self.status_filter.currentData(), self.search_box.text())
        if self.doc is not None:
            self._select_list_row(self.doc.id)

    def _on_span_activated(self, span_id: int) -> None:
        self.focus_span(span_id)

    def _on_focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _on_focus_article(self) -> None:
        self.article.clear_selection()
        self.article.setFocus()

    def _on_toggle_rejected(self) -> None:
        show = self.actions_by_name["show_rejected"].isChecked()
        self.article.set_show_rejected(show)
        self._update_position()

    def _on_goto_document(self) -> None:
        doc_id, ok = QInputDialog.getInt(self, "Go to document", "Document id:",
                                         self.doc.id if self.doc else 1, 1, 2**31 - 1)
        if ok:
            self.open_document(doc_id)

    def _on_change_annotator(self) -> None:
        name, ok = QInputDialog.getText(self, "Annotator", "Your name (recorded on every "
                                        "decision):", text=self.annotator)
        if ok and name.strip():
            self.annotator = name.strip()
            self.session.annotator = self.annotator
            self.settings.setValue("annotator", self.annotator)
            self.annotator_label.setText(f"Annotator: {self.annotator}")

    def _on_open_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", str(self.store.path.parent),
                                              "Annotator projects (*.db);;All files (*)")
        if path:
            self._try_set_project(Path(path))

    def _on_new_project(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", str(self.store.path.parent),
                                              "Annotator projects (*.db)")
        if path:
            self._try_set_project(Path(path))

    def _try_set_project(self, path: Path) -> None:
        from annotator.store import StoreError

        try:
            self.set_project(path)
        except StoreError as exc:
            QMessageBox.warning(self, "Cannot open project", str(exc))

    # -- background work

    def _request_suggestions(self, doc_id: int) -> None:
        if self._suggest_worker is None:
            self._suggest_thread = QThread(self)
            self._suggest_worker = SuggestWorker(self.store.path)
            self._suggest_worker.moveToThread(self._suggest_thread)
            self.suggestion_requested.connect(self._suggest_worker.suggest_document)
            self._suggest_worker.suggested.connect(self._on_suggested)
            self._suggest_worker.failed.connect(
                lambda message: self.statusBar().showMessage(message, 6000))
            self._suggest_worker.busy.connect(self._on_suggest_busy)
            self._suggest_thread.start()
        self.suggestion_requested.emit(doc_id)

    def _on_suggest_busy(self, message: str) -> None:
        self.task_label.setText(message)
        self.task_progress.setRange(0, 0)
        self.task_cancel.hide()
        self.task_box.setVisible(bool(message) or self._task is not None)

    def _on_suggested(self, doc_id: int) -> None:
        self.doc_model.refresh_document(doc_id)
        if self.doc is not None and self.doc.id == doc_id:
            self.reload_spans()
            if self.article.focused_id is None:
                self.move_focus(+1, pending=True)

    def _stop_workers(self) -> None:
        if self._suggest_thread is not None:
            self._suggest_thread.quit()
            self._suggest_thread.wait()
            assert self._suggest_worker is not None
            self._suggest_worker.close()
            self.suggestion_requested.disconnect()
            self._suggest_thread = None
            self._suggest_worker = None
        if self._task is not None:
            self._task.cancel()
            self._task.wait()
            self._task = None

    def run_task(self, title: str, task: Any, total: int = 0,
                 on_done: Callable[[str], None] | None = None) -> TaskThread | None:
        """Run ``task(store, progress)`` in a thread with a progress bar and Cancel."""
        if self._task is not None:
            self.statusBar().showMessage("Another task is still running", 4000)
            return None
        thread = TaskThread(self.store.path, task, self)
        self._task = thread
        self.task_label.setText(title)
        self.task_progress.setRange(0, total)
        self.task_progress.setValue(0)
        self.task_cancel.show()
        self.task_box.show()
        thread.progressed.connect(self.task_progress.setValue)

        def finish(message: str) -> None:
            self._task = None
            self.task_box.hide()
            self.statusBar().showMessage(message, 10000)
            if on_done is not None:
                on_done(message)

        thread.succeeded.connect(finish)
        thread.failed.connect(lambda message: finish(f"{title} failed: {message}"))
        thread.finished.connect(thread.deleteLater)
        thread.start()
        return thread

    def _on_task_cancel_clicked(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _on_import(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import articles", str(Path.home()),
            "Articles (*.txt *.jsonl *.csv);;All files (*)")
        if paths:
            self.import_files([Path(p) for p in paths])

    def import_files(self, paths: list[Path]) -> TaskThread | None:
        def task(store: Store, progress: Callable[[int], None]) -> str:
            from annotator.importers import import_paths

            count = [0]

            def on_document() -> None:
                count[0] += 1
                progress(count[0])

            return import_paths(store, paths, on_document=on_document).summary()

        def done(_message: str) -> None:
            self.doc_model.reload()
            self._update_progress()
            if self.doc is None:
                self._open_first_document()

        return self.run_task("Importing…", task, on_done=done)

    def _on_export(self) -> None:
        from .export_dialog import ExportDialog

        dialog = ExportDialog(self.store.path.parent, self)
        if dialog.exec():
            self.export_to(dialog.fmt, dialog.out, dialog.options(), force=dialog.force)

    def export_to(self, fmt: str, out: Path, opts: ExportOptions | None = None,
                  force: bool = False) -> TaskThread | None:
        """Export in a worker with a progress bar."""
        from annotator.export import count_documents, export

        opts = opts or ExportOptions()

        def task(store: Store, progress: Callable[[int], None]) -> str:
            summary = export(store, fmt, out, opts, force=force, on_progress=progress)
            return str(summary.summary()).replace("\n  ", "; ")

        return self.run_task(f"Exporting {fmt}…", task, total=count_documents(self.store, opts))

    # -- help

    def show_cheat_sheet(self) -> None:
        from .cheatsheet import CheatSheet

        sheet = CheatSheet(self.specs, self)
        sheet.show()
        self.cheat_sheet = sheet

    # -- lifecycle

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("splitter", self.splitter.saveState())
        self._stop_workers()
        super().closeEvent(event)

