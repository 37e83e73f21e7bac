"""A dialog whose work runs in worker threads, one call at a time, with a line that says
how the last one went (what it did, or in red why it was refused)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QWidget

from annotator.store import Store

from .panels import plain_label
from .workers import CallThread

ERROR_STYLE = "QLabel { color: #c92a2a; font-weight: bold; }"


class WorkerDialog(QDialog):
    """Runs ``call(store)`` on its own store of :attr:`db_path` with :meth:`start`;
    ``failed(message)`` when a call raised (the message is shown in :attr:`message`).
    Closing waits for the threads."""

    def __init__(self, db_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self.message = plain_label()
        self.message.setWordWrap(True)
        self._busy = False
        self._threads: list[CallThread] = []

    @property
    def busy(self) -> bool:
        """A call is under way (the next one waits for it)."""
        return self._busy

    def start(self, call: Callable[[Store], Any], done: Callable[[Any], None],
              readonly: bool = False) -> bool:
        """Run ``call`` in a worker; ``done(value)`` with its result (in the GUI thread).
        Refused (False, and said) while another call runs."""
        if self._busy:
            self.say("Still saving the last change; try again in a moment.", error=True)
            return False
        self._busy = True
        thread = CallThread(self.db_path, call, readonly, self)
        thread.returned.connect(self._on_thread_returned)  # first: not busy any more
        thread.returned.connect(done)
        thread.failed.connect(self._on_thread_failed)
        thread.finished.connect(self._on_thread_finished)
        self._threads.append(thread)
        thread.start()
        return True

    def _on_thread_returned(self, _value: object) -> None:
        self._busy = False

    def _on_thread_finished(self) -> None:
        for thread in [t for t in self._threads if t.isFinished()]:
            self._threads.remove(thread)
            thread.deleteLater()

    def _on_thread_failed(self, message: str) -> None:
        self._busy = False
        self.say(message, error=True)
        self.refused(message)

    def refused(self, message: str) -> None:
        """A call raised (subclasses emit their signal)."""

    def say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")

    def wait(self) -> None:
        """Until every worker has ended."""
        for thread in self._threads:
            thread.wait()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.wait()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self.wait()
        super().done(result)
