"""Project ▸ Labels (issue 15, section 1, Window): the operations of ``annotator labels``
from the keyboard, refusals shown in the dialog, and the window following the scheme at
once (legend, label keys, the Label menu, the cheat sheet, the picker, the article)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel

from annotator.store import Store

from .conftest import TEXT, settle_tokens

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def key(qtbot: Any, k: Any, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), k, modifier)


def open_labels(qtbot: Any, window: Any) -> Any:
    with qtbot.waitSignal(window.action_table["labels"].triggered):
        window.action_table["labels"].trigger()
    dialog = window.scheme_work.labels_dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=10_000)
    return dialog


def choose(qtbot: Any, dialog: Any, name: str) -> None:
    """↑/↓ in the list until ``name`` is the current label."""
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Home, CTRL)
    for _ in range(dialog.table.rowCount()):
        if dialog.editing == name:
            return
        qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    raise AssertionError(f"{name} not in the list")


def label_menu(window: Any) -> list[str]:
    return [a.text() for a in window.action_table.menus["&Label"].actions()]


def test_labels_dialog_rename_moves_legend_keys_menu_and_spans_at_once(
        qtbot, project, open_window) -> None:
    window = open_window()
    dialog = open_labels(qtbot, window)
    assert dialog.isVisible() and dialog.table.hasFocus()
    row = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())].index("ORG")
    assert dialog.table.item(row, 4).text() == "2"  # use count: two ORG suggestions
    choose(qtbot, dialog, "ORG")
    key(qtbot, Qt.Key.Key_Return)  # into the form, the name selected
    assert dialog.name.hasFocus() and dialog.name.selectedText() == "ORG"
    qtbot.keyClicks(dialog.name, "ORGANISATION")
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        key(qtbot, Qt.Key.Key_Return)
    assert "renamed ORG to ORGANISATION (2 span(s))" in dialog.message.text()
    # the window follows at once: legend, menu, the key, the article's spans
    assert "ORG" not in window.header.legend.chips
    assert window.header.legend.chips["ORGANISATION"].text() == "2 ORGANISATION"
    assert "ORGANISATION" in label_menu(window) and "ORG" not in label_menu(window)
    action = window.action_table["label_ORGANISATION"]
    assert action.shortcuts() == [QKeySequence("2")]
    assert not any(s.name == "label_ORG" for s in window.action_table.specs)
    assert sorted(s.label for s in window.spans if s.layer == "entity").count(
        "ORGANISATION") == 2
    assert window.article.styles.scheme.get("ORGANISATION") is not None
    qtbot.waitUntil(lambda: dialog.table.item(row, 0).text() == "ORGANISATION")
    # the event log has it, and the store's spans
    with Store(window.store.path, readonly=True) as store:
        assert store.count_label_use("ORGANISATION") == 2
        assert any(e["action"] == "label_rename" for e in store.events())
    dialog.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    # the key relabels the focused span with the renamed label
    person = next(s for s in window.spans if s.label == "PERSON")
    window.focus_span(person.id)
    window.article.setFocus()
    qtbot.keyClick(window.article, Qt.Key.Key_2)
    assert window.store.get_span(person.id).label == "ORGANISATION"
    # the cheat sheet lists it
    window.show_cheat_sheet()
    texts = [w.text() for w in window.cheat_sheet.findChildren(QLabel)]
    assert "ORGANISATION" in texts and "ORG" not in texts
    window.cheat_sheet.close()


def test_labels_dialog_remove_is_refused_while_used_with_the_message(
        qtbot, project, open_window) -> None:
    window = open_window()
    dialog = open_labels(qtbot, window)
    choose(qtbot, dialog, "GPE")
    with qtbot.waitSignal(dialog.failed, timeout=10_000) as refused:
        key(qtbot, Qt.Key.Key_Delete)
    assert refused.args[0].startswith("4 span(s) use GPE; relabel them first")
    assert "choose a label in “relabel its spans to”, then Remove" in dialog.message.text()
    assert "GPE" in window.header.legend.chips  # nothing changed
    with Store(window.store.path, readonly=True) as store:
        assert store.label_scheme().get("GPE") is not None
    # relabelled to LOC, then removed: one transaction
    dialog.relabel.setCurrentIndex(dialog.relabel.findData("LOC"))
    dialog.table.setFocus()
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        key(qtbot, Qt.Key.Key_Delete)
    assert dialog.message.text() == "removed GPE; 4 span(s) now LOC"
    assert "GPE" not in window.header.legend.chips and "GPE" not in label_menu(window)
    assert {s.label for s in window.spans if TEXT[s.start:s.end] in ("US", "Syria")} == {"LOC"}
    qtbot.waitUntil(lambda: dialog.table.rowCount() == len(window.scheme.labels))
    dialog.close()


def test_labels_dialog_adds_updates_and_refuses_with_the_reason(
        qtbot, project, open_window) -> None:
    window = open_window()
    dialog = open_labels(qtbot, window)
    key(qtbot, Qt.Key.Key_N, CTRL)  # a new label: the form empties
    assert dialog.name.hasFocus() and dialog.editing is None and dialog.name.text() == ""
    qtbot.keyClicks(dialog.name, "WEAPON")
    dialog.key.setText("a")  # a command's key
    with qtbot.waitSignal(dialog.failed, timeout=10_000) as refused:
        key(qtbot, Qt.Key.Key_Return)
    assert "key 'a' is a command key of the window" in refused.args[0]
    assert dialog.message.text() == refused.args[0] and "WEAPON" not in window.scheme.labels
    dialog.key.setText("q")
    dialog.description.setText("Arms and munitions")
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.description.setFocus()
        key(qtbot, Qt.Key.Key_Return)
    assert window.header.legend.chips["WEAPON"].text() == "Q WEAPON"
    assert window.action_table["label_WEAPON"].shortcuts() == [QKeySequence("Q")]
    # a new colour: the article's format follows
    qtbot.waitUntil(lambda: dialog.editing == "WEAPON")
    dialog.color.setText("#ff0000")
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.color.setFocus()
        key(qtbot, Qt.Key.Key_Return)
    assert dialog.message.text() == "WEAPON: color changed"
    assert window.article.styles.color("WEAPON").name() == "#ff0000"
    key(qtbot, Qt.Key.Key_Escape)  # closes the dialog
    qtbot.waitUntil(lambda: window.scheme_work.labels_dialog is None)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    # the picker offers it
    window.article.setFocus()
    window.article.select_range(TEXT.index("ISIS"), TEXT.index("ISIS") + 4)
    qtbot.keyClick(window.article, Qt.Key.Key_L)
    qtbot.keyClicks(window.article.picker.edit, "weap")
    assert window.article.picker.shown() == ["WEAPON"]
    qtbot.keyClick(window.article.picker.edit, Qt.Key.Key_Escape)
    # its key labels a selection
    window.article.select_range(TEXT.index("attacks"), TEXT.index("attacks") + 7)
    qtbot.keyClick(window.article, Qt.Key.Key_Q)
    settle_tokens(qtbot, window)
    assert any(s.label == "WEAPON" and TEXT[s.start:s.end] == "attacks"
               for s in window.store.spans(1))


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_labels_dialog_maps_model_labels_and_round_trips_toml(
        qtbot, project, open_window, tmp_path: Path) -> None:
    window = open_window()
    dialog = open_labels(qtbot, window)
    key(qtbot, Qt.Key.Key_M, CTRL)
    assert dialog.model_label.hasFocus()
    qtbot.keyClicks(dialog.model_label, "FAC_X")
    dialog.map_target.setCurrentIndex(dialog.map_target.findData("LOC"))
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        key(qtbot, Qt.Key.Key_Return)
    assert window.store.label_map() == {"FAC_X": "LOC"}
    qtbot.waitUntil(lambda: dialog.rows.mapping == {"FAC_X": "LOC"} and not dialog.busy)
    row = [x.name for x in dialog.rows.scheme.labels].index("LOC")
    assert dialog.table.item(row, 5).text() == "FAC_X"
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.unmap_label()
    assert window.store.label_map() == {}
    # export, then import into a project that lacks a label
    qtbot.waitUntil(lambda: not dialog.busy)
    out = tmp_path / "scheme.toml"
    dialog.export_file(out)
    qtbot.waitUntil(lambda: "wrote" in dialog.message.text(), timeout=10_000)
    assert "[[label]]" in out.read_text(encoding="utf-8")
    refused = tmp_path / "project.db"  # the project itself is never written
    dialog.export_file(window.store.path)
    assert "writing there would destroy the project" in dialog.message.text()
    assert refused.exists()
    qtbot.waitUntil(lambda: not dialog.busy)
    qtbot.waitUntil(lambda: not dialog.busy)
    choose(qtbot, dialog, "LAW")
    dialog.relabel.setCurrentIndex(0)
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        key(qtbot, Qt.Key.Key_Delete)
    assert "LAW" not in window.header.legend.chips
    qtbot.waitUntil(lambda: not dialog.busy)
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.import_file(out)
    assert dialog.message.text() == "imported 1 label(s) from scheme.toml: LAW"
    assert "LAW" in window.header.legend.chips
    dialog.close()


def test_labels_dialog_on_a_read_only_project_lists_only(
        qtbot, project, open_window) -> None:
    window = open_window(readonly=True)
    dialog = open_labels(qtbot, window)
    assert not dialog.save_button.isEnabled() and not dialog.remove_button.isEnabled()
    assert not dialog.import_button.isEnabled() and dialog.export_button.isEnabled()
    assert "read-only" in dialog.message.text()
    dialog.close()


def test_labels_dialog_end_and_home_choose_the_last_and_first_label(
        qtbot, project, open_window) -> None:
    """Issue 26 §4: End did nothing (the table moved to its last column, unseen)."""
    window = open_window()
    dialog = open_labels(qtbot, window)
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_End)
    assert dialog.editing == names[-1] and dialog.name.text() == names[-1]
    qtbot.keyClick(dialog.table, Qt.Key.Key_Home)
    assert dialog.editing == names[0]


def test_labels_dialog_columns_stay_put_after_an_add_or_rename(qtbot, project, open_window) -> None:
    """Issue 26 §4: every change fitted the columns to the contents again, and they
    jumped; now they only widen for a longer entry."""
    from annotator.editing.label_changes import save_label
    from annotator.model import Label

    person = project.label_scheme().get("PERSON")
    save_label(project, "PERSON", Label("PERSON_OR_PUBLIC_FIGURE", person.layer,
                                        person.color, person.key), "tester")
    window = open_window()
    dialog = open_labels(qtbot, window)  # the long name in view, at the top
    widths = [dialog.table.columnWidth(c) for c in range(dialog.table.columnCount() - 1)]
    for name, letter in (("ARMS", "q"), ("FLEET", "u")):  # the list scrolls to each
        key(qtbot, Qt.Key.Key_N, CTRL)
        qtbot.keyClicks(dialog.name, name)
        dialog.key.setText(letter)
        with qtbot.waitSignal(dialog.changed, timeout=10_000):
            key(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda name=name: dialog.editing == name, timeout=10_000)
        assert [dialog.table.columnWidth(c) for c in range(len(widths))] == widths
    choose(qtbot, dialog, "PERSON_OR_PUBLIC_FIGURE")  # a shorter name: no column shrinks
    dialog.name.setText("PERSON")
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.name.setFocus()
        key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.editing == "PERSON", timeout=10_000)
    after = [dialog.table.columnWidth(c) for c in range(len(widths))]
    assert after[0] == widths[0] and all(a >= w for a, w in zip(after, widths, strict=True))


def test_go_to_document_shows_its_whole_title(qtbot, project, open_window) -> None:
    """Issue 26 §4: the title was cut ("Go to d…") in a real window manager."""
    from annotator.gui.window_files import TITLE_BUTTONS, document_dialog

    window = open_window()
    dialog = document_dialog(window, 2)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    title = dialog.fontMetrics().horizontalAdvance("Go to document")
    assert dialog.width() >= title + TITLE_BUTTONS
    assert dialog.intValue() == 2
