"""Property tests (hypothesis): any sequence of span operations keeps non-rejected
entities from overlapping and every span inside its text, and ``revert`` restores the
exact previous state (``reapply`` the exact next one). Also UTF-16 <-> code point
offsets, against ``ui/offsets.py`` once it exists.

``RELIABILITY_EXAMPLES=2000`` runs a long variant.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from annotator.gui import offsets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.editing.reveal import has_hidden
from annotator.model import Claim, Span
from annotator.session import Change, Session, SessionError
from annotator.store import Store

from ._project import ENTITY_LABELS, WORDS, env_int, span_state

EXAMPLES = env_int("RELIABILITY_EXAMPLES", 60)
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

texts = st.lists(st.sampled_from(WORDS), min_size=3, max_size=25).map(" ".join)
initial_spans = st.lists(
    st.tuples(st.integers(0, 200), st.integers(1, 15), st.sampled_from(ENTITY_LABELS),
              st.sampled_from(["pending", "pending", "accepted", "rejected"]),
              st.sampled_from(["entity", "entity", "claim"])),
    max_size=12,
)
operations = st.lists(
    st.tuples(
        st.sampled_from(["add", "add_claim", "accept", "reject", "relabel", "resize", "delete",
                         "claimant", "attribute", "accept_all", "status", "undo"]),
        st.integers(0, 1000), st.integers(-4, 4), st.integers(-4, 4),
    ),
    min_size=1, max_size=25,
)


def state(store: Store) -> list[tuple[Any, ...]]:
    doc = store.get_document(1)
    assert doc is not None
    return [(doc.status, doc.note), *(span_state(s) for s in store.spans(1))]


def check_invariants(store: Store, text: str) -> None:
    spans = store.spans(1)
    for s in spans:
        assert 0 <= s.start < s.end <= len(text), s
    live = sorted((s for s in spans if s.layer == "entity" and s.decision != "rejected"),
                  key=lambda s: s.start)
    for a, b in zip(live, live[1:], strict=False):
        assert a.end <= b.start, f"entities overlap: {a} / {b}"
    ids = {s.id for s in spans}
    for s in spans:
        if s.claim is not None and s.claim.claimant_span_id is not None:
            assert s.claim.claimant_span_id in ids


def seed(store: Store, text: str, spans: list[tuple[Any, ...]]) -> None:
    with store.write():
        store.insert_document(text, {}, "h")
        live: list[tuple[int, int]] = []
        for start, length, label, decision, layer in spans:
            start = start % len(text)
            end = min(len(text), start + length)
            if layer == "claim":
                store.insert_span(Span(1, "claim", start, end, "CLAIM", decision=decision,
                                       claim=Claim()))
                continue
            if decision != "rejected" and any(s < end and start < e for s, e in live):
                continue  # the suggester never stores overlapping live entities
            if decision != "rejected":
                live.append((start, end))
            store.insert_span(Span(1, "entity", start, end, label, decision=decision))


def apply(session: Session, text: str, op: tuple[str, int, int, int],
          undo: list[Change]) -> Change | None:
    kind, n, d1, d2 = op
    spans = session.store.spans(1)
    pick = spans[n % len(spans)] if spans else None
    if kind in ("add", "add_claim"):
        start = n % len(text)
        end = min(len(text), start + 1 + abs(d1) * 3 + abs(d2))
        layer = "entity" if kind == "add" else "claim"
        return session.add(1, layer, start, end, ENTITY_LABELS[n % 5] if layer == "entity"
                           else "CLAIM")
    if kind == "accept_all":
        return session.accept_all(1)
    if kind == "status":
        return session.set_status(1, ["done", "flagged", "in_progress", "skipped"][n % 4],
                                  note=None if d1 < 0 else f"<i>note</i> {d1}")
    if kind == "undo":
        if undo:
            session.revert(undo.pop())
        return None
    if pick is None or pick.id is None:
        return None
    if kind == "accept":
        return session.accept(pick.id)
    if kind == "reject":
        return session.reject(pick.id)
    if kind == "relabel":
        return session.relabel(pick.id, ENTITY_LABELS[(n + d1) % 5])
    if kind == "delete":
        return session.delete(pick.id)
    if kind == "resize":
        return session.resize(pick.id, pick.start + d1, pick.end + d2)
    claims = [s for s in spans if s.layer == "claim" and s.id is not None]
    if not claims:
        return None
    claim = claims[n % len(claims)]
    assert claim.id is not None
    if kind == "claimant":
        ents = [s.id for s in spans if s.layer == "entity"]
        value: Any = ents[d1 % len(ents)] if ents and d1 >= 0 else "author"
        return session.set_claim_attribute(claim.id, "claimant", value)
    name = ["claim_type", "checkworthy", "hedged", "via"][d1 % 4]
    value = {"claim_type": "quote", "checkworthy": "yes", "hedged": d2 > 0,
             "via": "Reuters"}[name]
    return session.set_claim_attribute(claim.id, name, value)


@pytest.mark.slow
@SETTINGS
@given(text=texts, spans=initial_spans, ops=operations)
def test_properties_span_operations_keep_invariants_and_undo_exactly(
    text: str, spans: list[tuple[Any, ...]], ops: list[tuple[str, int, int, int]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "p.db") as store:
        seed(store, text, spans)
        session = Session(store, "prop")
        check_invariants(store, text)
        initial = state(store)
        undo: list[Change] = []
        for op in ops:
            before = state(store)
            try:
                change = apply(session, text, op, undo)
            except SessionError:
                assert state(store) == before  # a refused operation writes nothing
                continue
            check_invariants(store, text)
            if change is None:
                continue
            after = state(store)
            session.revert(change)
            assert state(store) == before, f"revert of {change.action} is not exact"
            session.reapply(change)
            assert state(store) == after, f"reapply of {change.action} is not exact"
            undo.append(change)
        # Undo everything still on the stack, newest first: back to the start exactly,
        # unless an "undo" op already consumed part of the history out of order.
        if all(op[0] != "undo" for op in ops):
            for change in reversed(undo):
                session.revert(change)
                check_invariants(store, text)
            assert state(store) == initial


stack_operations = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["add", "add_claim", "accept", "reject", "relabel", "resize",
                                   "delete", "claimant", "attribute", "accept_all",
                                   "status"]),
                  st.integers(0, 1000), st.integers(-4, 4), st.integers(-4, 4)),
        st.tuples(st.sampled_from(["undo", "redo"]), st.just(0), st.just(0), st.just(0)),
    ),
    min_size=1, max_size=30,
)


@pytest.mark.slow
@SETTINGS
@given(text=texts, spans=initial_spans, ops=stack_operations)
def test_properties_undo_stack_walks_back_and_forth_exactly(
    text: str, spans: list[tuple[Any, ...]], ops: list[tuple[str, int, int, int]]
) -> None:
    """An undo stack as the GUI keeps one (QUndoStack): undo steps back through exact
    earlier states, redo forward again, a new operation drops the redo tail."""
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "p.db") as store:
        seed(store, text, spans)
        session = Session(store, "stack")
        history: list[tuple[Change, list[Any], list[Any]]] = []
        index = 0
        for op in ops:
            if op[0] == "undo":
                if index:
                    index -= 1
                    change, before, _ = history[index]
                    session.revert(change)
                    assert state(store) == before, f"undo of {change.action}"
            elif op[0] == "redo":
                if index < len(history):
                    change, _, after = history[index]
                    session.reapply(change)
                    assert state(store) == after, f"redo of {change.action}"
                    index += 1
            else:
                before = state(store)
                try:
                    change = apply(session, text, op, [])
                except SessionError:
                    continue
                if change is None:
                    continue
                del history[index:]
                history.append((change, before, state(store)))
                index += 1
            check_invariants(store, text)
        while index:
            index -= 1
            session.revert(history[index][0])
            assert state(store) == history[index][1]


# --- UTF-16 <-> code points (ui/offsets.py, written with the GUI) ------------------------


def reference_to_utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


unicode_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40) | texts


@SETTINGS
@given(text=unicode_text, data=st.data())
@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_properties_utf16_offsets_roundtrip(text: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(text)))
    pos = offsets.to_utf16(text, index)
    assert pos == reference_to_utf16(text, index)
    assert offsets.from_utf16(text, pos) == index


def test_properties_utf16_example_from_style_guide() -> None:
    assert offsets.to_utf16("😀 Alice", 2) == 3 and offsets.from_utf16("😀 Alice", 3) == 2


breaky_text = st.lists(st.sampled_from(["a", " ", "😀", "👍🏽", "\u200d", "e\u0301", "\r", "\n",
                                        "\u202e", "\u2066", "\u200f", "\u200b", "\ufeff",
                                        "\r\n", "\u2028", "\u2029", "ب", "東", "\t"]),
                       max_size=30).map("".join)


@SETTINGS
@given(text=unicode_text | breaky_text, data=st.data())
def test_properties_offsets_inside_surrogate_pair_snap_to_start(text: str,
                                                                data: st.DataObject) -> None:
    mod = offsets
    pos = data.draw(st.integers(0, len(text.encode("utf-16-le")) // 2))
    index = mod.from_utf16(text, pos)
    assert mod.to_utf16(text, index) <= pos < mod.to_utf16(text, index) + 2 or pos == 0
    omap = mod.OffsetMap(text)
    assert omap.utf16_length == len(text.encode("utf-16-le")) // 2
    assert omap.from_utf16(pos) == index
    shown = mod.display_text(text)
    assert len(shown) == len(text)  # same code points, so the same offsets
    assert mod.OffsetMap(shown).utf16_length == omap.utf16_length
    assert not any(c in shown for c in "\r\u2028\u2029")
    assert not has_hidden(shown)  # nothing that reorders or hides text


@settings(max_examples=max(20, EXAMPLES // 2), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=unicode_text | breaky_text, data=st.data())
def test_properties_offsets_select_the_same_text_in_qt(qapp: Any, text: str,
                                                       data: st.DataObject) -> None:
    """Against Qt itself: a QTextCursor from to_utf16(start) to to_utf16(end) over the
    displayed text selects exactly the stored ``text[start:end]``."""
    from PySide6.QtGui import QTextCursor, QTextDocument

    mod = offsets
    shown = mod.display_text(text)
    document = QTextDocument()
    document.setPlainText(shown)
    assert document.characterCount() - 1 == mod.OffsetMap(text).utf16_length
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    cursor = QTextCursor(document)
    cursor.setPosition(mod.to_utf16(text, start))
    cursor.setPosition(mod.to_utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
    selected = cursor.selectedText().replace("\u2029", "\n")
    assert selected == shown[start:end].replace("\u2028", "\n")
