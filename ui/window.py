"""The annotation window: assembles the document list, the article, the span details
and claim editor, the task bar and the project files, showing one document. Controllers
it owns do the rest, each handed what it uses (typed: mypy checks it): :class:`Decisions`,
:class:`DocLabelWork` (document labels), :class:`KeyCommands`, :class:`FileWork`,
:class:`SchemeWork`, :class:`ModelLoop`, :class:`ReviewMode` and :class:`Follower` (other
writers); they see the window itself only as a :class:`ui.view.DocumentView`."""

from __future__ import annotations

from bisect import insort
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

from annotator.editing.reveal import reveal
from annotator.model import Document, LabelScheme, Span, store_order
from annotator.session import Change, Session, SessionError, project_annotator
from annotator.store import Store

from .actions import ACTIONS, ActionTable, label_actions
from .article import ArticleView, describe
from .claim_filter import ClaimFilterWork
from .decisions import Decisions
from .doclabel_work import DocLabelWork
from .doclist import DocumentPanel
from .indexer import SearchIndexer
from .keys import InputKeys, KeyCommands, next_in_order
from .live import Follower
from .model_loop import ModelLoop
from .models import DocumentListModel
from .panels import DocumentHeader, SpanPanel, resize_within_screen, vbox
from .projects import Projects, readonly_notice
from .review import ReviewMode
from .scheme_work import SchemeWork
from .statusbar import ElidedLabel, StatusBar, position_text
from .taskbar import TaskBar
from .window_files import FileWork


class MainWindow(QMainWindow):
    """One project, one annotator. Every decision goes through :class:`Session` (and
    so is committed) before the window redraws it."""

    def __init__(self, store: Store, annotator: str, settings: QSettings,
                 scheme: LabelScheme | None = None, auto_suggest: bool = True):
        super().__init__()
        self.settings = settings
        self.scheme = scheme or store.label_scheme()
        self.auto_suggest = auto_suggest
        self.annotator = annotator
        self.store = store
        self.doc: Document | None = None
        self.spans: list[Span] = []
        self._suggest_tried: set[int] = set()
        self.projects = Projects(settings, self)
        self.projects.chosen.connect(self._on_project_chosen)
        self._build_widgets()
        self.taskbar.hold_suggestions_until_drawn(self.article.viewport())
        self.decisions = Decisions(Session(store, annotator), self.article, self.scheme, self)
        self.doc_labels = DocLabelWork(self, self.header.doc_bar, self.decisions, self.article)
        self.review = ReviewMode(self, self, settings, self.span_panel, self.decisions,
                                 self.article, self._suggest_tried)  # team projects
        self.decisions.signals.changed.connect(self._on_command_changed)
        self.decisions.signals.refused.connect(self._on_command_refused)
        self.decisions.refused.connect(self.refuse)
        self.article.tokens.set_store(store)
        self.article.tokens.waiting.connect(self._on_tokens_waiting)
        self.article.tokens.failed.connect(self.refuse)
        self.decisions.decided.connect(self.focus_span)  # the next span, or none
        self.decisions.status_set.connect(self._on_status_set)
        self.files = FileWork(self, self, self.decisions, self.taskbar, self.documents,
                              self.article, settings, self.annotator_label)
        self.scheme_work = SchemeWork(
            self, self, self.decisions, self.header.legend, self.article,
            (self.span_panel.entity_model, self.span_panel.claim_model), self._rebind_labels)
        self.model_loop = ModelLoop(self, self, self.taskbar, self.files, self.review,
                                    self.documents, self.article, settings)
        self.action_table = ActionTable(self, self, [*ACTIONS, *label_actions(self.scheme)],
                                        {"export": self.projects.recent_menu},
                                        before=self.indexer.note_activity,
                                        defer=self.article.tokens.after_waiting)
        for name in ("undo", "redo"):
            action, stack = self.action_table[name], self.decisions.undo_stack
            (stack.canUndoChanged if name == "undo" else stack.canRedoChanged).connect(
                action.setEnabled)
            action.setEnabled(False)
        self.action_table["uncertain_first"].setChecked(self.model_loop.uncertain_first)
        self.review.bind_preaccept(self.action_table["preaccept"])
        self._show_project()
        self.restoreGeometry(settings.value("geometry", b""))  # type: ignore[arg-type]
        if splitter_state := settings.value("splitter"):
            self.splitter.restoreState(splitter_state)
        self.open_first_document()
        self.article.setFocus()  # keys go to the article from the start
        self.live = Follower(self, self.documents, self.article, self.span_panel, self.header,
                             self.doc_labels.refresh)

    def _build_widgets(self) -> None:
        self.documents = DocumentPanel(self.store)
        self.documents.document_chosen.connect(self.open_document)
        # Centre: notice, title, legend, the article.
        self.header = DocumentHeader(self.scheme)
        self.article = ArticleView(self.scheme)
        self.article.span_activated.connect(self.focus_span)
        self.article.picker.chosen.connect(self._on_picker_chosen)
        self.article.caret_mode_changed.connect(self._on_caret_mode_changed)
        centre = vbox(self.header, self.article)
        centre.layout().setSpacing(2)  # type: ignore[union-attr]
        # Right: details, claim editor, lists of entities and claims.
        self.span_panel = SpanPanel(self.scheme)
        self.span_panel.span_activated.connect(self.focus_span)
        self.claim_editor = self.span_panel.claim_editor
        self.claim_editor.attribute_edited.connect(self._on_claim_attribute_edited)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for column, (widget, stretch) in enumerate(((self.documents, 0), (centre, 1),
                                                    (self.span_panel, 0))):
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(column, stretch)
        self.splitter.setCollapsible(1, False)  # the side panels fold away, not the article
        self.setCentralWidget(self.splitter)
        resize_within_screen(self, 1400, 860)
        width = self.width()
        side = 300 if width < 1300 else 340
        self.splitter.setSizes([side - 60, width - 2 * side + 60, side])
        self.keys = KeyCommands(self, self, self.article, self.claim_editor, self.documents,
                                self.splitter, self.settings)
        self.documents.returned.connect(self.keys.focus_article)
        self.claim_editor.finished.connect(self.keys.focus_article)
        # Status bar: messages left; tasks, mode, position and annotator right.
        self.status_bar = StatusBar()  # messages queued, each long enough to read
        self.setStatusBar(self.status_bar)
        self.taskbar = TaskBar()
        labels = ElidedLabel(0, 300), ElidedLabel(120), ElidedLabel(70)  # each elides
        self.mode_label, self.position_label, self.annotator_label = labels
        for widget in (self.taskbar, *labels):
            self.statusBar().addPermanentWidget(widget)
        self.indexer = SearchIndexer(self)
        self.indexer.progressed.connect(self.documents.show_index_progress)
        panel, bar = self.span_panel, self.span_panel.claim_filter_bar
        self.claim_filter = ClaimFilterWork(self, self.article, bar, panel.claim_model,
                                            panel.tabs, lambda: self.keys.unfold_panel(2))
        # Keys: input widgets take their own; Tab goes round in a fixed order.
        self.input_keys = InputKeys(self)
        self.input_keys.pressed.connect(self.indexer.note_activity)
        self.focus_order: list[QWidget] = [
            self.article, self.header.doc_bar, *self.claim_editor.fields.values(),
            panel.entity_table, *bar.inputs(), panel.claim_table, self.documents.status_filter,
            self.documents.search_box, self.documents.table]
        self.input_keys.install(self.focus_order[2:])

    @property
    def doc_model(self) -> DocumentListModel:
        return self.documents.model

    # -- project

    def _show_project(self) -> None:
        """Point every part at :attr:`store`; switch off what a read-only project
        cannot do, and say why."""
        self.annotator_label.setText(f"Annotator: {reveal(self.annotator)}")
        self.setWindowTitle(f"Annotator — {reveal(self.store.path.name)}")
        writable = not self.store.readonly
        self.action_table.set_writable(writable)
        self.claim_editor.editable = writable
        self.header.show_notice(readonly_notice(self.store))
        self.projects.opened(self.store.path)
        self.indexer.start(self.store)
        self.claim_filter.load(self.store.path)  # kept per project

    def set_project(self, store: Store) -> None:
        """Close the current project and show ``store``."""
        for part in (self.taskbar, self.indexer, self.model_loop, self.article.tokens):
            part.stop()
        self.store.close()
        self.store = store
        self.article.tokens.set_store(store)
        self.annotator = project_annotator(store, self.annotator)  # a name per project
        self.decisions.set_session(Session(store, self.annotator))
        self._suggest_tried.clear()
        self.doc = None
        self.documents.set_store(store)
        self.scheme_work.apply_scheme()  # each project has its own label scheme
        self._show_project()
        self.open_first_document()

    def _on_project_chosen(self, path: Path) -> None:
        store = self.projects.open_store(path)
        if store is not None:
            self.set_project(store)

    def open_first_document(self) -> None:
        doc_id = self.projects.last_document(self.store.path)
        if doc_id is None or self.store.get_document(doc_id) is None:
            doc_id = self.store.next_document(0) or self.store.following_document(0)
        if doc_id is not None:
            self.open_document(doc_id)
        else:
            self.show_document(None)

    # -- documents

    def open_document(self, doc_id: int) -> None:
        """Show a document: mark it in progress, draw its spans, focus the first
        suggestion; ask the background worker for suggestions if it has none. When the
        project cannot be written just now, the document still opens, for reading."""
        doc = self.store.get_document(doc_id)
        if doc is None:
            self.refuse(f"No document {doc_id}")
            return
        self.indexer.note_activity()
        notice = None
        if doc.status == "new" and not self.store.readonly:
            try:
                self.decisions.session.start(doc_id)
                doc.status = "in_progress"
            except SessionError as exc:  # busy, disk full: read it all the same
                notice = f"Document #{doc_id} is open for reading only: {exc}."
        self.header.show_notice(notice or readonly_notice(self.store))
        self.show_document(doc)
        self.projects.remember_document(self.store.path, doc_id)
        self.documents.select(doc_id)
        if self.auto_suggest and not self.store.readonly and \
                doc_id not in self._suggest_tried and not self.store.has_model_spans(doc_id):
            self._suggest_tried.add(doc_id)
            self.taskbar.request_suggestions(self.store.path, doc_id)

    def show_document(self, doc: Document | None) -> None:
        self.doc = doc
        self.spans = self.store.spans(doc.id) if doc else []
        self.article.set_document(doc, self.spans)
        self.span_panel.set_spans(doc.text if doc else "", self.spans)
        self.header.show_document(doc)
        self.doc_labels.show_document(doc)
        first = next((s for s in self.article.visible_spans() if s.decision == "pending"), None)
        self.focus_span(first.id if first else None, ensure_visible=False)
        self.review.show_document(doc)

    def reload_spans(self, focus: int | None = None,
                     states: dict[int, Span | None] | None = None) -> None:
        """Redraw the open document's spans: re-read them all, or take ``states`` (span
        id -> stored state, None when deleted) from a committed :class:`Change`."""
        if self.doc is None:
            return
        if states is None:
            self.spans = self.store.spans(self.doc.id)
            self.article.set_spans(self.spans)
            self.span_panel.set_spans(self.doc.text, self.spans)
        else:
            doc_id = self.doc.id
            states = {i: s for i, s in states.items() if s is None or s.doc_id == doc_id}
            spans = [s for s in self.spans if s.id not in states]
            for state in states.values():
                if state is not None:
                    insort(spans, state, key=store_order)
            self.spans = spans
            # Only the changed spans are redrawn and their rows updated.
            self.article.set_spans(spans, states)
            self.span_panel.set_spans(self.doc.text, spans, states)
        if focus is None or not any(s.id == focus for s in self.spans):
            focus = self.article.focused_id
            if not any(s.id == focus for s in self.article.visible_spans()):
                focus = None
        self.focus_span(focus, ensure_visible=focus is not None)
        self.documents.refresh(self.doc.id)

    def step_document(self, step: int) -> None:
        if self.doc is None:
            return
        target = (self.store.following_document(self.doc.id) if step > 0
                  else self.store.previous_document(self.doc.id))
        if target is None:
            self.refuse("No more documents that way")
            return
        self.open_document(target)

    def reload_document_header(self) -> None:
        if self.doc is not None and (doc := self.store.get_document(self.doc.id)) is not None:
            self.show_document(doc)

    def update_position(self) -> None:
        """The status bar's position and the claim filter's counts."""
        self.position_label.setText(position_text(self.doc, self.spans, self.article))
        self.claim_filter.show_count(self.spans)

    # -- focus

    def focus_span(self, span_id: int | None, ensure_visible: bool = True) -> None:
        self.article.set_focused(span_id, ensure_visible)
        span = self.article.focused_span()
        self.span_panel.show_focus(span, self.doc.text if self.doc else "", self.spans)
        self.status_bar.set_idle(reveal(describe(span).replace("\n", " · ")) if span else "")
        self.update_position()

    def move_focus(self, step: int, pending: bool = False) -> None:
        target = self.article.neighbour(step, pending)
        if target is None:
            self.refuse("No pending suggestions left in this document" if pending
                             else "No spans in this document")
            return
        self.focus_span(target.id)

    def set_show_rejected(self, show: bool) -> None:
        self.article.set_show_rejected(show)
        self.update_position()

    # -- what decisions report

    def _on_command_changed(self, change: Change, verb: str) -> None:
        if self.doc is None or change.doc_id != self.doc.id:
            if change.doc_id:
                self.open_document(change.doc_id)
            self.documents.update_progress()
            return
        if change.doc_after or change.doc_before:
            self.documents.update_progress()
            self.documents.refresh(change.doc_id)
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

    def _on_command_refused(self, error: SessionError) -> None:
        self.reload_spans()  # the refusal may come from a change made elsewhere
        self.refuse(str(error))

    def _on_tokens_waiting(self, message: str) -> None:
        self.status_bar.showMessage(message)  # an empty one clears it
        # An undo pressed while a label waits for its tokens undoes that label: open then.
        stack = self.decisions.undo_stack
        self.action_table["undo"].setEnabled(bool(message) or stack.canUndo())
        self.action_table["redo"].setEnabled(bool(message) or stack.canRedo())

    def refuse(self, message: str) -> None:
        """Say why a key did nothing (the article's banner)."""
        self.article.banner.show_message(message)

    def _on_picker_chosen(self, name: str) -> None:
        self.decisions.apply_label(name)

    def _on_caret_mode_changed(self, on: bool) -> None:
        self.mode_label.setText("CARET: arrows move, Shift+arrows select, a label key "
                                "labels, Esc leaves" if on else "")

    def _on_status_set(self, doc_id: int) -> None:
        self.model_loop.maybe_retrain()
        target = self.model_loop.next_in_queue(doc_id)
        if target is None:
            self.statusBar().showMessage("Every document is done, skipped or flagged.", 10_000)
            self.reload_document_header()
            return
        self.open_document(target)

    def _on_claim_attribute_edited(self, name: str, value: object) -> None:
        span = self.claim_editor.span
        if span is not None and span.id is not None:
            self.decisions.set_claim_attribute(span.id, name, value)

    def _rebind_labels(self, scheme: LabelScheme) -> None:  # the Label menu, its keys
        self.action_table.replace_menu("&Label", label_actions(scheme))
        self.doc_labels.set_scheme(scheme)  # the document-label bar's lines and keys

    def show_cheat_sheet(self) -> None:
        """F1: every key, from the action table."""
        from .cheatsheet import CheatSheet

        self.cheat_sheet = CheatSheet(self.action_table.specs, self,
                                      self.doc_labels.cheat_rows())
        self.cheat_sheet.show()

    def show_messages(self) -> None:
        """View ▸ Messages: every message of the status bar, oldest first."""
        self.status_bar.show_history()

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002
        """Tab and Shift+Tab: the fixed order of :attr:`focus_order` (see keys.py)."""
        target = next_in_order(self.focus_order, self.focusWidget(), next)
        if target is None:
            return super().focusNextPrevChild(next)
        target.setFocus(Qt.FocusReason.TabFocusReason if next
                        else Qt.FocusReason.BacktabFocusReason)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("splitter", self.splitter.saveState())
        for part in (self.taskbar, self.indexer, self.model_loop, self.documents,
                     self.article.tokens, self.live.watcher):  # no poll of a closed store
            part.stop()
        self.article.banner.dismiss()
        super().closeEvent(event)
