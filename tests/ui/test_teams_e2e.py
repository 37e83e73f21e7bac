"""The team workflow end to end, with every expected number worked out here.

The five sample articles and 50 generated ones (bench/corpus.py) are imported, each
with a pending PERSON suggestion; ``split`` gives them to alice, bob and carol with
overlap 0.3. Each annotator's decisions are scripted through the real ``Session`` in
their own file: in every document the *canonical* labels (the first person's name of
the corpus as PERSON, accepting the suggestion; the first place name as GPE, added; the
first sentence with " said " as a reported claim whose claimant is the PERSON, else
"author"), except five designed disagreements on shared documents:

- LABEL (alice & bob): bob relabels the PERSON as ORG;
- CLAIMANT (alice & bob): bob's claimant is "a spokesman";
- MISSING (alice & carol): carol adds no GPE;
- BOUNDARY (bob & carol): carol's GPE runs one token further;
- NO_CLAIM (bob & carol): carol marks no claim.

The files are merged, the agreement checked against the arithmetic below, the shared
documents reviewed in the real window from the keyboard (review mode, pre-accepted
agreement, T on the chosen version, D), and the gold export compared line by line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.agreement import agreement, sentences
from annotator.export import ExportOptions, export
from annotator.importers import import_paths
from annotator.session import Session
from annotator.store import Store
from annotator.teams import merge, shared_count, split
from annotator.tokens import token_range, tokenize
from bench.corpus import PEOPLE, PLACES, articles

pytestmark = [pytest.mark.gui, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("alice", "bob", "carol")
SEED = 4
ALT = Qt.KeyboardModifier.AltModifier


def first_match(text: str, names: list[str], avoid: tuple[int, int] | None = None
                ) -> tuple[int, int] | None:
    """The earliest whole-word occurrence of any of ``names`` (not overlapping
    ``avoid``)."""
    found = []
    for name in names:
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            if avoid is None or m.end() <= avoid[0] or m.start() >= avoid[1]:
                found.append((m.start(), m.end()))
                break
    return min(found) if found else None


class Canon:
    """A document's canonical labels."""

    def __init__(self, text: str):
        self.text = text
        self.person = first_match(text, PEOPLE)
        self.gpe = first_match(text, PLACES, self.person)
        self.claim = next(((s, e) for s, e in sentences(text) if " said " in text[s:e]), None)
        self.starts, self.lengths, _ = tokenize(text)

    def tokens(self, span: tuple[int, int] | None) -> int:
        if span is None:
            return 0
        first, last = token_range(self.starts, *span)
        return last - first + 1

    def longer_gpe(self) -> tuple[int, int] | None:
        """The GPE grown by the token after it (None if that would touch the PERSON)."""
        if self.gpe is None:
            return None
        _, last = token_range(self.starts, *self.gpe)
        if last + 1 >= len(self.starts):
            return None
        end = self.starts[last + 1] + self.lengths[last + 1]
        if self.person is not None and self.gpe[0] < self.person[1] \
                and self.person[0] < end:
            return None
        return self.gpe[0], end

    @property
    def claimant(self) -> str | None:
        return self.text[slice(*self.person)] if self.person else "author"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    with open(folder / "generated.jsonl", "w", encoding="utf-8") as fh:
        for item in articles(50):
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    return folder


def test_teams_end_to_end(qtbot: Any, settings: Any, tmp_path: Path, corpus: Path) -> None:
    # --- import, suggestions, split ------------------------------------------------
    source = tmp_path / "news.db"
    with Store(source) as store:
        import_paths(store, [ROOT / "resources" / "samples", corpus / "generated.jsonl"])
        canon = {d.id: Canon(d.text) for d in store.iter_documents()}
        assert len(canon) == 55
        from annotator.model import Span

        with store.write():
            for doc_id, c in canon.items():
                if c.person:
                    store.insert_span(Span(doc_id, "entity", *c.person, "PERSON",
                                           model="test"))
        result = split(store, list(NAMES), tmp_path / "team", overlap=0.3, seed=SEED)
    plan = result.plan
    # 0.3 of 55 is 16.5, rounded half up: 17 shared, each to two annotators; the 38 others
    # to one each: 17·2 + 38 = 72 documents dealt, 24 each.
    assert shared_count(55, 0.3) == 17 and len(plan.shared) == 17
    assert {n: len(ids) for n, ids in plan.assignments.items()} == \
        {"alice": 24, "bob": 24, "carol": 24}
    assert "17 documents (30.9%, asked 30%) shared by 2 annotators each" in result.summary()
    pair_docs = {
        (a, b): sorted(set(plan.assignments[a]) & set(plan.assignments[b]))
        for a, b in (("alice", "bob"), ("alice", "carol"), ("bob", "carol"))}
    assert {p: len(v) for p, v in pair_docs.items()} == {
        ("alice", "bob"): 6, ("alice", "carol"): 6, ("bob", "carol"): 5}

    # --- the designed disagreements, on shared documents that have what they need ----
    def pick(pair: tuple[str, str], ok: Any, taken: set[int]) -> int:
        doc_id = next(d for d in pair_docs[pair] if ok(canon[d]) and d not in taken)
        taken.add(doc_id)
        return doc_id

    taken: set[int] = set()
    full = (lambda c: c.person and c.gpe and c.claim)  # noqa: E731
    label = pick(("alice", "bob"), full, taken)
    claimant = pick(("alice", "bob"), full, taken)
    missing = pick(("alice", "carol"), full, taken)
    boundary = pick(("bob", "carol"), lambda c: full(c) and c.longer_gpe(), taken)
    no_claim = pick(("bob", "carol"), full, taken)

    for name in NAMES:
        with Store(tmp_path / "team" / f"{name}.db") as store:
            assert store.meta_value("annotator") == name
            session = Session(store, name)
            for doc_id in store.document_ids():
                decide(session, store, doc_id, canon[doc_id], name, label, claimant, missing,
                       boundary, no_claim)

    # --- merge ---------------------------------------------------------------------
    team = tmp_path / "team.db"
    merged = merge(team, [(tmp_path / "team" / f"{n}.db", None) for n in NAMES], "lead")
    assert [f.counts["documents"] for f in merged.files] == [24, 24, 24]
    # documents new to the team: alice's 24, then bob's not shared with alice, ...
    ab, ac, bc = (len(pair_docs[p]) for p in pair_docs)
    assert [f.counts["documents_added"] for f in merged.files] == [24, 24 - ab, 24 - ac - bc]
    assert not merge(team, [(tmp_path / "team" / "bob.db", None)], "lead").files[0].changed

    # --- agreement -------------------------------------------------------------------
    with Store(team) as store:
        check_entities(agreement(store, "entity"), canon, pair_docs, label, missing, boundary)
        check_claims(agreement(store, "claim"), canon, pair_docs, claimant, no_claim)
        before = export(store, "jsonl", tmp_path / "before.jsonl", ExportOptions())
    assert before.skipped == {"two or more annotators' sets, not reviewed (review them, or "
                              "export one annotator's with --set NAME)": 17}

    # --- review in the real window ----------------------------------------------------
    choices = {label: ("entity", "alice"), claimant: ("claim", "alice"),
               missing: ("entity", "alice"), boundary: ("entity", "bob"),
               no_claim: ("claim", "bob")}
    review(qtbot, settings, team, choices, pair_docs)

    # --- the gold export, line by line ----------------------------------------------
    out = tmp_path / "gold.jsonl"
    with Store(team) as store:
        summary = export(store, "jsonl", out, ExportOptions())
        owner = {d: n for n in NAMES for d in plan.assignments[n]}
        shared = set(plan.shared)
        expected = [expected_line(canon[d], "rev" if d in shared else owner[d],
                                  text_claimant=d == label) for d in sorted(canon)]
    assert summary.documents == 55 and not summary.skipped
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(expected) == 55
    keys = ("text", "spans", "claims", "answer", "_annotator_id", "_session_id")
    for got, want in zip(lines, expected, strict=True):
        got["spans"] = [{k: s[k] for k in ("start", "end", "label", "text")}
                        for s in got["spans"]]
        assert {k: got[k] for k in keys} == want


def decide(session: Session, store: Store, doc_id: int, c: Canon, name: str, label: int,
           claimant: int, missing: int, boundary: int, no_claim: int) -> None:
    """One annotator's decisions on one document (see the module docstring)."""
    person_id = None
    if c.person:
        suggestion = next(s for s in store.spans(doc_id) if s.label == "PERSON")
        assert suggestion.id is not None
        if doc_id == label and name == "bob":
            session.relabel(suggestion.id, "ORG")
        else:
            session.accept(suggestion.id)
        person_id = suggestion.id
    if c.gpe and not (doc_id == missing and name == "carol"):
        gpe = session.add(doc_id, "entity", *c.gpe, "GPE").span
        if doc_id == boundary and name == "carol":
            longer = c.longer_gpe()
            assert gpe is not None and gpe.id is not None and longer is not None
            session.resize(gpe.id, *longer)
    if c.claim and not (doc_id == no_claim and name == "carol"):
        claim = session.add(doc_id, "claim", *c.claim, "CLAIM").span
        assert claim is not None and claim.id is not None
        session.set_claim_attribute(claim.id, "claim_type", "reported")
        if doc_id == claimant and name == "bob":
            session.set_claim_attribute(claim.id, "claimant", "a spokesman")
        else:
            session.set_claim_attribute(claim.id, "claimant", person_id or "author")
    session.set_status(doc_id, "done")


def kappa(n: int, a: dict[str, int], b: dict[str, int], agree: int) -> float:
    """Cohen's κ from unit counts: p_o = agree/n, p_e = Σ a_l·b_l / n² over the labels
    (O included), κ = (p_o − p_e)/(1 − p_e)."""
    p_o = agree / n
    p_e = sum(a[k] * b.get(k, 0) for k in a) / n**2
    return (p_o - p_e) / (1 - p_e)


def alpha(confusions: list[dict[tuple[str, str], int]]) -> float:
    """Krippendorff's α from two-coder units, each pair's units as confusion counts:
    o_cc = 2·C_cc, o_ck = C_ck + C_kc; n_c = Σ_k o_ck;
    α = 1 − (n − 1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k."""
    o: dict[tuple[str, str], int] = {}
    for confusion in confusions:
        for (c, k), count in confusion.items():
            o[(c, k)] = o.get((c, k), 0) + count
            o[(k, c)] = o.get((k, c), 0) + count
    values = {c for c, _ in o}
    n_c = {c: sum(o.get((c, k), 0) for k in values) for c in values}
    n = sum(n_c.values())
    disagree = sum(v for (c, k), v in o.items() if c != k)
    expected = n**2 - sum(x**2 for x in n_c.values())
    return 1 - (n - 1) * disagree / expected


def check_entities(result: Any, canon: dict[int, Canon], pair_docs: dict[Any, list[int]],
                   label: int, missing: int, boundary: int) -> None:
    """Per pair: T canonical entities on its documents, N tokens, P PERSON and G GPE
    tokens. One disagreement each:

    - alice/bob, LABEL: the PERSON of t_p tokens is ORG for bob. Spans: T each, T − 1
      exact, and the ORG overlaps no PERSON: F1 exact = F1 overlap = (T − 1)/T. Tokens:
      all agree but t_p; alice O N−P−G, PERSON P, GPE G; bob PERSON P − t_p, ORG t_p.
    - alice/carol, MISSING: carol lacks a GPE of t_g tokens: T and T − 1 spans, T − 1
      matches: F1 = 2(T − 1)/(2T − 1) both ways (carol's are all alice's). Tokens: t_g
      are GPE/O.
    - bob/carol, BOUNDARY: carol's GPE one token longer: T − 1 exact of T each, all
      overlap: F1 exact (T − 1)/T, overlap 1. Tokens: one O/GPE."""
    data = result.as_dict()
    assert data["annotators"] == list(NAMES) and data["documents"] == 17
    pairs = {(p["a"], p["b"]): p for p in data["pairs"]}
    confusions = []
    for pair, docs in pair_docs.items():
        figures = pairs[pair]["labels"]["all"]
        cs = [canon[d] for d in docs]
        t = sum(bool(c.person) + bool(c.gpe) for c in cs)
        # T: 12 entities on alice/bob's 6 documents, 11 on alice/carol's 6, 10 on
        # bob/carol's 5: F1 exact 11/12, 20/21 and 9/10.
        assert t == {("alice", "bob"): 12, ("alice", "carol"): 11, ("bob", "carol"): 10}[pair]
        n = sum(len(c.starts) for c in cs)
        p = sum(c.tokens(c.person) for c in cs)
        g = sum(c.tokens(c.gpe) for c in cs)
        o = n - p - g
        assert pairs[pair]["documents"] == len(docs) and pairs[pair]["units"] == n
        if pair == ("alice", "bob"):
            t_p = canon[label].tokens(canon[label].person)
            f1 = ((t - 1) / t, (t - 1) / t)
            a, b = {"O": o, "PERSON": p, "GPE": g}, {"O": o, "PERSON": p - t_p, "ORG": t_p,
                                                     "GPE": g}
            k = kappa(n, a, b, n - t_p)
            confusion = {("O", "O"): o, ("PERSON", "PERSON"): p - t_p,
                         ("PERSON", "ORG"): t_p, ("GPE", "GPE"): g}
        elif pair == ("alice", "carol"):
            t_g = canon[missing].tokens(canon[missing].gpe)
            f1 = (2 * (t - 1) / (2 * t - 1), 2 * (t - 1) / (2 * t - 1))
            a, b = {"O": o, "PERSON": p, "GPE": g}, {"O": o + t_g, "PERSON": p,
                                                     "GPE": g - t_g}
            k = kappa(n, a, b, n - t_g)
            confusion = {("O", "O"): o, ("PERSON", "PERSON"): p, ("GPE", "GPE"): g - t_g,
                         ("GPE", "O"): t_g}
        else:
            f1 = ((t - 1) / t, 1.0)
            a, b = {"O": o, "PERSON": p, "GPE": g}, {"O": o - 1, "PERSON": p, "GPE": g + 1}
            k = kappa(n, a, b, n - 1)
            confusion = {("O", "O"): o - 1, ("PERSON", "PERSON"): p, ("GPE", "GPE"): g,
                         ("O", "GPE"): 1}
        confusions.append(confusion)
        assert (figures["f1_exact"], figures["f1_overlap"]) == pytest.approx(f1), pair
        assert figures["kappa"] == pytest.approx(k), pair
    assert data["alpha"]["all"] == pytest.approx(alpha(confusions))
    print("entity agreement:", json.dumps(
        {f"{p['a']}/{p['b']}": {k: round(v, 5) for k, v in p["labels"]["all"].items()
                                if k.startswith(("f1", "kappa"))} for p in data["pairs"]}),
        "alpha", round(data["alpha"]["all"], 5))


def check_claims(result: Any, canon: dict[int, Canon], pair_docs: dict[Any, list[int]],
                 claimant: int, no_claim: int) -> None:
    """Per pair: K claims (one per document that has a sentence with " said "), S
    sentences. alice/bob and alice/carol mark the same claims: F1 1, κ 1; alice/bob
    differ on one claimant: (K − 1)/K agree. bob/carol, NO_CLAIM: K and K − 1 claims,
    F1 2(K − 1)/(2K − 1); sentences agree but one, bob has K claim sentences, carol
    K − 1: κ from p_e = ((S − K)(S − K + 1) + K(K − 1))/S²."""
    data = result.as_dict()
    pairs = {(p["a"], p["b"]): p for p in data["pairs"]}
    confusions = []
    for pair, docs in pair_docs.items():
        item = pairs[pair]
        figures = item["labels"]["all"]
        k_ = sum(bool(canon[d].claim) for d in docs)
        # K: 4 claims on alice/bob's documents (claimant 3/4), 5 on alice/carol's, 5 on
        # bob/carol's (F1 2·4/9 = 8/9)
        assert k_ == {("alice", "bob"): 4, ("alice", "carol"): 5, ("bob", "carol"): 5}[pair]
        s = sum(len(sentences(canon[d].text)) for d in docs)
        assert item["units"] == s
        if pair == ("bob", "carol"):
            f1 = 2 * (k_ - 1) / (2 * k_ - 1)
            assert (figures["f1_exact"], figures["f1_overlap"]) == pytest.approx((f1, f1))
            assert figures["kappa"] == pytest.approx(
                kappa(s, {"none": s - k_, "CLAIM": k_}, {"none": s - k_ + 1, "CLAIM": k_ - 1},
                      s - 1))
            assert item["claimant"] == {"pairs": k_ - 1, "agree": k_ - 1, "agreement": 1.0}
            confusions.append({("none", "none"): s - k_, ("CLAIM", "CLAIM"): k_ - 1,
                               ("CLAIM", "none"): 1})
        else:
            assert (figures["f1_exact"], figures["f1_overlap"], figures["kappa"]) == \
                pytest.approx((1.0, 1.0, 1.0))
            agree = k_ - 1 if pair == ("alice", "bob") else k_
            assert item["claimant"] == {"pairs": k_, "agree": agree,
                                        "agreement": pytest.approx(agree / k_)}
            confusions.append({("none", "none"): s - k_, ("CLAIM", "CLAIM"): k_})
    assert data["alpha"]["all"] == pytest.approx(alpha(confusions))
    print("claim agreement:", {f"{p['a']}/{p['b']}": (
        round(p["labels"]["all"]["kappa"], 4), p["claimant"]["agreement"])
        for p in data["pairs"]}, "alpha", round(data["alpha"]["all"], 5))


def review(qtbot: Any, settings: Any, team: Path, choices: dict[int, tuple[str, str]],
           pair_docs: dict[Any, list[int]]) -> None:
    """Review every shared document from the keyboard: Ctrl+R, then per document Alt+↓
    to the chosen version and T where one is chosen, D to mark it reviewed."""
    from annotator.gui.app import build_window

    window = build_window(team, "rev", settings, auto_suggest=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)

    def key(k: Any, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
        qtbot.keyClick(window.article, k, modifier)

    try:
        key(Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        assert window.review.active
        reviewed = []
        for _ in range(17):
            doc_id = window.doc.id
            state = window.review.state
            assert state is not None and len(state.sets) == 2
            if doc_id in choices:
                layer, owner = choices[doc_id]
                versions = state.versions
                target = next(i for i, v in enumerate(versions)
                              if v.layer == layer and owner in v.owners)
                while window.review.focused != target:
                    key(Qt.Key.Key_Down, ALT)
                key(Qt.Key.Key_G)
                assert window.review.state.versions[target].key in window.review.state.in_gold
            else:
                assert state.groups == []  # no disagreement: all pre-accepted
                assert state.in_gold == {v.key for v in state.agreed}
            reviewed.append(doc_id)
            key(Qt.Key.Key_D)
        assert sorted(reviewed) == sorted(d for docs in pair_docs.values() for d in docs)
        assert window.store.review_document_ids() == []
        # undo works in review too: one Ctrl+Z undoes the last D, the document is open
        stack = window.decisions.undo_stack
        assert stack.undoText() == "Mark done"
    finally:
        window.close()
        window.store.close()


def expected_line(c: Canon, who: str, text_claimant: bool) -> dict[str, Any]:
    """The JSONL line of a document's canonical labels as ``who`` made them: a shared
    document's from the review (the LABEL document's claim was pre-accepted while its
    PERSON was still in dispute, so its claimant is the words, not a link), the others
    from their one annotator's set."""
    text = c.text
    spans = sorted([(s, label) for s, label in ((c.person, "PERSON"), (c.gpe, "GPE")) if s],
                   key=lambda x: (x[0][0], -x[0][1]))
    claims = []
    if c.claim:
        if c.person and not text_claimant:
            who_said: dict[str, Any] = {"text": text[slice(*c.person)], "start": c.person[0],
                                        "end": c.person[1], "label": "PERSON"}
        else:
            who_said = {"text": c.claimant}
        claims.append({"start": c.claim[0], "end": c.claim[1], "text": text[slice(*c.claim)],
                       "label": "CLAIM", "claim_type": "reported", "claimant": who_said,
                       "via": None, "checkworthy": None, "hedged": False})
    return {"text": text,
            "spans": [{"start": s, "end": e, "label": label, "text": text[s:e]}
                      for (s, e), label in spans],
            "claims": claims, "answer": "accept", "_annotator_id": who,
            "_session_id": f"news-{who}"}
