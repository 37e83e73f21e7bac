"""Review by rule (``annotator review``): a real split and merge of three annotators with
planted disagreements, reviewed by --majority, --take, --conflicts, --docs and --label."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.session import Session
from annotator.store import Store
from annotator.teams import ReviewRule, merge, review, review_state, split

from .test_teams import make_project


def decide(path: Path, who: str, person_as: str = "PERSON", reject_gpe: bool = False,
           claim_type: dict[int, str] | None = None) -> None:
    """Accept every suggestion, with the planted changes; mark every document done."""
    with Store(path) as store:
        session = Session(store, who)
        for doc_id in store.document_ids():
            for span in store.spans(doc_id):
                assert span.id is not None
                if span.label == "PERSON" and person_as != "PERSON":
                    session.relabel(span.id, person_as)
                elif span.label == "GPE" and reject_gpe:
                    session.reject(span.id)
                elif span.layer == "claim" and claim_type and doc_id in claim_type:
                    session.set_claim_attribute(span.id, "claim_type", claim_type[doc_id])
                else:
                    session.accept(span.id)
            session.set_status(doc_id, "done")


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """Ten documents, each given to alice, bob and carol. Planted: bob calls the person
    an ORG; carol rejects the GPE; on documents 1 and 2 the claim's type is statistic
    (alice), quote (bob) and reported (carol): a three-way tie."""
    with Store(make_project(tmp_path / "news.db")) as store:
        split(store, ["alice", "bob", "carol"], tmp_path / "out", overlap=1.0, copies=3)
    out = tmp_path / "out"
    decide(out / "alice.db", "alice", claim_type={1: "statistic", 2: "statistic"})
    decide(out / "bob.db", "bob", person_as="ORG", claim_type={1: "quote", 2: "quote"})
    decide(out / "carol.db", "carol", reject_gpe=True)
    path = tmp_path / "team.db"
    merge(path, [(out / f"{n}.db", None) for n in ("alice", "bob", "carol")], "lead")
    return path


def gold(store: Store, doc_id: int) -> list[tuple[str, str | None]]:
    return sorted((s.label, s.claim.claim_type if s.claim else None)
                  for s in store.spans(doc_id, decisions=("accepted",)))


def test_review_conflicts_lists_exactly_the_planted_ties(team: Path) -> None:
    result = CliRunner().invoke(main, ["review", str(team), "--conflicts", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rule"] == "majority" and data["documents"] == [1, 2]
    assert [(c["doc_id"], c["layer"]) for c in data["conflicts"]] == [(1, "claim"),
                                                                     (2, "claim")]
    tie = data["conflicts"][0]
    assert tie["reason"].startswith("claim claim_type tied")
    assert sorted((v["claim"]["claim_type"], v["owners"][0]) for v in tie["versions"]) == [
        ("quote", "bob"), ("reported", "carol"), ("statistic", "alice")]
    with Store(team) as store:  # --conflicts writes nothing
        assert store.spans(1) == [] and store.document_status(1) == ("new", None)
    by_label = {label: json.loads(CliRunner().invoke(main, [
        "review", str(team), "--conflicts", "--json", "--label", label]).output)
        for label in ("GPE", "CLAIM")}
    assert by_label["GPE"]["conflicts"] == [] and len(by_label["CLAIM"]["conflicts"]) == 2
    text = CliRunner().invoke(main, ["review", str(team), "--conflicts"]).output
    assert "2 open conflict(s) in 2 document(s); 8 of 10 document(s) the rule settles" in text
    assert "CLAIM “Ali Hassan told Reuters" in text and "— bob" in text


def test_review_majority_takes_what_most_marked_and_leaves_ties_open(team: Path) -> None:
    result = CliRunner().invoke(main, ["review", str(team), "--majority", "--annotator",
                                       "lead"])
    assert result.exit_code == 0, result.output
    assert ("10 document(s) looked at; reviewed 8, 28 span(s) taken into gold"
            in result.output)
    assert "left to review: 2 document(s), 2 open conflict(s)" in result.output
    with Store(team) as store:
        # PERSON (alice, carol) over ORG (bob); GPE (alice, bob) over carol's reject
        assert gold(store, 5) == [("CLAIM", "reported"), ("GPE", None), ("PERSON", None)]
        assert store.document_status(5)[0] == "done"
        # the tie: the agreed entities are in gold, the claim is not; still to review
        assert gold(store, 1) == [("GPE", None), ("PERSON", None)]
        assert store.document_status(1)[0] != "done"
        assert store.stats()["review"]["to_review"] == 2
        # logged as the window logs a review (adds in the gold set, by the reviewer),
        # with the rule in a review event
        events = [e for e in store.events(5) if e["annotation_set"] == ""]
        assert [e["action"] for e in events] == ["add", "add", "add", "status_done", "review"]
        assert {e["annotator"] for e in events} == {"lead"}
        rule = json.loads(events[-1]["after"])
        assert rule["rule"] == "majority" and rule["min"] == "majority"
        assert len(rule["spans"]) == 3 and rule["reviewed"] is True
        # the window sees the same: nothing open on a reviewed document
        state = review_state(store, 5)
        assert state.reviewed and all(v.key in state.in_gold for v in state.versions
                                      if v.owners != ("bob",) and v.owners != ("carol",))
    again = CliRunner().invoke(main, ["review", str(team), "--majority"])
    assert "2 document(s) looked at; reviewed 0, 0 span(s)" in again.output
    # the open ones settled by taking alice's version of them
    take = CliRunner().invoke(main, ["review", str(team), "--take", "alice", "--docs", "1,2"])
    assert "reviewed 2, 2 span(s) taken into gold" in take.output, take.output
    with Store(team) as store:
        assert gold(store, 1) == [("CLAIM", "statistic"), ("GPE", None), ("PERSON", None)]
        assert store.stats()["review"]["to_review"] == 0


def test_review_min_and_label_narrow_the_rule(team: Path) -> None:
    with Store(team) as store:
        # all three must agree: PERSON (2 of 3) and GPE (2 of 3) stay open
        dry = review(store, ReviewRule("majority", min_sets=3), "lead", [3], dry_run=True)
        assert [(o.layer, o.reason) for o in dry.open_items] == [
            ("entity", "in 2 of 3 sets (the rule needs 3)"),
            ("entity", "in 2 of 3 sets (the rule needs 3)")]
        # --label GPE: only GPE goes to gold; the document is not reviewed yet
        only = review(store, ReviewRule("majority", label="GPE"), "lead", [3, 4])
        assert only.adopted == 2 and only.reviewed == [] and sorted(only.left) == [3, 4]
        assert gold(store, 3) == [("GPE", None)]
        assert store.document_status(3)[0] != "done"
        # the whole rule then finishes it
        rest = review(store, ReviewRule("majority"), "lead", [3])
        assert rest.reviewed == [3] and rest.adopted == 2
        assert gold(store, 3) == [("CLAIM", "reported"), ("GPE", None), ("PERSON", None)]


def test_review_take_replaces_gold_with_that_version(team: Path) -> None:
    with Store(team) as store:
        review(store, ReviewRule("majority"), "lead", [4])
        assert gold(store, 4) == [("CLAIM", "reported"), ("GPE", None), ("PERSON", None)]
    # a reviewed document is left alone, and says so
    runner = CliRunner()
    done = runner.invoke(main, ["review", str(team), "--take", "bob", "--docs", "4"])
    assert "left alone 1: reviewed already" in done.output
    took = runner.invoke(main, ["review", str(team), "--take", "bob", "--docs", "6"])
    assert "reviewed 1, 3 span(s) taken" in took.output, took.output
    with Store(team) as store:
        assert gold(store, 6) == [("CLAIM", "reported"), ("GPE", None), ("ORG", None)]


def test_review_refusals_are_one_line(team: Path) -> None:
    runner = CliRunner()
    for args, message in (
            (["--take", "dora"], "no annotator 'dora'"),
            (["--majority", "--docs", "99"], "no document 99"),
            (["--majority", "--docs", "1,x"], "not document ids"),
            (["--majority", "--take", "bob"], "choose one of"),
            (["--majority", "--label", "NOPE"], "no label 'NOPE'")):
        result = runner.invoke(main, ["review", str(team), *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_export_core_never_writes_an_emptied_gold_document(team: Path, tmp_path: Path
                                                         ) -> None:
    """The rule lives in annotator.export.export, which the window's File ▸ Export calls:
    a document whose chosen set is empty while another set has spans is skipped and
    counted, and an export that leaves out every document fails, unless allow_empty."""
    from annotator.export import ExportError, ExportOptions, export

    out = tmp_path / "gold.jsonl"
    with Store(team) as store:
        opts = ExportOptions(status="any", annotation_set="gold", tokens=False)
        with pytest.raises(ExportError, match="every document was left out") as refused:
            export(store, "jsonl", out, opts)
        assert "annotator review" in str(refused.value) and not out.exists()
        empty = export(store, "jsonl", out, ExportOptions(
            status="any", annotation_set="gold", tokens=False, allow_empty=True))
        assert empty.documents == 0 and sum(empty.skipped.values()) == 10
        review(store, ReviewRule("majority"), "lead", [5, 6])
        some = export(store, "jsonl", out, opts, force=True)
        assert some.documents == 2 and some.spans == 6
        assert some.skipped == {"documents whose gold set has no span while another set of "
                                "them has spans (not reviewed: review them, or export an "
                                "annotator's set with --set NAME)": 8}
        # an annotator's own set is as it was: all ten documents, with their spans
        bob = export(store, "jsonl", tmp_path / "bob.jsonl",
                     ExportOptions(annotation_set="bob", tokens=False))
        assert bob.documents == 10 and not bob.skipped


def test_mark_done_in_the_gold_set_is_refused_until_reviewed(team: Path) -> None:
    from annotator.session import NeedsReviewError

    with Store(team) as store:
        session = Session(store, "lead")
        with pytest.raises(NeedsReviewError, match=r"annotator review .* --majority --docs 3"):
            session.set_status(3, "done")
        with pytest.raises(NeedsReviewError, match="10 documents are not reviewed"):
            session.set_statuses(None, "done")
        assert store.stats()["documents"]["by_status"] == {"new": 10}
        session.set_status(3, "skipped")  # other statuses are not a review
        review(store, ReviewRule("majority"), "lead", [3])
        assert store.document_status(3)[0] == "done"
