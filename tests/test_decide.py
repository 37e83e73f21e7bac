"""Decisions without the window: ``decide`` (JSON lines), ``reject``, ``relabel``, ``add``,
``accept --max-score``, and who a command-line decision is logged as."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.decide import DecisionsRefused, apply_decisions
from annotator.model import Span
from annotator.session import Session, SessionError, decider, login_name
from annotator.store import Store

TEXT = "👍🏽 General Rohilat Afrin told the Wall Street Journal that 153 attacks happened."
PERSON = TEXT.index("Rohilat")
ORG = TEXT.index("Wall")
NUMBER = TEXT.index("153")
EXE = Path(sys.executable).parent / "annotator"


def make_project(path: Path) -> Path:
    """One document with three model suggestions: PERSON (0.9), ORG (0.4), a CLAIM."""
    store = Store(path)
    with store.write():
        doc = store.insert_document(TEXT, {"url": "https://x/1"}, "h")
        store.insert_span(Span(doc, "entity", PERSON, PERSON + 13, "PERSON", model="m 1",
                               score=0.9))
        store.insert_span(Span(doc, "entity", ORG, ORG + 19, "ORG", model="m 1", score=0.4))
        store.insert_span(Span(doc, "claim", 0, len(TEXT), "CLAIM", model="m 1", score=0.7))
    store.close()
    return path


def snapshot(path: Path) -> tuple[int, list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Event count, span rows and document rows, read with SQLite directly."""
    conn = sqlite3.connect(path)
    try:
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        spans = conn.execute("SELECT * FROM spans ORDER BY id").fetchall()
        docs = conn.execute("SELECT id, status, note FROM documents").fetchall()
    finally:
        conn.close()
    return events, spans, docs


def run(*args: object, env: dict[str, str] | None = None, stdin: str | None = None
        ) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it (no $ANNOTATOR_NAME unless given)."""
    base = {k: v for k, v in os.environ.items() if k != "ANNOTATOR_NAME"}
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True,
                          env={**base, **(env or {})}, input=stdin, timeout=60)


def lines(*items: dict[str, object]) -> list[str]:
    return [json.dumps(item) for item in items]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p.db")


def test_decide_each_verb_through_the_session(project: Path) -> None:
    store = Store(project)
    session = Session(store, "dana")
    entries = [(f"f:{n}", line) for n, line in enumerate(lines(
        {"do": "accept", "doc": 1, "span": 1},
        {"do": "reject", "meta": {"url": "https://x/1"}, "start": ORG, "end": ORG + 19,
         "layer": "entity"},
        {"do": "relabel", "doc": 1, "span": 2, "label": "GPE"},
        {"do": "resize", "doc": 1, "span": {"start": PERSON, "end": PERSON + 13,
                                            "layer": "entity"},
         "start": PERSON - 8, "end": PERSON + 13},
        {"do": "add", "doc": 1, "start": NUMBER, "end": NUMBER + 3, "label": "CARDINAL"},
        {"do": "set", "doc": 1, "span": 3, "claim_type": "statistic", "claimant": 1,
         "via": "the Wall Street Journal", "checkworthy": "yes", "hedged": False},
        {"do": "mark", "doc": 1, "status": "flagged", "note": "check the number"},
        {"do": "note", "doc": 1, "text": "asked the desk"},
        {"do": "accept", "doc": 1, "span": 1},  # already so: counted, nothing logged
    ), 1)]
    result = apply_decisions(session, entries, "f")
    assert (result.applied, len(result.changes), result.unchanged) == (8, 12, 1)
    assert not result.refused
    spans = {s.id: s for s in store.spans(1)}
    assert spans[1].decision == "accepted" and TEXT[spans[1].start:spans[1].end] == \
        "General Rohilat Afrin"
    assert (spans[2].label, spans[2].decision) == ("GPE", "accepted")  # relabel accepts
    added = next(s for s in spans.values() if s.label == "CARDINAL")
    assert (added.origin, TEXT[added.start:added.end]) == ("human", "153")
    claim = spans[3].claim
    assert claim is not None and (claim.claim_type, claim.claimant_span_id, claim.via,
                                  claim.checkworthy, claim.hedged) == (
        "statistic", 1, "the Wall Street Journal", "yes", False)
    assert store.document_status(1) == ("flagged", "asked the desk")
    actions = [e["action"] for e in store.events(1)]
    assert actions[:4] == ["accept", "reject", "relabel", "resize"]
    assert {"add", "set_claim_type", "set_claimant", "status_flagged"} <= set(actions)
    assert {e["annotator"] for e in store.events(1)} == {"dana"}
    # delete, and an added claim with its attributes in the same line
    more = apply_decisions(session, [("g:1", json.dumps({"do": "delete", "doc": 1,
                                                         "span": added.id})),
                                     ("g:2", json.dumps({"do": "add", "doc": 1, "start": 0,
                                                         "end": 10, "label": "CLAIM",
                                                         "hedged": True}))], "g")
    assert more.applied == 2 and len(more.changes) == 3
    assert not [s for s in store.spans(1) if s.label == "CARDINAL"]
    new_claim = [s for s in store.spans(1, "claim") if s.origin == "human"]
    assert len(new_claim) == 1 and new_claim[0].claim and new_claim[0].claim.hedged is True
    store.close()


@pytest.mark.parametrize(("line", "reason"), [
    ('{"do": "accept", "doc": 1, "span": 99}', "no span 99 in document 1"),
    ('{"do": "add", "doc": 1, "start": 0, "end": 4, "label": "NOPE"}', "unknown label 'NOPE'"),
    ('{"do": "relabel", "doc": 1, "span": 1, "label": "CLAIM"}',
     "label CLAIM is of the claim layer; the span is of the entity layer"),
    ('{"do": "accept", "doc": 1, "span": 1', "invalid JSON"),
    ('{"do": "smile", "doc": 1}', '"do" must be one of'),
    ('{"do": "accept", "doc": 1, "span": 1, "lable": "X"}', "unknown field(s) 'lable'"),
    ('{"do": "accept", "meta": {"url": "nope"}, "span": 1}', "no document with meta"),
    ('{"do": "mark", "doc": 7, "status": "done"}', "no document 7"),
    ('{"do": "accept", "doc": 1, "span": {"start": 0, "end": 3, "layer": "entities"}}',
     '"layer" must be one of entity, claim'),
])
def test_decide_refuses_a_bad_line_and_writes_nothing(project: Path, tmp_path: Path,
                                                      line: str, reason: str) -> None:
    decisions = tmp_path / "d.jsonl"
    decisions.write_text("\n".join([*lines({"do": "reject", "doc": 1, "span": 2},
                                           {"do": "mark", "doc": 1, "status": "done"}), "",
                                    line]) + "\n", encoding="utf-8")
    before = snapshot(project)
    result = run("decide", decisions, "--db", project)
    assert result.returncode == 1, result.stdout
    assert f"{decisions}:4: {reason}" in result.stderr
    assert "nothing was written" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(project) == before


def test_decide_overlap_refused_in_process(project: Path) -> None:
    store = Store(project)
    before = snapshot(project)
    with pytest.raises(DecisionsRefused) as refused:
        apply_decisions(Session(store, "dana"), [
            ("f:1", '{"do": "accept", "doc": 1, "span": 1}'),
            ("f:2", json.dumps({"do": "add", "doc": 1, "start": PERSON, "end": PERSON + 4,
                                "label": "ORG"}))], "f")
    assert refused.value.where == "f:2" and "overlaps accepted PERSON" in refused.value.reason
    store.close()
    assert snapshot(project) == before


def test_decide_skip_invalid_lists_and_applies_the_rest(project: Path, tmp_path: Path) -> None:
    decisions = tmp_path / "d.jsonl"
    decisions.write_text("\n".join(lines(
        {"do": "accept", "doc": 1, "span": 1},
        {"do": "reject", "doc": 1, "span": 42},
        {"do": "add", "doc": 1, "start": PERSON, "end": PERSON + 3, "label": "ORG"},
        {"do": "reject", "doc": 1, "span": 2})) + "\n", encoding="utf-8")
    result = run("decide", decisions, "--skip-invalid", "--db", project,
                 "--annotator", "erin")
    assert result.returncode == 0, result.stderr
    assert "applied 2 decision(s)" in result.stdout and "skipped 2 invalid line(s)" in \
        result.stdout
    assert f"{decisions}:2: no span 42 in document 1" in result.stdout
    assert f"{decisions}:3: overlaps accepted PERSON" in result.stdout
    store = Store(project)
    assert [s.decision for s in store.spans(1, "entity")] == ["accepted", "rejected"]
    assert [e["action"] for e in store.events(1)] == ["accept", "reject"]
    store.close()


def test_decide_dry_run_prints_and_writes_nothing(project: Path) -> None:
    before = snapshot(project)
    stdin = "\n".join(lines({"do": "relabel", "doc": 1, "span": 2, "label": "GPE"},
                            {"do": "mark", "doc": 1, "status": "done"}))
    result = run("decide", "-", "--dry-run", "--db", project, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert "<stdin>:1: relabel doc 1: span 2: ORG [" in result.stdout
    assert "pending -> GPE" in result.stdout and "<stdin>:2: status_done" in result.stdout
    assert "would apply 2 decision(s)" in result.stdout and "nothing was written" in \
        result.stdout
    assert snapshot(project) == before


@pytest.mark.slow
def test_cli_reject_relabel_add_accept_with_score_selectors(project: Path) -> None:
    assert run("reject", "--max-score", "0.5", "--layer", "entity", "--db", project
               ).returncode == 0
    store = Store(project)
    assert [s.decision for s in store.spans(1, "entity")] == ["pending", "rejected"]
    store.close()
    result = run("relabel", "--label", "PERSON", "--to", "NORP", "--db", project)
    assert "relabelled 1 PERSON span(s) as NORP as" in result.stdout, result.stderr
    refused = run("relabel", "--label", "NORP", "--to", "NOPE", "--db", project)
    assert refused.returncode == 1 and "span 1: unknown label 'NOPE'" in refused.stderr
    result = run("add", 1, NUMBER, NUMBER + 3, "CARDINAL", "--db", project)
    assert result.stdout.startswith(f"added CARDINAL span 4 [{NUMBER}, {NUMBER + 3}) to "
                                    "document 1 as "), result.stderr
    over = run("add", 1, PERSON, PERSON + 2, "ORG", "--db", project)
    assert over.returncode == 1 and "overlaps accepted NORP" in over.stderr
    assert run("accept", "--max-score", "0.5", "--db", project).stdout.startswith(
        "accepted 0")
    assert run("accept", "--min-score", "0.6", "--max-score", "0.8", "--db", project
               ).stdout.startswith("accepted 1")  # the claim (0.7)
    store = Store(project)
    assert [(s.label, s.decision) for s in store.spans(1)] == [
        ("CLAIM", "accepted"), ("NORP", "accepted"), ("ORG", "rejected"),
        ("CARDINAL", "accepted")]
    store.close()


def test_decider_order_in_process(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(project)
    monkeypatch.delenv("ANNOTATOR_NAME", raising=False)
    assert decider(None, store) == login_name()
    with store.write():
        store.set_meta("annotator", "alice")
    assert decider(None, store) == "alice"
    monkeypatch.setenv("ANNOTATOR_NAME", "bob")
    assert decider(None, store) == "bob"
    assert decider(" carol ", store) == "carol"
    with pytest.raises(SessionError):
        decider("bad\nname", store)
    store.close()


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_cli_decisions_in_a_split_file_are_the_split_annotators(tmp_path: Path) -> None:
    project = make_project(tmp_path / "team.db")
    out = tmp_path / "out"
    assert run("split", project, "--annotators", "alice,bob", "--out", out).returncode == 0
    alice = out / "alice.db"
    assert "rejected 1 suggestion(s) as alice" in run("reject", "--layer", "claim", "--db",
                                                      alice).stdout
    assert run("accept", "--db", alice).returncode == 0
    assert run("mark", "done", "1", "--db", alice).returncode == 0
    line = json.dumps({"do": "note", "doc": 1, "text": "env"})
    assert "as bob" in run("decide", "-", "--db", alice, env={"ANNOTATOR_NAME": "bob"},
                           stdin=line).stdout
    line = json.dumps({"do": "note", "doc": 1, "text": "flag"})
    assert "as carol" in run("decide", "-", "--db", alice, "--annotator", "carol",
                             env={"ANNOTATOR_NAME": "bob"}, stdin=line).stdout
    store = Store(alice)
    who = [e["annotator"] for e in store.events() if e["action"] != "split"]
    store.close()
    assert who[0] == "alice" and login_name() not in who[:-2]
    assert who[-2:] == ["bob", "carol"]
    assert set(who[:-2]) == {"alice"}


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_docs_example_runs(tmp_path: Path) -> None:
    """The shell example of docs/cli-decide.md, run as written."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "cli-decide.md").read_text(
        encoding="utf-8")
    script = doc.split("```sh\n", 1)[1].split("```", 1)[0]
    env = {k: v for k, v in os.environ.items() if k != "ANNOTATOR_NAME"}
    env["PATH"] = f"{EXE.parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "applied 5 decision(s) from decisions.jsonl as alice" in result.stdout
    assert "refused as expected" in result.stdout
    assert "<stdin>:1: no span 99 in document 1; nothing was written" in result.stderr
    store = Store(tmp_path / "demo.db")
    assert [(s.label, s.decision) for s in store.spans(1, "entity")] == [
        ("PERSON", "accepted"), ("ORG", "rejected"), ("CARDINAL", "accepted"),
        ("GPE", "accepted")]
    assert store.document_status(1) == ("done", None)
    assert {e["annotator"] for e in store.events(1)} == {"alice"}
    store.close()


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_decide_mark_done_in_a_team_project_follows_the_review_rule(tmp_path: Path) -> None:
    """decide goes through the Session, so the team rule (done in gold means reviewed)
    holds for it as for mark: refused with the line, the review step named."""
    project = make_project(tmp_path / "p.db")
    out = tmp_path / "out"
    assert run("split", project, "--annotators", "alice,bob", "--overlap", "1", "--out", out
               ).returncode == 0
    for name in ("alice", "bob"):
        assert run("decide", "-", "--db", out / f"{name}.db", stdin="\n".join(lines(
            {"do": "accept", "doc": 1, "span": 1},
            {"do": "mark", "doc": 1, "status": "done"}))).returncode == 0
    team = tmp_path / "team.db"
    assert run("merge", out / "alice.db", out / "bob.db", "--into", team).returncode == 0
    before = snapshot(team)
    refused = run("decide", "-", "--db", team,
                  stdin=json.dumps({"do": "mark", "doc": 1, "status": "done"}))
    assert refused.returncode == 1 and "<stdin>:1: " in refused.stderr
    assert "annotator review" in refused.stderr and "nothing was written" in refused.stderr
    assert snapshot(team) == before


def test_decide_refuses_ambiguous_names_and_bad_values(project: Path) -> None:
    store = Store(project)
    with store.write():
        store.insert_document("Another text.", {"url": "https://x/1"}, "h2")
    session = Session(store, "dana")
    for line, reason in [
        ({"do": "accept", "meta": {"url": "https://x/1"}, "span": 1},
         'more than one document with meta {"url": "https://x/1"}'),
        ({"do": "accept", "doc": 1, "meta": {"url": "https://x/1"}, "span": 1},
         'name the document with "doc" (its id) or "meta", one of them'),
        ({"do": "set", "doc": 1, "span": 3, "hedged": "yes"}, '"hedged" must be true'),
        ({"do": "set", "doc": 1, "span": 3, "claimant": 2.5}, '"claimant" must be an entity'),
        ({"do": "set", "doc": 1, "span": 1, "via": "AP"}, "span 1 is not a claim"),
        ({"do": "set", "doc": 1, "span": 3}, '"set" needs one of'),
        ({"do": "resize", "doc": 1, "start": 0, "end": 4}, 'name the span with "span"'),
        ({"do": "add", "doc": 1, "start": 4, "end": 2, "label": "ORG"}, "is empty or outside"),
        ({"do": "add", "doc": 1, "start": 0, "end": 4, "label": "ORG", "layer": "claim"},
         "label ORG is of the entity layer, not claim"),
    ]:
        with pytest.raises(DecisionsRefused) as refused:
            apply_decisions(session, [("f:7", json.dumps(line))], "f")
        assert refused.value.where == "f:7" and reason in refused.value.reason, line
    assert store.events() == []
    store.close()
