"""The Statistics view's model pages: how good the suggestions are, per label, as
``annotator evaluate`` reports it (:func:`annotator.evaluate.evaluate_project`: P/R/F1
exact and overlap, claimant accuracy, acceptance by score bucket, the most-rejected
cues); the acceptance rate per label; and the learning curve, held-out F1 per layer
against the done documents each trained model learnt from (one point per training run,
from the models' ``meta.json``). The figures are computed in a worker
(:func:`compute_figures`), never in the GUI thread: on a project of 10,000 done
documents ``evaluate_project`` reads every span and event of each."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from annotator.evaluate import Evaluation, evaluate_project
from annotator.store import Store

from .charts import SERIES_COLORS, BarChart, LineChart, Series
from .panels import plain_label
from .plotting import format_value

ALL = "(all)"
LAYER_NAMES = {"entity": "Entities", "claim": "Claims"}
QUALITY_COLUMNS = ("label", "gold", "suggested", "exact P", "R", "F1", "overlap P", "R",
                   "F1")


@dataclass
class QualityFigures:
    """What the model pages show: the evaluation (of ``model``'s suggestions, or every
    model's), the learning curve's points, the label colours."""

    evaluation: Evaluation
    model: str | None = None
    curve: list[dict[str, Any]] = field(default_factory=list)
    colors: dict[str, str] = field(default_factory=dict)


def learning_points(db_path: Path) -> list[dict[str, Any]]:
    """The learning curve of the project: one point per trained model, oldest first."""
    try:
        from annotator.train.loop import learning_curve
    except ImportError:  # the training core is not in this build
        return []
    return learning_curve(db_path)


def compute_figures(store: Store, model: str | None = None) -> QualityFigures:
    """Every figure of the model pages (run it in a worker)."""
    return QualityFigures(evaluate_project(store, "all", model), model,
                          learning_points(store.path),
                          {x.name: x.color for x in store.label_scheme().labels})


def fill_table(table: QTableWidget, rows: list[tuple[str, ...]], words: int = 1) -> None:
    """Rows of text; the columns after the first ``words`` right-aligned (numbers). The
    table is made wide enough to show every column."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c >= words:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    table.setMinimumWidth(sum(header.sectionSize(c) for c in range(table.columnCount()))
                          + 2 * table.frameWidth() + 4)


def make_table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    return table


def scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless area that scrolls vertically when it is taller."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return area


def labelled(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


class QualityPage(QWidget):
    """Suggestion quality of one layer: F1 per label (bars: exact, overlap) and the
    table ``annotator evaluate`` prints; claimant accuracy (claims); acceptance by score
    bucket (bars); the most-rejected cues. ``model_chosen(model)``: another model's
    suggestions were asked for (None: every model's)."""

    model_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.figures: QualityFigures | None = None
        self.layer = QComboBox()
        for key, text in LAYER_NAMES.items():
            self.layer.addItem(text, key)
        self.model = QComboBox()
        self.model.addItem("every model", None)
        self.layer.activated.connect(self._on_layer_activated)
        self.model.activated.connect(self._on_model_activated)
        self.summary = plain_label("Computing…")
        self.summary.setWordWrap(True)
        self.f1_chart = BarChart()
        self.table = make_table(QUALITY_COLUMNS)
        self.claimant = plain_label()
        self.buckets = BarChart()
        self.cues = make_table(("cue", "rejected", "suggested", "rate"))
        controls = QHBoxLayout()
        for text, combo in (("La&yer", self.layer), ("Mo&del", self.model)):
            controls.addWidget(labelled(text, combo))
            controls.addWidget(combo)
        controls.addStretch(1)
        grid = QGridLayout(self)
        grid.addLayout(controls, 0, 0, 1, 2)
        grid.addWidget(self.summary, 1, 0, 1, 2)
        grid.addWidget(scrolled(self.f1_chart), 2, 0)  # many labels: it scrolls
        grid.addWidget(self.table, 2, 1)
        grid.addWidget(self.claimant, 3, 0, 1, 2)
        grid.addWidget(self.buckets, 4, 0)
        grid.addWidget(self.cues, 4, 1)
        grid.setRowStretch(2, 3)
        grid.setRowStretch(4, 2)

    def _on_layer_activated(self, _index: int) -> None:
        self.show_figures()

    def _on_model_activated(self, _index: int) -> None:
        self.summary.setText("Computing…")
        self.model_chosen.emit(self.model.currentData())

    def set_figures(self, figures: QualityFigures) -> None:
        self.figures = figures
        if figures.model is None:  # the models to choose from: those every model made
            self.model.clear()
            self.model.addItem("every model", None)
            for name in figures.evaluation.models:
                self.model.addItem(name, name)
        self.show_figures()

    def choose(self, layer: str) -> None:
        self.layer.setCurrentIndex(self.layer.findData(layer))
        self.show_figures()

    def show_figures(self) -> None:
        if self.figures is None:
            return
        ev = self.figures.evaluation
        layer = self.layer.currentData()
        rows = [r for r in ev.labels if r.layer == layer]
        models = ", ".join(ev.models) or "none yet"
        self.summary.setText(f"Suggestions against the decisions on {ev.documents} done "
                             f"document(s); models: {models}. "
                             + " ".join(f"Note: {n}." for n in ev.notes))
        names = [r.label for r in rows]
        colors = self.figures.colors
        self.f1_chart.set_data(
            names, [Series("F1 exact", SERIES_COLORS[0], [r.exact.f1 for r in rows]),
                    Series("F1 overlap", SERIES_COLORS[2], [r.overlap.f1 for r in rows])],
            title=f"{LAYER_NAMES[layer]}: F1 per label", category_colors=[
                colors.get(n) for n in names], empty="No done document with suggestions "
                                                      "of this layer yet")
        fill_table(self.table, [(r.label, str(r.exact.gold), str(r.exact.predicted),
                                 *(f"{v:.2f}" for v in (
                                     r.exact.precision, r.exact.recall, r.exact.f1,
                                     r.overlap.precision, r.overlap.recall, r.overlap.f1)))
                                for r in rows])
        c = ev.claimant
        self.claimant.setVisible(layer == "claim")
        self.claimant.setText(
            f"Claimant accuracy: {c.accuracy:.2f} ({c.correct} of {c.matched} suggested "
            f"claims; {c.with_claimant - c.matched} claim(s) with a claimant had no "
            "suggestion)" if c is not None and c.with_claimant else
            "Claimant accuracy: no accepted claim with a claimant yet")
        buckets = [b for b in ev.buckets if b.layer == layer]
        self.buckets.set_data(
            ["no score" if b.low is None else f"{b.low:.1f}–{b.high:.1f}" for b in buckets],
            [Series("accepted", SERIES_COLORS[1], [b.rate for b in buckets],
                    notes=[f"{b.accepted} of {b.suggested} ({b.rate:.0%})" for b in buckets])],
            title="Accepted, by score", empty="No suggestions of this layer in done documents")
        fill_table(self.cues, [(c.cue, str(c.rejected), str(c.suggested), f"{c.rate:.0%}")
                               for c in ev.cues if c.layer == layer])


class AcceptancePage(QWidget):
    """The acceptance rate of each label's suggestions (both layers), as bars in the
    label's colour and as a table."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.chart = BarChart()
        self.table = make_table(("layer", "label", "suggested", "accepted", "rate"))
        grid = QGridLayout(self)
        grid.addWidget(self.chart, 0, 0)
        grid.addWidget(self.table, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)

    def set_figures(self, figures: QualityFigures) -> None:
        rows = figures.evaluation.acceptance
        names = [f"{LAYER_NAMES[a.layer].lower()}, all" if a.label == ALL else a.label
                 for a in rows]
        self.chart.set_data(
            names, [Series("accepted", SERIES_COLORS[0], [a.rate for a in rows],
                           notes=[f"{a.accepted} of {a.suggested} ({a.rate:.0%})"
                                  for a in rows])],
            title="Suggestions accepted, per label (done documents)",
            category_colors=[figures.colors.get(a.label) for a in rows],
            empty="No suggestion in a done document yet")
        fill_table(self.table, [(a.layer, a.label, str(a.suggested), str(a.accepted),
                                 f"{a.rate:.2f}") for a in rows], words=2)


class LearningPage(QWidget):
    """The learning curve: held-out F1 of each layer against the done documents of each
    training run, and the runs in a table."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.chart = LineChart()
        self.table = make_table(("model", "trained", "done documents", "entity F1",
                                 "claim F1"))
        grid = QGridLayout(self)
        grid.addWidget(self.chart, 0, 0)
        grid.addWidget(self.table, 1, 0)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 1)

    def set_figures(self, figures: QualityFigures) -> None:
        points = [p for p in figures.curve if p.get("done_documents") is not None]
        series = []
        for layer, name, color in (("entity", "entities: exact F1, all labels",
                                    SERIES_COLORS[0]),
                                   ("claim", "claims: check-worthy F1", SERIES_COLORS[1])):
            mine = [(float(p["done_documents"]), float(p[layer])) for p in points
                    if p.get(layer) is not None]
            if mine:
                series.append(Series(name, color, points=mine))
        self.chart.set_data(series, title="Learning curve: held-out F1 per training run",
                            x_label="documents done when trained", y_label="held-out F1",
                            empty="No trained model yet: Project ▸ Train (Ctrl+Shift+T)")
        fill_table(self.table, words=2, rows=[(str(p["model"]), str(p.get("created", ""))[:19],
                                 str(p.get("done_documents", "–")),
                                 format_value(p.get("entity"), 3),
                                 format_value(p.get("claim"), 3)) for p in figures.curve])
