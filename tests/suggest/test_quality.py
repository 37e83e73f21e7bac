"""Claim check-worthiness on a slice of the ClaimBuster development file (the protocol of
``bench/quality.py``): a regression guard, not the measurement (``make bench`` is)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.protocol import data_path, protocol_documents
from bench.quality import measure, sentence_scores

pytestmark = pytest.mark.slow  # the real pipeline over the evaluation sets

ROOT = Path(__file__).resolve().parents[2]


def test_quality_sentence_counts_when_half_is_covered():
    sentences = [(0, 10), (11, 21), (22, 40)]
    claims = [(0, 6, 0.4), (11, 14, 0.9), (5, 30, 0.7)]
    # (0, 6) covers 60% of the first; (11, 14) lies inside the second; (5, 30) covers half
    # of the first, all of the second, and 8 of the third's 18 characters (not enough)
    assert sentence_scores(sentences, claims) == [0.7, 0.9, None]


def test_quality_slice_meets_the_goals(nlp):
    try:
        path = data_path()
    except FileNotFoundError:
        pytest.skip("ClaimBuster development file not here")
    docs = protocol_documents(path, limit=24)
    assert len(docs) == 24 and all(len(d.sentences) <= 30 for d in docs)
    assert all(d.text[a:b] and d.text[b:b + 1] in ("", " ") for d in docs
               for a, b in d.sentences)
    m = measure(24, nlp=nlp, model=None)  # the rules alone
    assert m["sentences"] == 720
    assert m["F1"] >= 0.6 and m["AP"] >= 0.6, m
    assert m["longest_claim_vs_paragraph"] <= 1.0 and m["longest_claim_sentences"] <= 6


def test_quality_shipped_model_on_heldout_debates(nlp):
    try:
        data_path()
    except FileNotFoundError:
        pytest.skip("ClaimBuster development file not here")
    from bench.protocol import split
    from bench.quality import heldout_debates, measure_many

    held = heldout_debates()
    assert held == split()[1] and len(held) == 7
    shipped = json.loads((ROOT / "resources/models/checkworthy/meta.json").read_text())
    assert set(shipped["provenance"]["heldout_debates"]) == set(held)
    assert not set(shipped["provenance"]["training_debates"]) & set(held)
    figures = measure_many({"rules": None, "model": "default"}, 24, nlp=nlp, debates=held)
    rules, model = figures["rules"], figures["model"]
    assert rules["debates"] == model["debates"] and set(model["debates"]) <= set(held)
    assert model["model"] == "claimbuster" and model["F1"] >= 0.6 and model["AP"] >= 0.6
    assert model["longest_claim_vs_paragraph"] <= 1.0


def test_quality_bench_rows_are_information_rows():
    try:
        data_path()
    except FileNotFoundError:
        pytest.skip("ClaimBuster development file not here")
    from bench.quality import run

    rows = run(2)
    keys = {"name", "value", "unit", "baseline", "ratio", "target", "higher_is_better", "meets"}
    assert len(rows) == 9 + 3 + 10 and all(keys <= row.keys() for row in rows)
    assert all(row["target"] is None and row["meets"] is None for row in rows)
    assert [row["goal"] for row in rows[:12]] == [None, None, 0.6, 0.6, None, None, 0.7, None,
                                                  1.0, 0.9, None, None]
    assert "60 sentences" in rows[0]["name"] and "held-out debates" in rows[0]["name"]
    assert "rules alone" in rows[0]["name"] and "shipped model" in rows[4]["name"]
    assert "speakers-dev (136 news quotes" in rows[9]["name"]
    assert rows[9]["value"] >= 0.9 > rows[9]["baseline"]  # issue 27: 0.848 before
    assert rows[11]["value"] >= 0.95  # quote recall with the quote view
    assert "logistic combination" in rows[-1]["name"]


def test_best_f1_takes_the_best_threshold():
    from bench.quality import best_f1

    gold = [True, False, True, False, False]
    f1, at = best_f1(gold, [0.9, 0.8, 0.7, None, 0.1])
    assert at == 0.7 and abs(f1 - 0.8) < 1e-9  # 2 of 3 suggested right, both found


def test_same_speaker_compares_surnames():
    from bench.quality import same_speaker

    assert same_speaker("Jane Whitfield", "Whitfield")
    assert same_speaker("Dr. Hannah Cole", "Hannah Cole")
    assert not same_speaker("Jane Whitfield", "the minister")
    assert not same_speaker("Jane Whitfield", None)


def test_fit_logistic_recovers_a_separating_weight():
    import numpy as np

    from bench.claim_ranking import fit_logistic

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] + 0.1 * rng.normal(size=400) > 0).astype(float)
    w = fit_logistic(x, y)
    assert w[1] > 3 * abs(w[2])  # the first feature carries the label


def _unit(doc: int, span: tuple[int, int], words: list[str], label: bool,
          debate: str = "d") -> dict[str, object]:
    return {"debate": debate, "doc": doc, "span": span, "features": words, "cues": [],
            "rules": 0.5, "label": label}


def test_sentence_figures_rank_every_unit_and_as_suggested():
    from bench.claim_ranking import sentence_figures

    documents = [{"debate": "d", "sentences": [(0, 10), (11, 20), (21, 30)],
                  "verdicts": [1, -1, 1]}]
    units = [_unit(0, (0, 10), [], True), _unit(0, (11, 20), [], False),
             _unit(0, (21, 30), [], True)]
    f = sentence_figures(documents, units, [0.9, 0.6, 0.4], 0.5)
    assert abs(f["AP"] - (1 + 2 / 3) / 2) < 1e-9  # every unit ranked: 0.4 third
    assert f["suggested"]["R"] == 0.5 and f["suggested"]["P"] == 0.5  # 0.4 not suggested
    assert abs(f["best_F1"] - 0.8) < 1e-9


@pytest.mark.parametrize("factory", ["textcat_multilabel", "textcat"])
def test_train_variant_gives_the_checkworthy_probability(factory):
    """Both classifier kinds return the probability of CHECKWORTHY (with exclusive
    classes, its column, not the other class's)."""
    from bench.claim_ranking import _bow, train_variant

    worthy = [_unit(k, (0, 1), ["unemployment", "rose", "0%"], True) for k in range(30)]
    other = [_unit(k, (0, 1), ["i", "think", "so"], False) for k in range(30)]
    spec = (factory, _bow(2, exclusive=factory == "textcat"), "unit", 6)
    predict = train_variant(spec, worthy[:20] + other[:20], worthy[20:] + other[20:])
    p_worthy, p_other = predict([worthy[0], other[0]])
    assert p_worthy > 0.5 > p_other
