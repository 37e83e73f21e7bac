"""The undo commands report through CommandSignals; the action table is the one source
of menus, keys and the cheat sheet; the window's live Qt models stay valid while
decisions change them."""

from __future__ import annotations

from typing import Any

import pytest
from annotator.gui.actions import ACTIONS
from annotator.gui.cheatsheet import key_text
from annotator.gui.commands import AcceptSpanCommand, CommandSignals, RejectSpanCommand
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import QLabel

from annotator.session import Session, SessionError
from annotator.store import Store

from .conftest import TEXT, find, settle_tokens

pytestmark = pytest.mark.gui


def test_commands_emit_changed_and_refused(qtbot: Any, project: Store) -> None:
    session = Session(project, "tester")
    signals = CommandSignals()
    stack = QUndoStack()
    [person] = [s for s in project.spans(1) if s.label == "PERSON"]
    with qtbot.waitSignal(signals.changed) as changed:
        stack.push(AcceptSpanCommand(session, signals, person.id))
    change, verb = changed.args
    assert verb == "redo" and change.after[person.id].decision == "accepted"
    assert project.get_span(person.id).decision == "accepted"  # committed before it said so
    with qtbot.waitSignal(signals.changed) as changed:
        stack.undo()
    assert changed.args[1] == "undo" and project.get_span(person.id).decision == "pending"
    with qtbot.waitSignal(signals.changed) as changed:
        stack.redo()
    assert changed.args[1] == "redo" and project.get_span(person.id).decision == "accepted"
    with qtbot.waitSignal(signals.refused) as refused, \
            qtbot.assertNotEmitted(signals.changed):
        command = RejectSpanCommand(session, signals, 10_000)  # no such span
        stack.push(command)
    [error] = refused.args
    assert isinstance(error, SessionError) and command.error is error
    assert stack.count() == 1  # the refused command was dropped; the accept stays
    with qtbot.assertNotEmitted(signals.changed), qtbot.assertNotEmitted(signals.refused):
        stack.push(AcceptSpanCommand(session, signals, person.id))  # already so: no step
    assert stack.count() == 1


def test_actions_menus_keys_and_cheat_sheet_come_from_the_table(project: Store,
                                                               open_window: Any) -> None:
    window = open_window()
    table = window.action_table
    specs = table.specs
    assert [s.name for s in specs[:len(ACTIONS)]] == [s.name for s in ACTIONS]
    assert len({s.name for s in specs}) == len(specs)
    for spec in specs:
        action = table[spec.name]
        assert action.shortcuts() == [QKeySequence(k) for k in spec.keys], spec.name
        assert action.text() == spec.text
    window.show_cheat_sheet()
    shown = {label.text() for label in window.cheat_sheet.findChildren(QLabel)}
    for spec in specs:
        if spec.keys:
            assert key_text(spec.keys) in shown and spec.text.replace("&", "").rstrip("…") \
                in shown, spec.name
    # Exactly the actions that write are switched off on a read-only project.
    table.set_writable(False)
    assert {s.name for s in specs if not table[s.name].isEnabled()} == \
        {s.name for s in specs if s.writes} | {"undo", "redo"}
    table.set_writable(True)
    window.cheat_sheet.close()


def test_window_models_stay_valid_through_decisions(qtbot: Any, qtmodeltester: Any,
                                                   project: Store, open_window: Any) -> None:
    """qtmodeltester on the window's own document and span lists while keys decide,
    add, delete, undo and switch documents."""
    window = open_window()
    for model in (window.doc_model, window.span_panel.entity_model,
                  window.span_panel.claim_model):
        qtmodeltester.check(model)
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(window.article, Qt.Key.Key_Right)
    qtbot.keyClick(window.article, Qt.Key.Key_A)
    qtbot.keyClick(window.article, Qt.Key.Key_X)
    window.article.select_range(*find(TEXT, "attacks"))
    qtbot.keyClick(window.article, Qt.Key.Key_5)
    qtbot.keyClick(window.article, Qt.Key.Key_Delete)
    qtbot.keyClick(window.article, Qt.Key.Key_Z, ctrl)
    qtbot.keyClick(window.article, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window.article, Qt.Key.Key_D)  # done: the next document opens
    qtbot.keyClick(window.article, Qt.Key.Key_Z, ctrl)
    settle_tokens(qtbot, window)  # the keys after the label key waited behind it
    assert window.doc.id == 1
    assert window.span_panel.entity_model.spans == \
        [s for s in project.spans(1) if s.layer == "entity"]
