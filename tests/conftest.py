"""Shared fixtures: a fresh project database file per test, and two guards that fail any
test which leaves a thread running or makes Qt warn about an object used from the wrong
thread (the warning that came before every crash of the background suggester)."""

from __future__ import annotations

import os
import re
import sys
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QThread, qInstallMessageHandler  # noqa: E402

from annotator.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "resources" / "samples"
SHAFAQ = SAMPLES / "shafaq-isis-2024-08-13.txt"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "project.db"


@pytest.fixture
def store(db_path: Path):
    s = Store(db_path)
    yield s
    s.close()


# --- markers ------------------------------------------------------------------------

TESTS = ROOT / "tests"
UI_TESTS = TESTS / "ui"


@pytest.hookimpl(tryfirst=True)  # before -m deselects by them
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks ``gui`` every test under tests/ui and every test that uses ``qtbot``, so that
    ``-m gui`` and ``-m "not gui"`` select by what a test drives, not by where it is.
    (``slow`` is marked by hand on the tests that take more than ~2 s; see
    docs/development.md.)"""
    for item in items:
        if TESTS not in item.path.parents:  # this file as a plugin elsewhere (test_guards)
            continue
        if UI_TESTS in item.path.parents or "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)


# --- threads left running ------------------------------------------------------------

# Every QThread started in this process, so that a test can be failed for leaving one
# running. (A QThread that ran Python code also leaves a threading._DummyThread behind for
# good, so threading.enumerate() alone cannot tell a running QThread from a finished one.)
_STARTED_QTHREADS: weakref.WeakSet[QThread] = weakref.WeakSet()
_qthread_start = QThread.start


def _recording_start(self: QThread, *args: Any) -> None:
    _STARTED_QTHREADS.add(self)
    _qthread_start(self, *args)


QThread.start = _recording_start  # type: ignore[method-assign]

# Threads that libraries start once and keep for the life of the process (Dask's offload
# pool: suggest --cluster, tests/suggest/test_cluster.py).
_LIBRARY_THREADS = re.compile(r"^(tqdm_monitor|pydevd\.|Dask-Offload_)")
GRACE_MS = 2000  # a worker that reported its result may still be returning from run()


def _running_qthreads() -> list[QThread]:
    running = []
    for thread in list(_STARTED_QTHREADS):
        try:
            if thread.isRunning() and not thread.wait(GRACE_MS):
                running.append(thread)
        except RuntimeError:  # its C++ object is gone: it was not running (Qt aborts then)
            continue
    return running


def _python_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread)
            and t is not threading.main_thread() and not _LIBRARY_THREADS.match(t.name)}


@pytest.fixture(autouse=True)
def no_thread_left_running() -> Iterator[None]:
    """Fails a test that leaves a QThread or a Python thread running after its own
    fixtures are torn down (this fixture is set up first, so it is torn down last)."""
    before = _python_threads()
    yield
    qthreads = _running_qthreads()
    leaked = []
    for thread in _python_threads() - before:
        thread.join(GRACE_MS / 1000)
        if thread.is_alive():
            leaked.append(thread.name)
    if qthreads or leaked:
        names = [f"{type(t).__name__} {t.objectName()!r}" for t in qthreads] + leaked
        pytest.fail(f"the test left threads running: {', '.join(names)}")


# --- Qt warnings about threads -------------------------------------------------------

CROSS_THREAD = re.compile(
    r"different thread|another thread|moveToThread|QObject::(startTimer|killTimer|"
    r"setParent|connect)|QBasicTimer|QSocketNotifier|Timers cannot|QPixmap: It is not safe|"
    r"QThread: Destroyed while thread")
_qt_messages: list[str] = []


def _on_qt_message(_kind: Any, _context: Any, message: str) -> None:
    if CROSS_THREAD.search(message):
        _qt_messages.append(message)
    sys.stderr.write(message + "\n")  # as Qt's own handler would


# pytest-qt puts its own handler in place from a test's setup to the end of its call;
# this one hears the rest (the teardown, where windows close and threads stop).
qInstallMessageHandler(_on_qt_message)


@pytest.fixture(autouse=True)
def no_cross_thread_qt_warning(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a test during which Qt warned that an object was used from a thread it does
    not live in: the mistake that crashed the window when the suggester failed."""
    del _qt_messages[:]
    # pytest-qt's capture of this test, made before any fixture is set up.
    capture = getattr(request.node, "qt_log_capture", None)
    yield
    heard = list(_qt_messages)
    if capture is not None:
        heard += [r.message for r in capture.records if CROSS_THREAD.search(r.message)]
    if heard:
        pytest.fail("Qt warned about threads: " + " | ".join(heard))
