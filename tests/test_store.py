"""The project database: schema, pragmas, migrations, refusal of foreign files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from annotator.model import Claim, Span
from annotator.store import _SCHEMA_V1, SCHEMA_VERSION, Store, StoreError


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_store_creates_schema_with_pragmas(store: Store) -> None:
    assert store.schema_version == SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    tables = set(store.db.table_names())
    assert {"documents", "spans", "claims", "events", "meta"} <= tables
    sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    indexes = {r[0] for r in store.conn.execute(sql)}
    assert {"idx_documents_status", "idx_spans_doc", "idx_spans_doc_decision"} <= indexes


def test_store_write_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write():
        store.insert_document("one", {}, "h1")
        raise RuntimeError("boom")
    assert store.count_documents() == 0


def test_store_span_roundtrip_with_claim(store: Store) -> None:
    with store.write():
        doc = store.insert_document("Ali said prices rose 5%.", {"title": "T"}, "h")
        ent = store.insert_span(Span(doc, "entity", 0, 3, "PERSON", score=None))
        claim = store.insert_span(Span(doc, "claim", 0, 24, "CLAIM", cues=["reporting_verb"],
                                       claim=Claim("statistic", ent, None, "TV", None, True)))
    got = store.get_span(claim)
    assert got is not None and got.claim is not None
    assert got.cues == ["reporting_verb"]
    assert got.claim.claimant_span_id == ent and got.claim.hedged is True
    assert store.get_document(doc).title == "T"  # type: ignore[union-attr]
    # deleting the claimant entity unlinks, never deletes, the claim
    with store.write():
        store.delete_span(ent)
    assert store.get_span(claim).claim.claimant_span_id is None  # type: ignore[union-attr]


def test_store_iter_documents_streams_in_batches(store: Store) -> None:
    with store.write():
        for i in range(25):
            store.insert_document(f"doc {i}", {}, f"h{i}")
    ids = [d.id for d in store.iter_documents(batch_size=7)]
    assert ids == list(range(1, 26))
    assert store.count_rows(search="doc 1") == 11  # "doc 1", "doc 10".."doc 19"


def _build_v1(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(_SCHEMA_V1)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute(
        "INSERT INTO documents (text, meta, content_hash, created_at, updated_at)"
        " VALUES (?, ?, 'h', 'x', 'x')",
        ("Première phrase 😀 ici. Suite.", json.dumps({"source": "S"})),
    )
    conn.execute(
        'INSERT INTO spans (doc_id, layer, start, "end", label, origin, decision,'
        " created_at, updated_at) VALUES (1, 'entity', 16, 17, 'MISC', 'human', 'accepted',"
        " 'x', 'x')"
    )
    conn.commit()
    conn.close()


def test_store_migrates_version_1_file_with_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _build_v1(path)
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION
    assert store.backup_path is not None
    backup = sqlite3.connect(store.backup_path)
    assert backup.execute("SELECT value FROM meta").fetchone()[0] == "1"
    assert backup.execute("SELECT count(*) FROM spans").fetchone()[0] == 1
    backup.close()
    doc = store.get_document(1)
    assert doc is not None and doc.title == "Première phrase 😀 ici. Suite."
    span = store.spans(1)[0]
    assert span.cues == [] and doc.text[span.start:span.end] == "😀"
    store.close()
    Store(path).close()  # opening again: nothing left to migrate


def test_store_refuses_foreign_and_newer_files(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("hello")
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    newer = tmp_path / "newer.db"
    Store(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    for path, message in ((text, "not an SQLite"), (foreign, "not an Annotator"),
                          (newer, "newer")):
        before = path.read_bytes()
        with pytest.raises(StoreError, match=message):
            Store(path)
        assert path.read_bytes() == before


def journal_mode(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def test_store_bulk_uses_the_rollback_journal_when_alone_and_wal_after(store: Store) -> None:
    with store.bulk(), store.write():
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        store.insert_documents([("Ali met Zoe in بغداد 👍🏽.", {}, "h1", "new")])
    assert journal_mode(store.path) == "wal"
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    with pytest.raises(RuntimeError), store.bulk(), store.write():  # rolled back, WAL again
        store.insert_documents([("Second.", {}, "h2", "new")])
        raise RuntimeError("stop")
    assert journal_mode(store.path) == "wal" and store.count_documents() == 1


def test_store_bulk_stays_in_wal_at_once_when_another_connection_is_open(
        store: Store) -> None:
    other = Store(store.path)
    statements: list[str] = []
    try:
        store.conn.set_trace_callback(statements.append)
        with store.bulk(), store.write():
            assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            store.insert_documents([("Only text.", {}, "h1", "new")])
        store.conn.set_trace_callback(None)
        # No wait for the busy timeout: the switch is tried with none, and refused.
        switch = statements.index("PRAGMA main.journal_mode = DELETE")
        assert statements[switch - 1] == "PRAGMA busy_timeout = 0"
        assert other.count_documents() == 1
    finally:
        other.close()
    assert journal_mode(store.path) == "wal"


def test_store_opened_during_a_bulk_import_says_busy(store: Store, monkeypatch) -> None:
    import annotator.store as store_module

    with store.bulk(), store.write():
        store.insert_documents([("Imported while another window opens.", {}, "h1", "new")])
        assert Path(f"{store.path}-journal").exists()
        monkeypatch.setattr(store_module.files, "BUSY_TIMEOUT_MS", 300)
        with pytest.raises(StoreError, match="busy: .* is writing to it"):
            Store(store.path)
    with Store(store.path) as again:
        assert again.count_documents() == 1


def test_store_search_uses_the_index_and_finds_the_rest_by_substring(store: Store) -> None:
    texts = ["Zoë Lefèvre visited Erbil.", "Talks in ERBIL ended.", "Nothing here.",
             "Officials in Mosul said 12 died."]
    with store.write():
        ids = [store.insert_document(t, {}, f"h{i}") for i, t in enumerate(texts)]
    assert store.search_indexed_upto() == 0
    before = [r["id"] for r in store.document_rows(search="erbil")]
    assert before == ids[:2]  # LIKE while nothing is indexed
    assert store.update_search_index(max_docs=3) == 3
    assert store.search_indexed_upto() == ids[2]
    with store.write():
        late = store.insert_document("Erbil again, after the index.", {}, "h9")
    # indexed documents by word (case and accents folded), the rest by substring
    assert [r["id"] for r in store.document_rows(search="erbil")] == [*ids[:2], late]
    assert [r["id"] for r in store.document_rows(search="lefevre")] == [ids[0]]
    assert [r["id"] for r in store.document_rows(search="Lef")] == [ids[0]]  # a prefix
    assert store.count_rows(search="mosul died") == 0  # not indexed yet: a substring
    assert store.update_search_index() == 2 and store.update_search_index() == 0
    assert store.count_rows(search="mosul died") == 1  # every word, anywhere
    assert store.count_rows(search='"') == 0 and store.count_rows(search="%") == 0
    assert [r["id"] for r in store.document_rows(search=str(ids[2]))] == [ids[2]]


@pytest.mark.parametrize(("text", "meta", "title"), [
    ("Shafaq News/ The Islamic State(ISIS) is resurging", {"source": "Shafaq News"},
     "The Islamic State(ISIS) is resurging"),
    ("Tech & Climate Wire — Demand hit a record", {"source": "Tech & Climate Wire"},
     "Demand hit a record"),
    ("Shafaq Newsroom staff said", {"source": "Shafaq News"}, "Shafaq Newsroom staff said"),
    ("Shafaq News/ ", {"source": "Shafaq News"}, "Shafaq News/"),  # nothing else to show
    ("Shafaq News/ The rest", {}, "Shafaq News/ The rest"),
    ("Body", {"source": "X", "title": "Given"}, "Given"),
])
def test_store_title_drops_the_outlet_that_meta_source_names(text, meta, title) -> None:
    from annotator.store import make_title

    assert make_title(text, meta) == title


def test_store_imported_sample_title_starts_after_the_outlet(store: Store) -> None:
    from annotator.importers import import_paths

    from .conftest import SHAFAQ

    import_paths(store, [SHAFAQ])
    assert store.document_rows()[0]["title"].startswith("The Islamic State(ISIS)")


def _opcodes(store: Store, work: Any) -> tuple[Any, int]:
    """``work()``'s result and how many thousand SQLite VM steps it took (not a time)."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    store.conn.set_progress_handler(count, 1000)
    try:
        return work(), steps[0]
    finally:
        store.conn.set_progress_handler(None, 0)


def test_store_search_page_reads_no_further_than_its_rows_while_indexing(store: Store) -> None:
    # 1M documents, the index filled part of the way (the window's idle indexer): a page
    # of a search used to read every text not indexed yet (id IN (index UNION LIKE))
    with store.write():
        ids = [store.insert_document(f"Officials in Erbil said so, {'x' * 400}.",
                                     {}, f"h{i}", status="done" if i % 2 else "new")
               for i in range(3_000)]
    assert store.update_search_index(max_docs=100) == 100
    upto = store.search_indexed_upto()
    page, steps = _opcodes(store, lambda: store.document_rows(search="erbil", limit=20))
    assert [r["id"] for r in page] == ids[:20]
    _, full = _opcodes(store, lambda: store.count_rows(search="erbil"))
    assert steps * 20 < full  # the page stopped at its 20 rows, the count read them all
    # across the watermark, by pages: the indexed by word, the rest by substring
    got: list[int] = []
    while batch := store.document_rows(status="done", search="erbil", limit=30,
                                       after_id=got[-1] if got else 0):
        got += [r["id"] for r in batch]
    assert got == ids[1::2]
    assert [r["id"] for r in store.document_rows(search="erbil", offset=95, limit=10)] \
        == ids[95:105]
    assert [r["id"] for r in store.document_rows(search=str(ids[5]))] == [ids[5]]
    assert [r["id"] for r in store.document_rows(search=str(upto + 7))] == [upto + 7]
    assert store.document_rows(status="new", search=str(ids[5])) == []


def test_store_count_unindexed_reads_no_documents(store: Store) -> None:
    # the window's indexer counts what is left at its first idle moment, on the GUI
    # thread: a count of the rows read every document not indexed (14 s at 1M)
    with store.write():
        ids = [store.insert_document(f"Text {'y' * 300}", {}, f"h{i}") for i in range(3_000)]
    counted, steps = _opcodes(store, store.count_unindexed)
    assert counted == 3_000 and steps == 0  # under a thousand VM steps: no rows read
    store.update_search_index(max_docs=1_000)
    assert _opcodes(store, store.count_unindexed) == (2_000, 0)
    with store.write():
        store.conn.execute("DELETE FROM documents WHERE id = ?", (ids[1_500],))
        store.conn.execute("DELETE FROM documents WHERE id = ?", (ids[-1],))
    assert store.count_unindexed() in (1_998, 1_999)  # at most the deleted last one more
    while store.update_search_index():
        pass
    assert store.count_unindexed() == 0


def test_store_status_events_are_the_text_log_event_writes(store: Store) -> None:
    """``log_status_event`` (SQLite's json_quote, so that ``annotator mark`` needs no json)
    writes the same before/after text as ``log_event`` (json) for every status and note:
    none, quotes, backslashes, control characters, emoji, Arabic, every BMP character."""
    notes: list[str | None] = [None, "", 'say "no"', "a\\b", "tab\there\nnew\r\x00\x1f\x7f",
                               "🎉 ok", "قال المتحدث", "\u2028\u2029\ufeff",
                               "".join(chr(i) for i in range(0x20, 0xD800, 7))]
    statuses = ["new", "in_progress", "done", "skipped", "flagged"]
    with store.write():
        for i, note in enumerate(notes):
            before = {"status": statuses[i % 5], "note": note}
            after = {"status": statuses[(i + 1) % 5], "note": notes[-1 - i]}
            store.log_event("status_x", "ann", None, None, before, after)
            store.log_status_event("status_x", "ann", 1, before, after)
    rows = store.conn.execute("SELECT before, after FROM events WHERE action = 'status_x'"
                              " ORDER BY id").fetchall()
    assert len(rows) == 2 * len(notes)
    for by_json, by_sqlite in zip(rows[::2], rows[1::2], strict=True):
        assert by_sqlite == by_json


def test_store_names_a_project_as_pathlib_does() -> None:
    """The store keeps the project's name as a str (pathlib is not imported to open one):
    ``path_text`` and ``_parent`` spell every name as ``str(Path(name))`` and
    ``str(Path(name).parent)`` do, and a store's messages and ``Store.path`` follow."""
    import random

    from annotator.store.files import _parent, path_text

    pieces = ["a", "b.db", ".", "..", "/", "//", " ", "~", "é", "x y"]
    rng = random.Random(7)
    names = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
             for _ in range(20_000)]
    for name in names:
        assert path_text(name) == str(Path(name)), name
        assert _parent(name) == str(Path(name).parent), name
    assert path_text(Path("a//b/./c.db")) == "a/b/c.db"


def test_store_messages_name_the_project_as_given_through_pathlib(tmp_path: Path) -> None:
    missing = f"{tmp_path}//./nothing.db"
    with pytest.raises(StoreError) as refused:
        Store(missing, create=False)
    assert str(refused.value).startswith(f"{tmp_path}/nothing.db: no such project")
    with Store(f"{tmp_path}/./p.db") as store:
        assert store.path == tmp_path / "p.db" and isinstance(store.path, Path)
