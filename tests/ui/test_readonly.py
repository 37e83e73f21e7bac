"""A project the window cannot write: read-only (asked for, or a file and folder the
user may not write), or busy with another writer. Documents still open for reading, the
window says why, and it offers nothing that would fail."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.export import ExportOptions
from annotator.store import Store

from .conftest import TEXT
from .test_background import write_lock

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]
WRITING_ACTIONS = ("accept", "reject", "delete", "add", "accept_all", "grow_end", "done",
                   "skip", "flag", "in_progress", "label_PERSON", "import")


def state(store: Store) -> tuple[Any, ...]:
    rows = store.document_rows(limit=100)
    return ([(r["id"], r["status"]) for r in rows],
            [(s.id, s.decision, s.label, s.start, s.end) for d in rows
             for s in store.spans(d["id"])], len(store.events()))


def test_window_on_a_read_only_project_reads_exports_and_writes_nothing(
        qtbot: Any, project: Store, open_window: Any, tmp_path: Path) -> None:
    before = state(project)
    window = open_window(readonly=True)
    assert window.store.readonly
    assert window.doc.id == 1 and window.article.toPlainText() == TEXT
    notice = window.header.notice
    assert notice.isVisible() and notice.text().startswith("Read-only project: it was opened")
    assert all(not window.action_table[name].isEnabled() for name in WRITING_ACTIONS)
    assert window.action_table["next_span"].isEnabled()
    assert window.action_table["export"].isEnabled()
    for k, modifier in ((Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier),
                        (Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier),
                        (Qt.Key.Key_D, Qt.KeyboardModifier.NoModifier),
                        (Qt.Key.Key_1, Qt.KeyboardModifier.NoModifier),
                        (Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)):
        qtbot.keyClick(window.article, k, modifier)
    qtbot.keyClick(window.article, Qt.Key.Key_N)  # moving around still works
    assert window.doc.id == 2
    window.open_document(1)
    claim = next(s for s in window.spans if s.layer == "claim")
    window.focus_span(claim.id)
    assert window.claim_editor.span == claim and not window.claim_editor.isEnabled()
    assert state(project) == before  # not even "in progress"
    # Export works, from a read-only store of its own.
    out = tmp_path / "all.jsonl"
    with qtbot.waitSignal(window.taskbar.finished, timeout=20_000) as finished:
        window.files.export_to("jsonl", out, ExportOptions(status="any"))
    assert finished.args[1].startswith("exported 3 document(s)")
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    assert state(project) == before


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_window_opens_a_document_for_reading_when_the_project_is_busy(
        qtbot: Any, project: Store, open_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program holds the write lock: the document opens all the same, at once
    (not after the 10 s busy timeout), not marked in progress, and the window says why;
    a decision is refused in words."""
    window = open_window()
    with write_lock(project.path):
        statements: list[str] = []
        window.store.conn.set_trace_callback(statements.append)
        window.open_document(2)
        window.store.conn.set_trace_callback(None)
        # Session.start waits 250 ms for the lock, not the busy timeout (10 s).
        begins = [i for i, sql in enumerate(statements) if sql.startswith("BEGIN")]
        assert begins and all(statements[i - 1] == "PRAGMA busy_timeout = 250"
                              for i in begins), statements
        window.store.conn.execute("PRAGMA busy_timeout = 200")  # for the refused key
        assert window.doc.id == 2 and window.article.toPlainText().startswith("Second")
        notice = window.header.notice
        assert notice.isVisible()
        assert notice.text() == ("Document #2 is open for reading only: not saved: the project "
                                 "is busy: another window or program is writing to it; try "
                                 "again in a moment (nothing was changed).")
        qtbot.keyClick(window.article, Qt.Key.Key_A)
        assert window.article.banner.message.startswith("not saved: the project is busy")
    assert project.get_document(2).status == "new"
    assert {s.decision for s in project.spans(2)} == {"pending"}
    window.open_document(3)  # the lock is gone: back to normal
    assert project.get_document(3).status == "in_progress"
    assert not window.header.notice.isVisible()


SCRIPT = """
import json, sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from annotator.gui.app import run
from annotator.gui.window import MainWindow

def report():
    [window] = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    print(json.dumps({
        "readonly": window.store.readonly, "doc": window.doc.id,
        "text": window.article.toPlainText(), "notice": window.header.notice.text(),
        "accept": window.action_table["accept"].isEnabled(),
        "next": window.action_table["next_doc"].isEnabled()}), flush=True)
    window.close()
    QApplication.instance().quit()

app = QApplication([])
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
QTimer.singleShot(500, report)
sys.exit(run(["--db", sys.argv[1], "--annotator", "reader"]))
"""


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_app_starts_on_a_read_only_project_file_and_folder(project: Store) -> None:
    """``annotator gui`` on a project in a 0555 folder with a 0444 file, as a user who
    may not write them (root ignores permissions, so then as nobody): the window opens
    read-only and says why, instead of a traceback."""
    as_nobody: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root ignores file permissions, and setpriv is missing")
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    folder = Path(tempfile.mkdtemp(prefix="annotator-ro-"))
    home = Path(tempfile.mkdtemp(prefix="annotator-home-"))
    try:
        folder.chmod(0o755)
        home.chmod(0o777)
        db = folder / "project.db"
        project.conn.execute("VACUUM INTO ?", (str(db),))  # a copy, through its connection
        before = sorted(p.name for p in folder.iterdir())
        db.chmod(0o444)
        folder.chmod(0o555)
        env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(home), "PATH": os.environ["PATH"],
               "XDG_RUNTIME_DIR": str(home)}
        result = subprocess.run([*as_nobody, sys.executable, "-c", SCRIPT, str(db), str(home)],
                                capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        shown = json.loads(result.stdout.strip().splitlines()[-1])
        assert shown["readonly"] and shown["doc"] == 1 and shown["text"] == TEXT
        assert shown["notice"].startswith("Read-only project: ")
        assert not shown["accept"] and shown["next"]
        assert sorted(p.name for p in folder.iterdir()) == before  # no -wal, no -shm
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
