"""Session operations: committed decisions, the event log, overlap rules, undo/redo."""

from __future__ import annotations

import pytest

from annotator.model import Span
from annotator.session import OverlapError, Session, SessionError
from annotator.store import Store

TEXT = "👍🏽 General Rohilat Afrin told the Wall Street Journal that 153 attacks happened."


@pytest.fixture
def session(store: Store) -> Session:
    with store.write():
        doc = store.insert_document(TEXT, {}, "h")
        a = TEXT.index("Rohilat")
        store.insert_span(Span(doc, "entity", a, a + 13, "PERSON", model="m 1"))
        w = TEXT.index("Wall")
        store.insert_span(Span(doc, "entity", w, w + 19, "ORG", model="m 1"))
        store.insert_span(Span(doc, "claim", 0, len(TEXT), "CLAIM", cues=["number"]))
    return Session(store, "tester")


def state(store: Store) -> list:
    return [(s.id, s.start, s.end, s.label, s.decision, s.origin,
             s.claim.as_dict() if s.claim else None) for s in store.spans(1)]


def test_session_accept_reject_are_committed_and_logged(session: Session, db_path) -> None:
    session.accept(1)
    session.reject(2)
    other = Store(db_path)  # a second connection sees the decisions at once
    assert [s.decision for s in other.spans(1, "entity")] == ["accepted", "rejected"]
    events = other.events(1)
    assert [e["action"] for e in events] == ["accept", "reject"]
    assert all(e["annotator"] == "tester" for e in events)
    other.close()


def test_session_add_replaces_pending_and_refuses_accepted(session: Session) -> None:
    store = session.store
    start = TEXT.index("General")
    change = session.add(1, "entity", start, start + 21, "PERSON")  # covers pending PERSON
    assert store.get_span(1) is None
    added = change.span
    assert added is not None and TEXT[added.start:added.end] == "General Rohilat Afrin"
    with pytest.raises(OverlapError):
        session.add(1, "entity", start + 8, start + 30, "ORG")
    session.revert(change)
    assert store.get_span(1) is not None and store.get_span(added.id) is None
    session.reapply(change)
    assert store.get_span(1) is None and store.get_span(added.id) is not None


def test_session_resize_relabel_undo_restores_exact_state(session: Session) -> None:
    store = session.store
    before = state(store)
    changes = [session.resize(2, TEXT.index("the Wall"), TEXT.index("Journal") + 7),
               session.relabel(1, "ORG"),
               session.set_claim_attribute(3, "claimant", 1),
               session.set_claim_attribute(3, "via", "the Wall Street Journal"),
               session.set_claim_attribute(3, "hedged", True)]
    after = state(store)
    assert store.get_span(3).claim.claimant_span_id == 1  # type: ignore[union-attr]
    for change in reversed(changes):
        session.revert(change)
    assert state(store) == before
    for change in changes:
        session.reapply(change)
    assert state(store) == after


def test_session_rejects_bad_input(session: Session) -> None:
    with pytest.raises(SessionError):
        session.add(1, "entity", 5, 5, "X")
    with pytest.raises(SessionError):
        session.resize(1, 0, len(TEXT) + 1)
    with pytest.raises(SessionError):
        session.set_claim_attribute(3, "claim_type", "gossip")
    with pytest.raises(SessionError):
        session.set_claim_attribute(1, "via", "x")  # not a claim


def test_session_status_and_accept_all(session: Session) -> None:
    change = session.accept_all(1)
    assert {s.decision for s in session.store.spans(1)} == {"accepted"}
    session.revert(change)
    assert {s.decision for s in session.store.spans(1)} == {"pending"}
    session.set_status(1, "flagged", note="check names")
    doc = session.store.get_document(1)
    assert doc is not None and (doc.status, doc.note) == ("flagged", "check names")


def test_session_repeated_resize_is_one_event_and_one_change(session: Session,
                                                              monkeypatch) -> None:
    """Trimming a span key by key: every move is committed, but a move that continues the
    previous resize of the same span within COALESCE_S rewrites that resize's event, and
    its Change runs from the first state, so one undo restores it."""
    store = session.store
    original = store.get_span(2)
    end = original.end
    first = session.resize(2, original.start, end - 1)
    second = session.resize(2, original.start, end - 2, continuing=first)
    third = session.resize(2, original.start, end - 3, continuing=second)
    assert not first.continued and second.continued and third.continued
    assert store.get_span(2).end == end - 3  # every key is in the database at once
    resizes = [e for e in store.events(1) if e["action"] == "resize"]
    assert len(resizes) == 1
    import json

    assert json.loads(resizes[0]["before"])["end"] == end
    assert json.loads(resizes[0]["after"])["end"] == end - 3
    assert third.before[2] == first.before[2] and third.after[2].end == end - 3
    session.revert(third)
    restored = store.get_span(2)
    assert (restored.start, restored.end, restored.decision) == \
        (original.start, original.end, "pending")
    # Anything logged in between, or a pause, starts a new event.
    again = session.resize(2, original.start, end - 1)
    session.accept(1)
    apart = session.resize(2, original.start, end - 2, continuing=again)
    assert not apart.continued
    import annotator.session as module

    monkeypatch.setattr(module, "COALESCE_S", 0.0)
    late = session.resize(2, original.start, end - 3, continuing=apart)
    assert not late.continued
    events = store.events(1)
    for earlier, later in zip(events, events[1:], strict=False):  # an unbroken chain
        if earlier["span_id"] == later["span_id"] == 2:
            assert earlier["after"] == later["before"]


def test_session_audit_log_says_exactly_what_happened(session: Session) -> None:
    """Issue 11 §2: a decision that changes nothing logs nothing and is no undo step;
    undo and redo events carry the span they touch; a claim made by hand is not hedged
    (0, never NULL)."""
    store = session.store
    first = session.accept(1)
    again = session.accept(1)
    assert not first.empty and again.empty
    assert [e["action"] for e in store.events(1)] == ["accept"]
    session.revert(first)
    session.reapply(first)
    rows = store.conn.execute("SELECT action FROM events WHERE span_id = 1 ORDER BY id")
    assert [r[0] for r in rows] == ["accept", "undo_accept", "redo_accept"]
    start = TEXT.index("153")
    made = session.add(1, "claim", start, len(TEXT), "CLAIM").span
    assert made is not None
    hedged = store.conn.execute("SELECT hedged FROM claims WHERE span_id = ?", (made.id,))
    assert hedged.fetchone()[0] == 0


def test_session_batch_is_one_transaction(session: Session, db_path) -> None:
    other = Store(db_path)
    with session.batch():
        session.accept(1)
        session.reject(2)
        # nothing is committed inside the batch: another connection sees no decision
        assert [s.decision for s in other.spans(1, "entity")] == ["pending", "pending"]
    assert [s.decision for s in other.spans(1, "entity")] == ["accepted", "rejected"]
    with pytest.raises(SessionError), session.batch():
        session.relabel(1, "ORG")
        session.accept(99)  # refused: the relabel before it is rolled back too
    assert [(s.label, s.decision) for s in other.spans(1, "entity")] == [
        ("PERSON", "accepted"), ("ORG", "rejected")]
    assert [e["action"] for e in other.events(1)] == ["accept", "reject"]
    session.accept(2)  # outside a batch each operation commits on its own, as before
    assert other.spans(1, "entity")[1].decision == "accepted"
    other.close()
