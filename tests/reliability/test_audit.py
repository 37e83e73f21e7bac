"""The event log is the audit trail and what lets a crash lose nothing: every decision
is in it, under the document it was made in."""

from __future__ import annotations

from pathlib import Path

from annotator.session import Session
from annotator.store import Store

from ._project import seed_project


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
