"""Fail safe (issue 17): a read-only project reads, a full disk says so, and neither
ends in a traceback, a changed project or a file left behind.

Read-only and full are real here: a small tmpfs mounted for the test (remounted
read-only, or filled), and ``chattr +i`` for a file even root cannot write. Both need
root, as CI has; elsewhere these tests are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.session import Session, StorageError
from annotator.store import Store, StoreError

from ._project import ROOT, integrity, seed_project

RESULTS: dict[str, int] = {}


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` for the block."""
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); CI runs as root")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def remount_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def fill(where: Path, leave: int = 0) -> Path:
    """Fill the file system at ``where`` up to ``leave`` bytes free; returns the filler."""
    filler = where / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "annotator.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


def assert_one_line_failure(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    message = done.stderr.strip()
    assert message.count("\n") == 0, message
    for word in words:
        assert word in message, message


def _project(path: Path) -> None:
    seed_project(path, docs=3)
    with Store(path) as store:
        Session(store, "ann").set_status(1, "done")


@pytest.mark.slow
def test_failsafe_read_only_mount_reads_and_refuses_writes(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "fs", "4m") as fs:
        db = fs / "p.db"
        _project(db)
        source = tmp_path / "more.txt"
        source.write_text("Another article about Basra.", encoding="utf-8")
        remount_read_only(fs)
        before = sorted(p.name for p in fs.iterdir())
        with Store(db) as store:
            assert store.readonly and store.count_documents() == 3
            with pytest.raises(StorageError, match="read-only"):
                Session(store, "ann").accept(1)
        reads = {
            "list": cli("list", "--db", str(db)),
            "show": cli("show", "1", "--json", "--db", str(db)),
            "stats": cli("stats", "--json", "--db", str(db)),
            "export": cli("export", "--status", "any", "--out", str(tmp_path / "e.jsonl"),
                          "--db", str(db)),
        }
        for name, done in reads.items():
            assert done.returncode == 0 and "Traceback" not in done.stderr, (name, done.stderr)
        assert json.loads(reads["show"].stdout)["id"] == 1
        assert len((tmp_path / "e.jsonl").read_text(encoding="utf-8").splitlines()) == 3
        writes = {
            "accept": cli("accept", "--db", str(db)),
            "import": cli("import", str(source), "--db", str(db)),
            "suggest": cli("suggest", "--db", str(db)),
            "mark": cli("mark", "done", "2", "--db", str(db)),
        }
        for done in writes.values():
            assert_one_line_failure(done, "read-only")
        assert sorted(p.name for p in fs.iterdir()) == before
    RESULTS["read_only_reads"] = sum(d.returncode == 0 for d in reads.values())
    RESULTS["read_only_writes_refused"] = sum(d.returncode != 0 for d in writes.values())


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_failsafe_reading_a_read_only_file_creates_nothing_beside_it(tmp_path: Path) -> None:
    """``list`` on a project whose file cannot be written (its folder can) creates no
    -wal/-shm that would keep it read-only after the file is writable again."""
    db = tmp_path / "p.db"
    _project(db)
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True,
                      check=False).returncode:
        pytest.skip("chattr +i is not allowed here; CI runs as root")
    try:
        assert cli("list", "--db", str(db)).returncode == 0
        assert cli("stats", "--db", str(db)).returncode == 0
        assert_one_line_failure(cli("mark", "done", "2", "--db", str(db)), "read-only")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["p.db"]
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)
    assert cli("mark", "done", "2", "--db", str(db)).returncode == 0  # writable again


@pytest.mark.slow
def test_failsafe_full_disk_import_suggest_accept(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    with open(big, "w", encoding="utf-8") as fh:
        for n in range(3000):
            fh.write(json.dumps({"text": f"Article {n}: " + "words " * 200}) + "\n")
    tracebacks = corrupt = 0
    with tmpfs(tmp_path / "fs", "2m") as fs:
        db = fs / "p.db"
        _project(db)
        fill(fs, leave=64 * 1024)
        outcomes = [cli("import", str(big), "--db", str(db)),
                    cli("suggest", "--db", str(db))]
        for done in outcomes:
            tracebacks += "Traceback" in done.stderr
        assert_one_line_failure(outcomes[0], "disk is full", "nothing was imported")
        fill(fs)  # what suggest left free
        outcomes.append(cli("accept", "--db", str(db)))
        outcomes.append(cli("list", "--db", str(db)))
        for done in outcomes[1:]:
            tracebacks += "Traceback" in done.stderr
            if done.returncode:
                assert_one_line_failure(done, "full")
        (fs / "filler").unlink()  # room for the -shm a reader needs, then check
        corrupt += integrity(db) != "ok"
        with Store(db) as store:
            assert store.count_documents() == 3  # the import left nothing
    RESULTS["full_disk_runs"] = len(outcomes)
    RESULTS["full_disk_tracebacks"] = tracebacks
    RESULTS["full_disk_corrupt"] = corrupt
    assert tracebacks == 0 and corrupt == 0


def test_failsafe_new_project_on_a_full_disk_leaves_no_file(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "fs", "1m") as fs:
        fill(fs)
        db = fs / "new.db"
        with pytest.raises(StoreError, match="disk is full"):
            Store(db)
        assert not db.exists()
        done = cli("import", str(ROOT / "resources" / "samples"), "--db", str(db))
        assert_one_line_failure(done, "disk is full")
        assert sorted(p.name for p in fs.iterdir()) == ["filler"]
