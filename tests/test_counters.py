"""The counters of documents by status and spans by set, layer, label and decision
(schema v8, kept by triggers): after any mix of changes, including cascades, merges
and a migration from v7, they equal a count of the rows."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from annotator.model import Span
from annotator.store import Store

STATUSES = ("new", "in_progress", "done", "skipped", "flagged")


def _counted(conn: sqlite3.Connection) -> tuple[dict[str, int], dict[tuple[str, ...], int]]:
    status = {s: n for s, n in conn.execute("SELECT status, n FROM status_counts") if n}
    spans = {tuple(k): n for *k, n in conn.execute(
        "SELECT annotation_set, layer, label, decision, n FROM span_counts") if n}
    return status, spans


def _truth(conn: sqlite3.Connection) -> tuple[dict[str, int], dict[tuple[str, ...], int]]:
    status = dict(conn.execute("SELECT status, count(*) FROM documents GROUP BY status"))
    spans = {tuple(k): n for *k, n in conn.execute(
        "SELECT annotation_set, layer, label, decision, count(*) FROM spans"
        " GROUP BY annotation_set, layer, label, decision")}
    return status, spans


def test_counters_follow_every_change(tmp_path: Path) -> None:
    rng = random.Random(8)
    with Store(tmp_path / "p.db") as store:
        docs: list[int] = []
        for step in range(400):
            with store.write() as conn:
                action = rng.random()
                if action < 0.25 or not docs:
                    docs.append(store.insert_document(f"Text number {step} here.", {},
                                                      f"h{step}"))
                elif action < 0.55:
                    doc = rng.choice(docs)
                    start = rng.randrange(0, 10)
                    store.insert_span(Span(
                        id=None, doc_id=doc, layer=rng.choice(("entity", "claim")),
                        start=start, end=start + 3, label=rng.choice(("ORG", "GPE", "CLAIM")),
                        origin="model", decision=rng.choice(("pending", "accepted"))))
                elif action < 0.7:
                    ids = [r[0] for r in conn.execute("SELECT id FROM spans")]
                    if ids:
                        store.update_span(rng.choice(ids), decision="rejected",
                                          label=rng.choice(("ORG", "PERSON")))
                elif action < 0.8:
                    conn.execute("UPDATE spans SET annotation_set = 'bob' WHERE id IN"
                                 " (SELECT id FROM spans ORDER BY random() LIMIT 2)")
                elif action < 0.93:
                    conn.execute("UPDATE documents SET status = ? WHERE id = ?",
                                 (rng.choice(STATUSES), rng.choice(docs)))
                else:  # a document deleted: its spans go by the cascade
                    doc = docs.pop(rng.randrange(len(docs)))
                    conn.execute("DELETE FROM documents WHERE id = ?", (doc,))
            if step % 50 == 49:
                assert _counted(store.conn) == _truth(store.conn), step
        status, _ = _truth(store.conn)
        assert store.count_documents() == sum(status.values()) == len(docs)
        assert store.count_documents("done") == status.get("done", 0)
        assert store.stats()["documents"]["by_status"] == dict(sorted(status.items()))


def test_a_v7_project_gets_its_counters(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with Store(db) as store, store.write():
        doc = store.insert_document("Baghdad and Erbil.", {}, "h")
        store.insert_span(Span(id=None, doc_id=doc, layer="entity", start=0, end=7,
                               label="GPE", origin="model", decision="pending"))
    conn = sqlite3.connect(db)  # back to v7, as a file of the last version is
    for table in ("status_counts", "span_counts"):
        conn.execute(f"DROP TABLE {table}")
    for trigger in ("count_document", "uncount_document", "recount_document",
                    "count_span", "uncount_span", "recount_span"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with Store(db) as store:
        assert store.schema_version == 8
        assert _counted(store.conn) == _truth(store.conn) == (
            {"new": 1}, {("", "entity", "GPE", "pending"): 1})
