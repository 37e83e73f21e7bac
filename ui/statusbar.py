"""The status bar's messages: one at a time, each long enough to be read, and a history.

Qt's own temporary message is drawn clipped against the first permanent widget, so two
texts ran into each other ("Training in a separate process;Training:…") and a long one
(the held-out scores) was cut off. Here the message has a label of its own that takes
the free width and elides what does not fit (the whole text in its tooltip and in the
history), and messages go through a :class:`MessageQueue`:

- a message shows at least :data:`MIN_MS`; one posted meanwhile waits its turn, in order;
- the answer to a key (``replace=True``: "Undone: ...") replaces at once an earlier
  answer to a key, never a message from the background (training, import, export);
- with no message, the label shows the idle text: the focused span's description;
- every message is kept in the history (the last :data:`HISTORY` of them), shown by
  View ▸ Messages (Ctrl+Shift+M).

``showMessage``, ``clearMessage`` and ``currentMessage`` of :class:`StatusBar` go
through the queue, so the window's controllers keep calling ``statusBar().showMessage``.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit, QStatusBar, QVBoxLayout, QWidget

from annotator.model import Document, Span

if TYPE_CHECKING:
    from .article import ArticleView

#: The least time a message stays, though others wait (ms).
MIN_MS = 2000
#: How long a message without a timeout of its own shows when others wait (ms).
DEFAULT_MS = 5000
#: The least widths (px) of the status bar's texts: with the message, a task and a
#: training all shown, they still fit 1024 px (each elides, whole in its tooltip).
MESSAGE_MIN_WIDTH = 120
#: How many messages the history keeps.
HISTORY = 200


@dataclass
class Message:
    text: str
    ms: int  # how long it shows if nothing waits (0: until cleared or replaced)
    replace: bool  # an answer to a key: the next answer replaces it at once
    posted: float  # the clock when posted (seconds)
    shown: float | None = None  # the clock when it was first shown


class ElidedLabel(QLabel):
    """One line of plain text, elided on the right when it does not fit; the whole
    text is the tooltip then."""

    def __init__(self, least: int = 40, most: int = 16_777_215,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setMinimumWidth(least)
        self.setMaximumWidth(most)
        self.full_text = ""

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self._elide()

    def setText(self, text: str) -> None:  # noqa: N802
        self.set_full_text(text)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        shown = metrics.elidedText(self.full_text, Qt.TextElideMode.ElideRight,
                                   max(self.width() - 4, 0))
        QLabel.setText(self, shown)
        self.setToolTip(self.full_text if shown != self.full_text else "")

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance(self.full_text) + 8)
        return hint

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = super().minimumSizeHint()
        hint.setWidth(self.minimumWidth())
        return hint


class MessageQueue(QObject):
    """Messages in order, each shown at least ``min_ms``; ``changed(text)`` when the
    shown one changes ("" when none). ``clock`` (seconds) is for tests."""

    changed = Signal(str)

    def __init__(self, parent: QObject | None = None, min_ms: int = MIN_MS,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self.min_ms = min_ms
        self.clock = clock
        self.current: Message | None = None
        self.waiting: deque[Message] = deque()
        self.history: deque[tuple[float, str]] = deque(maxlen=HISTORY)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.tick)

    @property
    def text(self) -> str:
        return self.current.text if self.current is not None else ""

    def post(self, text: str, ms: int = DEFAULT_MS, replace: bool = False) -> None:
        """Show ``text`` for ``ms`` (0: until cleared), after those that wait."""
        if not text:
            self.clear()
            return
        now = self.clock()
        message = Message(text, max(ms, 0), replace, now)
        self.history.append((time.time(), text))
        current = self.current
        if replace and self.waiting and self.waiting[-1].replace:
            self.waiting[-1] = message  # the newer answer to a key, in the older one's place
        elif current is None or not self.waiting and (
                (replace and current.replace) or self._elapsed_ms(current) >= self.min_ms):
            self._show(message)
        else:
            self.waiting.append(message)
            self._schedule()

    def clear(self) -> None:
        """End the shown message (the next waiting one shows once it had its time)."""
        current = self.current
        if current is None:
            return
        if self.waiting and self._elapsed_ms(current) < self.min_ms:
            current.ms = 1  # ends as soon as its minimum is over
            self._schedule()
            return
        self.current = None
        self.tick()
        if self.current is None:
            self.changed.emit("")

    def tick(self) -> None:
        """Move on if the shown message had its time (the timer calls it)."""
        current = self.current
        if current is not None:
            elapsed = self._elapsed_ms(current)
            if self.waiting and elapsed >= self.min_ms:
                self._show(self.waiting.popleft())
                return
            if not self.waiting and current.ms and elapsed >= max(current.ms, self.min_ms):
                self.current = None
                self.changed.emit("")
        elif self.waiting:
            self._show(self.waiting.popleft())
            return
        self._schedule()

    def _show(self, message: Message) -> None:
        message.shown = self.clock()
        self.current = message
        self.changed.emit(message.text)
        self._schedule()

    def _elapsed_ms(self, message: Message) -> float:
        return (self.clock() - (message.shown or message.posted)) * 1000

    def _schedule(self) -> None:
        current = self.current
        if current is None:
            self._timer.stop()
            return
        elapsed = self._elapsed_ms(current)
        if self.waiting:
            due = self.min_ms - elapsed
        elif current.ms:
            due = max(current.ms, self.min_ms) - elapsed
        else:
            self._timer.stop()
            return
        self._timer.start(max(int(due) + 1, 0))


class StatusBar(QStatusBar):
    """The window's status bar: the message (or the idle text) on the left, eliding,
    then the permanent widgets the window adds."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = ElidedLabel(MESSAGE_MIN_WIDTH)
        self.addWidget(self.label, 1)
        self.queue = MessageQueue(self)
        self.queue.changed.connect(self._on_queue_changed)
        self.idle = ""
        self.history_dialog: QDialog | None = None

    def set_idle(self, text: str) -> None:
        """What shows when no message does (the focused span)."""
        self.idle = text
        if self.queue.current is None:
            self.label.set_full_text(text)

    def say(self, text: str, ms: int = DEFAULT_MS, replace: bool = False) -> None:
        self.queue.post(text, ms, replace)

    def showMessage(self, text: str, timeout: int = 0) -> None:  # type: ignore[override]  # noqa: N802
        self.queue.post(text, timeout)

    def clearMessage(self) -> None:  # noqa: N802
        self.queue.clear()

    def currentMessage(self) -> str:  # noqa: N802
        """The text shown: the message, else the idle text."""
        return self.queue.text or self.idle

    def history_text(self) -> str:
        """Every kept message, oldest first, with its time of day."""
        return "\n".join(f"{time.strftime('%H:%M:%S', time.localtime(at))}  {text}"
                         for at, text in self.queue.history)

    def show_history(self) -> QDialog:
        """View ▸ Messages: the history in a window of its own, newest at the bottom."""
        dialog = QDialog(self.window())
        dialog.setWindowTitle("Messages")
        view = QPlainTextEdit(dialog)
        view.setReadOnly(True)
        view.setPlainText(self.history_text() or "No messages yet.")
        view.moveCursor(view.textCursor().MoveOperation.End)
        QVBoxLayout(dialog).addWidget(view)
        dialog.resize(min(760, max(self.window().width() - 80, 300)), 360)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.history_dialog = dialog
        return dialog

    def _on_queue_changed(self, text: str) -> None:
        self.label.set_full_text(text or self.idle)


def position_text(doc: Document | None, spans: list[Span], article: ArticleView) -> str:
    """Where the annotator is: "Document #3 · span 2/9 · 4 pending", and how many
    claims the claim filter hides ("· 28 claims filtered out")."""
    if doc is None:
        return ""
    visible = article.visible_spans()
    pending = sum(1 for s in spans if s.decision == "pending")
    focused = next((i for i, s in enumerate(visible) if s.id == article.focused_id), None)
    where = f"span {focused + 1}/{len(visible)}" if focused is not None \
        else f"{len(visible)} spans"
    hides = article.hides
    hidden = 0 if hides is None else sum(1 for s in spans if hides(s))
    out = f" · {hidden} claim{'' if hidden == 1 else 's'} filtered out" if hidden else ""
    return f"Document #{doc.id} · {where} · {pending} pending{out}"
