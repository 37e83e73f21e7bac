"""POSIX locks belong to the process: a second Store in the same process must not drop
the first one's locks, or another process deletes the -wal under it (issue 11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.store import Store

READ = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        " print(c.execute('SELECT count(*) FROM documents').fetchone()[0]); c.close()")


def _external_count(path: Path) -> int:
    """Documents seen by another process through plain sqlite3 (opens and closes)."""
    out = subprocess.run([sys.executable, "-c", READ, str(path)], check=True,
                         capture_output=True, text=True).stdout
    return int(out)


def _our_locks(path: Path) -> int:
    st = path.stat()
    wanted = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    return sum(1 for line in Path("/proc/locks").read_text().splitlines()
               if line.split()[5:6] == [wanted] and line.split()[4] == str(os.getpid()))


def test_locks_second_store_keeps_the_first_ones_locks(db_path: Path) -> None:
    with Store(db_path) as one, one.write():
        one.insert_document("first", {}, "h1")
    one = Store(db_path)
    one.get_document(1)
    held = _our_locks(db_path)
    assert held >= 1
    two = Store(db_path)
    two.get_document(1)
    assert _our_locks(db_path) >= held
    two.close()
    assert _our_locks(db_path) >= held  # closing the second keeps the first's locks
    one.close()


def test_locks_external_reader_sees_writes_after_a_second_store(db_path: Path) -> None:
    """Regression test 1: two Stores in one process, an external reader, then a write:
    the reader sees the write and the -wal file is still there."""
    one = Store(db_path)
    with one.write():
        one.insert_document("first", {}, "h1")
    two = Store(db_path)  # as the window's suggestion worker and tasks do
    assert two.get_document(1) is not None
    read_only = Store(db_path, readonly=True)  # as a read command would, in-process
    read_only.count_documents()
    read_only.close()
    assert _external_count(db_path) == 1  # closes last in its process
    with one.write():
        one.insert_document("second", {}, "h2")
    assert Path(f"{db_path}-wal").exists()
    assert _external_count(db_path) == 2
    with two.write():
        two.insert_document("third", {}, "h3")
    assert _external_count(db_path) == 3
    assert Path(f"{db_path}-wal").exists()
    two.close()
    one.close()
    assert _external_count(db_path) == 3


def test_locks_refused_files_are_checked_through_sqlite_only(tmp_path: Path) -> None:
    """Checking a file that is not ours opens it through SQLite and leaves nothing."""
    other = tmp_path / "other.db"
    import sqlite3

    conn = sqlite3.connect(other)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = sorted(p.name for p in tmp_path.iterdir())
    try:
        Store(other)
    except Exception as exc:  # noqa: BLE001 - the message is what is checked
        assert "not an Annotator project" in str(exc)
    else:
        raise AssertionError("a foreign database was opened")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_locks_cli_sees_the_windows_decisions_live(qtbot, tmp_path: Path) -> None:
    """The window open (with an export task's store beside its own), ``annotator list``
    in another process right after an accept shows the accept."""
    from annotator.gui.app import build_window
    from PySide6.QtCore import QSettings, Qt

    from annotator.export import ExportOptions

    from ._project import seed_project

    db = tmp_path / "p.db"
    seed_project(db, docs=2)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = build_window(db, "tester", settings, auto_suggest=False)
    qtbot.addWidget(window)
    window.show()
    # Its end, however long a busy machine makes it take (the timeout only ends a hang).
    with qtbot.waitSignal(window.taskbar.finished, timeout=600_000):
        window.files.export_to("jsonl", tmp_path / "e.jsonl", ExportOptions(status="any"))
    assert (tmp_path / "e.jsonl").exists()

    def accepted_in_cli() -> int:
        out = subprocess.run([sys.executable, "-m", "annotator.cli", "list", "--json", "--db",
                              str(db)], capture_output=True, text=True, check=True).stdout
        return sum(json.loads(line)["accepted"] for line in out.splitlines())

    assert accepted_in_cli() == 0
    for n in range(1, 4):
        window.article.setFocus()
        qtbot.keyClick(window.article, Qt.Key.Key_A)
        assert accepted_in_cli() == n
    assert Path(f"{db}-wal").exists()
    window.close()
    window.store.close()
