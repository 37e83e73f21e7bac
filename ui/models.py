"""Qt item models over the store: the document list (one document's spans:
:mod:`ui.span_model`)."""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import Qt as GuiQt

from annotator.store import Store, fts_query

from .doc_pages import PAGE, Pages
from .doc_pages import shown as _shown
from .doc_search import SYNC_SCAN, PageReader, scan_size
from .span_model import SpanListModel

__all__ = ["PAGE", "DocumentListModel", "SpanListModel", "plain_tooltip"]

Index = QModelIndex | QPersistentModelIndex

STATUS_MARKS = {"new": "○", "in_progress": "◐", "done": "●", "skipped": "⤼", "flagged": "⚑"}

# Roles as plain ints: a view asks data() for about seven roles of every painted cell,
# and comparing with the enum members costs several times more than the rest of data().
DISPLAY = Qt.ItemDataRole.DisplayRole.value
DECORATION = Qt.ItemDataRole.DecorationRole.value
TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
USER = Qt.ItemDataRole.UserRole.value
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def plain_tooltip(text: str) -> str:
    """Text for a tooltip, shown as written: Qt renders a tooltip that merely looks like
    HTML as HTML, so article text is converted (escaped) first."""
    return GuiQt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


class DocumentListModel(QAbstractTableModel):
    """Documents of the project. Without a search, every row from the counters and a
    page read where the view looks (:class:`ui.doc_pages.Pages`, a few pages kept): the
    scroll bar spans the whole list. A search has no count: ``PAGE`` rows at a time
    (``canFetchMore``/``fetchMore``). A search that may read
    more than :data:`SYNC_SCAN` texts by substring is read in a thread
    (:mod:`ui.doc_search`): :attr:`searching` meanwhile, ``note(text)`` says so."""

    note = Signal(str)  # what the list is doing ("" : nothing to say)

    COLUMNS = ("id", "status", "title", "pending", "accepted")
    HEADERS = ("#", "", "Title", "Todo", "OK")

    def __init__(self, store: Store, parent: Any = None, sync_scan: int = SYNC_SCAN):
        super().__init__(parent)
        self.store = store
        self.sync_scan = sync_scan  # more texts to scan than this: read in a thread
        self.status: str | None = None
        self.search: str | None = None
        self._rows: list[dict[str, Any]] = []
        self._row_of_id: dict[int, int] = {}  # a decision finds its row without a scan
        self._total = 0
        self.paged: Pages | None = None  # the list without a search, by position
        self.scan = 0  # texts a page of this search may read by substring
        self.pages = PageReader(store.path, self)
        self.pages.found.connect(self._on_pages_found)
        self.pages.failed.connect(self._on_pages_failed)
        self.reload()

    @property
    def searching(self) -> bool:
        """A page of the search is being read in a thread."""
        return self.pages.busy

    @property
    def threaded(self) -> bool:
        """This filter's pages are read in a thread (see :data:`SYNC_SCAN`)."""
        return self.scan > self.sync_scan and self.pages.usable

    def stop(self) -> None:
        """The list goes: its search threads are stopped and waited for."""
        self.pages.stop()

    def _read(self, kind: str, limit: int = PAGE, after_id: int = 0) -> None:
        self.pages.read(kind, {"status": self.status, "search": self.search,
                               "limit": limit, "after_id": after_id})
        unindexed = "not indexed yet " if fts_query(self.search or "") else ""
        self.note.emit(f"Searching… {self.scan:,} documents {unindexed}are searched by"
                       " substring")

    def _on_pages_found(self, kind: str, rows: object) -> None:
        shown = _shown(cast(list[dict[str, Any]], rows))
        if kind == "reload":
            self._reset(shown)
        elif kind == "more":
            self._append(shown)
        else:
            self._follow(shown)
        self.note.emit("")  # after the rows: the list may select its current one

    def _on_pages_failed(self, message: str) -> None:
        self.note.emit(f"Search failed: {message}")

    # -- filtering and refreshing

    def set_filter(self, status: str | None, search: str | None) -> None:
        self.status, self.search = status or None, search or None
        self.reload()

    def reload(self) -> None:
        self.pages.cancel()
        self.scan = scan_size(self.store, self.search)
        if self.threaded:  # empty until the thread posts the first page
            self._reset([])
            self._read("reload")
            return
        self.note.emit("")
        if not self.search:
            self._reset([], Pages(self.store, self.status, self._count([])))
            return
        self._reset(_shown(self.store.document_rows(self.status, self.search, 0, PAGE)))

    def _reset(self, rows: list[dict[str, Any]], paged: Pages | None = None) -> None:
        self.beginResetModel()
        self.paged = paged
        self._rows = rows
        self._total = self._count(rows)
        self._row_of_id = {r["id"]: i for i, r in enumerate(rows)}
        self.endResetModel()

    def _count(self, rows: list[dict[str, Any]]) -> int:
        """The list's length: from the counters without a search; with one, the rows
        loaded and one more while the last page was full. (Counting a search's matches
        first read every text not in the full-text index: seconds at 1,000,000 documents
        before the first row showed.)"""
        if not self.search:
            return self.store.count_rows(self.status)
        return len(rows) + (1 if len(rows) and len(rows) % PAGE == 0 else 0)

    def refresh_document(self, doc_id: int) -> None:
        """Re-read one loaded row (after a decision changed its counts or status)."""
        row = self.paged.cached_row(doc_id) if self.paged else self.row_of(doc_id)
        match = self.store.document_row(doc_id) if row is not None else None
        if row is None or match is None:
            return
        if self.paged:
            self.paged.replace(doc_id, match)
        else:
            self._rows[row] = _shown([match])[0]
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def follow(self) -> bool:
        """Re-read the loaded rows after another program wrote (:mod:`ui.live`). When the
        rows loaded keep their ids, only the rows that differ are redrawn and documents
        added after them are appended (an import adds at the end): the view keeps its
        selection and scroll. Otherwise (documents deleted) the model is reset; returns
        whether it was (a threaded search's rows come later: False)."""
        if self.threaded:
            if not self.searching:
                self._read("follow", limit=max(len(self._rows), PAGE))
            return False
        if self.paged is not None:
            return self._follow_pages()
        return self._follow(_shown(self.store.document_rows(
            self.status, self.search, 0, max(len(self._rows), PAGE))))

    def _follow(self, rows: list[dict[str, Any]]) -> bool:
        total = self._count(rows)
        loaded = len(self._rows)
        if [r["id"] for r in rows[:loaded]] != [r["id"] for r in self._rows]:
            self.beginResetModel()
            self._total = total
            self._rows = rows
            self._row_of_id = {r["id"]: i for i, r in enumerate(rows)}
            self.endResetModel()
            return True
        last = self.columnCount() - 1
        for i, (old, new) in enumerate(zip(self._rows, rows, strict=False)):
            if old != new:
                self._rows[i] = new
                self.dataChanged.emit(self.index(i, 0), self.index(i, last))
        self._total = max(total, len(rows))
        if len(rows) > loaded:
            self.beginInsertRows(QModelIndex(), loaded, len(rows) - 1)
            self._rows.extend(rows[loaded:])
            self._row_of_id.update((r["id"], loaded + i) for i, r in enumerate(rows[loaded:]))
            self.endInsertRows()
        return False

    def _follow_pages(self) -> bool:
        """:meth:`follow` without a search: the pages held read anew; a longer list
        grows at its end, rows held that moved reset the model."""
        assert self.paged is not None
        total = self._count([])
        fresh, changed = self.paged.reread(total)
        if changed is None or total < self._total:
            self._reset([], fresh)
            return True
        self.paged = fresh
        last = self.columnCount() - 1
        for i in changed:
            self.dataChanged.emit(self.index(i, 0), self.index(i, last))
        if total > self._total:
            self.beginInsertRows(QModelIndex(), self._total, total - 1)
            self._total = total
            self.endInsertRows()
        return False

    def row_of(self, doc_id: int) -> int | None:
        if self.paged is not None:
            return self.paged.row_of(doc_id)
        return self._row_of_id.get(doc_id)

    def doc_id(self, row: int) -> int | None:
        if self.paged is not None:
            found = self.paged.row(row)
            return found["id"] if found else None
        return self._rows[row]["id"] if 0 <= row < len(self._rows) else None

    def load_until(self, doc_id: int, max_pages: int = 5) -> int | None:
        """Fetch up to ``max_pages`` pages until ``doc_id`` is loaded (rows are in id
        order); its row, or None (a document far down the list stays unloaded)."""
        row = self.row_of(doc_id)
        if row is not None or self.paged is not None or self.threaded or not self._rows \
                or self._rows[-1]["id"] > doc_id or not self.canFetchMore(QModelIndex()):
            return row
        # Further than max_pages pages on? Then fetching them would not reach it, and
        # each open of such a document would load 1,000 more rows: look first.
        beyond = self.store.document_rows(self.status, self.search, max_pages * PAGE - 1, 1,
                                          after_id=self._rows[-1]["id"])
        if beyond and beyond[0]["id"] < doc_id:
            return None
        for _ in range(max_pages):
            row = self.row_of(doc_id)
            if row is not None or not self.canFetchMore(QModelIndex()) or (
                    self._rows and self._rows[-1]["id"] > doc_id):
                return row
            self.fetchMore(QModelIndex())
        return self.row_of(doc_id)

    @property
    def total(self) -> int:
        return self._total

    # -- Qt model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        if parent.isValid():
            return 0
        return self._total if self.paged is not None else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        return not parent.isValid() and not self.searching and self.paged is None \
            and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if parent.isValid() or self.searching or self.paged is not None:
            return
        # Rows are in id order: the next page starts after the last loaded id.
        last = self._rows[-1]["id"] if self._rows else 0
        if self.threaded:
            self._read("more", after_id=last)
            return
        self._append(_shown(self.store.document_rows(self.status, self.search, limit=PAGE,
                                                     after_id=last)))

    def _append(self, more: list[dict[str, Any]]) -> None:
        if not more:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._rows.extend(more)
        self._row_of_id.update((r["id"], first + i) for i, r in enumerate(more))
        if self.search:  # no count of a search's matches: one more while pages are full
            self._total = len(self._rows) + (1 if len(more) == PAGE else 0)
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if role not in (DISPLAY, TOOLTIP, ALIGNMENT, USER):
            return None
        i = index.row()
        if self.paged is not None:
            found = self.paged.row(i) if index.isValid() else None
            if found is None:
                return None
            row = found
        elif not index.isValid() or not 0 <= i < len(self._rows):
            return None
        else:
            row = self._rows[i]
        column = self.COLUMNS[index.column()]
        if role == DISPLAY:
            if column == "status":
                return STATUS_MARKS.get(row["status"], row["status"])
            if column in ("pending", "accepted"):
                return row[column] or ""
            return row[column]
        if role == TOOLTIP:
            if column in ("pending", "accepted"):
                return f"{row['pending']} pending, {row['accepted']} accepted"
            if column == "status":
                return plain_tooltip(row["status"].replace("_", " ") + (
                    f": {row['note']}" if row.get("note") else ""))
            if column == "title":
                return plain_tooltip(row["title"])
        if role == ALIGNMENT and column in ("id", "pending", "accepted"):
            return RIGHT
        if role == USER:
            return row["id"]
        return None
