"""Claim scores from a learned check-worthiness model on top of the rules."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from annotator.store import Store
from annotator.suggest.checkworthy import Checkworthiness, shipped, shipped_path
from annotator.suggest.claims import (
    BIAS,
    COMBINED_THRESHOLD,
    CUE_WEIGHTS,
    MIN_SCORE,
    claim_candidates,
    combined_score,
    suggest_claims,
    unit_features,
)
from annotator.suggest.entities import suggest_entities
from annotator.suggest.runner import Suggester, load_suggester, suggest

TEXT = ("The ministry said unemployment fell to 4.1% in March. I think we should all be "
        "kinder to each other. Thank you.")


class FixedScorer:
    """A scorer that likes units with a number."""

    name = "fixed-1"
    threshold = 0.5

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def score(self, units: Sequence[Sequence[str]], vocab: Any = None) -> list[float]:
        self.seen += [list(u) for u in units]
        return [0.9 if "[cue:number]" in u else 0.1 for u in units]


def test_checkworthy_features_are_words_and_cues() -> None:
    assert unit_features(["Prices", "rose", "12.5", "%"], ["number", "trend"]) == [
        "Prices", "rose", "00.0", "%", "[cue:number]", "[cue:trend]"]


def test_checkworthy_scorer_replaces_rule_score_and_threshold(nlp) -> None:
    doc = nlp(TEXT)
    entities = suggest_entities(doc)
    candidates = claim_candidates(doc, entities)
    rules = suggest_claims(doc, entities)
    assert all(c.score >= MIN_SCORE for c in rules)
    assert {c.claim.start for c in candidates} >= {c.start for c in rules}
    scorer = FixedScorer()
    learned = suggest_claims(doc, entities, scorer)
    [claim] = learned
    assert claim.score == round(combined_score(0.9, 0.5, claim.cues), 3) >= COMBINED_THRESHOLD
    assert TEXT[claim.start:claim.end].startswith("unemployment fell")
    # the average of the two margins in log-odds: the rules' over MIN_SCORE, the model's
    # over its threshold
    z = (BIAS + sum(CUE_WEIGHTS[c] for c in claim.cues) - math.log(0.3 / 0.7)) / 2 \
        + math.log(0.9 / 0.1) / 2
    assert combined_score(0.9, 0.5, claim.cues) == pytest.approx(1 / (1 + math.exp(-z)))
    assert combined_score(0.5, 0.5, []) < COMBINED_THRESHOLD  # no cue: the rules say no
    assert combined_score(0.99, 0.5, []) > COMBINED_THRESHOLD  # a sure model wins them over
    assert "number" in claim.cues  # the cues stay as the explanation
    assert scorer.seen and all(w == w.lower() or w.startswith("[cue:") for u in scorer.seen
                               for w in u)


def test_checkworthy_shipped_model_loads_and_scores(nlp) -> None:
    path = shipped_path()
    assert path is not None and (path / "meta.json").is_file()
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert size < 4_000_000  # a few MB at most
    model = shipped()
    assert model is not None and model is shipped() and 0.05 <= model.threshold <= 0.95
    assert model.meta["provenance"]["citation"].startswith("F. Arslan")
    doc = nlp(TEXT)
    [worthy, opinion] = [c.features for c in claim_candidates(doc, suggest_entities(doc))][:2]
    p_worthy, p_opinion = model.score([worthy, opinion], doc.vocab)
    assert p_worthy > model.threshold > p_opinion
    assert model.score([]) == [] and len(model.score([[]])) == 1


@pytest.mark.slow
def test_checkworthy_runner_names_the_claim_model(store: Store, nlp, tmp_path: Path) -> None:
    with store.write():
        store.insert_document(TEXT, {}, "h1")
        store.insert_document(TEXT + " Again.", {}, "h2")
    suggest(store, nlp, [1])  # the default: the shipped model
    [claim] = store.spans(1, layer="claim")
    assert claim.model is not None and claim.model.endswith(" + claimbuster")
    suggest(store, Suggester(nlp, FixedScorer(), "mine 1"), [2])
    [claim2] = store.spans(2, layer="claim")
    assert claim2.model == "mine 1 + fixed-1" and claim2.score > 0.9
    entity_models = {s.model for s in store.spans(2, layer="entity")}
    assert entity_models == {"mine 1"}
    rules = load_suggester(None, store.path, rules_only=True)
    assert rules.checkworthiness is None and rules.claim_model == rules.name
    assert isinstance(load_suggester(None, store.path).checkworthiness, Checkworthiness)
