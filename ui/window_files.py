"""The window's dialogs and background work: go to a document, the annotator's name,
the cheat sheet, import and export in the task bar's workers and what they report.
A part of :class:`ui.window.MainWindow` (which it is mixed into), kept apart so each
file stays readable."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog

from annotator.export.base import ExportOptions
from annotator.session import save_name

from .export_dialog import ExportDialog, ExportReport, refusal
from .offsets import reveal
from .workers import Task, TaskThread, export_task, import_task

MESSAGE_MS = 5000


class FileWork:
    """Dialogs and background tasks of the window."""

    def ask_document(self) -> None:
        doc_id, ok = QInputDialog.getInt(self, "Go to document", "Document id:",
                                         self.doc.id if self.doc else 1, 1, 2**31 - 1)
        if ok:
            self.open_document(doc_id)

    def ask_annotator(self) -> None:
        name, ok = QInputDialog.getText(self, "Annotator", "Your name (recorded on every "
                                        "decision):", text=self.annotator)
        if ok and name.strip():
            self.annotator = name.strip()
            self.decisions.session.annotator = self.annotator
            save_name(self.store, self.annotator)  # this project's name (issue 23)
            self.annotator_label.setText(f"Annotator: {reveal(self.annotator)}")

    def show_cheat_sheet(self) -> None:
        from .cheatsheet import CheatSheet

        self.cheat_sheet = CheatSheet(self.action_table.specs, self)
        self.cheat_sheet.show()

    # -- background work (in the task bar's threads)

    def _on_suggested(self, doc_id: int) -> None:
        self.documents.refresh(doc_id)
        if self.doc is not None and self.doc.id == doc_id:
            self.reload_spans()
            if self.article.focused_id is None:
                self.move_focus(+1, pending=True)

    def _on_suggestion_failed(self, message: str) -> None:
        self._on_refused(message)

    def _on_task_finished(self, kind: str, message: str) -> None:
        if self.taskbar.last_failed:
            self._on_refused(message)
        elif kind == "export":  # every line, the skipped ones first: never cut off
            # shown beside the window, never taking its keys: an export runs in the
            # background while the annotator goes on, and the next key is theirs
            self.export_report = ExportReport(message, self)
            self.export_report.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
            self.export_report.show()
            self.activateWindow()
            self.statusBar().showMessage(message.splitlines()[0], 2 * MESSAGE_MS)
        else:
            self.statusBar().showMessage(message, 2 * MESSAGE_MS)
        if kind == "import":
            self.documents.reload()
            if self.doc is None:
                self._open_first_document()

    def _run(self, kind: str, title: str, task: Task, total: int = 0) -> TaskThread | None:
        thread = self.taskbar.run(kind, title, self.store.path, task, total,
                                  readonly=self.store.readonly)
        if thread is None:
            self._on_refused("Another task is still running")
        return thread

    def ask_import(self) -> None:
        """The Import dialog, in the folder of the last import (else the home folder)."""
        folder = self.settings.value("import_folder")
        if not isinstance(folder, str) or not Path(folder).is_dir():
            folder = str(Path.home())
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import articles", folder,
            "Articles and labelled data (*.txt *.jsonl *.csv *.json *.conll *.iob *.spacy);;"
            "All files (*)")
        if paths:
            self.settings.setValue("import_folder", str(Path(paths[0]).parent))
            self.import_files([Path(p) for p in paths])

    def import_files(self, paths: list[Path]) -> TaskThread | None:
        """Import ``paths`` in a worker; the list reloads when it is done."""
        return self._run("import", "Importing…", import_task(paths))

    def ask_export(self) -> None:
        dialog = ExportDialog(self.store.path.parent, self.store.path, self, store=self.store)
        if dialog.exec():
            self.export_to(dialog.fmt, dialog.out, dialog.options(), force=dialog.force)

    def export_to(self, fmt: str, out: Path, opts: ExportOptions | None = None,
                  force: bool = False) -> TaskThread | None:
        """Export in a worker with a progress bar (never onto the project itself)."""
        from annotator.export import count_documents

        why = refusal(out, self.store.path)
        if why is not None:
            self._on_refused(why)
            return None
        options = opts or ExportOptions()
        return self._run("export", f"Exporting {fmt}…", export_task(fmt, out, options, force),
                         total=count_documents(self.store, options))

