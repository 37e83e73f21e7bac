"""The project file: migration from every earlier schema version (with a backup made
first, and nothing changed if a migration fails), a file cut short while it was being
created, and refusal, byte for byte unchanged, of anything that is not ours."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator import store as store_module
from annotator.store import (
    _SCHEMA_V1,
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    StoreError,
)

from ._project import ROOT, dump, env_int, integrity

MIGRATION_KILLS = env_int("RELIABILITY_MIGRATION_KILLS", 4)


def build_version(path: Path, version: int, docs: int = 3, wal: bool = False) -> None:
    """A project at schema ``version``: v1 from ``_SCHEMA_V1``, later ones by running the
    migrations up to it, with documents, spans, a claim and events in it."""
    conn = sqlite3.connect(path, isolation_level=None)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN")
    for statement in _SCHEMA_V1.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    for n in range(docs):
        text = f"Doc {n}: 👍🏽 Ali told Reuters in Baghdad that 12 died."
        conn.execute("INSERT INTO documents (text, meta, content_hash, created_at, updated_at)"
                     " VALUES (?, ?, ?, 'x', 'x')", (text, json.dumps({"n": n}), f"h{n}"))
        doc = n + 1
        start = text.index("Ali")
        conn.execute('INSERT INTO spans (doc_id, layer, start, "end", label, origin, decision,'
                     " created_at, updated_at) VALUES (?, 'entity', ?, ?, 'PERSON', 'model',"
                     " 'pending', 'x', 'x')", (doc, start, start + 3))
        conn.execute('INSERT INTO spans (doc_id, layer, start, "end", label, origin, decision,'
                     " created_at, updated_at) VALUES (?, 'claim', 0, ?, 'CLAIM', 'model',"
                     " 'pending', 'x', 'x')", (doc, len(text)))
        conn.execute("INSERT INTO claims (span_id, claim_type) VALUES (last_insert_rowid(),"
                     " 'statistic')")
        conn.execute("INSERT INTO events (ts, annotator, action, doc_id) VALUES"
                     " ('x', 'old', 'accept', ?)", (doc,))
    for v in range(1, version):
        MIGRATIONS[v](conn)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    conn.execute("COMMIT")
    conn.close()


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_database_migrates_every_earlier_version_with_backup(tmp_path: Path,
                                                            version: int) -> None:
    path = tmp_path / "old.db"
    build_version(path, version)
    original = dump(path)
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.backup_path is not None and store.backup_path.exists()
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.count_documents() == 3
        for doc in store.iter_documents():
            assert doc.title.startswith(f"Doc {doc.id - 1}:")
            ent, claim = store.spans(doc.id, "entity")[0], store.spans(doc.id, "claim")[0]
            assert doc.text[ent.start:ent.end] == "Ali" and ent.cues == []
            assert claim.claim is not None and claim.claim.claim_type == "statistic"
        assert len(store.events()) == 3
    assert dump(store.backup_path) == original  # the backup is the file as it was
    assert integrity(store.backup_path) == "ok"
    with Store(path) as again:  # nothing left to migrate, no second backup
        assert again.backup_path is None


def test_database_backup_includes_uncheckpointed_wal(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    build_version(path, 1, wal=True)
    holder = sqlite3.connect(path)  # another connection keeps the WAL un-checkpointed
    holder.execute("PRAGMA wal_autocheckpoint = 0")
    holder.execute("INSERT INTO documents (text, meta, content_hash, created_at, updated_at)"
                   " VALUES ('only in the WAL', '{}', 'wal', 'x', 'x')")
    holder.commit()
    assert Path(f"{path}-wal").stat().st_size > 0
    with Store(path) as store:
        assert store.count_documents() == 4
        backup = store.backup_path
    holder.close()
    assert backup is not None
    conn = sqlite3.connect(backup)
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 4
    conn.close()


def test_database_failed_migration_changes_nothing(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    build_version(path, 1)
    original = dump(path)

    real = MIGRATIONS[1]

    def half_then_fail(conn: sqlite3.Connection) -> None:
        real(conn)
        raise OSError("disk full, say")

    monkeypatch.setitem(store_module.MIGRATIONS, 1, half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        Store(path)
    assert dump(path) == original
    assert (tmp_path / "old.db.v1.bak").exists()


MIGRATE_SCRIPT = """
import sys
from annotator.store import Store
print("start", flush=True)
Store(sys.argv[1]).close()
print("done", flush=True)
"""


def _run_migration(path: Path, kill_after: float | None) -> float:
    """Migrate ``path`` in a subprocess; SIGKILL it ``kill_after`` s in. Returns the time
    from start to the kill (or to the end)."""
    proc = subprocess.Popen([sys.executable, "-c", MIGRATE_SCRIPT, str(path)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "start\n"
    started = time.monotonic()
    if kill_after is None:
        assert proc.stdout.readline() == "done\n"
    else:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    return time.monotonic() - started


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_database_sigkill_during_migration_leaves_old_or_new(tmp_path: Path) -> None:
    rng = random.Random(5)
    template = tmp_path / "template.db"
    build_version(template, 1, docs=20_000)
    timing = tmp_path / "timing.db"
    timing.write_bytes(template.read_bytes())
    duration = _run_migration(timing, None)  # how long a migration takes here
    outcomes = {f"v{v}": 0 for v in (1, SCHEMA_VERSION)}
    for trial in range(MIGRATION_KILLS):
        path = tmp_path / f"big{trial}.db"
        path.write_bytes(template.read_bytes())
        _run_migration(path, rng.uniform(0.3, 1.0) * duration)  # commit, then a checkpoint
        assert integrity(path) == "ok"
        conn = sqlite3.connect(path)
        version = conn.execute("SELECT value FROM meta").fetchone()[0]
        conn.close()
        outcomes[f"v{version}"] += 1
        with Store(path) as store:  # either way it opens, migrated, with every document
            assert store.schema_version == SCHEMA_VERSION
            assert store.count_documents() == 20_000
            assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    print(f"\nmigration kills: {outcomes} (migration takes {duration:.2f} s)")


def test_database_path_with_uri_characters(tmp_path: Path) -> None:
    folder = tmp_path / "Iraq #2?draft %41 & more"
    folder.mkdir()
    path = folder / "news.db"
    Store(path).close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
    old = folder / "old #1.db"
    build_version(old, 1)
    with Store(old) as store:
        assert store.backup_path is not None and store.count_documents() == 3
    assert integrity(store.backup_path) == "ok"


def _newer(path: Path, version: int) -> None:
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    conn.commit()
    conn.close()


def _foreign(path: Path, wal: bool = False) -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    conn.commit()
    conn.close()


def _lookalike(path: Path) -> None:
    """Our table names, no application id, a schema_version that is not a number."""
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE meta (key, value); CREATE TABLE documents (x);"
                       "CREATE TABLE spans (y); INSERT INTO meta VALUES ('schema_version', 'x');")
    conn.close()


def _corrupt(path: Path) -> None:
    Store(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = random.Random(1).randbytes(3996)  # page 1 past the header
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_text("just some notes\n"), "not an SQLite"),
    (lambda p: p.write_bytes(b"SQLite format 3"), "not an SQLite"),
    (lambda p: p.write_bytes(random.Random(3).randbytes(8192)), "not an SQLite"),
    (_foreign, "not an Annotator project"),
    (lambda p: _foreign(p, wal=True), "not an Annotator project"),
    (_lookalike, "unreadable"),
    (_corrupt, "not changed"),
    (lambda p: _newer(p, SCHEMA_VERSION + 1), "newer Annotator"),
    (lambda p: _newer(p, 99), "newer Annotator"),
], ids=["text", "short-header", "random-bytes", "foreign-sqlite", "foreign-wal", "lookalike",
        "corrupt", "next-version", "version-99"])
def test_database_refuses_files_not_ours_byte_identical(tmp_path: Path, make, message) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    path = folder / "project.db"
    make(path)
    before = files_in(folder)
    with pytest.raises(StoreError, match=message):
        Store(path)
    with pytest.raises(StoreError):
        Store(path, create=False)
    assert files_in(folder) == before  # same bytes, and no -wal/-shm/backup left behind


def test_database_creation_cut_short_is_created_again(tmp_path: Path) -> None:
    """A kill between ``journal_mode = WAL`` and the schema commit leaves an SQLite file
    with no tables: it is our own half-made project, so create it, don't refuse it."""
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    assert path.stat().st_size > 0
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    with pytest.raises(StoreError):
        Store(tmp_path / "other.db", create=False)


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_database_sigkill_during_creation_then_open(tmp_path: Path) -> None:
    script = "import sys; from annotator.store import Store; Store(sys.argv[1])"
    for trial in range(env_int("RELIABILITY_CREATE_KILLS", 6)):
        path = tmp_path / f"p{trial}.db"
        proc = subprocess.Popen([sys.executable, "-c", script, str(path)], cwd=ROOT)
        deadline = time.monotonic() + 10
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.0005)
        time.sleep(random.Random(trial).uniform(0, 0.01))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with Store(path) as store:
            assert store.schema_version == SCHEMA_VERSION
