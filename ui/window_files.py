"""The window's dialogs and background work: go to a document, the annotator's name,
import and export in the task bar's workers and what they report. A controller owned by
:class:`ui.window.MainWindow`, handed the widgets it uses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QWidget

from annotator.editing.reveal import reveal
from annotator.session import save_name

from .article import ArticleView
from .decisions import Decisions
from .doclist import DocumentPanel
from .taskbar import TaskBar
from .view import DocumentView
from .workers import Task, TaskThread, export_task, import_task

if TYPE_CHECKING:  # every exporter: imported when an export starts, not to open the window
    from annotator.export.base import ExportOptions

    from .export_dialog import ExportReport

MESSAGE_MS = 5000
#: Room for the window manager's buttons beside a dialog's title (px).
TITLE_BUTTONS = 140


def document_dialog(parent: QWidget, value: int) -> QInputDialog:
    """Go ▸ Go to document: wide enough for its title, which a window manager draws
    in the title bar beside its buttons (QInputDialog sizes itself by the field only,
    and "Go to document" was cut to "Go to d…")."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Go to document")
    dialog.setLabelText("Document id (its number in the list):")
    dialog.setInputMode(QInputDialog.InputMode.IntInput)
    dialog.setIntRange(1, 2**31 - 1)
    dialog.setIntValue(value)
    title = dialog.fontMetrics().horizontalAdvance(dialog.windowTitle())
    dialog.setMinimumWidth(max(title + TITLE_BUTTONS, 320))
    return dialog


class FileWork:
    """Dialogs and background tasks of the window (``parent``: dialogs open over it)."""

    def __init__(self, view: DocumentView, parent: QWidget, decisions: Decisions,
                 taskbar: TaskBar, documents: DocumentPanel, article: ArticleView,
                 settings: QSettings, annotator_label: QLabel):
        self.view = view
        self.parent = parent
        self.decisions = decisions
        self.taskbar = taskbar
        self.documents = documents
        self.article = article
        self.settings = settings
        self.annotator_label = annotator_label
        self.export_report: ExportReport | None = None
        taskbar.finished.connect(self._on_task_finished)
        taskbar.suggested.connect(self._on_suggested)
        taskbar.suggestion_failed.connect(self._on_suggestion_failed)

    def ask_document(self) -> None:
        doc = self.view.doc
        dialog = document_dialog(self.parent, doc.id if doc else 1)
        if dialog.exec():
            self.view.open_document(dialog.intValue())

    def ask_annotator(self) -> None:
        name, ok = QInputDialog.getText(self.parent, "Annotator", "Your name (recorded on "
                                        "every decision):", text=self.view.annotator)
        if ok and name.strip():
            self.set_annotator(name.strip())

    def set_annotator(self, name: str) -> None:
        """Record ``name`` on every decision from now on (and next time, in this
        project)."""
        self.view.annotator = name
        self.decisions.session.annotator = name
        save_name(self.view.store, name)  # this project's name (issue 23)
        self.annotator_label.setText(f"Annotator: {reveal(name)}")

    # -- background work (in the task bar's threads)

    def _on_suggested(self, doc_id: int) -> None:
        self.documents.refresh(doc_id)
        view = self.view
        if view.doc is not None and view.doc.id == doc_id:
            view.reload_spans()
            if self.article.focused_id is None:
                view.move_focus(+1, pending=True)

    def _on_suggestion_failed(self, message: str) -> None:
        self.view.refuse(message)

    def _on_task_finished(self, kind: str, message: str) -> None:
        if self.taskbar.last_failed:
            self.view.refuse(message)
        elif kind == "export":  # every line, the skipped ones first: never cut off
            # shown beside the window, never taking its keys: an export runs in the
            # background while the annotator goes on, and the next key is theirs
            from .export_dialog import ExportReport

            self.export_report = ExportReport(message, self.parent)
            self.export_report.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
            self.export_report.show()
            self.parent.activateWindow()
            self.view.statusBar().showMessage(message.splitlines()[0], 2 * MESSAGE_MS)
        else:
            self.view.statusBar().showMessage(message, 2 * MESSAGE_MS)
        if kind == "import":
            self.documents.reload()
            if self.view.doc is None:
                self.view.open_first_document()

    def run(self, kind: str, title: str, task: Task, total: int = 0) -> TaskThread | None:
        """Run ``task`` on the project in the task bar's worker (one at a time)."""
        store = self.view.store
        thread = self.taskbar.run(kind, title, store.path, task, total,
                                  readonly=store.readonly)
        if thread is None:
            self.view.refuse("Another task is still running")
        return thread

    def ask_import(self) -> None:
        """The Import dialog, in the folder of the last import (else the home folder)."""
        folder = self.settings.value("import_folder")
        if not isinstance(folder, str) or not Path(folder).is_dir():
            folder = str(Path.home())
        paths, _ = QFileDialog.getOpenFileNames(
            self.parent, "Import articles", folder,
            "Articles and labelled data (*.txt *.jsonl *.csv *.json *.conll *.iob *.spacy);;"
            "All files (*)")
        if paths:
            self.settings.setValue("import_folder", str(Path(paths[0]).parent))
            self.import_files([Path(p) for p in paths])

    def import_files(self, paths: list[Path]) -> TaskThread | None:
        """Import ``paths`` in a worker; the list reloads when it is done."""
        return self.run("import", "Importing…", import_task(paths))

    def ask_export(self) -> None:
        from .export_dialog import ExportDialog

        store = self.view.store
        dialog = ExportDialog(store.path.parent, store.path, self.parent, store=store)
        if dialog.exec():
            self.export_to(dialog.fmt, dialog.out, dialog.options(), force=dialog.force)

    def export_to(self, fmt: str, out: Path, opts: ExportOptions | None = None,
                  force: bool = False) -> TaskThread | None:
        """Export in a worker with a progress bar (never onto the project itself)."""
        from annotator.export import count_documents
        from annotator.export.base import ExportOptions

        from .export_dialog import refusal

        why = refusal(out, self.view.store.path)
        if why is not None:
            self.view.refuse(why)
            return None
        options = opts or ExportOptions()
        return self.run("export", f"Exporting {fmt}…", export_task(fmt, out, options, force),
                        total=count_documents(self.view.store, options))

