"""The status bar's message queue and history (issue 26 §4): messages one at a time,
each shown at least its minimum, in order; answers to keys replace each other; the
history keeps them all; a success is never in the red refusal banner."""

from __future__ import annotations

from annotator.gui.statusbar import MIN_MS, MessageQueue
from PySide6.QtCore import Qt

from .test_keyboard import CTRL, SHIFT, key


class Clock:
    """A clock the test moves (seconds)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, ms: float) -> None:
        self.now += ms / 1000


def test_messages_wait_their_turn_in_order(qtbot):
    clock = Clock()
    queue = MessageQueue(clock=clock)
    shown: list[str] = []
    queue.changed.connect(shown.append)
    queue.post("Training in a separate process; keep annotating", 5000)
    queue.post("Training: starting…", 5000)
    queue.post("Trained p-1 in 26 s: entity f 0.71", 10_000)
    assert queue.text == "Training in a separate process; keep annotating"  # not glued
    clock.advance(MIN_MS - 1)
    queue.tick()
    assert queue.text == "Training in a separate process; keep annotating"  # its minimum
    clock.advance(1)
    queue.tick()
    assert queue.text == "Training: starting…"
    clock.advance(MIN_MS)
    queue.tick()
    assert queue.text == "Trained p-1 in 26 s: entity f 0.71"
    clock.advance(10_000)  # the last one shows its own time, then none
    queue.tick()
    assert queue.text == ""
    assert shown == ["Training in a separate process; keep annotating", "Training: starting…",
                     "Trained p-1 in 26 s: entity f 0.71", ""]
    assert [text for _, text in queue.history] == shown[:-1]


def test_the_real_timer_moves_the_queue_on(qtbot):
    queue = MessageQueue(min_ms=200)
    queue.post("first", 200)
    queue.post("second", 200)
    assert queue.text == "first"
    qtbot.waitUntil(lambda: queue.text == "second", timeout=3000)
    qtbot.waitUntil(lambda: queue.text == "", timeout=3000)


def test_an_answer_to_a_key_replaces_the_last_at_once_but_not_news(qtbot):
    clock = Clock()
    queue = MessageQueue(clock=clock)
    queue.post("Undone: Accept span", replace=True)
    queue.post("Undone: Reject span", replace=True)
    assert queue.text == "Undone: Reject span"  # the keys' answers keep up with the keys
    clock.advance(MIN_MS)
    queue.tick()
    queue.post("Imported 34 documents")
    queue.post("Redone: Reject span", replace=True)
    assert queue.text == "Imported 34 documents"  # news is read before it goes
    clock.advance(MIN_MS)
    queue.tick()
    assert queue.text == "Redone: Reject span"


def test_a_sticky_message_waits_for_clear(qtbot):
    clock = Clock()
    queue = MessageQueue(clock=clock)
    queue.post("Waiting for the tokenizer…", 0)
    clock.advance(60_000)
    queue.tick()
    assert queue.text == "Waiting for the tokenizer…"
    queue.clear()
    assert queue.text == ""


def test_history_and_successes_in_the_window(project, open_window, qtbot):
    window = open_window()
    bar = window.statusBar()
    key(qtbot, window, Qt.Key.Key_A)
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert bar.currentMessage() == "Undone: Accept span"
    window.model_loop._on_taskbar_training_cancelled("training cancelled; no model was written")
    assert not window.article.banner.isVisible()
    for doc_id in range(1, 4):
        window.decisions.session.set_status(doc_id, "done")
    window._on_status_set(1)  # nothing left: "Every document is done" is not a refusal
    assert not window.article.banner.isVisible()
    # Ctrl+Shift+M: the history, every message in order
    key(qtbot, window, Qt.Key.Key_M, CTRL | SHIFT)
    dialog = bar.history_dialog
    assert dialog is not None and dialog.isVisible()
    lines = bar.history_text().splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == [
        "Undone: Accept span", "training cancelled; no model was written",
        "Every document is done, skipped or flagged."]
    qtbot.waitUntil(lambda: bar.currentMessage() == "Every document is done, skipped or "
                    "flagged.", timeout=10_000)


def test_the_message_never_overlaps_the_training_text(project, open_window, qtbot):
    window = open_window()
    window.resize(1024, 700)
    bar = window.statusBar()
    taskbar = window.taskbar
    taskbar._show_group(taskbar.train_group, True)
    scores = "Training: measuring on held-out documents · 12/40 · loss 3.21 · held-out 0.71"
    taskbar.train_label.set_full_text(scores)
    bar.showMessage("Trained p-1 in 26 s: entity f 0.71, entity p 0.74, entity r 0.69, "
                    "claim f 0.55, claim p 0.61, claim r 0.50", 10_000)
    qtbot.wait(50)
    message = bar.label.geometry()
    training = taskbar.mapTo(bar, taskbar.train_label.geometry().topLeft())
    assert message.right() < training.x()  # side by side, never one over the other
    assert bar.label.toolTip().startswith("Trained p-1")  # elided: whole in the tooltip
    assert bar.label.text().endswith("…")
    assert window.statusBar().currentMessage().endswith("claim r 0.50")
    taskbar._show_group(taskbar.train_group, False)


def test_message_task_and_training_all_fit_1024(project, open_window, qtbot):
    """The window grew past a 1024 px screen when a task (the refresh after training)
    and the training showed with a long message: every text now elides."""
    window = open_window()
    window.resize(1024, 700)
    taskbar = window.taskbar
    taskbar.label.set_full_text("Refreshing suggestions of 12,345 document(s) not done…")
    taskbar._show_group(taskbar.task_group, True)
    taskbar.train_label.set_full_text("Training: measuring on held-out documents · 40/40")
    taskbar._show_group(taskbar.train_group, True)
    window.statusBar().showMessage("Suggestions refreshed from p-1: 4 document(s), 107 "
                                   "entities and 55 claims pending; decisions untouched")
    qtbot.wait(50)
    assert window.minimumSizeHint().width() <= 1024
    assert window.statusBar().minimumSizeHint().width() <= 1024
    taskbar._show_group(taskbar.task_group, False)
    taskbar._show_group(taskbar.train_group, False)
