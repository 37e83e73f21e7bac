"""Agreement figures against values worked out by hand (the arithmetic is in each test)."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from annotator.agreement import agreement, alpha, cohen_kappa, render, sentences
from annotator.importers import content_hash
from annotator.model import Claim, Span
from annotator.store import Store

DOC1 = "Ali Hassan met Bob Stone in Paris today"  # 8 tokens
DOC2 = "Sara Haddad visited Mosul"  # 4 tokens
CLAIMS = "Ali said prices rose. The weather was fine. Bob claimed 5 people died."


def at(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def add_doc(store: Store, text: str, sets: dict[str, list[tuple[str, str, str]]]) -> int:
    """A document marked done by each set, with its accepted spans (layer, words, label)."""
    with store.write():
        doc = store.insert_document(text, {}, content_hash(text))
        for name, spans in sets.items():
            store.put_set_status(doc, name, "done", None)
            for layer, words, label in spans:
                store.insert_span(Span(doc, layer, *at(text, words), label, origin="human",
                                       decision="accepted", annotation_set=name))
    return doc


@pytest.fixture
def entities(store: Store) -> Store:
    add_doc(store, DOC1, {
        "a": [("entity", "Ali Hassan", "PERSON"), ("entity", "Bob Stone", "PERSON"),
              ("entity", "Paris", "GPE")],
        "b": [("entity", "Ali Hassan", "PERSON"), ("entity", "Bob Stone", "ORG"),
              ("entity", "Paris today", "GPE")]})
    add_doc(store, DOC2, {
        "b": [("entity", "Sara Haddad", "PERSON"), ("entity", "Mosul", "GPE")],
        "c": [("entity", "Sara Haddad", "PERSON")]})
    return store


def test_agreement_entities_pairwise_figures_by_hand(entities: Store) -> None:
    """Document 1, tokens Ali Hassan met Bob Stone in Paris today:

        a: P P O P   P   O G O
        b: P P O ORG ORG O G G

    agree on 5 of 8 tokens: p_o = 5/8. a's labels O 3, P 4, G 1; b's O 2, P 2, ORG 2, G 2
    (each 1/4), so p_e = (3 + 4 + 0 + 1)/8 · 1/4 = 1/4 and κ = (5/8 − 1/4)/(3/4) = 1/2.
    Spans: one of 3 + 3 matches exactly: F1 = 2·1/6 = 1/3. Overlapping with the same
    label: b's "Ali Hassan" and "Paris today", 2/3; a's "Ali Hassan" and "Paris", 2/3:
    F1 2/3.
    PERSON alone: a 2 spans, b 1, one exact: F1 2/3; overlap P 1/1, R 1/2: F1 2/3;
    tokens P-or-not a 1101 1000... agree 6/8, a yes 1/2, b yes 1/4:
    p_e = 1/2·1/4 + 1/2·3/4 = 1/2, κ = (3/4 − 1/2)/(1/2) = 1/2.
    GPE: agree 7/8, a yes 1/8, b yes 2/8: p_e = 2/64 + 42/64 = 11/16,
    κ = (14/16 − 11/16)/(5/16) = 3/5. ORG: only b: F1 0, κ (3/4 − 3/4)/(1/4) = 0.
    Document 2 (b, c): Sara Haddad visited Mosul: P P O G against P P O O: p_o = 3/4;
    b: P 1/2, O 1/4, G 1/4; c: P 1/2, O 1/2: p_e = 1/4 + 1/8 = 3/8,
    κ = (3/4 − 3/8)/(5/8) = 3/5; spans 1 exact of 2 + 1: F1 2/3."""
    result = agreement(entities, "entity").as_dict()
    assert result["annotators"] == ["a", "b", "c"] and result["documents"] == 2
    pairs = {(p["a"], p["b"]): p for p in result["pairs"]}
    ab = pairs[("a", "b")]
    assert ab["documents"] == 1 and ab["units"] == 8
    everything = ab["labels"]["all"]
    assert everything["f1_exact"] == pytest.approx(1 / 3)
    assert everything["f1_overlap"] == pytest.approx(2 / 3)
    assert everything["kappa"] == pytest.approx(1 / 2)
    person = ab["labels"]["PERSON"]
    assert (person["a_spans"], person["b_spans"], person["exact_matches"]) == (2, 1, 1)
    assert person["f1_exact"] == pytest.approx(2 / 3)
    assert person["f1_overlap"] == pytest.approx(2 / 3)
    assert person["kappa"] == pytest.approx(1 / 2)
    assert ab["labels"]["GPE"]["kappa"] == pytest.approx(3 / 5)
    assert ab["labels"]["ORG"]["kappa"] == pytest.approx(0.0)
    assert ab["labels"]["ORG"]["f1_exact"] == 0.0
    bc = pairs[("b", "c")]
    assert bc["labels"]["all"]["kappa"] == pytest.approx(3 / 5)
    assert bc["labels"]["all"]["f1_exact"] == pytest.approx(2 / 3)
    ac = pairs[("a", "c")]
    assert ac["documents"] == 0 and ac["labels"]["all"]["kappa"] is None


def test_agreement_entities_krippendorff_alpha_across_all_by_hand(entities: Store) -> None:
    """Every unit has two values. Coincidences (a unit of equal values c adds 2 to o_cc;
    one of c and k adds 1 to o_ck and 1 to o_kc):
    document 1: o_PP 4, o_OO 4, o_GG 2, o_P,ORG = o_ORG,P = 2, o_OG = o_GO = 1;
    document 2: o_PP 4, o_OO 2, o_GO = o_OG = 1.
    n_O = 6 + 2 = 8, n_P = 8 + 2 = 10, n_ORG = 2, n_G = 2 + 2 = 4; n = 24.
    Disagreements Σ_{c≠k} o_ck = 2 + 2 + 2 + 2 = 8; expected Σ_{c≠k} n_c n_k =
    24² − (64 + 100 + 4 + 16) = 392.
    α = 1 − (n − 1)·8/392 = 1 − 184/392 = 208/392."""
    result = agreement(entities, "entity").as_dict()
    assert result["alpha"]["all"] == pytest.approx(208 / 392)
    # PERSON or not: units P/P twice in each document -> o_11 = 2·4 = 8; P/ORG twice ->
    # o_10 = o_01 = 2; the six units without PERSON (doc 1: O, O, G, O/G; doc 2: O, G/O)
    # -> o_00 = 2·6 = 12. n_1 = 10, n_0 = 14, n = 24:
    # α = 1 − 23·(2 + 2)/(24² − 10² − 14²) = 1 − 92/280.
    assert result["alpha"]["PERSON"] == pytest.approx(1 - 92 / 280)


def test_agreement_claims_sentences_kappa_alpha_and_claimant(store: Store) -> None:
    """Three sentences. a marks sentences 1 and 3, b a part of sentence 1 and sentence
    2: per sentence C 0 C against C C 0; p_o = 1/3, both C 2/3 and 0 1/3:
    p_e = 4/9 + 1/9 = 5/9, κ = (1/3 − 5/9)/(4/9) = −1/2.
    Spans: no exact match, F1 0; overlapping: b's part of 1, 1/2; a's 1, 1/2: F1 1/2.
    α: units (C,C), (C,0), (0,C): o_CC 2, o_C0 = o_0C = 2; n_C 4, n_0 2, n 6;
    α = 1 − 5·4/(36 − 16 − 4) = 1 − 20/16 = −1/4.
    Claimant of the one pair of claims both marked: a links the entity "Ali", b writes
    "ali": the same words, so 1 of 1 agrees."""
    s1, s2, s3 = sentences(CLAIMS)
    assert [CLAIMS[s:e] for s, e in (s1, s2, s3)] == [
        "Ali said prices rose.", "The weather was fine.", "Bob claimed 5 people died."]
    with store.write():
        doc = store.insert_document(CLAIMS, {}, content_hash(CLAIMS))
        for name in ("a", "b"):
            store.put_set_status(doc, name, "done", None)
        ali = store.insert_span(Span(doc, "entity", 0, 3, "PERSON", origin="human",
                                     decision="accepted", annotation_set="a"))
        for start, end, name, claim in (
                (*s1, "a", Claim(claimant_span_id=ali)), (*s3, "a", Claim()),
                (*at(CLAIMS, "prices rose."), "b", Claim(claimant_text="ali")),
                (*s2, "b", Claim())):
            store.insert_span(Span(doc, "claim", start, end, "CLAIM", origin="human",
                                   decision="accepted", annotation_set=name, claim=claim))
    result = agreement(store, "claim")
    data = result.as_dict()
    pair = data["pairs"][0]
    figures = pair["labels"]["all"]
    assert data["units"] == "sentences" and pair["units"] == 3
    assert figures["f1_exact"] == 0.0 and figures["f1_overlap"] == pytest.approx(1 / 2)
    assert figures["kappa"] == pytest.approx(-1 / 2)
    assert data["alpha"]["all"] == pytest.approx(-1 / 4)
    assert pair["claimant"] == {"pairs": 1, "agree": 1, "agreement": 1.0}
    assert "claimant" in render(result)


def test_agreement_alpha_summing_agreed_units_equals_the_package_on_all_units() -> None:
    """The compression in :func:`annotator.agreement.alpha` is exact: random reliability
    data with missing values, α by the package on every unit, and from summed counts."""
    import krippendorff

    rng = random.Random(5)
    for _ in range(30):
        coders, units, values = rng.randint(2, 4), rng.randint(5, 60), rng.randint(2, 4)
        data = np.full((coders, units), np.nan)
        for u in range(units):
            who = rng.sample(range(coders), rng.randint(2, coders))
            common = rng.randrange(values)
            for c in who:
                data[c, u] = common if rng.random() < 0.7 else rng.randrange(values)
        present = sorted({int(v) for v in data[~np.isnan(data)]})
        if len(present) < 2:
            continue
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        unanimous: Counter[int] = Counter()
        mixed = []
        for u in range(units):
            column = [int(v) for v in data[:, u] if not np.isnan(v)]
            if len(set(column)) == 1:
                unanimous[column[0]] += len(column)
            else:
                mixed.append(np.bincount(column, minlength=values))
        assert alpha(unanimous, mixed, values) == pytest.approx(expected)


def test_agreement_kappa_undefined_and_perfect() -> None:
    assert cohen_kappa(np.array([[5, 0], [0, 0]])) is None  # one value throughout
    assert cohen_kappa(np.array([[3, 0], [0, 2]])) == pytest.approx(1.0)
    assert cohen_kappa(np.zeros((2, 2))) is None


def test_agreement_without_shared_documents_says_so(store: Store) -> None:
    result = agreement(store, "entity")
    assert result.pairs == [] and "merge their files" in render(result)


def test_agreement_matrix_is_symmetric_with_an_empty_diagonal(entities: Store) -> None:
    grid = agreement(entities, "entity").matrix("kappa")
    assert grid[0][1] == grid[1][0] == pytest.approx(1 / 2)
    assert grid[1][2] == grid[2][1] == pytest.approx(3 / 5)
    assert grid[0][2] is None and all(grid[i][i] is None for i in range(3))


def test_agreement_sentences_cut_after_closing_quotes_and_at_line_breaks() -> None:
    text = 'He said: "It is over." Then\nnothing.  Really?  Yes'
    assert [text[s:e] for s, e in sentences(text)] == [
        'He said: "It is over."', "Then", "nothing.", "Really?", "Yes"]


def _plain_sentences(text: str) -> list[tuple[int, int]]:
    """The sentence rule as first written (a lookbehind, every position tried, and the
    spaces trimmed a character at a time), the reference for the faster regex."""
    import re

    out = []
    last = 0
    for match in re.finditer(r"(?<=[.!?…])[\"'”’»)\]]*\s+|\s*\n\s*", text):
        start, end = last, match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            out.append((start, end))
        last = match.end()
    start, end = last, len(text)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append((start, end))
    return out


def test_agreement_sentences_same_as_the_plain_rule_on_emoji_arabic_and_odd_spaces() -> None:
    texts = ["", "   ", "\n", " \n \n", "😀 Ali said prices rose. مرحبا بالعالم! Bob agreed.\n\n",
             "قال الوزير إن الأسعار ارتفعت. 😀😀 «Non.» (Really?)\u00a0Yes…\u2028next",
             '"Stop." \'Go!\'  \t\n  Then… “ok”’ end.', "a.b. c!?! d …  \u3000e\r\nf",
             "\n\nLeading. Trailing.   \n", ".", ". . .", "x\u0085y. z", "word"]
    rng = random.Random(3)
    alphabet = list(".!?…\"'”’»)] \n\t\r\u00a0\u2028\u3000\x0b\x0c\x1c\x85ab😀ع")
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
              for _ in range(3000)]
    for text in texts:
        assert sentences(text) == _plain_sentences(text), repr(text)


def test_agreement_claims_across_batches_empty_documents_and_a_silent_annotator(
        store: Store) -> None:
    """Where the batched computation could slip: 510 documents without claims, a
    document whose sentences hold an emoji and Arabic, an annotator (c) who marked it
    done with no decision, a label first seen in the second batch of 500, a claimant
    linked to an entity.

    X = "😀 Ali said prices rose. مرحبا بالعالم! Bob agreed.\\n\\nThe end", 4 sentences: a
    claims 1 (C), b the end of 2 and the start of 3, c nothing: a C 0 0 0, b 0 C C 0,
    c 0 0 0 0. 510 fillers of 1 sentence, no claim, a and b. Y (document 512): a RUMOUR,
    b CLAIM, on its one sentence.

    κ a/b, 515 units: agree on 511 (0/0); a's 0 513, C 1, R 1; b's 0 512, C 3:
    κ = (511·515 − 513·512 − 1·3)/(515² − 513·512 − 3) = 506/2566 = 253/1283.
    κ a/c: p_o 3/4, p_e 3·4/16 = 3/4: 0. κ b/c: p_o 2/4, p_e 2·4/16: 0.
    α: X's sentences 1-3 each (one C, two 0) add o_C0 = o_0C = 1, o_00 = 1; sentence 4
    o_00 3; the fillers o_00 1020; Y o_RC = o_CR = 1. n_0 1029, n_C 4, n_R 1, n 1034:
    α = 1 − 1033·(6 + 2)/(1034² − 1029² − 4² − 1²) = 1 − 8264/10298 = 1017/5149.
    Claimants: Y's claims overlap; a links the entity "Zed", b writes "zed ": 1 of 1."""
    x = "😀 Ali said prices rose. مرحبا بالعالم! Bob agreed.\n\nThe end"
    y = "Zed said it rained."
    assert [x[s:e] for s, e in sentences(x)] == [
        "😀 Ali said prices rose.", "مرحبا بالعالم!", "Bob agreed.", "The end"]

    def claim(doc: int, name: str, start: int, end: int, label: str = "CLAIM",
              **attrs: object) -> None:
        store.insert_span(Span(doc, "claim", start, end, label, origin="human",
                               decision="accepted", annotation_set=name,
                               claim=Claim(**attrs)))  # type: ignore[arg-type]

    with store.write():
        doc = store.insert_document(x, {}, content_hash(x))
        for name in ("a", "b", "c"):
            store.put_set_status(doc, name, "done", None)
        claim(doc, "a", *sentences(x)[0])
        claim(doc, "b", x.index("بالعالم"), x.index("agreed"))
        for i in range(510):
            filler = f"Nothing here {i}."
            other = store.insert_document(filler, {}, content_hash(filler))
            for name in ("a", "b"):
                store.put_set_status(other, name, "done", None)
        doc = store.insert_document(y, {}, content_hash(y))
        for name in ("a", "b"):
            store.put_set_status(doc, name, "done", None)
        zed = store.insert_span(Span(doc, "entity", 0, 3, "PERSON", origin="human",
                                     decision="accepted", annotation_set="a"))
        claim(doc, "a", 0, len(y), "RUMOUR", claimant_span_id=zed)
        claim(doc, "b", 0, len(y), claimant_text="zed ")
    result = agreement(store, "claim")
    data = result.as_dict()
    assert data["documents"] == 512 and data["unit_count"] == 4 + 510 + 1
    assert data["labels"] == ["CLAIM", "RUMOUR"]
    pairs = {(p["a"], p["b"]): p for p in data["pairs"]}
    assert pairs[("a", "b")]["labels"]["all"]["kappa"] == pytest.approx(253 / 1283)
    assert pairs[("a", "c")]["labels"]["all"]["kappa"] == 0.0
    assert pairs[("b", "c")]["labels"]["all"]["kappa"] == 0.0
    assert pairs[("a", "b")]["labels"]["all"]["f1_overlap"] == 0.0
    assert pairs[("a", "c")]["documents"] == 1 and pairs[("a", "c")]["units"] == 4
    assert data["alpha"]["all"] == pytest.approx(1017 / 5149)
    assert pairs[("a", "b")]["claimant"] == {"pairs": 1, "agree": 1, "agreement": 1.0}
