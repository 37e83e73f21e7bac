"""The task bar: long work off the GUI thread, with a progress bar and Cancel.

It owns the worker threads of the open project: one task at a time (import, export)
in a :class:`TaskThread`, and the background suggester in a thread of its own. Every
worker signal is connected to a method of this widget, which lives in the GUI thread,
so Qt queues the call into that thread; what the window needs comes out of it as this
widget's own signals.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QThread, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from .panels import plain_label
from .workers import SuggestWorker, Task, TaskThread


class TaskBar(QWidget):
    """Shown in the status bar while something runs in the background.

    ``finished(kind, message)``: the task started by :meth:`run` ended; ``message`` says
    how (a summary, or what failed). ``suggested(doc_id)``: suggestions were stored for
    a document. ``suggestion_failed(message)``: the suggester could not do it."""

    finished = Signal(str, str)
    suggested = Signal(int)
    suggestion_failed = Signal(str)
    suggestion_requested = Signal(int)  # to the worker, queued into its thread

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = plain_label()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.progress, self.cancel_button):
            layout.addWidget(widget)
        self._task: TaskThread | None = None
        self.last_failed = False  # how the last task ended
        self._kind = ""
        self._title = ""
        self._suggest_thread: QThread | None = None
        self._held: list[tuple[Path, int]] | None = None  # see hold_suggestions_until_drawn
        self._suggest_worker: SuggestWorker | None = None
        self.hide()

    @property
    def busy(self) -> bool:
        """A task (import, export) is running."""
        return self._task is not None

    # -- tasks

    def run(self, kind: str, title: str, db_path: Path, task: Task, total: int = 0,
            readonly: bool = False) -> TaskThread | None:
        """Run ``task(store, progress)`` on its own store of ``db_path``; None if another
        task is still running. ``kind`` comes back with :attr:`finished`."""
        if self._task is not None:
            return None
        thread = TaskThread(db_path, task, readonly, self)
        self._task, self._kind, self._title = thread, kind, title
        self.label.setText(title)
        self.progress.setRange(0, total)
        self.progress.setValue(0)
        self.cancel_button.show()
        self.show()
        thread.progressed.connect(self.progress.setValue)
        thread.succeeded.connect(self._on_task_succeeded)
        thread.failed.connect(self._on_task_failed)
        thread.finished.connect(thread.deleteLater)
        thread.start()
        return thread

    def _on_task_succeeded(self, message: str) -> None:
        self.last_failed = False
        self._end_task(message)

    def _on_task_failed(self, message: str) -> None:
        self.last_failed = True
        self._end_task(f"{self._title.rstrip('…')} failed: {message}")

    def _end_task(self, message: str) -> None:
        self._task = None
        self.setVisible(False)
        self.finished.emit(self._kind, message)

    def _on_cancel_clicked(self) -> None:
        if self._task is not None:
            self._task.cancel()

    # -- background suggestions

    def hold_suggestions_until_drawn(self, widget: QWidget) -> None:
        """Keep suggestion requests until ``widget`` (the article) is first drawn: the
        suggester's thread imports spaCy (a second of holding the interpreter), never
        on the way to the first document on screen."""
        self._held = []
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and self._held is not None:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._on_first_drawn)  # once this paint is done
        return super().eventFilter(watched, event)

    def _on_first_drawn(self) -> None:
        held, self._held = self._held or [], None
        for db_path, doc_id in held:
            self.request_suggestions(db_path, doc_id)

    def request_suggestions(self, db_path: Path, doc_id: int) -> None:
        """Ask the suggester (started on first use) for ``doc_id``'s suggestions."""
        if self._held is not None:
            self._held.append((db_path, doc_id))
            return
        if self._suggest_worker is None:
            thread = QThread(self)
            worker = SuggestWorker(db_path)
            worker.moveToThread(thread)
            self.suggestion_requested.connect(worker.suggest_document)
            worker.suggested.connect(self._on_worker_suggested)
            worker.failed.connect(self._on_worker_failed)
            worker.busy.connect(self._on_worker_busy)
            thread.start()
            self._suggest_thread, self._suggest_worker = thread, worker
        self.suggestion_requested.emit(doc_id)

    def _on_worker_suggested(self, doc_id: int) -> None:
        self.suggested.emit(doc_id)

    def _on_worker_failed(self, message: str) -> None:
        self.suggestion_failed.emit(message)

    def _on_worker_busy(self, message: str) -> None:
        if self._task is not None:  # the task's own progress stays in view
            return
        self.label.setText(message)
        self.progress.setRange(0, 0)
        self.cancel_button.hide()
        self.setVisible(bool(message))

    # -- lifecycle

    def stop(self) -> None:
        """Stop the suggester and cancel the task; returns when their threads ended."""
        if self._suggest_thread is not None and self._suggest_worker is not None:
            self.suggestion_requested.disconnect(self._suggest_worker.suggest_document)
            self._suggest_thread.quit()
            self._suggest_thread.wait()
            self._suggest_worker.close()
            self._suggest_thread = self._suggest_worker = None
        if self._task is not None:
            self._task.cancel()
            self._task.wait()
            self._task = None
        self.hide()
