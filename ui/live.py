"""The window follows other writers: :class:`ProjectWatcher` polls the project's
``PRAGMA data_version`` (:meth:`annotator.store.Store.data_version`) on a timer of the
GUI thread and calls back when another connection committed: the CLI, a teammate's
merge, another window, this window's own background suggester. A poll reads no table
(measured in docs/live.md), so a project where nothing happens costs next to nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from annotator.store import Store

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
