"""The task bar: long work off the GUI thread, with a progress bar and Cancel.

It owns the worker threads of the open project: one task at a time (import, export,
refreshing suggestions) in a :class:`TaskThread`, and the background suggester in a
thread of its own; and training, in a separate process (:class:`TrainingProcess`), with
a progress bar and Cancel of its own beside the task's. Every worker signal is
connected to a method of this widget, which lives in the GUI thread, so Qt queues the
call into that thread; what the window needs comes out of it as this widget's own
signals.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QThread, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from .statusbar import ElidedLabel
from .workers import SuggestWorker, Task, TaskThread

if TYPE_CHECKING:  # imported when a training starts
    from .training import TrainingProcess


class TaskBar(QWidget):
    """Shown in the status bar while something runs in the background.

    ``finished(kind, message)``: the task started by :meth:`run` ended; ``message`` says
    how (a summary, or what failed). ``suggested(doc_id)``: suggestions were stored for
    a document. ``suggestion_failed(message)``: the suggester could not do it.
    ``trained(result)``: training wrote a model (the command's ``done`` line);
    ``training_failed(message)``: it ended without one (refused, failed, cancelled)."""

    finished = Signal(str, str)
    suggested = Signal(int)
    suggestion_failed = Signal(str)
    suggestion_requested = Signal(int)  # to the worker, queued into its thread
    model_requested = Signal(str)  # to the worker: suggest with this model from now on
    trained = Signal(object)
    training_failed = Signal(str)
    training_cancelled = Signal(str)  # cancelled as asked: no model, and no error

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = ElidedLabel(100, 300)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(100)
        self.progress.setMinimumWidth(60)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.task_group = QWidget()
        self.train_label = ElidedLabel(150, 320)  # the held-out scores: whole in the tooltip
        self.train_progress = QProgressBar()
        self.train_progress.setMaximumWidth(100)
        self.train_progress.setMinimumWidth(60)
        self.train_cancel = QPushButton("Cancel training")
        self.train_cancel.clicked.connect(self._on_train_cancel_clicked)
        self.train_group = QWidget()
        for group, widgets in ((self.task_group, (self.label, self.progress,
                                                  self.cancel_button)),
                               (self.train_group, (self.train_label, self.train_progress,
                                                   self.train_cancel))):
            row = QHBoxLayout(group)
            row.setContentsMargins(0, 0, 0, 0)
            for widget in widgets:
                row.addWidget(widget)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.task_group)
        layout.addWidget(self.train_group)
        self.task_group.hide()
        self.train_group.hide()
        self.training: TrainingProcess | None = None
        self.model: str | None = None  # what the background suggester suggests with
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
        self.label.set_full_text(title)
        self.progress.setRange(0, total)
        self.progress.setValue(0)
        self.cancel_button.show()
        self._show_group(self.task_group, True)
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
        self._show_group(self.task_group, False)
        self.finished.emit(self._kind, message)

    def _show_group(self, group: QWidget, shown: bool) -> None:
        """Show or hide one group; the bar shows while either does."""
        group.setVisible(shown)
        self.setVisible(not self.task_group.isHidden() or not self.train_group.isHidden())

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
            worker.model = self.model
            worker.moveToThread(thread)
            self.suggestion_requested.connect(worker.suggest_document)
            self.model_requested.connect(worker.use_model)
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
        self.label.set_full_text(message)
        self.progress.setRange(0, 0)
        self.cancel_button.hide()
        self._show_group(self.task_group, bool(message))

    def use_model(self, model: str | None) -> None:
        """Suggest with ``model`` (a trained model's path; None: the default) from now on."""
        self.model = model
        if self._suggest_worker is not None:
            self.model_requested.emit(model or "")

    # -- training, in a separate process

    def train(self, db_path: Path, args: list[str] | None = None) -> TrainingProcess | None:
        """Start ``annotator train`` on ``db_path``; None if a training already runs."""
        if self.training is not None:
            return None
        from .training import TrainingProcess

        process = TrainingProcess(db_path, args, self)
        process.progressed.connect(self._on_training_progressed)
        process.trained.connect(self._on_training_trained)
        process.failed.connect(self._on_training_failed)
        self.training = process
        self.train_label.set_full_text("Training: starting…")
        self.train_progress.setRange(0, 0)
        self.train_cancel.setEnabled(True)
        self._show_group(self.train_group, True)
        process.start()
        return process

    def cancel_training(self) -> bool:
        """Cancel: the process removes what it began; False if none runs."""
        if self.training is None:
            return False
        self.training.cancel()
        self.train_label.set_full_text("Training: cancelling…")
        self.train_cancel.setEnabled(False)
        return True

    def _on_train_cancel_clicked(self) -> None:
        self.cancel_training()

    def _on_training_progressed(self, p: dict[str, Any]) -> None:
        from .training import progress_text

        self.train_label.set_full_text(progress_text(p))
        total = p.get("total")
        if total:
            self.train_progress.setRange(0, int(total))
            self.train_progress.setValue(min(int(p.get("step") or 0), int(total)))
        else:
            self.train_progress.setRange(0, 0)

    def _on_training_trained(self, result: dict[str, Any]) -> None:
        self._end_training()
        self.trained.emit(result)

    def _on_training_failed(self, message: str) -> None:
        cancelled = self.training is not None and self.training.cancelled
        self._end_training()
        (self.training_cancelled if cancelled else self.training_failed).emit(message)

    def _end_training(self) -> None:
        if self.training is not None:
            self.training.deleteLater()
        self.training = None
        self._show_group(self.train_group, False)

    # -- lifecycle

    def stop(self) -> None:
        """Stop the suggester, cancel the task and the training; returns when their
        threads and process ended."""
        if self.training is not None:
            training = self.training
            training.cancel()
            training.wait()
            self._end_training()
        if self._suggest_thread is not None and self._suggest_worker is not None:
            self.model_requested.disconnect(self._suggest_worker.use_model)
            self.suggestion_requested.disconnect(self._suggest_worker.suggest_document)
            self._suggest_worker.interrupt()  # a long document's suggestion stops now
            self._suggest_thread.quit()
            self._suggest_thread.wait()
            self._suggest_worker.close()
            self._suggest_thread = self._suggest_worker = None
        if self._task is not None:
            self._task.cancel()
            self._task.wait()
            self._task = None
        self.task_group.hide()
        self.hide()
