"""The rest of a paragraph (annotator/editing/paragraphs.py): what ``Alt+A`` accepts,
and :meth:`Session.accept_many`, which stores it (issue 26 §3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.editing.paragraphs import next_pending, paragraph_at, rest_of_paragraph
from annotator.importers import content_hash
from annotator.model import Claim, Span
from annotator.session import Session, SessionError
from annotator.store import Store

TEXT = ("ISIS grew in Syria. The SDF said ISIS lost Raqqa.\n\n"
        "The US left Iraq.")


def span(word: str, span_id: int, layer: str = "entity", label: str = "ORG",
         decision: str = "pending", nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    return Span(1, layer, start, start + len(word), label, decision=decision,  # type: ignore[arg-type]
                id=span_id)


def spans() -> list[Span]:
    return [span("ISIS grew in Syria", 1, "claim", "CLAIM"), span("ISIS", 2),
            span("Syria", 3, label="GPE"), span("SDF", 4, decision="accepted"),
            span("The SDF said ISIS lost Raqqa", 5, "claim", "CLAIM"),
            span("ISIS", 6, nth=1), span("Raqqa", 7, label="GPE"),
            span("US", 8, label="GPE"), span("Iraq", 9, label="GPE")]


def test_paragraph_at_is_the_line_around_an_offset() -> None:
    first = TEXT.index("\n")
    assert paragraph_at(TEXT, 0) == (0, first)
    assert paragraph_at(TEXT, TEXT.index("Raqqa")) == (0, first)
    assert paragraph_at(TEXT, TEXT.index("US")) == (first + 2, len(TEXT))
    assert paragraph_at(TEXT, first + 1) == (first + 1, first + 1)  # the empty line


def test_rest_of_paragraph_stops_before_the_next_claim_and_at_the_paragraph_end() -> None:
    all_spans = spans()
    by_id = {s.id: s for s in all_spans}
    # From the first claim: itself and its entities, not the next claim (unseen).
    assert [s.id for s in rest_of_paragraph(TEXT, all_spans, by_id[1])] == [1, 2, 3]
    # From an entity: itself, up to the next claim.
    assert [s.id for s in rest_of_paragraph(TEXT, all_spans, by_id[3])] == [3]
    # From the second claim: its entities, to the paragraph's end (not US, Iraq).
    assert [s.id for s in rest_of_paragraph(TEXT, all_spans, by_id[5])] == [5, 6, 7]
    # From an accepted span (inside the second claim): the pending ones after it.
    assert [s.id for s in rest_of_paragraph(TEXT, all_spans, by_id[4])] == [6, 7]
    assert [s.id for s in rest_of_paragraph(TEXT, all_spans, by_id[8])] == [8, 9]


def test_next_pending_is_in_reading_order_and_wraps() -> None:
    all_spans = spans()
    by_id = {s.id: s for s in all_spans}
    found = next_pending(all_spans, by_id[1], {1, 2, 3})
    assert found is not None and found.id == 5  # the claim it stopped before
    found = next_pending(all_spans, by_id[9], {9})
    assert found is not None and found.id == 1  # wraps to the first pending
    assert next_pending(all_spans, by_id[1], {s.id for s in all_spans}) is None


def test_accept_many_accepts_the_pending_ones_in_one_change(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        with store.write():
            doc = store.insert_document(TEXT, {}, content_hash(TEXT), "new")
            other = store.insert_document("Other.", {}, content_hash("Other."), "new")
            ids = []
            for s in spans():
                s.doc_id, s.id = doc, None
                if s.layer == "claim":
                    s.claim = Claim("event", None, "author", None, "yes", False)
                ids.append(store.insert_span(s))
            stranger = store.insert_span(Span(other, "entity", 0, 5, "ORG"))
        session = Session(store, "tester")
        change = session.accept_many(doc, ids[:4])
        assert sorted(change.after) == [ids[0], ids[1], ids[2]]  # SDF was accepted
        assert [store.get_span(i).decision for i in ids[:5]] == ["accepted"] * 4 + ["pending"]
        kept = store.get_span(ids[0]).claim
        assert kept is not None and (kept.claimant_text, kept.checkworthy) == ("author", "yes")
        session.revert(change)  # one undo step
        assert [store.get_span(i).decision for i in ids[:3]] == ["pending"] * 3
        with pytest.raises(SessionError, match="not in document"):
            session.accept_many(doc, [ids[0], stranger])
        assert store.get_span(ids[0]).decision == "pending"  # nothing half-written
