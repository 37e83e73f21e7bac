"""Issue 13, the screen: the window fits a laptop (1024×700) with nothing clipped, its
side panels fold away and come back where they were, only the current row looks
selected, the span details keep one height, and small things people notice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from annotator.store import Store

from .conftest import TEXT, add_document

pytestmark = pytest.mark.gui


def settle(rounds: int = 6) -> None:
    for _ in range(rounds):  # layouts settle one event at a time
        QApplication.processEvents()


def inside(widget: QWidget, window: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


def test_fit_minimum_size_is_a_laptop_screen(project, open_window):
    window = open_window()
    hint = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert hint.width() <= 1024 and hint.height() <= 700, hint


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_fit_nothing_is_clipped(project, open_window, size):
    window = open_window()
    window.resize(*size)
    claim = next(s for s in project.spans(1) if s.layer == "claim")
    window.focus_span(claim.id)
    settle()
    assert (window.width(), window.height()) == size
    editor = window.claim_editor
    for name, field in editor.fields.items():
        assert inside(field, window), name
        assert field.width() >= field.minimumSizeHint().width(), name
    hedged = editor.hedged
    assert hedged.width() >= hedged.sizeHint().width()  # "may, reportedly, …" whole
    for edit in (editor.claimant.lineEdit(), editor.via):
        room = edit.width() - 8  # the line edit's own margins
        assert edit.fontMetrics().horizontalAdvance(edit.placeholderText()) <= room, \
            edit.placeholderText()
    legend = window.header.legend
    for name, chip in legend.chips.items():  # every label, wrapped, none cut off
        assert chip.isVisible() and inside(chip, window), name
        assert chip.geometry().right() <= legend.width(), name
    for widget in (window.span_panel.details, window.span_panel.tabs, window.article,
                   window.documents.table, window.documents.progress):
        assert inside(widget, window), widget
        assert widget.height() >= widget.minimumSizeHint().height(), widget
    assert inside(window.statusBar(), window)


def test_fit_side_panels_fold_and_are_remembered(qtbot, project, open_window, settings):
    window = open_window()
    window.resize(1024, 700)
    settle()
    wide = window.splitter.sizes()
    qtbot.keyClick(window.article, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    sizes = window.splitter.sizes()
    assert sizes[2] == 0 and sizes[1] > wide[1]
    qtbot.keyClick(window.article, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert window.splitter.sizes()[0] == 0
    qtbot.keyClick(window.article, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert window.splitter.sizes()[2] == wide[2]  # back at its width
    window.close()
    again = open_window()
    again.resize(1024, 700)
    settle()
    assert again.splitter.sizes()[0] == 0 and again.splitter.sizes()[2] == wide[2]


def highlighted_rows(window: Any, view: Any) -> list[int]:
    """Rows drawn in the highlight colour, read from what the window really painted
    (the offscreen backing store), not from a fresh render."""
    image = QApplication.primaryScreen().grabWindow(window.winId()).toImage()
    color = view.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
    rows = []
    for row in range(view.model().rowCount()):
        rect = view.visualRect(view.model().index(row, 0))  # ids are right-aligned:
        point = view.viewport().mapTo(window, QPoint(rect.left() + 2, rect.center().y()))
        pixel = QColor(image.pixel(point.x(), point.y()))
        if sum(abs(a - b) for a, b in zip(pixel.getRgb()[:3], color.getRgb()[:3],
                                          strict=True)) < 60:
            rows.append(row)
    return rows


def test_fit_only_the_current_row_looks_selected(qtbot, db_path, open_window):
    with Store(db_path) as store:
        for i in range(4):
            add_document(store, f"{TEXT} {i}", [("entity", "Rohilat Afrin", "PERSON"),
                                                ("entity", "ISIS", "ORG"),
                                                ("entity", "Syria", "GPE")])
    window = open_window()
    window.resize(1200, 800)
    settle()
    assert highlighted_rows(window, window.documents.table) == [0]
    window.open_document(3)
    settle()
    assert highlighted_rows(window, window.documents.table) == [2]
    entities = window.span_panel.entity_table
    for row in (0, 2, 1):
        window.focus_span(window.span_panel.entity_model.spans[row].id)
        settle()
        assert highlighted_rows(window, entities) == [row]


def test_fit_span_details_keep_one_height(project, open_window):
    """No blank space left in the Focused-span box after a taller state: every line
    is one line, long ones cut with "…" (whole in the tooltip)."""
    window = open_window()
    window.resize(1024, 700)
    details = window.span_panel.details
    heights = []
    for span in (None, *window.spans):
        window.focus_span(None if span is None else span.id)
        settle(3)
        heights.append(details.height())
    assert len(set(heights)) == 1 and heights[0] <= details.sizeHint().height() + 2
    claim = next(s for s in window.spans if s.layer == "claim")
    window.focus_span(claim.id)
    text = details.fields["text"]
    assert text.full_text.startswith(f"{claim.start}–{claim.end} “General Rohilat")
    assert text.text().endswith("…") and text.toolTip()


def test_fit_import_dialog_opens_in_the_last_folder(qtbot, project, open_window, tmp_path,
                                                    monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Kirkuk is a city in Iraq.", encoding="utf-8")
    asked = []

    def fake(parent: Any, caption: str, directory: str, filters: str) -> Any:
        asked.append(directory)
        return ([str(folder / "a.txt")], "") if len(asked) == 1 else ([], "")

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", fake)
    window = open_window()
    with qtbot.waitSignal(window.taskbar.finished, timeout=20_000):
        window.action_table["import"].trigger()
    window.action_table["import"].trigger()
    assert asked == [str(Path.home()), str(folder)]


def test_fit_list_titles_start_after_the_outlet(db_path, open_window):
    from annotator.importers import import_paths

    from ..conftest import SHAFAQ

    with Store(db_path) as store:
        import_paths(store, [SHAFAQ])
    window = open_window()
    model = window.doc_model
    assert model.data(model.index(0, 2)).startswith("The Islamic State(ISIS) is resurging")
    assert window.header.title.text().startswith("The Islamic State(ISIS)")


def test_fit_dark_palette_lifts_label_colours(qtbot, project, open_window):
    """On a dark palette the legend's chips and the article's fills use the lifted
    colours (the screenshots show it: docs/screenshots/main-window-dark.png)."""
    from annotator.gui.colors import is_dark, label_color

    from tools.screenshots import dark_palette

    app = QApplication.instance()
    old = app.palette()
    app.setPalette(dark_palette())
    try:
        window = open_window()
        assert is_dark(window.article.palette())
        chip = window.header.legend.chips["ORG"]
        rule = f"QLabel#{chip.objectName()} {{"
        org = window.scheme.get("ORG")
        assert org is not None
        assert label_color(org.color, dark=True).name() in \
            window.header.legend.styleSheet().split(rule)[1].split("}")[0]
        assert window.article.styles.dark
    finally:
        app.setPalette(old)


def test_fit_folded_panels_are_out_of_the_tab_round_and_keys_unfold_them(
        qtbot, project, open_window):
    window = open_window()
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(window.article, Qt.Key.Key_B, ctrl)  # fold the document list
    assert window.splitter.sizes()[0] == 0
    for _ in range(len(window.focus_order) + 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() not in (window.documents.table,
                                                  window.documents.search_box,
                                                  window.documents.status_filter)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_L, ctrl)  # unfolds, goes there
    assert window.splitter.sizes()[0] > 0 and window.documents.table.hasFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.keyClick(window.article, Qt.Key.Key_J, ctrl)  # fold the side panel
    claim = next(s for s in project.spans(1) if s.layer == "claim")
    window.focus_span(claim.id)
    qtbot.keyClick(window.article, Qt.Key.Key_R)  # a claim field's key unfolds it
    assert window.splitter.sizes()[2] > 0 and window.claim_editor.via.hasFocus()


@pytest.mark.slow
def test_fit_dialogs_open_within_the_screen_and_fit_a_laptop(qtbot, project, open_window):
    """The Statistics view and the Labels dialog open no larger than the screen's room
    (Statistics asked for 760 px of height, more than a 1024x700 laptop has), and can be
    made as small as one."""
    window = open_window()
    window.review.show_statistics()
    window.action_table["labels"].trigger()
    qtbot.waitUntil(lambda: window.scheme_work.labels_dialog is not None, timeout=10_000)
    for dialog in (window.review.statistics, window.scheme_work.labels_dialog):
        room = dialog.screen().availableGeometry()
        assert dialog.width() <= room.width() and dialog.height() <= room.height(), dialog
        hint = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
        assert hint.width() <= 1024 and hint.height() <= 700, (dialog, hint)
        dialog.close()
