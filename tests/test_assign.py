"""Batches (``annotator assign``) and training from a team's labels (issue 23, items 3
and 4)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.export import ExportOptions, export
from annotator.importers import content_hash
from annotator.model import Span
from annotator.store import Store
from annotator.teams import TeamError, assign, assign_order, batches, merge, split
from annotator.train import data

from .test_teams import annotate, at, make_project

MORE = [f"Report {i}: Sara Adams met officials in Mosul where {i} families returned." for i
        in range(1, 7)]


def add_documents(path: Path, texts: list[str]) -> list[int]:
    """Import ``texts`` into a (team) project, each with a pending PERSON suggestion."""
    ids = []
    with Store(path) as store, store.write():
        for text in texts:
            doc = store.insert_document(text, {}, content_hash(text))
            store.insert_span(Span(doc, "entity", *at(text, "Sara Adams"), "PERSON",
                                   model="test"))
            ids.append(doc)
    return ids


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """A team project: 10 documents split to alice and bob, done and merged."""
    src = make_project(tmp_path / "news.db")
    with Store(src) as store:
        split(store, ["alice", "bob"], tmp_path / "round1", overlap=0.4, seed=3)
    for name in ("alice", "bob"):
        annotate(tmp_path / "round1" / f"{name}.db", name)
    path = tmp_path / "team.db"
    merge(path, [(tmp_path / "round1" / f"{n}.db", None) for n in ("alice", "bob")], "lead")
    return path


def test_assign_a_later_batch_merges_into_the_same_annotators_sets(team: Path,
                                                                   tmp_path: Path) -> None:
    new = add_documents(team, MORE)
    with Store(team) as store:
        result = assign(store, ["alice", "bob"], tmp_path / "round2", overlap=0.5, seed=1,
                        who="lead")
    dealt = {i for ids in result.plan.assignments.values() for i in ids}
    assert dealt == set(new)  # only the documents nobody was given
    assert result.batch == 1 and len(result.plan.shared) == 3
    assert "annotator merge" in result.summary() and "--into" in result.summary()
    files = [tmp_path / "round2" / f"{n}.db" for n in ("alice", "bob")]
    for path, name in zip(files, ("alice", "bob"), strict=True):
        with Store(path) as part:
            assert part.meta_value("annotator") == name
            assert part.meta_value("batch") == "1"
        annotate(path, name)
    merged = merge(team, [(p, None) for p in files], "lead")
    assert [f.name for f in merged.files] == ["alice", "bob"]
    assert all(f.batch and f.changed for f in merged.files)
    with Store(team) as store:
        assert [s["name"] for s in store.annotation_sets()] == ["alice", "bob"]
        for name, ids in result.plan.assignments.items():
            assert set(ids) <= set(store.set_documents(name, "done"))
        from annotator.agreement import agreement

        found = agreement(store)
        assert found.annotators == ["alice", "bob"]  # never a third person "alice2"
        assert found.documents == 4 + 3  # round 1's shared and the batch's
    again = merge(team, [(p, None) for p in files], "lead")
    assert not any(f.changed for f in again.files)
    assert "nothing new" in again.summary()


def test_assign_deals_the_next_documents_records_them_and_stops_when_none_left(
        team: Path, tmp_path: Path) -> None:
    new = add_documents(team, MORE)
    with Store(team) as store:
        first = assign(store, ["alice", "bob"], tmp_path / "b1", count=4, overlap=0,
                       order="sequential", who="lead")
        assert {i for ids in first.plan.assignments.values() for i in ids} == set(new[:4])
        second = assign(store, ["alice", "bob"], tmp_path / "b2", overlap=0, who="lead")
        assert {i for ids in second.plan.assignments.values() for i in ids} == set(new[4:])
        assert second.batch == 2
        with pytest.raises(TeamError, match="nothing to assign: all 16 document"):
            assign(store, ["alice", "bob"], tmp_path / "b3", who="lead")
        assert not (tmp_path / "b3").exists()
        records = batches(store)
        assert [b["batch"] for b in records] == [1, 2]
        assert records[0]["annotators"]["alice"]["documents"] == first.plan.assignments["alice"]
        assert records[0]["by"] == "lead"
        events = store.conn.execute("SELECT annotator, after FROM events WHERE action ="
                                    " 'assign' ORDER BY id").fetchall()
        assert [json.loads(e[1])["batch"] for e in events] == [1, 2]


def test_assign_keeps_splits_safety(team: Path, tmp_path: Path) -> None:
    add_documents(team, MORE)
    with Store(team) as store:
        with pytest.raises(TeamError, match="itself .* would destroy the project"):
            assign(store, ["team"], tmp_path, overlap=0, who="lead")  # team.db itself
        assign(store, ["alice"], tmp_path / "b1", count=1, overlap=0, who="lead")
        with pytest.raises(TeamError, match="already exist"):
            assign(store, ["alice"], tmp_path / "b1", count=1, overlap=0, who="lead")
        assert len(batches(store)) == 1  # a refusal records nothing


def test_assign_order_random_is_seeded_and_uncertain_puts_the_margin_first(
        tmp_path: Path) -> None:
    path = make_project(tmp_path / "p.db")
    with Store(path) as store:
        ids = store.document_ids()
        assert assign_order(store, ids, "sequential") == ids
        shuffled = assign_order(store, ids, "random", seed=5)
        assert shuffled == assign_order(store, ids, "random", seed=5) != ids
        assert sorted(shuffled) == ids
        with store.write():  # a claim scored at the margin in the 7th document
            store.conn.execute("UPDATE spans SET score = 0.5 WHERE doc_id = ? AND layer ="
                               " 'claim'", (ids[6],))
            store.conn.execute("UPDATE spans SET score = 0.99 WHERE doc_id = ? AND layer ="
                               " 'claim'", (ids[2],))
        order = assign_order(store, ids, "uncertain")
        assert order[:2] == [ids[6], ids[2]] and sorted(order) == ids


def test_assign_a_batch_dealt_elsewhere_is_not_the_same_annotator(team: Path,
                                                                   tmp_path: Path) -> None:
    other = make_project(tmp_path / "other.db", ["Ali Hassan in Baghdad and Kirkuk."])
    with Store(other) as store:
        assign(store, ["alice"], tmp_path / "elsewhere", overlap=0, who="lead")
    annotate(tmp_path / "elsewhere" / "alice.db", "alice")
    with pytest.raises(TeamError, match="dealt from another project"):
        merge(team, [(tmp_path / "elsewhere" / "alice.db", None)], "lead")


# --- train and evaluate from a team's labels -------------------------------------------


def test_train_data_takes_the_set_as_export_does(team: Path, tmp_path: Path) -> None:
    with Store(team) as store:
        skipped: Counter[str] = Counter()
        sets: Counter[str] = Counter()
        auto = list(data.done_documents(store, "auto", skip=lambda r: skipped.update([r]),
                                         sets=sets))
        shared = set(store.review_document_ids())
        assert shared and not {d.doc.id for d in auto} & shared
        assert sum(skipped.values()) == len(shared)  # two unreviewed versions: counted
        alice = list(data.done_documents(store, "alice"))
        assert {d.doc.id for d in alice} == set(store.set_documents("alice", "done"))
        assert all(s.annotation_set == "alice" for d in alice for s in d.spans)
        assert list(data.done_documents(store, "gold")) == []
        out = tmp_path / "auto.jsonl"
        summary = export(store, "jsonl", out, ExportOptions(annotation_set="auto",
                                                            tokens=False))
    exported = [json.loads(line)["text"] for line in out.read_text().splitlines()]
    assert [d.doc.text for d in auto] == exported  # the same documents as the export
    assert sum(sets.values()) == len(auto) == summary.documents
    assert set(sets) == {"alice", "bob"}


def test_train_on_a_team_with_nothing_reviewed_names_the_review_step(team: Path) -> None:
    for extra in ([], ["--set", "gold"]):  # gold is the default
        result = CliRunner().invoke(main, ["train", *extra, "--db", str(team)])
        assert result.exit_code == 1
        assert "no reviewed document" in result.output
        assert f"annotator review {team} --majority" in result.output
        assert "mark done" not in result.output
    result = CliRunner().invoke(main, ["train", "--set", "zed", "--db", str(team)])
    assert result.exit_code == 1 and "no annotation set 'zed'" in result.output


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_evaluate_set_scores_against_the_chosen_set(team: Path) -> None:
    import spacy

    from annotator.evaluate import NothingToEvaluate, evaluate_set

    with Store(team) as store:
        with pytest.raises(NothingToEvaluate, match="annotator review"):
            evaluate_set(store, "gold", spacy.blank("en"), "entity")
        ev = evaluate_set(store, "alice", spacy.blank("en"), "entity")
        wanted = sum(1 for doc_id in store.set_documents("alice", "done")
                     for s in store.spans(doc_id, annotation_set="alice")
                     if s.layer == "entity" and s.decision == "accepted")
        done = len(store.set_documents("alice", "done"))
    assert ev.documents == done
    gold = sum(r["exact"]["gold"] for r in ev.as_dict()["labels"] if r["label"] != "(all)")
    assert gold == wanted
    result = CliRunner().invoke(main, ["evaluate", "--set", "gold", "--db", str(team)])
    assert result.exit_code == 1 and "annotator review" in result.output
