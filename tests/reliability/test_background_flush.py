"""A background commit (the window's suggester: ``synchronous=NORMAL``) leaves nothing
unsynced in the log for the window's next decision to sync: a passive checkpoint after
its COMMIT, outside the write lock, puts it in the main file. Before, the decision's own
COMMIT synced the suggester's pages too and took up to 100-190 ms (bench/long.py)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from annotator.store import Store


def _main_file_only(db: Path, copy: Path) -> sqlite3.Connection:
    """The project's main file without its log, copied by another process (this one
    holds POSIX locks on the file that closing any descriptor of ours would drop)."""
    subprocess.run([sys.executable, "-c", "import shutil, sys; shutil.copyfile(*sys.argv[1:])",
                    str(db), str(copy)], check=True)
    return sqlite3.connect(copy)


def test_a_background_commit_is_in_the_main_file_while_the_window_has_it_open(
        tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    with Store(db) as window, Store(db, background=True) as suggester:
        with suggester.write() as conn:
            conn.execute("INSERT INTO meta VALUES ('suggested', 'yes')")
        with window.write() as conn:  # a decision after it: its own few pages in the log
            conn.execute("INSERT INTO meta VALUES ('decided', 'yes')")
        copy = _main_file_only(db, tmp_path / "main-only.db")
        keys = {k for (k,) in copy.execute("SELECT key FROM meta")}
        copy.close()
    assert "suggested" in keys
    assert "decided" not in keys  # a foreground commit stays in the log: the test can fail
