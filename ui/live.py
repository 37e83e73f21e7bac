"""The window follows other writers: :class:`ProjectWatcher` polls the project's
``PRAGMA data_version`` (:meth:`annotator.store.Store.data_version`) on a timer of the
GUI thread and calls back when another connection committed: the CLI, a teammate's
merge, another window, this window's own background suggester. A poll reads no table
(measured in docs/live.md), so a project where nothing happens costs next to nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from annotator.store import Store

from .article import ArticleView
from .doclist import DocumentPanel
from .panels import DocumentHeader, SpanPanel
from .view import DocumentView

POLL_MS = 400  # a change shows within POLL_MS plus the refresh: under a second


class ProjectWatcher(QObject):
    """Calls ``changed(True)`` on the GUI thread after another connection committed to
    the project ``store()`` names (read at each poll: the window changes project). When
    ``changed`` returns False (it could not refresh everything just now, e.g. the user
    is typing into a field it would overwrite), it is called again at the next polls,
    as ``changed(False)`` while nothing more was committed, until it returns True."""

    def __init__(self, store: Callable[[], Store], changed: Callable[[bool], bool],
                 parent: QObject | None = None, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self._store = store
        self._changed = changed
        self._watched: Store | None = None
        self._version = 0
        self._owed = False  # a change seen whose refresh was put off
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        """Take the project as it is now as seen; poll from here on."""
        self._watch(self._store())
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _watch(self, store: Store) -> None:
        self._watched = store
        self._version = store.data_version()
        self._owed = False

    def poll(self) -> bool:
        """One look: whether ``changed`` was called. Another project than the last
        one looked at (File ▸ Open) is taken as seen: the window just showed it."""
        store = self._store()
        if store is not self._watched:
            self._watch(store)
            return False
        try:
            version = store.data_version()
        except sqlite3.Error:  # a closed store: the window is switching projects
            return False
        if version == self._version and not self._owed:
            return False
        fresh = version != self._version
        self._version = version
        self._owed = not self._changed(fresh)
        return True


class Follower:
    """What the window shows, brought up to what another writer committed, from its own
    :attr:`watcher`: the list, the counts, the progress, the open document's header,
    document labels (``doc_labels()`` redraws them) and spans. The open document, the
    focused span (the same id, else the same offsets in the same layer) and the key
    focus are kept."""

    def __init__(self, view: DocumentView, documents: DocumentPanel, article: ArticleView,
                 span_panel: SpanPanel, header: DocumentHeader,
                 doc_labels: Callable[[], None] = lambda: None):
        self.view = view
        self.doc_labels = doc_labels
        self.documents = documents
        self.article = article
        self.span_panel = span_panel
        self.header = header
        self.watcher = ProjectWatcher(lambda: view.store, self.follow, documents)
        self.watcher.start()

    def follow(self, fresh: bool = True) -> bool:
        """Show the project as it is now. Returns False, to be called again (``fresh``
        False: the list is already shown as it is), while the key focus is in the
        claim editor: its fields would be overwritten under the keys."""
        view = self.view
        if fresh:
            self.documents.follow()
        if view.doc is None:
            if view.store.count_documents():
                view.open_first_document()  # an empty project got its first documents
            return True
        focused = QApplication.focusWidget()
        if focused is not None and self.span_panel.claim_editor.isAncestorOf(focused):
            return False
        doc = view.store.get_document(view.doc.id)
        if doc is None:  # deleted elsewhere
            view.open_first_document()
            return True
        if (doc.status, doc.note, doc.meta) != (view.doc.status, view.doc.note, view.doc.meta):
            view.doc = doc
            self.header.show_document(doc)
        self.doc_labels()
        spans = view.store.spans(doc.id)
        if spans == view.spans:
            return True
        old = self.article.focused_span()
        same = [] if old is None else [s for s in spans if s.id == old.id] or [
            s for s in spans if (s.layer, s.start, s.end) == (old.layer, old.start, old.end)]
        view.reload_spans(same[0].id if same else None)  # re-reads them, keeps the focus
        return True
