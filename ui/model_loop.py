"""The model in the loop (issue 15, section 4), a controller owned by
:class:`ui.window.MainWindow`:

- Project ▸ Train (Ctrl+Shift+T) runs ``annotator train`` in a separate process, with a
  progress bar and Cancel in the task bar (:mod:`ui.training`); the window takes keys
  as ever meanwhile.
- After a model is written, the pending suggestions of the documents not done are
  refreshed from it in a worker (:func:`annotator.train.loop.refresh_suggestions`: what
  people decided or made is never touched), and the background suggester uses it from
  then on.
- Retrain automatically every N documents marked done (0: never), asked once and kept.
- Uncertain documents first: the next document after D (or S, F) is the one whose
  pending scores of the layer in focus (the focused span's; claims if none) sit nearest
  the decision margin (:func:`annotator.train.loop.uncertain_documents`). The order is
  computed in a worker and kept (its first :data:`QUEUE_SIZE` documents), computed
  again after suggestions are refreshed and when it runs low: one query over every
  document not done costs 15 ms on 10,000 documents but 200 ms on 100,000, too long for a key.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog, QWidget

from annotator.model import Layer, Status
from annotator.store import Store

from .article import ArticleView
from .doclist import DocumentPanel
from .review import ReviewMode
from .taskbar import TaskBar
from .view import DocumentView
from .window_files import FileWork
from .workers import CallThread, TaskThread, refresh_task

if TYPE_CHECKING:
    from .training import TrainingProcess

RETRAIN_KEY = "retrain_every"
UNCERTAIN_KEY = "uncertain_first"
QUEUE: tuple[Status, ...] = ("new", "in_progress")  # what D opens next, as without the option
QUEUE_SIZE = 400


class ModelLoop:
    """Training, refreshed suggestions, retraining and the uncertainty queue (its worker
    a child of ``parent``, over which the dialogs open too)."""

    def __init__(self, view: DocumentView, parent: QWidget, taskbar: TaskBar,
                 files: FileWork, review: ReviewMode, documents: DocumentPanel,
                 article: ArticleView, settings: QSettings):
        self.view = view
        self.parent = parent
        self.taskbar = taskbar
        self.files = files
        self.review = review
        self.documents = documents
        self.article = article
        self.settings = settings
        #: Extra ``annotator train`` arguments (``--layer``, ``--max-minutes``, ...).
        self.train_args: list[str] = []
        self._queue: list[int] = []
        self._queue_thread: CallThread | None = None
        taskbar.trained.connect(self._on_taskbar_trained)
        taskbar.training_failed.connect(self._on_taskbar_training_failed)
        taskbar.training_cancelled.connect(self._on_taskbar_training_cancelled)
        taskbar.finished.connect(self._on_taskbar_finished)
        self.retrain_every = _int(settings.value(RETRAIN_KEY, 0))
        self.uncertain_first = str(settings.value(UNCERTAIN_KEY, "false")) == "true"

    # -- training

    def train(self, *args: str) -> TrainingProcess | None:
        """Start training from the project's done documents in a separate process."""
        if self.view.store.readonly:
            self.view.refuse("The project is read-only: training could not refresh its "
                             "suggestions")
            return None
        process = self.taskbar.train(self.view.store.path, [*self.train_args, *args])
        if process is None:
            self.view.refuse("A training is already running (Ctrl+Shift+X cancels it)")
            return None
        self.view.statusBar().showMessage("Training in a separate process; keep annotating", 5000)
        return process

    def cancel_training(self) -> None:
        if not self.taskbar.cancel_training():
            self.view.refuse("No training is running")

    def _on_taskbar_trained(self, result: dict[str, Any]) -> None:
        scores = result.get("scores") or {}
        figures = ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in scores.items()
                            if isinstance(v, int | float))
        self.view.statusBar().showMessage(
            f"Trained {result.get('name')} in {result.get('seconds') or 0:.0f} s"
            + (f": {figures}" if figures else ""), 10_000)
        model = str(result["model"])
        self.taskbar.use_model(model)  # new documents get suggestions from it
        self.refresh_suggestions(model)
        statistics = self.review.statistics
        if statistics is not None:
            statistics.compute_figures()

    def _on_taskbar_training_failed(self, message: str) -> None:
        self.view.refuse(message)

    def _on_taskbar_training_cancelled(self, message: str) -> None:
        self.view.statusBar().showMessage(message, 8000)  # as asked: not a refusal

    # -- refreshed suggestions

    def refresh_suggestions(self, model: str | None = None) -> TaskThread | None:
        """Suggest again from ``model`` (a model folder; default: the project's newest)
        for the documents not done, in a worker; decisions stay."""
        if model is None:
            from annotator.trained import latest

            newest = latest(self.view.store.path)
            if newest is None:
                self.view.refuse("No trained model yet: Project ▸ Train (Ctrl+Shift+T)")
                return None
            model = str(newest.path)
        total = sum(self.view.store.count_documents(s) for s in NOT_DONE)
        return self.files.run("refresh", f"Refreshing suggestions of {total:,} document(s) not "
                         "done…", refresh_task(model), total)

    def _on_taskbar_finished(self, kind: str, _message: str) -> None:
        if kind != "refresh":
            return
        self._queue = []
        self._refill_queue()  # the scores changed
        self.documents.reload()
        view = self.view
        if view.doc is not None and view.doc.status != "done":
            view.reload_spans()
            if self.article.focused_id is None:
                view.move_focus(+1, pending=True)

    # -- retraining

    def ask_retrain_every(self) -> None:
        """Project ▸ Retrain every N documents: asks N (0: never)."""
        n, ok = QInputDialog.getInt(
            self.parent, "Retrain automatically", "Train again after this many more documents "
            "are marked done (0: never):", self.retrain_every, 0, 1_000_000)
        if ok:
            self.set_retrain_every(n)

    def set_retrain_every(self, n: int) -> None:
        self.retrain_every = max(n, 0)
        self.settings.setValue(RETRAIN_KEY, self.retrain_every)
        self.view.statusBar().showMessage(
            f"A model is trained again every {n} documents marked done" if n
            else "No automatic retraining", 5000)

    def maybe_retrain(self) -> bool:
        """After a document is marked done: train if N more are done than when the
        newest model was trained (and no training runs)."""
        if self.retrain_every <= 0 or self.taskbar.training is not None \
                or self.view.store.readonly:
            return False
        from annotator.train.loop import retrain_due

        if not retrain_due(self.view.store, self.retrain_every):
            return False
        return self.train() is not None

    # -- the queue

    def set_uncertain_first(self, on: bool) -> None:
        self.uncertain_first = on
        self.settings.setValue(UNCERTAIN_KEY, "true" if on else "false")
        self._queue = []
        self._refill_queue()
        self.view.statusBar().showMessage(
            f"Next document: the most uncertain first ({self._uncertain_layer()} scores "
            "nearest the decision margin)" if on else "Next document: the next by number",
            5000)

    def _uncertain_layer(self) -> Layer:
        """The layer being worked on, whose uncertainty orders the queue: the focused
        span's (claims when none is focused)."""
        span = self.article.focused_span()
        return span.layer if span is not None else "claim"

    def next_in_queue(self, doc_id: int) -> int | None:
        """The document to open after ``doc_id`` was marked done, skipped or flagged."""
        if self.review.active or not self.uncertain_first:
            found: int | None = self.review.next_document(doc_id)
            return found
        while self._queue:
            candidate = self._queue.pop(0)
            status = self.view.store.document_status(candidate)
            if candidate != doc_id and status is not None and status[0] in QUEUE:
                if len(self._queue) < QUEUE_SIZE // 4:
                    self._refill_queue()
                return candidate
        from annotator.train.loop import uncertain_documents  # the kept order ran out

        self._refill_queue()
        ids = uncertain_documents(self.view.store, self._uncertain_layer(), QUEUE, limit=2)
        return next((i for i in ids if i != doc_id), None)

    def _refill_queue(self) -> None:
        """Compute the uncertainty order in a worker (its first :data:`QUEUE_SIZE`)."""
        if not self.uncertain_first or self._queue_thread is not None:
            return
        layer = self._uncertain_layer()

        def order(store: Store) -> tuple[Path, list[int]]:
            from annotator.train.loop import uncertain_documents

            return store.path, uncertain_documents(store, layer, QUEUE, limit=QUEUE_SIZE)

        thread = CallThread(self.view.store.path, order, readonly=True, parent=self.parent)
        thread.returned.connect(self._on_queue_thread_returned)
        thread.finished.connect(self._on_queue_thread_finished)
        self._queue_thread = thread
        thread.start()

    def _on_queue_thread_returned(self, result: tuple[Path, list[int]]) -> None:
        path, ids = result
        if path == self.view.store.path and self.uncertain_first:
            self._queue = ids

    def _on_queue_thread_finished(self) -> None:
        thread, self._queue_thread = self._queue_thread, None
        if thread is not None:
            thread.deleteLater()

    def stop(self) -> None:
        """Wait for the queue's worker (closing the window, another project)."""
        if self._queue_thread is not None:
            self._queue_thread.wait()
        self._queue = []


NOT_DONE: tuple[Status, ...] = ("new", "in_progress", "skipped", "flagged")


def claim_threshold() -> float:
    """The claim score from which a claim is suggested (the window suggests with a
    learned check-worthiness model: the shipped one, or a trained one)."""
    from annotator.suggest.thresholds import COMBINED_THRESHOLD

    return float(COMBINED_THRESHOLD)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
