"""The window follows other writers (issue 26 §1): the CLI writes to the project while
the window is open, and within a poll or two every view agrees with the database; the
open document, the focused span, the list's selection and the key focus are kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from annotator.gui.models import STATUS_MARKS
from PySide6.QtWidgets import QApplication

from annotator.session import Session
from annotator.store import Store

WAIT_MS = 2000  # the watcher polls every 400 ms


def cli(db_path: Path, *args: str) -> None:
    env = {**os.environ, "ANNOTATOR_NAME": "other"}
    done = subprocess.run([sys.executable, "-m", "annotator", *args, "--db", str(db_path)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr


def list_agrees(window: Any, store: Store) -> bool:
    """The loaded rows, their statuses and the progress are the database's."""
    model = window.doc_model
    rows = store.document_rows(limit=model.rowCount())
    total = store.count_documents()
    done = store.count_documents("done")
    shown = [(model.doc_id(i), model.data(model.index(i, 1))) for i in range(model.rowCount())]
    return (model.total == total and shown == [(r["id"], STATUS_MARKS[r["status"]])
                                               for r in rows]
            and window.documents.progress.text() == f"{done} / {total} done")


def selected_doc(window: Any) -> int | None:
    rows = window.documents.table.selectionModel().selectedRows()
    return window.doc_model.doc_id(rows[0].row()) if len(rows) == 1 else None


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_a_cli_import_shows_in_the_list_and_the_progress(
        qtbot: Any, project: Store, open_window: Any, db_path: Path, tmp_path: Path) -> None:
    window = open_window()
    before = QApplication.focusWidget()
    assert window.doc_model.rowCount() == 3
    lines = [json.dumps({"text": f"Article {i} about Raqqa and the SDF."}) for i in range(34)]
    (tmp_path / "more.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli(db_path, "import", str(tmp_path / "more.jsonl"))
    qtbot.waitUntil(lambda: window.doc_model.rowCount() == 37, timeout=WAIT_MS)
    assert list_agrees(window, project)
    assert window.documents.progress.text() == "0 / 37 done"
    assert window.doc.id == 1 and selected_doc(window) == 1
    assert QApplication.focusWidget() is before


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_cli_status_changes_show_as_row_marks_and_progress(
        qtbot: Any, project: Store, open_window: Any, db_path: Path) -> None:
    window = open_window()
    before = QApplication.focusWidget()
    cli(db_path, "mark", "done", "2", "3")
    qtbot.waitUntil(lambda: window.documents.progress.text() == "2 / 3 done", timeout=WAIT_MS)
    assert list_agrees(window, project)
    assert selected_doc(window) == 1 and QApplication.focusWidget() is before


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_cli_accept_refreshes_the_open_document_keeping_the_focused_span(
        qtbot: Any, project: Store, open_window: Any, db_path: Path) -> None:
    window = open_window()
    before = QApplication.focusWidget()
    wsj = next(s for s in window.spans if window.doc.text[s.start:s.end] == "Wall Street Journal")
    window.focus_span(wsj.id)
    cli(db_path, "accept", "--doc", "1", "--label", "ORG")

    def agrees() -> bool:
        return window.spans == project.spans(1) and all(
            s.decision == "accepted" for s in window.spans if s.label == "ORG")

    qtbot.waitUntil(agrees, timeout=WAIT_MS)
    assert window.article.focused_id == wsj.id
    assert window.article.focused_span().decision == "accepted"
    assert window.span_panel.entity_model.spans == [
        s for s in project.spans(1) if s.layer == "entity"]
    assert list_agrees(window, project)  # its row's counts too
    assert selected_doc(window) == 1 and QApplication.focusWidget() is before


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_the_poll_does_nothing_when_nothing_changed(
        qtbot: Any, project: Store, open_window: Any) -> None:
    window = open_window()
    resets: list[str] = []
    model = window.doc_model
    for signal in (model.modelReset, model.dataChanged, model.rowsInserted):
        signal.connect(lambda *_: resets.append("list"))
    assert window.live.watcher.poll() is False
    # The token boundaries, wanted at the first key, are cached from a thread on a
    # connection of its own (ui/tokens.py): a commit of another connection, let it pass.
    window.article.tokens.want()
    qtbot.waitUntil(lambda: project.conn.execute(
        "SELECT 1 FROM tokens WHERE doc_id = 1").fetchone() is not None, timeout=30_000)
    window.live.watcher.poll()
    # The window's own decisions are on its own connection: not another writer's.
    qtbot.keyClick(window.article, "a")
    resets.clear()
    assert window.live.watcher.poll() is False
    qtbot.wait(900)  # two timer polls
    assert resets == []
    # Another connection's commit is seen at the next poll.
    with Store(window.store.path) as other:
        Session(other, "other").set_status(2, "done")
    assert window.live.watcher.poll() is True
    assert window.documents.progress.text() == "1 / 3 done"


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_spans_wait_while_the_keys_are_in_the_claim_editor(
        qtbot: Any, project: Store, open_window: Any, db_path: Path) -> None:
    """A refresh would overwrite the field being typed into: the open document's spans
    wait for the keys to leave the claim editor; the list does not wait."""
    window = open_window()
    claim = next(s for s in window.spans if s.layer == "claim")
    window.focus_span(claim.id)
    field = next(iter(window.claim_editor.fields.values()))
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and
                    window.claim_editor.isAncestorOf(QApplication.focusWidget()), timeout=2000)
    cli(db_path, "accept", "--doc", "1", "--label", "ORG")
    qtbot.waitUntil(lambda: list_agrees(window, project), timeout=WAIT_MS)
    qtbot.wait(500)
    assert window.spans != project.spans(1)  # not under the keys
    assert window.claim_editor.isAncestorOf(QApplication.focusWidget())
    window.article.setFocus()
    qtbot.waitUntil(lambda: window.spans == project.spans(1), timeout=WAIT_MS)
    assert window.article.focused_id == claim.id


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_cli_suggest_redo_refreshes_the_open_document(
        qtbot: Any, project: Store, open_window: Any, db_path: Path) -> None:
    """``suggest --redo`` replaces the pending suggestions (new ids): the window shows
    the new ones; a focused decision it kept stays focused."""
    window = open_window()
    before = QApplication.focusWidget()
    syria = next(s for s in window.spans if window.doc.text[s.start:s.end] == "Syria")
    window.focus_span(syria.id)
    qtbot.keyClick(window.article, "a")  # accepted here: a decision --redo keeps
    window.focus_span(syria.id)
    old_ids = {s.id for s in window.spans if s.decision == "pending"}
    cli(db_path, "suggest", "--doc", "1", "--redo")
    qtbot.waitUntil(lambda: window.spans == project.spans(1), timeout=WAIT_MS)
    assert old_ids.isdisjoint(s.id for s in window.spans if s.decision == "pending")
    assert {s.model for s in window.spans if s.decision == "pending"} != {"test-model"}
    assert window.article.focused_id == syria.id
    assert list_agrees(window, project) and QApplication.focusWidget() is before
