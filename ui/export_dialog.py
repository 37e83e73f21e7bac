"""File > Export: the options of ``annotator export`` in one dialog, which never lets
an export overwrite the open project. What the core refuses before writing (an output
among the project's files, an unknown set, nothing to export) is said in the dialog,
in the words of the command line (:func:`annotator.export.check_export`), while the
options can still be changed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.export import (
    FORMATS,
    LAYER_CHOICES,
    ExportError,
    ExportOptions,
    check_export,
    default_output,
)
from annotator.model import AUTO, GOLD, STATUSES
from annotator.paths import clash_refusal, project_clashes

from .panels import plain_label, resize_within_screen

if TYPE_CHECKING:
    from annotator.store import Store

HINTS = {
    "jsonl": "Prodigy superset: text, tokens, spans, claims with attributes",
    "spacy": "a folder: train.spacy, dev.spacy (DocBin) and config.cfg",
    "doccano": "doccano sequence labelling JSONL",
    "labelstudio": "Label Studio tasks JSON and its labelling config",
    "conll": "CoNLL IOB2, entities only",
    "csv": "a table: one row a document, one column per document-label category",
}


def refusal(out: Path, project: Path) -> str | None:
    """Why ``out`` may not be written by an export of ``project``, in the core's words
    (:func:`annotator.paths.clash_refusal`): it is the project file or one of its own
    files, by name, through a symlink (even a dangling one) or as a hard link. None if
    it may. Files are only ``stat``-ed, never opened: closing a descriptor of the
    project would drop this process's SQLite locks on it."""
    clash = project_clashes(project, [out.expanduser()])
    return clash_refusal(project, clash[0]) if clash else None


class ExportDialog(QDialog):
    """Format, output path and the filters: :attr:`fmt`, :attr:`out`, :meth:`options`
    and :attr:`force` (the user agreed to replace the output). ``project``: the open
    project file, which is refused as an output. With the open ``store``, the dialog
    asks the core what it would refuse before it closes (and, in a team project,
    offers whose labels: ``--set``)."""

    def __init__(self, folder: Path, project: Path, parent: QWidget | None = None,
                 store: Store | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.folder = folder
        self.project = project
        self.store = store
        form = QFormLayout(self)
        self.format = QComboBox()
        for fmt in FORMATS:
            self.format.addItem(f"{fmt} — {HINTS[fmt]}", fmt)
        form.addRow("&Format:", self.format)
        self.path = QLineEdit()
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        label = QLabel("&Output:")
        label.setBuddy(self.path)
        form.addRow(label, row)
        self.status = QComboBox()
        for status in ("done", "any", *(s for s in STATUSES if s != "done")):
            self.status.addItem("documents marked done" if status == "done"
                                else "all documents" if status == "any"
                                else f"documents {status.replace('_', ' ')}", status)
        form.addRow("&Documents:", self.status)
        self.layer = QComboBox()
        for layer in LAYER_CHOICES:
            self.layer.addItem({"all": "entities, claims and document labels",
                                "entity": "entities", "claim": "claims",
                                "doc": "document labels"}[layer], layer)
        self.layer.setCurrentIndex(LAYER_CHOICES.index("all"))
        form.addRow("&Spans:", self.layer)
        self.annotation_set = QComboBox(self)
        self.annotation_set.addItem("auto: gold where reviewed, else the one annotator's",
                                    AUTO)
        self.annotation_set.addItem("gold: the reviewed set", GOLD)
        sets = store.annotation_sets() if store is not None else []
        for item in sets:
            self.annotation_set.addItem(f"{item['name']}'s set", item["name"])
        if sets:  # a team project; one person working alone never sees the difference
            form.addRow("&Labels of:", self.annotation_set)
        else:
            self.annotation_set.hide()
        # not ``self.rejected``: that would hide the dialog's own rejected() signal
        self.negatives = QCheckBox("Add rejected suggestions as negative examples")
        form.addRow("", self.negatives)
        self.tokens = QCheckBox("Include tokens (jsonl)")
        self.tokens.setChecked(True)
        form.addRow("", self.tokens)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Export")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.force = False
        self.format.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    @property
    def fmt(self) -> str:
        return str(self.format.currentData())

    def _format_changed(self) -> None:
        self.path.setText(str(self.folder / default_output(self.fmt)))
        self.tokens.setEnabled(self.fmt == "jsonl")

    def _browse(self) -> None:
        if self.fmt == "spacy":
            path = QFileDialog.getExistingDirectory(self, "Export to folder", str(self.folder))
        else:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export to", self.path.text(),
                options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.path.setText(path)

    def _accept(self) -> None:
        out = self.out
        if not self.path.text().strip():
            QMessageBox.warning(self, "Export", "Choose where to write the export.")
            return
        why = self.refusal()
        if why is not None:
            QMessageBox.warning(self, "Export", why)
            return
        if out.exists():
            answer = QMessageBox.question(self, "Export", f"{out} exists. Replace it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
            self.force = True
        self.accept()

    def refusal(self) -> str | None:
        """What the export as chosen would be refused for before writing, in the core's
        words (an existing output is asked about instead); ``None`` if nothing."""
        if self.store is None:
            return refusal(self.out, self.project)
        try:
            check_export(self.store, self.fmt, self.out, self.options(), force=True)
        except ExportError as exc:
            return exc.describe()
        return None

    @property
    def out(self) -> Path:
        return Path(self.path.text().strip()).expanduser()

    def options(self) -> ExportOptions:
        """The options chosen, as :func:`annotator.export.export` takes them."""
        return ExportOptions(status=self.status.currentData(), layer=self.layer.currentData(),
                             include_rejected=self.negatives.isChecked(),
                             tokens=self.tokens.isChecked(),
                             annotation_set=self.annotation_set.currentData())


def report_lines(summary: str) -> list[str]:
    """The lines of an export's summary (:meth:`ExportSummary.summary`), each whole, what
    was skipped and why first."""
    lines = [line.strip() for line in summary.splitlines() if line.strip()]
    skipped = [line for line in lines if line.startswith("skipped ")]
    return [*skipped, *(line for line in lines if not line.startswith("skipped "))]


class ExportReport(QDialog):
    """What an export wrote and what it left out, every line of it, the skipped counts
    and their reasons first: never cut off as the status bar would (its text is
    selectable, wrapped, and scrolls if long). The suggested command (the spaCy
    export's ``spacy train ...``) can be copied."""

    def __init__(self, summary: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export finished")
        self.lines = report_lines(summary)
        skipped = sum(int(line.split()[1].rstrip(":")) for line in self.lines
                      if line.startswith("skipped ") and line.split()[1].rstrip(":").isdigit())
        layout = QVBoxLayout(self)
        self.headline = plain_label(
            f"{skipped:,} span(s) or document(s) left out: the reasons come first."
            if skipped else "Nothing was left out.")
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text.setPlainText("\n".join(self.lines))
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self._on_copy_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        resize_within_screen(self, 760, 360)

    def _on_copy_clicked(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText("\n".join(self.lines))
