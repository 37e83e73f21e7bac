"""Training in a separate process: ``annotator train --progress-json`` of this same
interpreter (``sys.executable -m annotator.cli``) in a :class:`QProcess`, read line by
line as it prints. A process, not a thread: spaCy's training holds the interpreter (and
both cores) for minutes, and the window must take every key meanwhile; killing a process
also cancels it cleanly, where a thread can only be asked to stop.

The command's contract (``annotator/cli/train.py``): one JSON object a line on stdout,
``{"stage", "step", "total", "loss", "score", "elapsed"}`` while it trains, then
``{"done": true, "model": PATH, "name", "layers", "seconds", "scores", "notes"}`` or
``{"done": false, "error": MESSAGE}``. SIGTERM (Cancel) makes it remove its temporary
folder and exit: no model, nothing half-written.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

import annotator

#: How long Cancel waits for the process to clean up after SIGTERM before killing it.
KILL_AFTER_MS = 20_000
#: The training process's niceness (POSIX): the window's keys come first.
NICENESS = 10
#: Libraries that size their thread pools from the processors leave one to the window.
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "NUMEXPR_NUM_THREADS")


def train_command(db_path: Path, args: list[str]) -> tuple[str, list[str]]:
    """The program and arguments that train a model of ``db_path``."""
    return sys.executable, ["-m", "annotator.cli", "train", "--progress-json",
                            "--db", str(db_path), *args]


def progress_text(p: dict[str, Any]) -> str:
    """One progress object as the task bar says it."""
    stage = str(p.get("stage", ""))
    words = {"load": "reading the done documents", "parse": "parsing",
             "entity": "entities", "claim": "claims", "evaluate": "measuring on held-out "
             "documents", "save": "writing the model"}.get(stage, stage)
    parts = [f"Training: {words}"]
    if p.get("total"):
        parts.append(f"{p.get('step', 0)}/{p['total']}")
    elif p.get("step"):
        parts.append(f"step {p['step']}")
    if p.get("loss") is not None:
        parts.append(f"loss {p['loss']:.3g}")
    if p.get("score") is not None:
        parts.append(f"held-out {p['score']:.2f}")
    return " · ".join(parts)


class TrainingProcess(QObject):
    """One run of ``annotator train``. ``progressed(obj)``: a progress line;
    ``trained(obj)``: the model was written (the ``done`` line); ``failed(message)``: it
    ended without a model (refused, failed, or cancelled)."""

    progressed = Signal(object)
    trained = Signal(object)
    failed = Signal(str)

    def __init__(self, db_path: Path, args: list[str] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self.process = QProcess(self)
        program, arguments = train_command(db_path, args or [])
        self.process.setProgram(program)
        self.process.setArguments(arguments)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")
        for name in ONE_THREAD:
            if not env.contains(name):
                env.insert(name, "1")
        # The annotator package this window runs, also from a checkout not installed.
        here = str(Path(annotator.__file__).resolve().parent.parent)
        env.insert("PYTHONPATH", os.pathsep.join([here, *filter(None, [
            env.value("PYTHONPATH")])]))
        self.process.setProcessEnvironment(env)
        self.process.started.connect(self._on_process_started)
        self.process.readyReadStandardOutput.connect(self._on_process_ready_read)
        self.process.finished.connect(self._on_process_finished)
        self.process.errorOccurred.connect(self._on_process_error_occurred)
        self.last: dict[str, Any] | None = None  # the last progress line
        self.result: dict[str, Any] | None = None  # the final line
        self.cancelled = False
        self._buffer = b""
        self._ended = False
        self._killer = QTimer(self, singleShot=True, interval=KILL_AFTER_MS)
        self._killer.timeout.connect(self.process.kill)

    def start(self) -> None:
        self.process.start()

    @property
    def running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def cancel(self) -> None:
        """SIGTERM: the command removes its temporary folder and exits (killed if it
        has not within :data:`KILL_AFTER_MS`)."""
        if self.running:
            self.cancelled = True
            self.process.terminate()
            self._killer.start()

    def wait(self, ms: int = 30_000) -> bool:
        """Block until the process ended (closing the window); True if it did."""
        if not self.running:
            return True
        done = self.process.waitForFinished(ms)
        if done:
            self._on_process_ready_read()
        return done

    def _on_process_started(self) -> None:
        # Right after exec, before the interpreter starts threads (they inherit it).
        if hasattr(os, "setpriority"):
            with contextlib.suppress(OSError):  # not lowered: runs as the window does
                os.setpriority(os.PRIO_PROCESS, self.process.processId(), NICENESS)

    def _on_process_ready_read(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                obj = json.loads(line)
            except ValueError:
                continue  # not ours (a library printing to stdout)
            if not isinstance(obj, dict):
                continue
            if "done" in obj:
                self.result = obj
            else:
                self.last = obj
                self.progressed.emit(obj)

    def _on_process_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._killer.stop()
        self._on_process_ready_read()
        if self._ended:
            return
        self._ended = True
        if self.result is not None and self.result.get("done") and not self.cancelled:
            self.trained.emit(self.result)
            return
        if self.cancelled:
            self.failed.emit("training cancelled; no model was written")
            return
        error = (self.result or {}).get("error") or _last_line(
            bytes(self.process.readAllStandardError().data())) or f"exit status {code}"
        self.failed.emit(f"training failed: {error}")

    def _on_process_error_occurred(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and not self._ended:
            self._ended = True
            self.failed.emit(f"training could not start: {self.process.errorString()}")


def _last_line(data: bytes) -> str:
    lines = [x for x in data.decode("utf-8", "replace").splitlines() if x.strip()]
    return lines[-1].strip() if lines else ""
