"""Teams: split, merge, annotation sets in the store, session and export."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.export import ExportOptions, export
from annotator.importers import content_hash
from annotator.model import Claim, Span
from annotator.session import Session, SessionError
from annotator.store import SCHEMA_VERSION, Store, StoreError
from annotator.teams import (
    TeamError,
    in_the_way,
    merge,
    parse_source,
    plan_split,
    review_state,
    shared_count,
    split,
)

TEXTS = [f"Article {i}: Ali Hassan told Reuters in Baghdad that {i} people left." for i in
         range(1, 11)]


def at(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def make_project(path: Path, texts: list[str] = TEXTS) -> Path:
    """A project of ``texts``, each with two pending suggestions and a pending claim."""
    with Store(path) as store, store.write():
        for text in texts:
            doc = store.insert_document(text, {}, content_hash(text))
            store.insert_span(Span(doc, "entity", *at(text, "Ali Hassan"), "PERSON",
                                   score=0.9, model="test"))
            store.insert_span(Span(doc, "entity", *at(text, "Baghdad"), "GPE", model="test"))
            store.insert_span(Span(doc, "claim", at(text, "Ali")[0], len(text), "CLAIM",
                                   model="test", claim=Claim(claim_type="reported")))
    return path


def annotate(path: Path, who: str, label_for_ali: str = "PERSON", done: bool = True) -> None:
    """Accept the suggestions of every document, Ali as ``label_for_ali``; mark done."""
    with Store(path) as store:
        session = Session(store, who)
        for doc_id in store.document_ids():
            for span in store.spans(doc_id):
                assert span.id is not None
                if span.label == "PERSON" and label_for_ali != "PERSON":
                    session.relabel(span.id, label_for_ali)
                else:
                    session.accept(span.id)
            if done:
                session.set_status(doc_id, "done")


# --- split ---------------------------------------------------------------------------


def test_teams_shared_count_rounds_half_up() -> None:
    assert shared_count(55, 0.3) == 17  # 16.5
    assert shared_count(10, 0.2) == 2 and shared_count(10, 0.0) == 0
    assert shared_count(3, 1.0) == 3


def test_teams_plan_split_is_seeded_balanced_and_shares_the_stated_fraction() -> None:
    ids = list(range(1, 101))
    plan = plan_split(ids, ["alice", "bob", "carol"], overlap=0.3, seed=7)
    assert plan == plan_split(ids, ["alice", "bob", "carol"], overlap=0.3, seed=7)
    assert plan != plan_split(ids, ["alice", "bob", "carol"], overlap=0.3, seed=8)
    assert len(plan.shared) == 30
    given = [i for ids_ in plan.assignments.values() for i in ids_]
    assert sorted(set(given)) == ids  # every document goes out
    assert len(given) == 100 + 30  # each shared one twice
    for doc_id in plan.shared:
        assert sum(doc_id in a for a in plan.assignments.values()) == 2
    sizes = [len(a) for a in plan.assignments.values()]
    assert max(sizes) - min(sizes) <= 1  # 130 / 3: 44, 43, 43
    pairs = {(a, b) for a in plan.assignments for b in plan.assignments if a < b}
    for a, b in pairs:  # every pair shares documents (for pairwise agreement)
        assert set(plan.assignments[a]) & set(plan.assignments[b])


def test_teams_plan_split_refuses_bad_names_and_copies() -> None:
    for names, message in ((["alice", "alice"], "twice"), (["gold"], "reserved"),
                           (["al ice"], "whitespace"), ([], "at least one")):
        with pytest.raises(TeamError, match=message):
            plan_split([1, 2], names, 0.5)
    with pytest.raises(TeamError, match="2 to 2"):
        plan_split([1, 2], ["a", "b"], 0.5, copies=3)
    assert plan_split([1, 2, 3], ["solo"], 0.0).assignments == {"solo": [1, 2, 3]}


def test_teams_split_writes_each_annotators_share_with_scheme_and_suggestions(
        tmp_path: Path) -> None:
    src = make_project(tmp_path / "news.db")
    with Store(src) as store:
        from annotator import labels
        from annotator.model import Label

        labels.add(store, Label("WEAPON", "entity", "#123456"), "lead")
        result = split(store, ["alice", "bob"], tmp_path / "out", overlap=0.4, seed=3)
    assert "10 documents among 2 annotators" in result.summary()
    assert "4 documents (40.0%, asked 40%) shared by 2 annotators each" in result.summary()
    plan = result.plan
    for name in ("alice", "bob"):
        with Store(tmp_path / "out" / f"{name}.db") as part:
            assert part.document_ids() == plan.assignments[name]  # ids kept
            assert part.meta_value("annotator") == name and part.meta_value("team") == "news"
            assert part.label_scheme().get("WEAPON") is not None
            doc_id = plan.assignments[name][0]
            spans = part.spans(doc_id)
            assert [(s.label, s.decision, s.origin) for s in spans] == [
                ("CLAIM", "pending", "model"), ("PERSON", "pending", "model"),
                ("GPE", "pending", "model")]
            assert spans[0].claim is not None and spans[0].claim.claim_type == "reported"
            assert all(d.status == "new" for d in part.iter_documents())
            assert part.project_id and part.project_id != Store(src).project_id
    assert not list((tmp_path / "out").glob(".*"))  # no temporary file left
    with Store(src) as store, pytest.raises(TeamError, match="already exist"):
        split(store, ["alice", "bob"], tmp_path / "out")


# --- merge ---------------------------------------------------------------------------


@pytest.fixture
def team_files(tmp_path: Path) -> dict[str, Path]:
    src = make_project(tmp_path / "news.db")
    with Store(src) as store:
        split(store, ["alice", "bob"], tmp_path / "out", overlap=0.4, seed=3)
    files = {n: tmp_path / "out" / f"{n}.db" for n in ("alice", "bob")}
    annotate(files["alice"], "alice")
    annotate(files["bob"], "bob", label_for_ali="ORG")
    return files


def snapshot(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return [
            *conn.execute("SELECT id, content_hash, status FROM documents ORDER BY id"),
            *conn.execute('SELECT doc_id, annotation_set, layer, start, "end", label, decision'
                          " FROM spans ORDER BY doc_id, annotation_set, start, label"),
            *conn.execute("SELECT annotation_set, annotator, action, ts FROM events"
                          " ORDER BY id"),
            *conn.execute("SELECT * FROM set_documents ORDER BY doc_id, annotation_set"),
        ]
    finally:
        conn.close()


def test_teams_merge_keeps_each_annotators_decisions_apart(team_files, tmp_path) -> None:
    team = tmp_path / "team.db"
    result = merge(team, [(team_files["alice"], None), (team_files["bob"], None)], "lead")
    assert result.created and [f.name for f in result.files] == ["alice", "bob"]
    with Store(team) as store:
        assert store.document_ids() == list(range(1, 11))  # the project's ids, by hash
        sets = {s["name"]: s for s in store.annotation_sets()}
        assert set(sets) == {"alice", "bob"}
        shared = store.shared_done()
        assert len(shared) == 4 and all(v == ["alice", "bob"] for v in shared.values())
        doc_id = next(iter(shared))
        both = store.spans(doc_id, annotation_set=None)
        by_set = {(s.annotation_set, s.label) for s in both}
        assert ("alice", "PERSON") in by_set and ("bob", "ORG") in by_set  # not overwritten
        assert store.spans(doc_id) == []  # the gold set is empty until review
        assert all(s.decision == "accepted" for s in both)
        # claims keep their attributes; their events keep annotator and time
        claim = next(s for s in both if s.layer == "claim" and s.annotation_set == "bob")
        assert claim.claim is not None and claim.claim.claim_type == "reported"
        events = [e for e in store.events(doc_id) if e["annotation_set"] == "bob"]
        assert {e["annotator"] for e in events} == {"bob"}
        with Store(team_files["bob"]) as bob:
            original = [e for e in bob.events() if e["doc_id"] == doc_id]
        assert [(e["action"], e["ts"]) for e in events] == [
            (e["action"], e["ts"]) for e in original]
        assert store.document_sets(doc_id) == {"alice": "done", "bob": "done"}


def test_teams_merging_the_same_file_twice_adds_nothing(team_files, tmp_path) -> None:
    team = tmp_path / "team.db"
    merge(team, [(team_files["alice"], None), (team_files["bob"], None)], "lead")
    before = snapshot(team)
    again = merge(team, [(team_files["bob"], None), (team_files["alice"], None)], "lead")
    assert [f.changed for f in again.files] == [False, False]
    assert "nothing new" in again.summary()
    assert snapshot(team) == before
    # a copy of a file is the same file (its project id)
    copy = tmp_path / "copy-of-alice.db"
    copy.write_bytes(team_files["alice"].read_bytes())
    assert not merge(team, [(copy, None)], "lead").files[0].changed
    assert snapshot(team) == before


def test_teams_merging_a_file_again_takes_only_its_new_work(team_files, tmp_path) -> None:
    team = tmp_path / "team.db"
    merge(team, [(team_files["alice"], None), (team_files["bob"], None)], "lead")
    with Store(team_files["bob"]) as bob:
        doc_id = bob.document_ids()[0]
        span = next(s for s in bob.spans(doc_id) if s.label == "GPE")
        Session(bob, "bob").relabel(span.id, "LOC")  # type: ignore[arg-type]
    result = merge(team, [(team_files["bob"], None)], "lead")
    item = result.files[0]
    assert item.again and item.changed and item.counts["events"] == 1
    assert item.counts["documents_added"] == 0
    with Store(team) as store:
        labels = {(s.annotation_set, s.label) for s in store.spans(doc_id, annotation_set=None)}
        assert ("bob", "LOC") in labels and ("bob", "GPE") not in labels
        assert ("alice", "GPE") in labels  # the other set untouched


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"not a database at all" * 100), "not an SQLite database"),
    (lambda p: sqlite3.connect(p).execute("CREATE TABLE t (x)").connection.commit(),
     "not an Annotator project"),
    (lambda p: _version(p, SCHEMA_VERSION + 1), "newer Annotator"),
    (lambda p: _older(p), "older Annotator"),
    (lambda p: _version(p, SCHEMA_VERSION - 1),
     f"says schema {SCHEMA_VERSION - 1} but holds the tables of schema {SCHEMA_VERSION}"),
    (lambda p: _relabel_scheme(p), "another label scheme .*it has WEAPON"),
])
def test_teams_merge_refuses_files_and_changes_nothing(team_files, tmp_path, make,
                                                       message) -> None:
    team = tmp_path / "team.db"
    merge(team, [(team_files["alice"], None)], "lead")
    before = snapshot(team)
    bad = tmp_path / "bad.db"
    make(bad)
    with pytest.raises(TeamError, match=message):
        merge(team, [(team_files["bob"], None), (bad, "carol")], "lead")
    assert snapshot(team) == before  # bob's good file was not half-merged either


def _version(path: Path, version: int) -> None:
    make_project(path, ["Ali Hassan went to Baghdad, Mosul."])
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    conn.commit()
    conn.close()


def _older(path: Path) -> None:
    from tests.reliability.test_database import build_version

    build_version(path, SCHEMA_VERSION - 1)


def _relabel_scheme(path: Path) -> None:
    from annotator import labels
    from annotator.model import Label

    make_project(path, ["Ali Hassan went to Baghdad, Mosul."])
    with Store(path) as store:
        labels.add(store, Label("WEAPON", "entity", "#123456"), "x")


def test_teams_merge_refuses_a_second_file_for_one_set_and_unknown_owners(
        team_files, tmp_path) -> None:
    team = tmp_path / "team.db"
    merge(team, [(team_files["alice"], None)], "lead")
    other = make_project(tmp_path / "other.db", ["Ali Hassan in Baghdad and Kirkuk."])
    annotate(other, "alice")
    with pytest.raises(TeamError, match="set alice was merged from another file"):
        merge(team, [(other, None)], "lead")
    two = make_project(tmp_path / "two.db", ["Ali Hassan in Baghdad and Erbil."])
    annotate(two, "dan")
    with Store(two) as store:
        Session(store, "erin").set_status(1, "skipped")
    with pytest.raises(TeamError, match="cannot tell whose file it is .*dan, erin"):
        merge(team, [(two, None)], "lead")
    assert merge(team, [parse_source(f"{two}=dan")], "lead").files[0].name == "dan"
    with pytest.raises(TeamError, match="the team project being written itself|itself"):
        merge(team, [(team, "x")], "lead")


def test_teams_merge_into_a_missing_team_leaves_nothing_when_refused(team_files,
                                                                     tmp_path) -> None:
    team = tmp_path / "team.db"
    with pytest.raises(TeamError):
        merge(team, [(team_files["alice"], None), (tmp_path / "missing.db", None)], "lead")
    assert not team.exists() and list(tmp_path.glob(".team.db*")) == []


# --- sets in the session, the store and the export ------------------------------------


def test_teams_session_works_in_its_own_set_only(store: Store) -> None:
    text = "Ali Hassan met Sara Haddad in Baghdad."
    with store.write():
        doc = store.insert_document(text, {}, content_hash(text))
        theirs = store.insert_span(Span(doc, "entity", *at(text, "Ali Hassan"), "PERSON",
                                        origin="human", decision="accepted",
                                        annotation_set="alice"))
    gold = Session(store, "rev")
    # The overlap rule is per set: gold may hold its own entity where alice has one.
    change = gold.add(doc, "entity", *at(text, "Ali Hassan"), "ORG")
    assert change.span is not None and change.span.annotation_set == ""
    with pytest.raises(SessionError, match="belongs to alice's set"):
        gold.accept(theirs)
    with pytest.raises(SessionError, match="belongs to the gold set"):
        Session(store, "alice", "alice").reject(change.span.id)  # type: ignore[arg-type]
    assert [s.label for s in store.spans(doc)] == ["ORG"]
    assert [s.label for s in store.spans(doc, annotation_set="alice")] == ["PERSON"]
    assert store.events(doc)[-1]["annotation_set"] == ""
    alice = Session(store, "alice", "alice")
    alice.add(doc, "entity", *at(text, "Baghdad"), "GPE")
    assert store.events(doc)[-1]["annotation_set"] == "alice"
    with store.write():
        store.put_set_status(doc, "alice", "in_progress", None)
    change = alice.set_status(doc, "done")
    assert store.document_sets(doc) == {"alice": "done"}
    assert store.get_document(doc).status == "new"  # type: ignore[union-attr]
    alice.revert(change)
    assert store.document_sets(doc) == {"alice": "in_progress"}


def test_teams_export_auto_takes_gold_else_the_single_set_and_counts_the_rest(
        team_files, tmp_path) -> None:
    team = tmp_path / "team.db"
    merge(team, [(team_files["alice"], None), (team_files["bob"], None)], "lead")
    with Store(team) as store:
        shared = sorted(store.shared_done())
        reviewed = shared[0]
        gold = Session(store, "rev")
        text = store.get_document(reviewed).text  # type: ignore[union-attr]
        gold.add(reviewed, "entity", *at(text, "Ali Hassan"), "PERSON")
        gold.set_status(reviewed, "done")
        out = tmp_path / "auto.jsonl"
        summary = export(store, "jsonl", out, ExportOptions(tokens=False))
        lines = [json.loads(x) for x in out.read_text().splitlines()]
        assert summary.documents == 7 and sum(summary.skipped.values()) == 3
        assert "two or more annotators' sets, not reviewed" in summary.summary()
        by_text = {x["text"]: x for x in lines}
        line = by_text[text]
        assert [(s["label"], s["text"]) for s in line["spans"]] == [("PERSON", "Ali Hassan")]
        assert line["_annotator_id"] == "rev" and line["_session_id"] == "news-rev"
        singles = [x for x in lines if x["text"] != text]
        assert {x["_annotator_id"] for x in singles} == {"alice", "bob"}
        assert {x["_session_id"] for x in singles} == {"news-alice", "news-bob"}
        for x in singles:
            label = "PERSON" if x["_annotator_id"] == "alice" else "ORG"
            assert [s["label"] for s in x["spans"]] == [label, "GPE"]
        out_bob = tmp_path / "bob.jsonl"
        summary = export(store, "jsonl", out_bob, ExportOptions(tokens=False,
                                                                annotation_set="bob"))
        assert summary.documents == len(store.set_documents("bob"))
        out_gold = tmp_path / "gold.jsonl"
        summary = export(store, "jsonl", out_gold, ExportOptions(tokens=False,
                                                                 annotation_set="gold"))
        assert summary.documents == 1


def test_teams_single_person_export_is_unchanged_by_sets(tmp_path: Path) -> None:
    """No team name, no sets: the same lines as before (no _session_id)."""
    path = make_project(tmp_path / "solo.db")
    annotate(path, "maya")
    with Store(path) as store:
        export(store, "jsonl", tmp_path / "a.jsonl", ExportOptions(tokens=False))
        export(store, "jsonl", tmp_path / "b.jsonl", ExportOptions(tokens=False,
                                                                   annotation_set="gold"))
    first = (tmp_path / "a.jsonl").read_text()
    assert first == (tmp_path / "b.jsonl").read_text()
    line = json.loads(first.splitlines()[0])
    assert line["_annotator_id"] == "maya" and "_session_id" not in line


def test_teams_review_state_agreed_versions_and_what_taking_one_replaces(
        team_files, tmp_path) -> None:
    team = tmp_path / "team.db"
    merge(team, [(team_files["alice"], None), (team_files["bob"], None)], "lead")
    with Store(team) as store:
        doc_id = sorted(store.shared_done())[0]
        state = review_state(store, doc_id)
        assert state.sets == ["alice", "bob"] and not state.reviewed
        assert [(v.label, v.owners) for v in state.agreed] == [
            ("GPE", ("alice", "bob")), ("CLAIM", ("alice", "bob"))]
        assert [[(v.label, v.owners) for v in g] for g in state.groups] == [
            [("ORG", ("bob",)), ("PERSON", ("alice",))]]
        group = state.groups[0]
        session = Session(store, "rev")
        text = store.get_document(doc_id).text  # type: ignore[union-attr]
        person = session.add(doc_id, "entity", *at(text, "Ali Hassan"), "PERSON").span
        assert person is not None
        assert in_the_way(store, doc_id, group[0], group) == [person.id]
        assert review_state(store, doc_id).in_gold == {group[1].key}


def test_teams_store_attach_refuses_itself_and_missing_files(store: Store,
                                                             tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="itself"):
        store.attach(store.path, "src")
    with pytest.raises(StoreError, match="no such project"):
        store.attach(tmp_path / "missing.db", "src")


def test_teams_a_v5_project_migrates_into_the_own_set_and_takes_a_merge(
        team_files, tmp_path) -> None:
    """Schema 5 -> 6 with a backup: its spans and events land in the own set ('' ), it
    gets a project id, and it can be the team project of a merge."""
    from tests.reliability.test_database import build_version

    old = tmp_path / "old.db"
    build_version(old, 5)
    with Store(old) as store:
        assert store.backup_path is not None and store.backup_path.name == "old.db.v5.bak"
        assert store.schema_version == SCHEMA_VERSION and len(store.project_id) == 32
        conn = store.conn
        assert conn.execute("SELECT DISTINCT annotation_set FROM spans").fetchall() == [("",)]
        assert conn.execute("SELECT DISTINCT annotation_set FROM events").fetchall() == [("",)]
        assert not store.has_annotation_sets()
        plans = {row[3] for row in conn.execute("EXPLAIN QUERY PLAN SELECT id FROM spans"
                                                 " WHERE doc_id = 1 AND annotation_set = ''"
                                                 " AND layer = 'entity' AND start < 9")}
        assert any("idx_spans_doc" in p for p in plans)
    # the same label scheme (the default, as the split files have): it merges
    merged = merge(old, [(team_files["alice"], None)], "lead")
    assert merged.files[0].counts["documents_added"] == 7  # alice's share
    with Store(old) as store:
        assert store.count_documents() == 3 + 7 and store.has_annotation_sets()


@pytest.mark.parametrize("bad", ["../evil", "a/b", "..", ".hidden", "c:\\x", "x\x00y",
                                 "nul", "sub\\dir"])
def test_teams_names_are_plain_nothing_written(tmp_path: Path, bad: str) -> None:
    """Issue 21 item 13: `split --annotators ../evil,bob --out o` wrote evil.db outside o.
    Names are plain (no separators, no '..', no leading dot, no control characters),
    in split, in merge's FILE=NAME and the names files carry, and for --annotator."""
    from click.testing import CliRunner

    from annotator.cli import main

    project = make_project(tmp_path / "news.db")
    out = tmp_path / "sub" / "o"
    result = CliRunner().invoke(main, ["split", str(project), "--annotators", f"{bad},bob",
                                       "--out", str(out)])
    assert result.exit_code == 1 and "annotator " in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news.db"]  # nothing written
    with pytest.raises(TeamError, match="nothing was merged"):
        merge(tmp_path / "team.db", [(project, bad)], "lead")
    if bad == "nul":  # a file name only: a person may be called so
        return
    with pytest.raises(TeamError, match="nothing was merged"):
        merge(tmp_path / "team.db", [(project, "alice")], bad)
    with Store(project) as store, pytest.raises(SessionError, match="annotator"):
        Session(store, bad)
    assert not (tmp_path / "team.db").exists()


def test_teams_merge_refuses_a_name_the_file_carries(tmp_path: Path) -> None:
    """A file whose meta says annotator '../evil' (a hostile file) is refused by name."""
    src = make_project(tmp_path / "news.db")
    with Store(src) as store, store.write():
        store.set_meta("annotator", "../evil")
    with pytest.raises(TeamError, match=r"set name '\.\./evil'.*nothing was merged"):
        merge(tmp_path / "team.db", [(src, None)], "lead")

