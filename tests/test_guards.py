"""The guards of tests/conftest.py fail the tests they are meant to fail: one that
leaves a QThread or a thread running, one that lets Qt warn about a widget used from
a worker thread (run in a pytest of their own)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BAD = '''
import threading

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QStatusBar

# The threads left behind run until the next test (after their guards looked, however
# late a busy machine gets to those guards).
RELEASE_QTHREAD, RELEASE_THREAD = threading.Event(), threading.Event()


class Slow(QThread):
    def run(self):
        RELEASE_QTHREAD.wait(120)


def test_leaves_a_qthread(qapp):
    test_leaves_a_qthread.thread = thread = Slow()
    thread.start()


def test_leaves_a_thread():
    RELEASE_QTHREAD.set()
    threading.Thread(target=RELEASE_THREAD.wait, args=(120,), name="left-behind",
                     daemon=True).start()


class Worker(QObject):
    failed = Signal(str)


def test_touches_a_widget_from_a_worker(qapp, qtbot):
    RELEASE_THREAD.set()
    bar = QStatusBar()
    thread, worker = QThread(), Worker()
    worker.moveToThread(thread)
    worker.failed.connect(lambda message: bar.showMessage(message, 5000))  # runs in the worker
    emitted = threading.Event()
    thread.started.connect(lambda: (worker.failed.emit("boom"), emitted.set()))
    thread.start()
    qtbot.waitUntil(emitted.is_set, timeout=120_000)  # emitted (and Qt warned) by then
    thread.quit()
    thread.wait()


def test_clean(qapp):
    pass
'''


@pytest.mark.slow  # a second pytest in a subprocess
def test_guards_fail_leaked_threads_and_cross_thread_warnings(tmp_path: Path) -> None:
    (tmp_path / "test_bad.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path),
         str(tmp_path / "test_bad.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)})
    out = result.stdout
    # Every test body passes; the guards fail three of them at teardown.
    assert "4 passed, 3 errors" in out, out
    # (with CI set, pytest adds " - <message>" to these lines)
    errors = [line.split("::")[-1].split(" - ")[0] for line in out.splitlines()
              if line.startswith("ERROR ")]
    assert errors == ["test_leaves_a_qthread", "test_leaves_a_thread",
                      "test_touches_a_widget_from_a_worker"]
    assert "Failed: the test left threads running: Slow ''" in out
    assert "Failed: the test left threads running: left-behind" in out
    assert "Failed: Qt warned about threads: QObject: Cannot create children for a parent " \
        "that is in a different thread" in out
