"""Issue 25, the window's document-label bar: its keys (Ctrl+D then a label's key; Tab,
the arrows, Space, A and X in the bar), replace and toggle, undo and redo, the required
category's question at D, other writers, and the fit at 1024x700 with 3 categories of
6 labels. Each test checks the database as well as the widgets."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from annotator.gui.cheatsheet import CheatSheet
from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from annotator.model import Label, LabelCategory
from annotator.store import Store

from .test_keyboard import CTRL, SHIFT, key

pytestmark = pytest.mark.gui

#: Three categories of six labels (name, exclusive, labels with their keys): the
#: shipped ones, and three more in each exclusive one.
SCHEME = [("topic", False, [("politics", "p"), ("economy", "e"), ("conflict", "c"),
                            ("health", "h"), ("crime", "i"), ("sport", "s")]),
          ("stance", True, [("for", "f"), ("against", "a"), ("neutral", "n"),
                            ("unclear", "k"), ("opinion", "o"), ("satire", "t")]),
          ("reliability", True, [("reliable", "r"), ("mixed", "m"), ("unreliable", "u"),
                                 ("unverified", "v"), ("sponsored", "y"),
                                 ("anonymous", "w")])]
COLORS = ["#226699", "#aa5500", "#338833", "#993399", "#777700", "#cc3333"]


def six_by_three(store: Store, required: tuple[str, ...] = ("reliability",)) -> None:
    """The project's document labels as 3 categories of 6 labels; ``required`` ones."""
    scheme = store.label_scheme()
    with store.write():
        for name, exclusive, labels in SCHEME:
            store.put_category(LabelCategory(name, exclusive, name in required, name))
            for i, (label, key_) in enumerate(labels):
                if scheme.get(label) is None:
                    store.put_label(Label(label, "doc", COLORS[i], key_,
                                          f"{label} ({name})", name))
    scheme = store.label_scheme()
    assert [(c.name, len(scheme.doc_labels(c.name))) for c in scheme.categories] == \
        [("topic", 6), ("stance", 6), ("reliability", 6)]


@pytest.fixture
def window(project: Store, open_window: Callable[..., Any]) -> Any:
    six_by_three(project)
    return open_window()


def decided(store: Store, doc_id: int = 1) -> dict[tuple[str, str], str]:
    return {(r.category, r.label): r.decision for r in store.doc_labels(doc_id)}


def doc_key(qtbot: Any, window: Any, letter: str) -> None:
    """Ctrl+D, then a document label's key: what a person types."""
    key(qtbot, window, Qt.Key.Key_D, CTRL)
    assert window.header.doc_bar.hasFocus() and window.header.doc_bar.armed
    key(qtbot, window, getattr(Qt.Key, f"Key_{letter.upper()}"))


def tab_to_bar(qtbot: Any, window: Any) -> Any:
    window.article.setFocus()
    key(qtbot, window, Qt.Key.Key_Tab)
    bar = window.header.doc_bar
    assert bar.hasFocus()
    return bar


def test_doclabel_bar_prefix_keys_replace_and_toggle(qtbot, project, window):
    bar = window.header.doc_bar
    doc_key(qtbot, window, "p")  # topic: multi-label
    assert decided(project) == {("topic", "politics"): "accepted"}
    assert window.article.hasFocus()  # one key, then back to the article
    assert bar.state("topic", "politics") == "accepted"
    doc_key(qtbot, window, "e")  # a second topic: added
    assert decided(project) == {("topic", "politics"): "accepted",
                                ("topic", "economy"): "accepted"}
    doc_key(qtbot, window, "p")  # again: toggled off
    assert decided(project) == {("topic", "economy"): "accepted"}
    assert bar.state("topic", "politics") == ""
    doc_key(qtbot, window, "f")  # stance: exclusive
    doc_key(qtbot, window, "a")  # after the prefix, A is the label "against"
    stance = {k: v for k, v in decided(project).items() if k[0] == "stance"}
    assert stance == {("stance", "against"): "accepted"}  # replaced
    assert bar.state("stance", "for") == "" and bar.state("stance", "against") == "accepted"
    assert window.doc.id == 1 and project.get_document(1).status == "in_progress"
    assert all(s.decision == "pending" for s in project.spans(1))  # no span touched
    key(qtbot, window, Qt.Key.Key_D, CTRL)
    key(qtbot, window, Qt.Key.Key_Q)  # no document label has Q
    assert "No document label has the key 'Q'" in window.article.banner.text()
    assert window.article.hasFocus() and window.doc.id == 1


def test_doclabel_bar_undo_redo_and_the_status_bar(qtbot, project, window):
    doc_key(qtbot, window, "f")
    doc_key(qtbot, window, "n")  # neutral replaces for
    assert decided(project) == {("stance", "neutral"): "accepted"}
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert decided(project) == {("stance", "for"): "accepted"}
    assert window.header.doc_bar.state("stance", "for") == "accepted"
    assert window.statusBar().currentMessage() == "Undone: Choose stance: neutral"
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert decided(project) == {}
    key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert decided(project) == {("stance", "neutral"): "accepted"}
    assert window.statusBar().currentMessage() == "Redone: Choose stance: neutral"
    assert window.header.doc_bar.state("stance", "neutral") == "accepted"
    key(qtbot, window, Qt.Key.Key_N)  # another document: the undo shows this one again
    assert window.doc.id == 2 and window.header.doc_bar.state("stance", "neutral") == ""
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert window.doc.id == 1 and decided(project) == {("stance", "for"): "accepted"}
    assert window.header.doc_bar.state("stance", "for") == "accepted"


def test_doclabel_bar_suggestions_show_scores_and_a_accepts_them_in_the_bar(
        qtbot, project, window):
    with project.write():
        project.put_doc_label_suggestions(1, "test-model", {
            "topic": {"politics": 0.82, "economy": 0.61, "sport": 0.1},
            "stance": {"neutral": 0.74}})
    window.open_document(1)
    bar = window.header.doc_bar
    chip = bar.chips[("topic", "politics")]
    assert chip.text() == "P politics 0.82" and chip.font().italic()  # pending: dashed
    assert "dashed" in bar.styleSheet() and bar.state("topic", "economy") == "pending"
    assert bar.state("topic", "sport") == ""  # under the threshold: not stored
    key(qtbot, window, Qt.Key.Key_A)  # in the article A is the span's
    assert project.spans(1)[0].decision == "accepted"
    assert set(decided(project).values()) == {"pending"}
    tab_to_bar(qtbot, window)
    key(qtbot, window, Qt.Key.Key_A)  # in the bar: its suggestions
    assert decided(project) == {("topic", "politics"): "accepted",
                                ("topic", "economy"): "accepted",
                                ("stance", "neutral"): "accepted"}
    assert not chip.font().italic() and chip.text() == "P politics 0.82"  # filled
    assert sum(s.decision == "pending" for s in project.spans(1)) == 6  # spans untouched
    key(qtbot, window, Qt.Key.Key_Z, CTRL)  # one undo step for the lot
    assert set(decided(project).values()) == {"pending"}


def test_doclabel_bar_arrows_space_and_reject(qtbot, project, window):
    bar = tab_to_bar(qtbot, window)
    focused = window.article.focused_span()
    key(qtbot, window, Qt.Key.Key_Right)
    key(qtbot, window, Qt.Key.Key_Right)
    key(qtbot, window, Qt.Key.Key_Space)  # the third topic
    third = bar.choices[2].label.name
    assert decided(project) == {("topic", third): "accepted"}
    key(qtbot, window, Qt.Key.Key_Down)  # stance, at the same place
    assert bar.current().category.name == "stance" and bar.current() == bar.choices[8]
    key(qtbot, window, Qt.Key.Key_Return)
    assert decided(project)[("stance", bar.choices[8].label.name)] == "accepted"
    key(qtbot, window, Qt.Key.Key_X)  # rejects the label under the cursor
    assert decided(project)[("stance", bar.choices[8].label.name)] == "rejected"
    assert bar.chips[("stance", bar.choices[8].label.name)].font().strikeOut()
    key(qtbot, window, Qt.Key.Key_E)  # a label key, straight in the bar
    assert decided(project)[("topic", "economy")] == "accepted"
    assert bar.hasFocus()  # the bar keeps the focus (not armed)
    assert window.article.focused_span() is focused  # arrows moved no span focus
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.article.hasFocus()
    chip = bar.chips[("reliability", "mixed")]  # the mouse works too
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert decided(project)[("reliability", "mixed")] == "accepted"


def answer_next_question(qtbot: Any, letter: Qt.Key) -> list[str]:
    """Presses ``letter`` in the next question box (a mnemonic: D done, G go back);
    returns the texts of the boxes seen."""
    seen: list[str] = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            qtbot.keyClick(box, letter)

    QTimer.singleShot(0, press)
    return seen


def test_doclabel_bar_required_category_asks_once(qtbot, project, open_window):
    six_by_three(project, required=("stance", "reliability"))
    window = open_window()
    doc_key(qtbot, window, "p")
    with project.write():  # a suggestion is not a choice: it is named in the question
        project.put_doc_label_suggestions(1, "test-model", {"reliability": {"mixed": 0.61}})
    window.doc_labels.refresh()
    seen = answer_next_question(qtbot, Qt.Key.Key_G)  # go back
    key(qtbot, window, Qt.Key.Key_D)
    assert len(seen) == 1  # one question for both categories
    assert "stance (one, required)" in seen[0] and "reliability" in seen[0]
    assert "suggested, not accepted: mixed 0.61" in seen[0]
    assert project.get_document(1).status == "in_progress" and window.doc.id == 1
    bar = window.header.doc_bar
    qtbot.waitUntil(bar.hasFocus, timeout=2000)
    assert bar.current().category.name == "stance"
    seen = answer_next_question(qtbot, Qt.Key.Key_D)  # D again: done anyway
    key(qtbot, window, Qt.Key.Key_D)
    assert len(seen) == 1 and project.get_document(1).status == "done"
    assert window.doc.id == 2
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)  # the box gave it back
    doc_key(qtbot, window, "f")
    doc_key(qtbot, window, "r")
    seen = answer_next_question(qtbot, Qt.Key.Key_G)
    key(qtbot, window, Qt.Key.Key_D)  # nothing missing: no question
    QApplication.processEvents()
    assert seen == [] and project.get_document(2).status == "done"


def test_doclabel_bar_follows_the_document_and_other_writers(qtbot, project, window,
                                                           db_path):
    doc_key(qtbot, window, "p")
    bar = window.header.doc_bar
    window.open_document(2)
    assert bar.state("topic", "politics") == ""
    other = Store(db_path)  # another process (the CLI, a teammate's merge)
    try:
        with other.write():
            other.put_doc_label_suggestions(2, "cli-model", {"topic": {"health": 0.9}})
    finally:
        other.close()
    qtbot.waitUntil(lambda: bar.state("topic", "health") == "pending", timeout=5000)
    assert bar.chips[("topic", "health")].text() == "H health 0.90"
    window.open_document(1)
    assert bar.state("topic", "politics") == "accepted"


def test_doclabel_bar_keys_are_in_the_legend_and_cheat_sheet(qtbot, project, window):
    assert "Ctrl+D" in window.header.legend.doc_hint.text()
    assert window.header.legend.doc_hint.isVisible()
    assert "politics" not in window.header.legend.chips  # the bar shows it, not the legend
    names = {spec.name for spec in window.action_table.specs}
    assert "doc_label" in names and "label_politics" not in names
    key(qtbot, window, Qt.Key.Key_F1)
    sheet = window.cheat_sheet
    qtbot.waitExposed(sheet)
    texts = [w.text() for w in sheet.findChildren(QWidget) if hasattr(w, "text")]
    assert "topic: P politics, E economy, C conflict,\nH health, I crime, S sport" in texts
    assert "Ctrl+D, then" in texts
    assert isinstance(sheet, CheatSheet)
    sheet.close()


def inside(widget: QWidget, window: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_doclabel_bar_fits_with_3_categories_of_6(qtbot, project, window, size):
    with project.write():
        project.put_doc_label_suggestions(1, "test-model", {
            "topic": {"politics": 0.82, "conflict": 0.67},
            "reliability": {"unverified": 0.55}})
    window.resize(*size)
    window.open_document(1)
    doc_key(qtbot, window, "e")
    tab_to_bar(qtbot, window)
    for _ in range(6):
        QApplication.processEvents()
    assert (window.width(), window.height()) == size
    bar = window.header.doc_bar
    assert len(bar.chips) == 18 and inside(bar, window)
    for name, chip in bar.chips.items():  # every choice whole, inside the window
        assert chip.isVisible() and inside(chip, window), name
        assert chip.width() >= chip.sizeHint().width(), name
        assert chip.geometry().right() <= chip.parentWidget().width(), name
    for title in bar.titles:
        assert title.isVisible() and inside(title, window)
    legend = window.header.legend
    for chip in [*legend.chips.values(), legend.hint, legend.doc_hint]:
        assert chip.isVisible() and inside(chip, window)
        assert chip.geometry().right() <= legend.width()
    article = window.article
    assert inside(article, window) and article.height() >= 8 * article.fontMetrics().height()
    if os.environ.get("DOCLABEL_PNG"):
        window.grab().save(os.environ["DOCLABEL_PNG"].replace(".png", f"-{size[0]}.png"))


def test_doclabel_bar_follows_the_label_scheme(qtbot, project, window):
    bar = window.header.doc_bar
    with project.write():  # what Project > Labels or `annotator labels add` does
        project.put_label(Label("science", "doc", "#3377aa", "g", "Science", "topic"))
    window.scheme_work.apply_scheme()
    assert bar.chips[("topic", "science")].text() == "G science"
    QApplication.processEvents()
    assert bar.chips[("topic", "science")].isVisible() and len(bar.chips) == 19
    doc_key(qtbot, window, "g")
    assert decided(project) == {("topic", "science"): "accepted"}


def test_doclabel_bar_read_only_project_changes_nothing(qtbot, project, open_window):
    six_by_three(project)
    window = open_window(readonly=True)
    assert not window.action_table["doc_label"].isEnabled()
    bar = tab_to_bar(qtbot, window)
    key(qtbot, window, Qt.Key.Key_Space)
    key(qtbot, window, Qt.Key.Key_P)
    assert "reading only" in window.article.banner.text()
    assert decided(project) == {} and bar.state("topic", "politics") == ""


def test_doclabel_bar_is_hidden_without_document_labels(qtbot, project, open_window):
    with project.write():
        scheme = project.label_scheme()
        for label in scheme.doc_labels():
            project.delete_label(label.name)
        for category in scheme.categories:
            project.delete_category(category.name)
    window = open_window()
    bar = window.header.doc_bar
    assert not bar.isVisible() and not window.header.legend.doc_hint.isVisible()
    key(qtbot, window, Qt.Key.Key_Tab)
    assert not bar.hasFocus()
    window.article.setFocus()
    key(qtbot, window, Qt.Key.Key_D, CTRL)
    assert "no document labels" in window.article.banner.text()
    assert window.article.hasFocus()
