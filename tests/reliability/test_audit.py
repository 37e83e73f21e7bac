"""The event log is the audit trail and what lets a crash lose nothing: every decision
is in it, under the document it was made in."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.session import Session, StorageError
from annotator.store import Store, StoreError

from ._project import seed_project, snapshot


def test_audit_accept_all_over_project_logs_each_document(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    seed_project(db, docs=3)
    with Store(db) as store:
        change = Session(store, "lead").accept_all(label="PERSON")
        events = store.events()
        assert events and len(events) == len(change.after)
        for event in events:
            span = store.get_span(event["span_id"])
            assert span is not None and event["doc_id"] == span.doc_id
        assert {e["doc_id"] for e in events} <= {d.id for d in store.iter_documents()}
        assert sum(len(store.events(d.id)) for d in store.iter_documents()) == len(events)


def test_audit_disk_full_leaves_no_partial_decision(tmp_path: Path) -> None:
    """A decision that cannot be written (disk full) changes nothing, not even half of it
    (span without event); once there is room again, work goes on."""
    db = tmp_path / "p.db"
    seed_project(db, docs=2)
    with Store(db) as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        session = Session(store, "a" * 3000)  # a long name fills pages fast
        failures = 0
        for n in range(50):
            before, events = snapshot(store), len(store.events())
            try:
                session.add(1 + n % 2, "claim", 0, 5, "CLAIM")
            except StorageError as exc:  # a SessionError: the window shows the message
                assert "full" in str(exc)
                failures += 1
                assert snapshot(store) == before and len(store.events()) == events
        assert failures > 0
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        store.conn.execute("PRAGMA max_page_count = 1000000")
        assert session.add(1, "claim", 0, 5, "CLAIM").span is not None


def test_audit_folder_as_project_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot be read"):
        Store(tmp_path)
