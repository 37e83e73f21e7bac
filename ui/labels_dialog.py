"""Project ▸ Labels: the project's label scheme, edited as ``annotator labels`` edits it
(the labels with their use counts; add, remove with relabel-to, rename, key, colour and
description; the model label map; TOML import and export), through
:mod:`annotator.labels`. Each change is one transaction with its logged event, made in
a worker thread with its own connection (a rename rewrites every span of the label); a
refusal (:class:`~annotator.labels.LabelError`) is shown in the dialog in its own words,
and nothing was changed. Scheme changes are not on the undo stack (Ctrl+Z undoes span
decisions); the dialog says so.

Keys: ↑/↓ (Home/End: the first/last) choose a label (the form below shows it), Return
or F2 edit it in the form, Ctrl+N a new label, Return in the form saves (adds a new
one), Del removes the chosen label (its spans relabelled to the label chosen beside
Remove), Ctrl+M the model label map, Ctrl+I / Ctrl+E import / export TOML, Esc closes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.editing.label_changes import (
    SchemeRows,
    export_labels,
    import_labels,
    map_label,
    read_scheme,
    remove_label,
    save_label,
)
from annotator.model import LAYERS, Label, LabelScheme, as_layer
from annotator.store import Store

from .dialogs import WorkerDialog
from .export_dialog import refusal
from .panels import plain_label, resize_within_screen

COLUMNS = ("Name", "Layer", "Key", "Colour", "Spans", "Mapped from", "Description")
NOT_UNDOABLE = ("Changes are saved at once and logged; they are not undoable with "
                "Ctrl+Z, which undoes span decisions only.")


class LabelsDialog(WorkerDialog):
    """The label scheme of the project at ``db_path``. ``loaded()``: the table shows the
    stored scheme; ``changed(message)``: a change was committed (the window redraws its
    legend, keys and menus); ``failed(message)``: a change was refused, and why."""

    loaded = Signal()
    changed = Signal(str)
    failed = Signal(str)

    def __init__(self, db_path: Path, annotator: str, readonly: bool = False,
                 parent: QWidget | None = None):
        super().__init__(db_path, parent)
        self.setWindowTitle(f"Labels — {db_path.name}")
        self.annotator = annotator
        self.readonly = readonly
        self.rows = SchemeRows(LabelScheme([]), {}, {})
        self.editing: str | None = None  # the label the form shows (None: a new one)
        self._select: str | None = None
        self._sized = False  # the columns were fitted to the contents once
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.currentCellChanged.connect(self._on_table_current_cell_changed)
        self.table.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self._build_form())
        layout.addWidget(self._build_map())
        files = QHBoxLayout()
        self.import_button = self._button("&Import TOML…", self.ask_import)
        self.export_button = self._button("E&xport TOML…", self.ask_export)
        close = self._button("Close", self.reject)
        for button in (self.import_button, self.export_button):
            files.addWidget(button)
        files.addStretch(1)
        files.addWidget(close)
        layout.addLayout(files)
        note = plain_label(NOT_UNDOABLE)
        note.setWordWrap(True)
        note.setEnabled(False)  # drawn greyed: a note, not a message
        layout.addWidget(self.message)
        layout.addWidget(note)
        for keys, slot in ((QKeySequence.StandardKey.New, self.new_label),
                           ("Ctrl+M", self.model_label.setFocus),
                           ("Ctrl+I", self.ask_import), ("Ctrl+E", self.ask_export)):
            QShortcut(QKeySequence(keys), self).activated.connect(slot)
        for widget in self._writing_widgets():
            widget.setEnabled(not readonly)
        if readonly:
            self.say("The project is read-only: the labels can be read and exported.")
        resize_within_screen(self, 860, 600)
        self.reload()

    def _button(self, text: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(False)  # Return belongs to the form's fields
        button.clicked.connect(slot)
        return button

    def _build_form(self) -> QGroupBox:
        box = QGroupBox("Label (Ctrl+N: a new one; Return saves)")
        grid = QGridLayout(box)
        self.name = QLineEdit()
        self.layer = QComboBox()
        for layer in LAYERS:
            self.layer.addItem(layer, layer)
        self.key = QLineEdit()
        self.key.setMaxLength(1)
        self.key.setFixedWidth(self.fontMetrics().horizontalAdvance("WW") + 16)
        self.color = QLineEdit()
        self.color.setPlaceholderText("#rrggbb (empty: a free colour)")
        self.color_button = self._button("Co&lour…", self._on_color_button_clicked)
        self.description = QLineEdit()
        for edit in (self.name, self.key, self.color, self.description):
            edit.returnPressed.connect(self.save)
        self.new_button = self._button("Ne&w", self.new_label)
        self.save_button = self._button("&Save", self.save)
        self.relabel = QComboBox()
        self.relabel.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.remove_button = self._button("Re&move", self.remove)
        cells: list[tuple[str, QWidget, int, int, int]] = [
            ("&Name", self.name, 0, 0, 1), ("La&yer", self.layer, 0, 2, 1),
            ("&Key", self.key, 0, 4, 1), ("C&olour", self.color, 1, 0, 1),
            ("&Description", self.description, 2, 0, 5)]
        for text, widget, row, column, span in cells:
            label = QLabel(text)
            label.setBuddy(widget)
            grid.addWidget(label, row, column)
            grid.addWidget(widget, row, column + 1, 1, span)
        grid.addWidget(self.color_button, 1, 2)
        actions = QHBoxLayout()
        for widget in (self.new_button, self.save_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        relabel = QLabel("relabel its spans &to")
        relabel.setBuddy(self.relabel)
        for widget in (self.remove_button, relabel, self.relabel):
            actions.addWidget(widget)
        grid.addLayout(actions, 3, 0, 1, 6)
        return box

    def _build_map(self) -> QGroupBox:
        box = QGroupBox("Model labels (Ctrl+M): suggestions labelled so are stored as")
        row = QHBoxLayout(box)
        self.model_label = QLineEdit()
        self.model_label.setPlaceholderText("model label, e.g. GPE")
        self.model_label.returnPressed.connect(self.map_label)
        self.map_target = QComboBox()
        self.map_button = self._button("Ma&p", self.map_label)
        self.unmap_button = self._button("&Unmap", self.unmap_label)
        arrow = QLabel("→ project label")
        arrow.setBuddy(self.map_target)
        for widget in (self.model_label, arrow, self.map_target, self.map_button,
                       self.unmap_button):
            row.addWidget(widget)
        return box

    def _writing_widgets(self) -> list[QWidget]:
        return [self.name, self.layer, self.key, self.color, self.color_button,
                self.description, self.new_button, self.save_button, self.remove_button,
                self.relabel, self.model_label, self.map_target, self.map_button,
                self.unmap_button, self.import_button]

    # -- reading

    def reload(self, select: str | None = None) -> None:
        """Read the scheme, the map and the use counts (in a worker), then show them
        with ``select`` (else the label shown before) chosen."""
        self._select = select if select is not None else self.editing
        self.start(read_scheme, self._on_scheme_read, readonly=True)

    def _on_scheme_read(self, rows: SchemeRows) -> None:
        self.rows = rows
        mapped: dict[str, list[str]] = {}
        for model_label, target in sorted(rows.mapping.items()):
            mapped.setdefault(target, []).append(model_label)
        scheme = rows.scheme
        self.table.blockSignals(True)  # the form follows once, below
        self.table.setRowCount(len(scheme.labels))
        for row, label in enumerate(scheme.labels):
            cells = (label.name, label.layer, label.key.upper(), label.color,
                     f"{rows.counts.get(label.name, 0):,}",
                     ", ".join(mapped.get(label.name, [])), label.description)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setBackground(QColor(label.color))
                    item.setForeground(QColor("#ffffff" if QColor(label.color).lightness()
                                              < 140 else "#111111"))
                if column == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self._fit_columns()
        self.table.blockSignals(False)
        self.map_target.clear()
        for label in scheme.labels:
            self.map_target.addItem(f"{label.name} ({label.layer})", label.name)
        names = [x.name for x in scheme.labels]
        wanted = self._select if self._select in names else (names[0] if names else None)
        if wanted is not None:
            self.table.setCurrentCell(names.index(wanted), 0)
        self._show_label(wanted)
        self.loaded.emit()

    def _fit_columns(self) -> None:
        """Columns sized to their contents when first shown; after that a column only
        widens for a longer entry (they jumped on every add)."""
        if not self._sized:
            self.table.resizeColumnsToContents()
            self._sized = True
            return
        for column in range(self.table.columnCount() - 1):  # the last one stretches
            needed = self.table.sizeHintForColumn(column)
            if needed > self.table.columnWidth(column):
                self.table.setColumnWidth(column, needed)

    def _on_table_current_cell_changed(self, row: int, *_: int) -> None:
        labels_ = self.rows.scheme.labels
        self._show_label(labels_[row].name if 0 <= row < len(labels_) else None)

    def _show_label(self, name: str | None) -> None:
        """Fill the form with label ``name`` (None: empty, for a new label)."""
        label = self.rows.scheme.get(name) if name is not None else None
        self.editing = label.name if label is not None else None
        self.name.setText(label.name if label else "")
        self.layer.setCurrentIndex(max(self.layer.findData(label.layer if label
                                                           else "entity"), 0))
        self.layer.setEnabled(label is None and not self.readonly)  # fixed once made
        self.key.setText(label.key if label else "")
        self.color.setText(label.color if label else "")
        self.description.setText(label.description if label else "")
        self.relabel.clear()
        self.relabel.addItem("(none: refused if used)", None)
        if label is not None:
            for other in self.rows.scheme.for_layer(label.layer):
                if other.name != label.name:
                    self.relabel.addItem(other.name, other.name)
        self.save_button.setText("&Save" if label is not None else "&Add")

    # -- keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.remove()
                return True
            if event.key() in (Qt.Key.Key_Home, Qt.Key.Key_End) and self.table.rowCount():
                # the first or last label (the table's own move is to a column, unseen)
                row = 0 if event.key() == Qt.Key.Key_Home else self.table.rowCount() - 1
                self.table.setCurrentCell(row, 0)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
                self.name.setFocus(Qt.FocusReason.ShortcutFocusReason)
                self.name.selectAll()
                return True
        return False

    # -- changes

    def new_label(self) -> None:
        """Empty the form for a new label and put the caret in its name."""
        self.table.clearSelection()
        self._show_label(None)
        self.name.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def save(self) -> None:
        """Add the form's label (a new one), or rename and update the chosen one."""
        form = Label(self.name.text().strip(), as_layer(self.layer.currentData()),
                     self.color.text().strip(), self.key.text().strip(),
                     self.description.text().strip())
        old, who = self.editing, self.annotator
        self._change(lambda store: save_label(store, old, form, who), select=form.name)

    def remove(self) -> None:
        """Remove the chosen label, its spans relabelled to the label beside Remove (if
        one is chosen; else refused while spans use it)."""
        name = self.editing
        if name is None:
            self.say("Choose a label to remove (↑/↓ in the list).", error=True)
            return
        target = self.relabel.currentData()
        who = self.annotator
        self._change(lambda store: remove_label(store, name, who, target), select="")

    def map_label(self) -> None:
        model_label = self.model_label.text().strip()
        target = self.map_target.currentData()
        if not model_label or target is None:
            self.say("Type the model's label (e.g. GPE) and choose a project label.",
                      error=True)
            return
        who = self.annotator
        self._change(lambda store: map_label(store, model_label, target, who), select=target)

    def unmap_label(self) -> None:
        model_label = self.model_label.text().strip()
        if model_label not in self.rows.mapping:
            self.say(f"{model_label or 'That'} is not a mapped model label (mapped: "
                      f"{', '.join(sorted(self.rows.mapping)) or 'none'}).", error=True)
            return
        who = self.annotator
        self._change(lambda store: map_label(store, model_label, None, who))

    def ask_import(self) -> None:
        if self.readonly:
            return
        path, _ = QFileDialog.getOpenFileName(self, "Import labels", str(self.db_path.parent),
                                              "Label schemes (*.toml);;All files (*)")
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Add the labels of a TOML file that the project lacks (all or none)."""
        who = self.annotator
        self._change(lambda store: import_labels(store, path, who))

    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export labels",
                                              str(self.db_path.parent / "labels.toml"),
                                              "Label schemes (*.toml)")
        if path:
            self.export_file(Path(path))

    def export_file(self, out: Path) -> None:
        """Write the scheme as TOML (never onto the project)."""
        why = refusal(out, self.db_path)
        if why is not None:
            self.say(why, error=True)
            return

        self.start(lambda store: export_labels(store, out), self._on_exported, readonly=True)

    def _on_exported(self, message: str) -> None:
        self.say(message)

    # -- the worker

    def _change(self, call: Callable[[Store], str], select: str | None = None) -> None:
        if self.readonly:
            self.say("The project is read-only: nothing can be changed.", error=True)
            return
        self._select = select
        self.start(call, self._on_changed)

    def _on_changed(self, message: str) -> None:
        self.say(message)
        self.changed.emit(message)
        self.reload(self._select)

    def refused(self, message: str) -> None:
        self.failed.emit(message)

    def _on_color_button_clicked(self) -> None:
        color = QColorDialog.getColor(QColor(self.color.text() or "#1c7ed6"), self,
                                      "Label colour")
        if color.isValid():
            self.color.setText(color.name())
            self.color.setFocus()
