"""The Statistics view, in tabs: the project's progress and, for a team project, the
agreement of its annotators as a heat map (annotator × annotator) with the same figures
as ``annotator agreement``; the suggestions' quality per label and their acceptance per
label, as ``annotator evaluate`` reports them; the learning curve of the trained models
(``quality_view.py``). Every figure is computed off the GUI thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.agreement import ALL, Agreement, agreement
from annotator.store import Store

from .panels import plain_label, resize_within_screen
from .plotting import HeatMap, format_value
from .quality_view import AcceptancePage, LearningPage, QualityFigures, QualityPage, compute_figures
from .workers import CallThread

MEASURES = {"kappa": "Cohen's κ", "f1_exact": "Span F1, exact",
            "f1_overlap": "Span F1, overlap", "claimant": "Claimant agreement"}
LAYERS = {"entity": "Entities (κ on tokens)", "claim": "Claims (κ on sentences)"}
COLUMNS = ("pair", "documents", "spans A", "spans B", "F1 exact", "F1 overlap", "κ",
           "claimant")


class AgreementThread(QThread):
    """Computes the agreement of both layers in its own read-only connection;
    ``computed(results)`` (layer -> :class:`Agreement`) or ``failed(message)``."""

    computed = Signal(object)
    failed = Signal(str)

    def __init__(self, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = path

    def run(self) -> None:
        try:
            with Store(self.path, readonly=True) as store:
                results = {layer: agreement(store, layer) for layer in LAYERS}
        except Exception as exc:  # shown in the dialog, never lost in the thread
            self.failed.emit(f"Agreement could not be computed: {exc}")
            return
        self.computed.emit(results)


class StatisticsDialog(QDialog):
    """Progress by status and the agreement heat map; ``computed`` once the agreement
    figures are in (tests wait for it), ``figures_computed`` once the suggestion quality
    and the learning curve are."""

    computed = Signal()
    figures_computed = Signal()
    PAGES = ("agreement", "quality", "acceptance", "learning")

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Statistics — {store.path.name}")
        self.path = store.path
        self.results: dict[str, Agreement] = {}
        self.summary = plain_label(progress_text(store))  # names and file names: plain
        self.summary.setWordWrap(True)
        self.layer = QComboBox()
        for key, text in LAYERS.items():
            self.layer.addItem(text, key)
        self.measure = QComboBox()
        self.label = QComboBox()
        for combo in (self.layer, self.measure, self.label):
            combo.activated.connect(self._on_choice_activated)
        self.heatmap = HeatMap()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.alpha = plain_label("Computing agreement…")
        controls = QHBoxLayout()
        for text, combo in (("Layer", self.layer), ("Figure", self.measure),
                            ("Label", self.label)):
            controls.addWidget(QLabel(text))
            controls.addWidget(combo)
        controls.addStretch(1)
        agreement_page = QWidget()
        layout = QVBoxLayout(agreement_page)
        layout.addWidget(self.summary)
        layout.addLayout(controls)
        layout.addWidget(self.heatmap, 3)
        layout.addWidget(self.alpha)
        layout.addWidget(self.table, 2)
        self.quality = QualityPage()
        self.quality.model_chosen.connect(self._on_quality_model_chosen)
        self.acceptance = AcceptancePage()
        self.learning = LearningPage()
        self.tabs = QTabWidget()
        for page, text in ((agreement_page, "&Agreement"), (self.quality, "&Quality"),
                           (self.acceptance, "A&cceptance"), (self.learning, "&Learning curve")):
            self.tabs.addTab(page, text)
        QVBoxLayout(self).addWidget(self.tabs)
        resize_within_screen(self, 960, 760)
        self._fill_measures()
        self.figures: QualityFigures | None = None
        self._figure_threads: list[CallThread] = []
        self.compute_figures()
        self.thread_ = AgreementThread(store.path, self)
        self.thread_.computed.connect(self._on_thread_computed)
        self.thread_.failed.connect(self._on_thread_failed)
        self.thread_.start()

    def show_page(self, name: str) -> None:
        """One of :data:`PAGES`."""
        self.tabs.setCurrentIndex(self.PAGES.index(name))

    # -- suggestion quality and the learning curve

    def compute_figures(self, model: str | None = None) -> None:
        """Evaluate the suggestions (of ``model``, else every model's) in a worker."""
        thread = CallThread(self.path, lambda store: compute_figures(store, model), True, self)
        thread.returned.connect(self._on_figures_returned)
        thread.failed.connect(self._on_figures_failed)
        self._figure_threads.append(thread)
        thread.start()

    def _on_quality_model_chosen(self, model: str | None) -> None:
        self.compute_figures(model)

    def _on_figures_returned(self, figures: QualityFigures) -> None:
        if figures.model != self.quality.model.currentData():
            return  # another model was chosen since
        self.figures = figures
        self.quality.set_figures(figures)
        self.acceptance.set_figures(figures)
        self.learning.set_figures(figures)
        self.figures_computed.emit()

    def _on_figures_failed(self, message: str) -> None:
        self.quality.summary.setText(f"The figures could not be computed: {message}")
        self.figures_computed.emit()

    # -- what the thread reports

    def _on_thread_computed(self, results: dict[str, Agreement]) -> None:
        self.results = results
        self._fill_labels()
        self.show_figures()
        self.computed.emit()

    def _on_thread_failed(self, message: str) -> None:
        self.alpha.setText(message)
        self.computed.emit()

    def _on_choice_activated(self, _index: int) -> None:
        if self.sender() is self.layer:
            self._fill_measures()
            self._fill_labels()
        self.show_figures()

    # -- the figures

    def _fill_measures(self) -> None:
        current = self.measure.currentData() or "kappa"
        self.measure.clear()
        for key, text in MEASURES.items():
            if key != "claimant" or self.layer.currentData() == "claim":
                self.measure.addItem(text, key)
        self.measure.setCurrentIndex(max(self.measure.findData(current), 0))

    def _fill_labels(self) -> None:
        result = self.results.get(self.layer.currentData())
        self.label.clear()
        self.label.addItem("all labels", ALL)
        for name in result.labels if result else []:
            self.label.addItem(name, name)

    def choose(self, layer: str, measure: str, label: str = ALL) -> None:
        """Show one layer, figure and label (as the combo boxes do)."""
        self.layer.setCurrentIndex(self.layer.findData(layer))
        self._fill_measures()
        self._fill_labels()
        self.measure.setCurrentIndex(self.measure.findData(measure))
        self.label.setCurrentIndex(max(self.label.findData(label), 0))
        self.show_figures()

    def show_figures(self) -> None:
        result = self.results.get(self.layer.currentData())
        if result is None:
            return
        measure = self.measure.currentData() or "kappa"
        label = self.label.currentData() or ALL
        if not result.pairs:
            self.heatmap.set_data([], [], [], title="No documents shared by two annotators")
            self.alpha.setText("Agreement needs a team project: merge the annotators' "
                               "files with `annotator merge`.")
            self.table.setRowCount(0)
            return
        grid = result.matrix(measure, label)
        values = [v for row in grid for v in row if v is not None]
        low = -1.0 if values and min(values) < 0 else 0.0
        self.heatmap.set_data(result.annotators, result.annotators, grid, low=low,
                              title=f"{MEASURES[measure]} — {label}", diagonal="—")
        data = result.as_dict(label)
        self.alpha.setText(
            f"Krippendorff's α across all annotators ({label}): "
            f"{format_value(data['alpha'][label], 3)} · {data['documents']} shared "
            f"documents, {data['unit_count']} {data['units']}")
        self._fill_table(data, label)

    def _fill_table(self, data: dict[str, Any], label: str) -> None:
        self.table.setRowCount(len(data["pairs"]))
        for row, pair in enumerate(data["pairs"]):
            f = pair["labels"][label]
            claimant = pair.get("claimant", {}).get("agreement") if label == ALL else None
            cells = (f"{pair['a']} / {pair['b']}", str(pair["documents"]), str(f["a_spans"]),
                     str(f["b_spans"]), format_value(f["f1_exact"], 3),
                     format_value(f["f1_overlap"], 3), format_value(f["kappa"], 3),
                     format_value(claimant, 3) if data["layer"] == "claim" else "")
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.setColumnHidden(len(COLUMNS) - 1, data["layer"] != "claim")
        self.table.resizeColumnsToContents()

    def wait(self) -> None:
        """Until every worker has ended."""
        self.thread_.wait()
        for thread in self._figure_threads:
            thread.wait()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.wait()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self.wait()
        super().done(result)


def progress_text(store: Store) -> str:
    """Documents by status and, in a team project, its annotators and review."""
    stats = store.stats()["documents"]
    text = f"{stats['total']} documents: " + ", ".join(
        f"{n} {status.replace('_', ' ')}" for status, n in stats["by_status"].items())
    sets = store.annotation_sets()
    if sets:
        done = ", ".join(f"{s['name']} {len(store.set_documents(s['name']))}" for s in sets)
        shared = len(store.review_document_ids(reviewed=True))
        waiting = len(store.review_document_ids())
        text += (f". Annotators' documents done: {done}. Shared by two or more: {shared}, "
                 f"{shared - waiting} reviewed, {waiting} to review.")
    return text
