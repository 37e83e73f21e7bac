"""Undo and redo say what they undid or redid in the status bar (issue 26 §4)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .test_keyboard import CTRL, SHIFT, key


def test_undo_and_redo_say_what_they_did(project, open_window, qtbot):
    window = open_window()
    span = window.article.focused_span()
    assert span is not None
    key(qtbot, window, Qt.Key.Key_A)
    assert window.store.get_span(span.id).decision == "accepted"
    assert not window.statusBar().currentMessage().startswith(("Undone", "Redone"))
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert window.store.get_span(span.id).decision == "pending"
    assert window.statusBar().currentMessage() == "Undone: Accept span"
    key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert window.store.get_span(span.id).decision == "accepted"
    assert window.statusBar().currentMessage() == "Redone: Accept span"
