"""The left side of the window: status filter, search, the lazy document list and the
done/total progress of the project."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.model import STATUSES
from annotator.store import Store

from .models import DocumentListModel

SEARCH_HINT = "Search title or text (Ctrl+F)"


class DocumentTable(QTableView):
    """The list's table: Home and End go to its first and last document (a table's own
    go to the first and last column of the row, which a list of documents has no use
    for; reaching document 1,000,000 took Ctrl+End)."""

    def moveCursor(self, action: QAbstractItemView.CursorAction,  # noqa: N802
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        ends = {QAbstractItemView.CursorAction.MoveHome: 0,
                QAbstractItemView.CursorAction.MoveEnd: self.model().rowCount() - 1}
        if action in ends and self.model().rowCount():
            column = max(self.currentIndex().column(), 0)
            return self.model().index(ends[action], column)
        return super().moveCursor(action, modifiers)


class DocumentPanel(QWidget):
    """The documents of one project. ``document_chosen(doc_id)``: the user picked a
    document (a click, or Return on its row). Moving through the list with the keys
    opens nothing (nor does Tab, which leaves the list)."""

    document_chosen = Signal(int)
    returned = Signal()  # Return on a row: its document is open, back to the article

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.status_filter = QComboBox()
        self.status_filter.addItem("All documents", None)
        for status in STATUSES:
            self.status_filter.addItem(status.replace("_", " ").capitalize(), status)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(SEARCH_HINT)
        self.search_box.setClearButtonEnabled(True)
        self.table = DocumentTable()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list, never opens a row
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.search_note = QLabel()  # "Searching…" while a search is read in a thread
        self.search_note.setWordWrap(True)
        self.search_note.hide()
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self.status_filter.currentIndexChanged.connect(self._on_status_filter_index_changed)
        self.table.clicked.connect(self._on_table_clicked)
        self.table.activated.connect(self._on_table_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for widget in (self.status_filter, self.search_box, self.search_note, self.table,
                       self.progress):
            layout.addWidget(widget)
        # Room for a title of a word or two next to the id and the counts.
        self.setMinimumWidth(26 * self.fontMetrics().horizontalAdvance("0"))
        self.current: int | None = None
        self.set_store(store)

    def set_store(self, store: Store) -> None:
        """Show the documents of ``store`` (a new model; the filter is kept)."""
        self.store = store
        old = self.table.model()
        self.model = DocumentListModel(store, self)
        self.model.note.connect(self._on_model_note)
        if self.status_filter.currentData() or self.search_box.text():
            self.model.set_filter(self.status_filter.currentData(), self.search_box.text())
        self.table.setModel(self.model)
        if isinstance(old, DocumentListModel):  # the last project's list (store closed)
            old.stop()
            old.deleteLater()
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(20)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        digits = self.fontMetrics().horizontalAdvance("0")
        # the id column: 8 digits' room, for "1000000" and the cell's margins (7 elided it)
        for column, width in ((0, 8 * digits), (1, 3 * digits), (3, 4 * digits),
                              (4, 4 * digits)):
            header.resizeSection(column, width)
        self.current = None
        self.update_progress()

    def select(self, doc_id: int) -> None:
        """Make ``doc_id`` the current row (loading pages toward it, within reason)."""
        self.current = doc_id
        row = self.model.load_until(doc_id)
        # Signals not blocked: the view repaints the rows it deselects on them (blocked,
        # the last document's row stayed drawn as selected). A current row change opens
        # nothing, so nothing comes back.
        selection = self.table.selectionModel()
        if row is None:
            selection.clear()
        else:
            index = self.model.index(row, 0)
            selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect
                                      | selection.SelectionFlag.Rows)
            self.table.scrollTo(index)

    def refresh(self, doc_id: int) -> None:
        """Re-read one document's row (its status or counts changed)."""
        self.model.refresh_document(doc_id)

    def reload(self) -> None:
        """Re-read the list (documents were added)."""
        self.model.reload()
        self.update_progress()
        if self.current is not None:
            self.select(self.current)

    def follow(self) -> None:
        """Show what another program wrote (:mod:`ui.live`): rows, statuses, counts and
        the progress. The open document (:attr:`current`) and the list's current row
        (which ↑/↓ may have moved away from it) stay as they were; the key focus too."""
        index = self.table.currentIndex()
        on = self.model.doc_id(index.row()) if index.isValid() else None
        if self.model.follow() and on is not None:
            row = self.model.load_until(on)
            if row is not None:
                selection = self.table.selectionModel()
                selection.setCurrentIndex(self.model.index(row, 0),
                                          selection.SelectionFlag.ClearAndSelect
                                          | selection.SelectionFlag.Rows)
        self.update_progress()

    def update_progress(self) -> None:
        total = self.store.count_documents()
        done = self.store.count_documents("done")
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} / {total} done")

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def focus_list(self) -> None:
        """The list, on the open document's row (↑/↓ move, Return opens)."""
        if self.current is not None:
            self.select(self.current)
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_index_progress(self, left: int) -> None:
        """Say in the search box how much of the project the full-text index lacks."""
        self.search_box.setPlaceholderText(
            SEARCH_HINT if not left else f"{SEARCH_HINT} · indexing, {left:,} to go")

    def apply_filter(self) -> None:
        self._search_timer.stop()  # applied now: a pending search would repeat it
        self.model.set_filter(self.status_filter.currentData(), self.search_box.text())
        if self.current is not None:
            self.select(self.current)

    def stop(self) -> None:
        """The window closes: a search waiting for more keys never runs."""
        self._search_timer.stop()
        self.model.stop()

    def _on_model_note(self, text: str) -> None:
        self.search_note.setText(text)
        self.search_note.setVisible(bool(text))
        if not text and self.model.threaded and self.current is not None \
                and not self.table.currentIndex().isValid():
            self.select(self.current)  # a search's first rows came from its thread

    def _on_search_box_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_status_filter_index_changed(self, _index: int) -> None:
        self.apply_filter()

    def _on_table_activated(self, index: QModelIndex) -> None:
        self._on_table_clicked(index)
        self.returned.emit()

    def _on_table_clicked(self, index: QModelIndex) -> None:
        doc_id = self.model.doc_id(index.row())
        if doc_id is not None and doc_id != self.current:
            self.document_chosen.emit(doc_id)
