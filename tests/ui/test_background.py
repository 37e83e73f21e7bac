"""The window's background suggester, with the real pipeline in its real thread: what
it stores reaches the screen, and a failure is told in the status bar (it used to
crash the window: the message was shown from the worker thread)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import annotator.store
from annotator.store import Store

from .conftest import add_document

pytestmark = pytest.mark.gui

NEWS = ("Officials in Baghdad said on Tuesday that 12 people were killed, according to "
        "the Interior Ministry.")


@contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Another writer holding the project's write lock (as a long `annotator import`
    does) until the block ends."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


@pytest.mark.slow
def test_window_background_suggestions_reach_the_screen(qtbot: Any, project: Store,
                                                        open_window: Any) -> None:
    doc_id = add_document(project, NEWS)  # no suggestions yet
    window = open_window(auto_suggest=True)  # on document 1, which has some
    assert window.doc.id == 1
    with qtbot.waitSignal(window.taskbar.suggested, timeout=60_000) as suggested:
        window.open_document(doc_id)
        assert window.spans == []  # shown at once, before the pipeline has run
    assert suggested.args == [doc_id]
    worker = window.taskbar._suggest_worker
    # suggested by a process of its own: its Python work never holds the lock the
    # window's keys need (annotator.suggest.service, whose store is a background one)
    assert worker is not None and worker._process is not None
    assert worker._process.is_alive() and worker._process.pid != os.getpid()
    stored = project.spans(doc_id)
    assert {s.origin for s in stored} == {"model"} and {s.decision for s in stored} == {"pending"}
    assert "Baghdad" in {NEWS[s.start:s.end] for s in stored if s.layer == "entity"}
    assert any(s.layer == "claim" for s in stored)
    assert window.spans == stored
    assert [d.span for d in window.article.index.entities] == \
        [s for s in stored if s.layer == "entity"]
    assert window.article.focused_span() == stored[0]  # the first suggestion, focused
    assert window.doc_model.data(window.doc_model.index(window.doc_model.row_of(doc_id), 3)) \
        == len(stored)  # the list row counts them
    assert not window.taskbar.isVisible()
    # Asked once per document: opening it again runs nothing.
    with qtbot.assertNotEmitted(window.taskbar.suggested, wait=300):
        window.open_document(1)
        window.open_document(doc_id)


@pytest.mark.slow
def test_window_background_suggestion_failure_is_shown(qtbot: Any, project: Store,
                                                       open_window: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A real failure in the worker thread (the project stays locked by another writer
    longer than the worker waits) ends in a message, not a crash; the fixtures fail the
    test if Qt warns about an object used from the worker's thread."""
    monkeypatch.setattr(annotator.store.files, "BUSY_TIMEOUT_MS", 300)
    doc_id = add_document(project, NEWS, status="in_progress")  # opening it writes nothing
    window = open_window(auto_suggest=True)
    with write_lock(project.path), \
            qtbot.waitSignal(window.taskbar.suggestion_failed, timeout=60_000) as failed:
        window.open_document(doc_id)
    [message] = failed.args
    assert message == (f"suggestions for document {doc_id} failed: the project is busy: "
                       "another window or program is writing to it; try again in a moment")
    assert window.article.banner.message == message  # an error: the red banner
    assert project.spans(doc_id) == [] and window.spans == []
    assert not window.taskbar.isVisible()


@pytest.mark.slow
def test_window_opens_without_importing_spacy(tmp_path: Path) -> None:
    """``python main.py`` on a project whose first document has no suggestions: the
    window draws it before anything imports spaCy (the suggester waits for that)."""
    from bench.gui import cold_open

    with Store(tmp_path / "p.db") as store:
        add_document(store, NEWS)
    seconds, spacy_imported = cold_open(tmp_path / "p.db", tmp_path)
    assert not spacy_imported and seconds > 0
