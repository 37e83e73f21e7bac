"""Long documents: suggestions are stored in ``O(n log n)``, in short transactions that
another store's decision can come between, with the same result as before.

Hand-made suggestions (``store_suggestions``) on a real project file; what the old
quadratic code stored is the reference (:func:`reference_store`, kept here as it was)."""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest

from annotator.model import Claim, Span
from annotator.session import Session
from annotator.store import PRECEDENCE, Store
from annotator.suggest import runner
from annotator.suggest.claims import ClaimSuggestion
from annotator.suggest.entities import EntitySuggestion
from annotator.suggest.runner import store_suggestions


def reference_store(store: Store, doc_id: int, text: str, entities: list[EntitySuggestion],
                    claims: list[ClaimSuggestion], model: str,
                    min_score: float | None = None) -> tuple[int, int]:
    """The storage of suggestions as it was (every new entity compared with every
    entity span): the reference for what is stored."""
    added_e = added_c = 0
    with store.write():
        existing = store.spans(doc_id)
        live_entities = [s for s in existing if s.layer == "entity"]
        claim_ranges = {(s.start, s.end) for s in existing if s.layer == "claim"}
        entity_ids: dict[int, int] = {}
        for k, ent in enumerate(entities):
            linked = next((s for s in live_entities if s.overlaps(ent.start, ent.end)
                           and s.decision != "rejected"), None)
            if any(s.overlaps(ent.start, ent.end) for s in live_entities):
                if linked is not None and linked.id is not None:
                    entity_ids[k] = linked.id
                continue
            if min_score is not None and ent.score is not None and ent.score < min_score:
                continue
            span = Span(doc_id=doc_id, layer="entity", start=ent.start, end=ent.end,
                        label=ent.label, origin="model", decision="pending", score=ent.score,
                        model=model, cues=list(ent.cues))
            span.id = store.insert_span(span)
            live_entities.append(span)
            entity_ids[k] = span.id
            added_e += 1
        for c in claims:
            if (c.start, c.end) in claim_ranges:
                continue
            if min_score is not None and c.score < min_score:
                continue
            claimant_id = entity_ids.get(c.claimant_entity) \
                if c.claimant_entity is not None else None
            claimant_text = c.claimant_text
            if c.claimant_entity is not None and claimant_id is None:
                ent = entities[c.claimant_entity]
                claimant_text = text[ent.start:ent.end]
            claim = Claim(claim_type=c.claim_type, claimant_span_id=claimant_id,
                          claimant_text=claimant_text, via=c.via, hedged=c.hedged,
                          checkworthy=c.checkworthy)
            store.insert_span(Span(doc_id=doc_id, layer="claim", start=c.start, end=c.end,
                                   label=c.label, origin="model", decision="pending",
                                   score=c.score, model=model, cues=list(c.cues),
                                   claim=claim))
            claim_ranges.add((c.start, c.end))
            added_c += 1
    return added_e, added_c


def snapshot(store: Store) -> list[tuple]:
    return store.conn.execute(
        'SELECT s.id, s.doc_id, s.layer, s.start, s."end", s.label, s.origin, s.decision,'
        " s.score, s.model, s.cues, c.claim_type, c.claimant_span_id, c.claimant_text"
        " FROM spans s LEFT JOIN claims c ON c.span_id = s.id ORDER BY s.id").fetchall()


def new_project(path, text: str, existing: list[Span]) -> Store:
    store = Store(path)
    with store.write():
        doc_id = store.insert_document(text, {}, "h")
        for span in existing:
            span.doc_id = doc_id
            store.insert_span(span)
    return store


def random_case(rng: random.Random, length: int, n_new: int, n_old: int, tidy: bool
                ) -> tuple[str, list[Span], list[EntitySuggestion], list[ClaimSuggestion]]:
    """A text, the spans already there (human, accepted; model, rejected or pending;
    overlapping each other at random) and new suggestions: ``tidy`` ones as spaCy makes
    them (sorted, not overlapping), else anywhere."""
    text = "".join(rng.choice("abcde ") for _ in range(length))
    existing = []
    for _ in range(n_old):
        start = rng.randrange(length - 20)
        origin, decision = rng.choice([("human", "accepted"), ("model", "rejected"),
                                       ("model", "pending"), ("model", "accepted")])
        layer = rng.choice(["entity", "entity", "claim"])
        existing.append(Span(doc_id=0, layer=layer, start=start,
                             end=start + rng.randint(1, 15), label="ORG", origin=origin,
                             decision=decision))
    if tidy:
        cuts = sorted(rng.sample(range(length), 2 * n_new))
        entities = [EntitySuggestion(a, b, rng.choice(["GPE", "GPE", "WEAPON"]),
                                     rng.choice([None, rng.random()]))
                    for a, b in zip(cuts[::2], cuts[1::2], strict=True) if a < b]
    else:
        entities = []
        for _ in range(n_new):
            start = rng.randrange(length - 20)
            entities.append(EntitySuggestion(start, start + rng.randint(1, 12), "GPE",
                                             rng.choice([None, rng.random()])))
    claims = []
    old_claims = [s for s in existing if s.layer == "claim"]
    for _ in range(max(n_new // 3, 1)):
        if old_claims and rng.random() < 0.2:
            start, end = rng.choice([(s.start, s.end) for s in old_claims])
        else:
            start = rng.randrange(length - 50)
            end = start + rng.randint(5, 50)
        link = rng.randrange(len(entities)) if entities and rng.random() < 0.7 else None
        claims.append(ClaimSuggestion(start, end, rng.random(), ["cue"], "reported",
                                      claimant_entity=link,
                                      claimant_text=rng.choice([None, "someone"])))
    return text, existing, entities, claims


@pytest.mark.parametrize("seed", range(12))
def test_long_storage_stores_what_the_old_code_stored(tmp_path, seed):
    """Whatever the spans already there and the suggestions (overlapping, unsorted),
    written in chunks of 7 or in one, labels mapped or not (WEAPON is not in the map):
    the same rows, ids and claimant links included, and the same labels left out."""
    rng = random.Random(seed)
    tidy = seed % 2 == 0
    text, existing, entities, claims = random_case(rng, 600, 40, 30, tidy)
    min_score = 0.3 if seed % 3 == 0 else None
    label_for = {"GPE": "PLACE", "CLAIM": "CLAIM"} if seed % 4 < 2 else None
    with new_project(tmp_path / "ref.db", text, [Span(**vars(s)) for s in existing]) as ref:
        ref_unknown: Counter[str] = Counter()
        ents, cls = (entities, claims) if label_for is None else \
            runner._in_scheme(text, entities, claims, label_for, ref_unknown)
        expected = reference_store(ref, 1, text, ents, cls, "m", min_score=min_score)
        rows = snapshot(ref)
    for chunk in (7, 1000):
        with new_project(tmp_path / f"new{chunk}.db", text,
                         [Span(**vars(s)) for s in existing]) as store:
            unknown: Counter[str] = Counter()
            got = store_suggestions(store, 1, text, entities, claims, "m",
                                    min_score=min_score, chunk_spans=chunk, chunk_ms=None,
                                    label_for=label_for, unknown=unknown)
            assert (got, snapshot(store), unknown) == (expected, rows, ref_unknown)
            assert store.has_model_spans(1) == (expected[0] + expected[1] > 0 or any(
                s.origin == "model" for s in existing))


def test_long_storage_compares_n_log_n_not_n_squared(tmp_path, monkeypatch):
    """2,000 new entities against 500 spans already there: the spans examined (overlap
    tests, index probes) stay within a few per entity; comparing each with every span
    took ~3,000,000."""
    rng = random.Random(7)
    text, existing, entities, claims = random_case(rng, 40_000, 2_000, 500, tidy=True)
    compared = [0]
    overlaps = Span.overlaps

    def counted(self: Span, start: int, end: int) -> bool:
        compared[0] += 1
        return overlaps(self, start, end)

    monkeypatch.setattr(Span, "overlaps", counted)
    index = getattr(runner, "_EntityIndex", None)
    probes_before = index.probes if index else 0
    with new_project(tmp_path / "p.db", text, existing) as store:
        added, _ = store_suggestions(store, 1, text, entities, claims, "m")
        assert added > 1_000
    examined = compared[0] + (index.probes - probes_before if index else 0)
    assert examined <= 3 * (len(entities) + len(existing)), examined


def test_long_document_is_written_in_short_transactions_a_decision_comes_between(tmp_path):
    """A long document's suggestions go in chunks of at most ``chunk_spans``, each its
    own transaction; between two, another store's decision takes the lock at once
    (``wait_ms=0``), and no suggestion written after it overlaps it. Until the last
    chunk the document counts as not suggested."""
    rng = random.Random(3)
    text, _, entities, claims = random_case(rng, 20_000, 500, 0, tidy=True)
    db = tmp_path / "p.db"
    store = new_project(db, text, [])
    other = Store(db)
    session = Session(other, "ann")
    late = entities[400]  # written by a later chunk, unless a person takes its place
    seen: list[tuple[int, bool, bool]] = []

    def between() -> None:
        count = other.conn.execute("SELECT count(*) FROM spans").fetchone()[0]
        seen.append((count, other.has_model_spans(1), 1 in other.document_ids_for_suggest()))
        if len(seen) == 1:
            with other.write(wait_ms=0):  # raises "database is locked" if held
                pass
            session.add(1, "entity", late.start, late.end, "PERSON")

    added = store_suggestions(store, 1, text, entities, claims, "m", chunk_spans=50,
                              chunk_ms=None, between=between)
    total = len(entities) + len(claims)
    assert len(seen) == -(-total // 50) - 1  # one call between each two chunks
    counts = [0] + [n for n, _, _ in seen] + [sum(added) + 1]
    assert max(b - a for a, b in zip(counts, counts[1:], strict=False)) <= 51
    assert all(not has and listed for _, has, listed in seen)  # not suggested until done
    assert other.has_model_spans(1) and 1 not in other.document_ids_for_suggest()
    human = [s for s in store.spans(1, "entity") if s.origin == "human"]
    assert [(s.start, s.end) for s in human] == [(late.start, late.end)]
    overlapping = [s for s in store.spans(1, "entity") if s.origin == "model" and
                   s.overlaps(late.start, late.end)]
    assert overlapping == []
    assert added[0] == len(entities) - 1
    other.close()
    store.close()


def test_long_document_cut_short_is_finished_by_the_next_run(tmp_path):
    """A run stopped between two chunks leaves the document listed for suggesting; the
    next run completes it to what one uninterrupted run stores."""
    rng = random.Random(5)
    text, existing, entities, claims = random_case(rng, 5_000, 200, 40, tidy=True)
    with new_project(tmp_path / "ref.db", text, [Span(**vars(s)) for s in existing]) as ref:
        store_suggestions(ref, 1, text, entities, claims, "m", chunk_spans=30, chunk_ms=None)
        whole = [row[1:] for row in snapshot(ref) if row[6] == "model"]

    class Stop(Exception):
        pass

    def stop() -> None:
        raise Stop

    with new_project(tmp_path / "cut.db", text, existing) as store:
        with pytest.raises(Stop):
            store_suggestions(store, 1, text, entities, claims, "m", chunk_spans=30,
                              chunk_ms=None, between=stop)
        assert store.document_ids_for_suggest() == [1]
        assert not store.has_model_spans(1)
        store_suggestions(store, 1, text, entities, claims, "m", chunk_spans=30, chunk_ms=None)
        assert store.document_ids_for_suggest() == []
        rows = [row[1:] for row in snapshot(store) if row[6] == "model"]
        # the same spans; claimant links by position (ids differ)
        assert [r[:-2] + (r[-1],) for r in rows] == [r[:-2] + (r[-1],) for r in whole]
        assert sum(r[-2] is not None for r in rows) == sum(r[-2] is not None for r in whole)


def test_long_background_store_waits_for_a_foreground_write(tmp_path):
    """In one process, a background store (the window's worker) starts no transaction
    while a foreground one (the window's decisions) waits for the lock or holds it."""
    db = tmp_path / "p.db"
    front = Store(db)
    back = Store(db, background=True)
    entered = threading.Event()

    def worker() -> None:
        with back.write():
            entered.set()

    with front.write():
        thread = threading.Thread(target=worker)
        thread.start()
        assert PRECEDENCE.wait_for_waiters(1, timeout=30)
        assert not entered.is_set()
    thread.join(timeout=30)
    assert entered.is_set()
    with PRECEDENCE.first():  # a thread's own foreground write never blocks it
        PRECEDENCE.wait_turn()
    back.close()
    front.close()


@pytest.mark.parametrize("background", [False, True])
def test_long_chunk_reads_a_decision_outside_its_transaction_and_honours_a_later_one(
        tmp_path, monkeypatch, background):
    """After another store's decision, a chunk reads the document's spans again before
    its transaction (not with the lock held, the decision of the next key waiting); a
    decision committed between that read and the transaction makes it read them again:
    a background store (the window's) ahead of a new transaction, another inside it.
    No suggestion overlaps either decision."""
    rng = random.Random(4)
    text, _, entities, claims = random_case(rng, 20_000, 500, 0, tidy=True)
    db = tmp_path / "p.db"
    new_project(db, text, []).close()
    store = Store(db, background=background)
    other = Store(db)
    session = Session(other, "ann")
    first, middle, second = entities[200], entities[300], entities[400]  # later chunks
    reads: list[bool] = []  # per read of the spans: inside a transaction?
    chunks = [0]
    span_ranges = store.span_ranges

    def between() -> None:
        chunks[0] += 1
        if chunks[0] == 1:
            session.add(1, "entity", first.start, first.end, "PERSON")
        elif chunks[0] == 2:
            session.add(1, "entity", middle.start, middle.end, "PERSON")
        elif chunks[0] >= 3:  # commits that change none of its spans: nothing read
            with other.write():
                other.conn.execute("INSERT OR REPLACE INTO meta VALUES ('x', ?)",
                                   (chunks[0],))

    def read(doc_id: int, layer: str) -> list[tuple[int, int, int, str]]:
        got = span_ranges(doc_id, layer)
        reads.append(store.conn.in_transaction)
        if chunks[0] == 2 and layer == "claim" and not store.conn.in_transaction \
                and len(reads) == 6:
            # after this chunk's read ahead, before its transaction
            session.add(1, "entity", second.start, second.end, "PERSON")
        return got

    monkeypatch.setattr(store, "span_ranges", read)
    store_suggestions(store, 1, text, entities, claims, "m", chunk_spans=50, chunk_ms=None,
                      between=between)
    # entities and claims: before chunk 0, after decision 1, after the middle one;
    # then again (the last one made the read ahead stale): ahead, or inside; none after
    # the other commits
    assert reads == [False] * 6 + [not background] * 2
    assert chunks[0] > 5
    model = [s for s in store.spans(1, "entity") if s.origin == "model"]
    for decided in (first, middle, second):
        assert not [s for s in model if s.overlaps(decided.start, decided.end)]
    other.close()
    store.close()


@pytest.mark.timeout(120, method="thread")
def test_long_foreground_write_waits_for_the_background_transaction_not_sqlite(tmp_path):
    """A foreground write started while a background transaction of the process runs
    waits for it on :data:`PRECEDENCE` (woken at its commit), not in SQLite's busy
    handler, whose sleeps grow to 100 ms; a thread's own background transaction never
    blocks its foreground write."""
    db = tmp_path / "p.db"
    front = Store(db)
    back = Store(db, background=True)
    opened, release, done = threading.Event(), threading.Event(), threading.Event()

    def worker() -> None:
        with back.write():
            opened.set()
            release.wait(30)

    def decide() -> None:
        with front.write():
            done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    assert opened.wait(30)
    decision = threading.Thread(target=decide)
    decision.start()
    assert PRECEDENCE.wait_for_foreground(1, timeout=30)
    assert not done.is_set()
    release.set()
    decision.join(30)
    thread.join(30)
    assert done.is_set()
    with PRECEDENCE.background_turn(), PRECEDENCE.first():  # the same thread: no wait
        pass
    back.close()
    front.close()


def test_long_background_chunk_ends_at_once_while_a_decision_waits(tmp_path, monkeypatch):
    """While a foreground write of the process waits (the window's decision), a
    background store commits after the row it is writing instead of filling its chunk;
    a foreground store's chunks are not cut."""
    rng = random.Random(5)
    text, _, entities, claims = random_case(rng, 5_000, 40, 0, tidy=True)
    monkeypatch.setattr(PRECEDENCE, "foreground_waiting", 1)  # a decision waits
    for background, expected in ((True, len(entities) + len(claims) - 1), (False, 0)):
        calls = [0]

        def between(calls: list[int] = calls) -> None:
            calls[0] += 1

        db = tmp_path / f"p{background}.db"
        new_project(db, text, []).close()
        with Store(db, background=background) as store:
            store_suggestions(store, 1, text, entities, claims, "m", chunk_spans=1_000,
                              chunk_ms=None, between=between)
        assert calls[0] == expected


def test_long_span_digest_changes_with_what_the_overlap_rule_reads(tmp_path):
    """The digest a chunk compares changes when a span is added, removed, moved,
    rejected or changes layer, and stays when only an accept or a label changes."""
    store = new_project(tmp_path / "p.db", "a b c d e f g h i j " * 10, [])
    session = Session(store, "ann")
    digests = [store.span_digest(1)]

    def changed() -> bool:
        digests.append(store.span_digest(1))
        return digests[-1] != digests[-2]

    [span_id] = session.add(1, "entity", 0, 1, "ORG").after
    assert changed()
    with store.write():
        store.conn.execute("UPDATE spans SET decision = 'accepted', label = 'GPE'"
                           " WHERE id = ?", (span_id,))
    assert not changed()
    with store.write():
        store.conn.execute("UPDATE spans SET decision = 'rejected' WHERE id = ?", (span_id,))
    assert changed()
    for sql in ('UPDATE spans SET "end" = 3 WHERE id = ?',
                "UPDATE spans SET layer = 'claim' WHERE id = ?",
                "DELETE FROM spans WHERE id = ?"):
        with store.write():
            store.conn.execute(sql, (span_id,))
        assert changed()
    store.close()
