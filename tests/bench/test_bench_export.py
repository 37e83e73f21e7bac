"""The export benchmark's shortcuts at 1,000,000 documents (``bench/export.py``): its
project is built with the indexes and counter triggers dropped and made again, and it
measures a cached export only after checking the cache against the tokenizer. These
guard both: the fast build gives the project a row-by-row build gives, and a cache entry
that differs from the tokenizer's (or one missing) stops the bench."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.store import Store
from annotator.tokens import TokenCache
from bench import export


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        out = {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
               for table in ("documents", "spans", "claims", "status_counts", "span_counts")}
        out["schema"] = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"
                                     " ORDER BY type, name").fetchall()
        out["check"] = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return out


def test_export_bench_fast_build_is_the_row_by_row_project(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("annotator.store.now", lambda: "2026-12-08T00:00:00Z")
    export.build(tmp_path / "fast.db", 60)
    export.build(tmp_path / "slow.db", 60, fast=False)
    fast, slow = _dump(tmp_path / "fast.db"), _dump(tmp_path / "slow.db")
    assert fast["check"] == [("ok",)]
    assert len(fast["documents"]) == 60 and len(fast["spans"]) == 300
    assert fast == slow
    # the triggers are back: a change is counted
    with Store(tmp_path / "fast.db") as store, store.write() as conn:
        conn.execute("UPDATE documents SET status = 'new' WHERE id = 1")
    conn = sqlite3.connect(tmp_path / "fast.db")
    assert dict(conn.execute("SELECT status, n FROM status_counts")) == {"done": 59, "new": 1}
    conn.close()


def test_export_bench_refuses_a_cache_that_differs(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    export.build(db, 12)
    with pytest.raises(RuntimeError, match="0 of 12 documents have tokens cached"):
        export.check_cache(db, 12)
    with Store(db) as store, TokenCache(store) as cache:
        cache.get([(d.id, d.text) for d in store.iter_documents()])
    assert export.check_cache(db, 12, sample=12)["sample_checked"] == 12
    with Store(db) as store, store.write() as conn:
        starts = conn.execute("SELECT starts FROM tokens WHERE doc_id = 5").fetchone()[0]
        conn.execute("UPDATE tokens SET starts = ? WHERE doc_id = 5", (starts[:-4],))
    with pytest.raises(RuntimeError, match=r"1 of 12 sampled documents differ.*\[5\]"):
        export.check_cache(db, 12, sample=12)
