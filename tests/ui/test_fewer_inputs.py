"""Issue 26 §3, fewer inputs per span: accept and advance as an option, label every other
occurrence, claim attributes in fewer keys; on the real window offscreen and a real
project file."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from .conftest import settle_tokens

pytestmark = pytest.mark.gui
NO = Qt.KeyboardModifier.NoModifier
ALT = Qt.KeyboardModifier.AltModifier


def key(qtbot: Any, window: Any, k: Any, modifier: Any = NO) -> None:
    target = QApplication.focusWidget() or window.article
    qtbot.keyClick(target, k, modifier)
    settle_tokens(qtbot, window)


def test_accept_and_advance_is_an_option_remembered_in_settings(qtbot, project, settings,
                                                               open_window):
    window = open_window()
    action = window.action_table["accept_and_advance"]
    assert action.isChecked()  # on by default: A moves on
    first = window.spans[0]
    window.focus_span(first.id)
    key(qtbot, window, Qt.Key.Key_A)
    assert window.article.focused_span().id != first.id
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.article.focused_span().id == first.id  # undo brings the focus back

    action.trigger()  # off: A and X leave the focus on the decided span
    assert str(settings.value("accept_and_advance")) == "false"
    key(qtbot, window, Qt.Key.Key_A)
    assert project.get_span(first.id).decision == "accepted"
    assert window.article.focused_span().id == first.id
    second = window.spans[1]
    window.focus_span(second.id)
    key(qtbot, window, Qt.Key.Key_X)
    assert project.get_span(second.id).decision == "rejected"
    window.close()

    again = open_window()  # the next window remembers it
    assert not again.action_table["accept_and_advance"].isChecked()
    assert not again.decisions.advance
    assert isinstance(settings, QSettings)
