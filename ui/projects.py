"""Project files: the Open and New dialogs, the recent-projects menu, the document last
open in each project, and opening a store with its failures told in words."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from annotator.editing.reveal import reveal
from annotator.store import Store, StoreError, readonly_reason

RECENT_MAX = 8
FILTER = "Annotator projects (*.db);;All files (*)"


def readonly_notice(store: Store) -> str | None:
    """What the window says about a read-only project (None if it can be written)."""
    if not store.readonly:
        return None
    reason = readonly_reason(store.path) or "it was opened for reading"
    return (f"Read-only project: {reason}. You can read and export; decisions cannot be "
            "saved, so they are switched off.")


class Projects(QObject):
    """The project files the window knows. ``chosen(path)``: the user picked a project
    (from a dialog or the recent menu) for the window to open."""

    chosen = Signal(object)

    def __init__(self, settings: QSettings, parent: QWidget):
        super().__init__(parent)
        self.settings = settings
        self.widget = parent
        self.current: Path | None = None
        self.recent_menu = QMenu("Recent projects", parent)
        self.recent_menu.triggered.connect(self._on_recent_menu_triggered)

    # -- dialogs

    def _folder(self) -> str:
        return str(self.current.parent) if self.current else str(Path.home())

    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.widget, "Open project", self._folder(),
                                              FILTER)
        if path:
            self.chosen.emit(Path(path))

    def ask_new(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.widget, "New project", self._folder(),
                                              FILTER.split(";;")[0])
        if path:
            self.chosen.emit(Path(path))

    def open_store(self, path: Path) -> Store | None:
        """The project at ``path`` (created if new; read-only if it cannot be written),
        or None after saying why it cannot be opened."""
        try:
            return Store(path)
        except StoreError as exc:
            QMessageBox.warning(self.widget, "Cannot open project", exc.describe())
            return None

    # -- memory

    def opened(self, path: Path) -> None:
        """``path`` is now open: first in the recent list and menu."""
        self.current = path
        value = self.settings.value("recent_projects") or []
        recent = [value] if isinstance(value, str) else list(value)
        resolved = str(path.resolve())
        recent = [resolved] + [p for p in recent if p != resolved]
        self.settings.setValue("recent_projects", recent[:RECENT_MAX])
        self.recent_menu.clear()
        for item in recent[:RECENT_MAX]:
            action = self.recent_menu.addAction(reveal(item))
            action.setData(item)

    def _on_recent_menu_triggered(self, action: QAction) -> None:
        self.chosen.emit(Path(str(action.data())))

    def last_document(self, path: Path) -> int | None:
        """The document last open in ``path``, if it was the last project open."""
        if self.settings.value("last_project") != str(path.resolve()):
            return None
        try:
            return int(self.settings.value("last_document"))
        except (TypeError, ValueError):
            return None

    def remember_document(self, path: Path, doc_id: int) -> None:
        self.settings.setValue("last_document", doc_id)
        self.settings.setValue("last_project", str(path.resolve()))
