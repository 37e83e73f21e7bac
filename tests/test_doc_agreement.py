"""``annotator agreement --layer doc`` (issue 25): Cohen's κ per pair and Krippendorff's
α per category, checked against values computed by hand below, on a real team project
file through the real command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.doc_agreement import doc_agreement
from annotator.editing import doc_labels as dl
from annotator.store import Store

#: What each annotator accepted: doc -> (status in their set, stance, topics).
VERSIONS = {
    "alice": {1: ("done", "for", {"politics", "economy"}), 2: ("done", "for", {"politics"}),
              3: ("done", "against", set()), 4: ("done", "neutral", set()),
              5: ("done", "against", {"sport"})},  # 5: nobody else did it: not shared
    "bob": {1: ("done", "for", {"politics"}), 2: ("done", "against", {"politics"}),
            3: ("done", "against", {"economy"}), 4: ("done", "neutral", set())},
    "carol": {1: ("done", "for", {"politics"}), 2: ("done", "for", {"politics"}),
              3: ("in_progress", "neutral", {"sport"})},  # not done: not counted
}


@pytest.fixture
def team(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    with Store(path) as store:
        with store.write():
            for n in range(1, 6):
                store.insert_document(f"Article {n} on the vote.", {}, f"h{n}")
        for name, docs in VERSIONS.items():
            for doc_id, (status, stance, topics) in docs.items():
                with store.write():
                    store.put_set_status(doc_id, name, status, None)
                dl.accept(store, doc_id, "stance", stance, annotator=name,
                          annotation_set=name)
                for topic in sorted(topics):
                    dl.accept(store, doc_id, "topic", topic, annotator=name,
                              annotation_set=name)
    return path


def test_doc_agreement_matches_the_hand_computed_values(team: Path) -> None:
    with Store(team) as store:
        result = doc_agreement(store)
    assert result.annotators == ["alice", "bob", "carol"] and result.documents == 4
    by = {c.name: c for c in result.categories}

    # stance, exclusive: one nominal value per document (for, against, neutral, none).
    stance = by["stance"].figures[""]
    # alice / bob on docs 1-4: alice for, for, against, neutral; bob for, against,
    # against, neutral. p_o = 3/4. Marginals alice (for 2, against 1, neutral 1), bob
    # (for 1, against 2, neutral 1): p_e = (2·1 + 1·2 + 1·1) / 4² = 5/16.
    # κ = (3/4 − 5/16) / (1 − 5/16) = (7/16) / (11/16) = 7/11.
    assert stance.kappa["alice / bob"] == pytest.approx(7 / 11)
    # alice / carol on docs 1-2: for, for both: p_e = 1, κ undefined.
    assert stance.kappa["alice / carol"] is None
    # bob / carol on docs 1-2: bob for, against; carol for, for. p_o = 1/2;
    # p_e = (1/2)(2/2) + (1/2)(0) = 1/2; κ = 0.
    assert stance.kappa["bob / carol"] == pytest.approx(0.0)
    assert stance.pair_documents == {"alice / bob": 4, "alice / carol": 2, "bob / carol": 2}
    # α, nominal, carol missing on 3-4. Coincidences o_ck = Σ_u pairs(c,k) / (m_u − 1):
    # u1 {for×3}: o_ff += 6/2 = 3; u2 {for×2, against}: o_ff += 2/2, o_fa += 2/2,
    # o_af += 2/2; u3 {against×2}: o_aa += 2; u4 {neutral×2}: o_nn += 2.
    # n_for = 3 + 1 + 1 = 5, n_against = 1 + 2 = 3, n_neutral = 2, n = 10.
    # α = 1 − (n − 1)·Σ_{c≠k} o_ck / (n² − Σ n_c²) = 1 − 9·2 / (100 − (25 + 9 + 4))
    #   = 1 − 18/62 = 22/31.
    assert stance.alpha == pytest.approx(22 / 31)

    # topic, multi-label: per label, present or not on each document.
    topic = by["topic"].figures
    # politics: alice 1,1,0,0; bob 1,1,0,0; carol 1,1: all agree.
    # alice / bob: p_o = 1, p_e = (1/2)(1/2) + (1/2)(1/2) = 1/2, κ = 1.
    assert topic["politics"].kappa["alice / bob"] == pytest.approx(1.0)
    assert topic["politics"].alpha == pytest.approx(1.0)
    # economy: alice 1,0,0,0; bob 0,0,1,0; carol 0,0.
    # alice / bob: p_o = 2/4; p_e = (1/4)(1/4) + (3/4)(3/4) = 10/16;
    # κ = (8/16 − 10/16) / (6/16) = −1/3.
    assert topic["economy"].kappa["alice / bob"] == pytest.approx(-1 / 3)
    # alice / carol: 1,0 against 0,0: p_o = 1/2, p_e = (1/2)(0) + (1/2)(1) = 1/2, κ = 0.
    assert topic["economy"].kappa["alice / carol"] == pytest.approx(0.0)
    assert topic["economy"].kappa["bob / carol"] is None  # 0,0 and 0,0
    # α: u1 {yes, no, no}: o_yn += 2/2, o_ny += 2/2, o_nn += 2/2; u2 {no×3}: o_nn += 6/2;
    # u3 {no, yes}: o_yn += 1, o_ny += 1; u4 {no×2}: o_nn += 2.
    # n_yes = 2, n_no = 8, n = 10; α = 1 − 9·(2 + 2) / (100 − (4 + 64)) = 1 − 36/32 = −1/8.
    assert topic["economy"].alpha == pytest.approx(-1 / 8)
    # sport: only on doc 5 (not shared) and carol's doc 3 (not done): absent throughout.
    assert topic["sport"].kappa["alice / bob"] is None and topic["sport"].alpha is None
    # reliability: nobody chose: (none) throughout, undefined.
    assert by["reliability"].figures[""].alpha is None


def test_doc_agreement_command(team: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["agreement", str(team), "--layer", "doc", "--json",
                               "--category", "stance"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    [stance] = data["categories"]
    assert stance["name"] == "stance" and stance["exclusive"] is True
    assert stance["figures"][""]["kappa"]["alice / bob"] == pytest.approx(7 / 11)
    text = runner.invoke(main, ["agreement", str(team), "--layer", "doc"]).output
    assert "document-label agreement on 4 shared document(s)" in text
    assert "stance         (exclusive)    alice / bob                  4   0.636" in text
    assert "topic          economy        alpha (all annotators)          -0.125" in text
    bad = runner.invoke(main, ["agreement", str(team), "--layer", "doc", "--category",
                               "mood"])
    assert bad.exit_code == 1 and "no document-label category 'mood'" in bad.output
    assert runner.invoke(main, ["agreement", str(team), "--category", "x"]).exit_code == 2


# --- review rules (annotator review) on document labels --------------------------------


@pytest.fixture
def merged(tmp_path: Path) -> Path:
    """A real split to alice, bob and carol (every document to each), their document
    labels, and a merge. Planted: stance 2 of 3 "for" on document 1, a three-way tie on
    document 2; topics: politics by all, economy by alice alone."""
    from annotator.session import Session
    from annotator.teams import merge, split

    src = tmp_path / "news.db"
    with Store(src) as store:
        with store.write():
            for n in (1, 2):
                store.insert_document(f"Article {n} on the budget vote.", {}, f"h{n}")
        split(store, ["alice", "bob", "carol"], tmp_path / "out", overlap=1.0, copies=3)
    stances = {"alice": ("for", "for"), "bob": ("for", "against"),
               "carol": ("against", "neutral")}
    for name, (first, second) in stances.items():
        with Store(tmp_path / "out" / f"{name}.db") as store:
            for doc_id, stance in ((1, first), (2, second)):
                dl.accept(store, doc_id, "stance", stance, annotator=name)
                dl.accept(store, doc_id, "topic", "politics", annotator=name)
                if name == "alice":
                    dl.accept(store, doc_id, "topic", "economy", annotator=name)
                Session(store, name).set_status(doc_id, "done")
    team = tmp_path / "team.db"
    merge(team, [(tmp_path / "out" / f"{n}.db", None) for n in stances], "lead")
    return team


def _gold(store: Store, doc_id: int) -> list[tuple[str, str]]:
    return [(r.category, r.label) for r in store.doc_labels(doc_id)
            if r.decision == "accepted"]


def test_doc_review_majority_takes_what_most_chose_and_lists_the_tie(merged: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["review", str(merged), "--conflicts", "--json"])
    assert listed.exit_code == 0, listed.output
    conflicts = json.loads(listed.output)["conflicts"]
    assert [(c["doc_id"], c["layer"], c["reason"]) for c in conflicts] == [
        (2, "doc", "stance: no choice in 2 of 3 sets")]
    assert {v["label"]: v["owners"] for v in conflicts[0]["versions"]} == {
        "against": ["bob"], "for": ["alice"], "neutral": ["carol"]}
    out = runner.invoke(main, ["review", str(merged), "--majority", "--annotator", "lead"])
    assert out.exit_code == 0, out.output
    assert "reviewed 1, 0 span(s) taken into gold, 3 document label(s) taken into gold" \
        in out.output
    with Store(merged) as store:
        assert _gold(store, 1) == [("topic", "politics"), ("stance", "for")]
        # document 2: politics taken, the stance left open, the document not reviewed
        assert _gold(store, 2) == [("topic", "politics")]
        assert store.document_status(1)[0] == "done"  # type: ignore[index]
        assert store.document_status(2)[0] != "done"  # type: ignore[index]
        events = [e for e in store.events(1) if e["action"] == "doc_label.accept"
                  and e["annotation_set"] == ""]
        assert len(events) == 2 and {e["annotator"] for e in events} == {"lead"}
    text = runner.invoke(main, ["review", str(merged), "--conflicts"]).output
    assert "document labels: stance: no choice in 2 of 3 sets" in text
    assert "    neutral — carol" in text
    # --take settles the rest with one annotator's version
    out = runner.invoke(main, ["review", str(merged), "--take", "alice", "--docs", "2"])
    assert out.exit_code == 0, out.output
    with Store(merged) as store:
        assert _gold(store, 2) == [("topic", "politics"), ("topic", "economy"),
                                   ("stance", "for")]
        assert store.document_status(2)[0] == "done"  # type: ignore[index]
