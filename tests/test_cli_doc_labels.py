"""Document labels from the command line and the Python API (issue 25): the ``labels``
verbs for document labels and categories, ``decide`` doc-label lines, ``list
--doc-label``, ``stats``, and :class:`annotator.api.Project`'s methods; real project
files, the real CLI through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.api import Project
from annotator.cli import main
from annotator.store import Store

TEXTS = ["Parliament passed the budget after a long debate.",
         "The striker scored twice in the cup final.",
         "Prices rose again as the central bank held rates."]


def run(*args: str, code: int = 0, stdin: str | None = None) -> str:
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "news.db"
    with Store(path) as store, store.write():
        for n, text in enumerate(TEXTS):
            store.insert_document(text, {"n": n}, f"h{n}")
    return str(path)


def test_cli_doc_labels_add_category_list_update_remove_export_import(db: str, tmp_path: Path
                                                                      ) -> None:
    out = run("labels", "add", "english", "--layer", "doc", "--category", "language",
              "--exclusive", "--required", "--key", "g", "--db", db)
    assert out.startswith("added english (doc, category language, #")
    run("labels", "add", "arabic", "--layer", "doc", "--category", "language", "--db", db)
    refused = run("labels", "add", "kurdish", "--layer", "doc", "--category", "language",
                  "--multi", "--db", db, code=1)
    assert "category language is exclusive already" in refused
    assert "a document label needs --category" in run(
        "labels", "add", "x", "--layer", "doc", "--db", db, code=2)
    assert "are for document labels" in run(
        "labels", "add", "CITY", "--layer", "entity", "--category", "topic", "--db", db, code=2)
    # refused after its new category was made: nothing half-written, no category left
    assert "taken by english" in run("labels", "add", "x1", "--layer", "doc", "--category",
                                     "newcat", "--key", "g", "--db", db, code=1)
    text = run("labels", "list", "--db", db)
    assert "newcat" not in text
    assert "category language: exclusive, required, 2 label(s)" in text
    assert "category topic: multi-label, 6 label(s)" in text
    listed = [json.loads(x) for x in run("labels", "list", "--json", "--db", db).splitlines()]
    english = next(x for x in listed if x["name"] == "english")
    assert english["layer"] == "doc" and english["category"] == "language"
    assert english["exclusive"] is True and english["required"] is True
    assert english["doc_labels"] == 0
    run("labels", "update", "english", "--key", "1", "--db", db)  # PERSON's: allowed
    assert "key 'n' is taken by neutral" in run("labels", "update", "english", "--key", "n",
                                                "--db", db, code=1)  # stance's neutral
    assert run("labels", "category", "language", "--optional", "--description", "Written in",
               "--db", db).startswith("updated category language: exclusive, 2 label(s)")
    out_file = tmp_path / "scheme.toml"
    run("labels", "export", str(out_file), "--db", db)
    other = str(tmp_path / "other.db")
    Store(other).close()
    assert "added 2 label(s): english, arabic" in run("labels", "import", str(out_file),
                                                      "--db", other)
    with Store(other) as store:
        assert store.label_scheme().category("language").description == "Written in"
    assert "removed category language and its 2 label(s)" in run(
        "labels", "category", "language", "--remove", "--db", other)
    run("labels", "rename", "arabic", "ar", "--db", db)
    assert "removed ar" in run("labels", "remove", "ar", "--db", db)


def test_cli_doc_labels_decide_lines_list_filter_and_stats(db: str, tmp_path: Path) -> None:
    lines = tmp_path / "decisions.jsonl"
    lines.write_text("\n".join(json.dumps(x) for x in [
        {"do": "doc-label", "doc": 1, "category": "topic", "label": "politics",
         "decision": "accept"},
        {"do": "doc-label", "doc": 1, "category": "topic", "label": "economy",
         "decision": "accept"},
        {"do": "doc-label", "doc": 1, "category": "stance", "label": "for",
         "decision": "accept"},
        {"do": "doc-label", "meta": {"n": 1}, "category": "topic", "label": "sport",
         "decision": "accept"},
        {"do": "doc-label", "doc": 1, "category": "stance", "label": "against",
         "decision": "accept"},  # exclusive: replaces "for"
        {"do": "doc-label", "doc": 2, "category": "topic", "label": "politics",
         "decision": "reject"},
        {"do": "doc-label", "doc": 1, "category": "topic", "label": "economy",
         "decision": "remove"},
        {"do": "doc-label", "doc": 1, "category": "topic", "label": "politics",
         "decision": "accept"},  # already so: not a toggle
    ]) + "\n", encoding="utf-8")
    dry = run("decide", str(lines), "--dry-run", "--annotator", "ann", "--db", db)
    assert f"{lines}:5: doc-label doc 1: stance=for: accepted -> none; stance=against: " \
           "none -> accepted" in dry
    assert "dry run: nothing was written" in dry
    out = run("decide", str(lines), "--annotator", "ann", "--db", db)
    assert "applied 7 decision(s)" in out and "1 already so" in out
    with Store(db) as store:
        assert {(r.category, r.label, r.decision) for r in store.doc_labels(1)} == {
            ("topic", "politics", "accepted"), ("stance", "against", "accepted")}
        events = [e for e in store.events(1) if e["action"].startswith("doc_label")]
        assert {e["annotator"] for e in events} == {"ann"}
    shown = json.loads(run("show", "1", "--json", "--db", db))
    assert [(x["category"], x["label"], x["decision"], x["annotator"])
            for x in shown["doc_labels"]] == [("topic", "politics", "accepted", "ann"),
                                              ("stance", "against", "accepted", "ann")]
    assert "stance: against (human accepted)" in run("show", "1", "--db", db)
    listed = run("list", "--doc-label", "topic=politics", "--json", "--db", db)
    assert [json.loads(x)["id"] for x in listed.splitlines()] == [1]
    assert [json.loads(x)["id"] for x in run("list", "--doc-label", "topic=sport", "--json",
                                             "--db", db).splitlines()] == [2]
    assert "no label 'golf' in category topic" in run("list", "--doc-label", "topic=golf",
                                                      "--db", db, code=1)
    assert "give CATEGORY=LABEL" in run("list", "--doc-label", "topic", "--db", db, code=2)
    stats = json.loads(run("stats", "--json", "--db", db))
    assert stats["doc_labels"]["topic"]["politics"] == {"accepted": 1, "rejected": 1,
                                                        "pending": 0}
    assert list(stats["doc_labels"]) == ["topic", "stance"]  # the scheme's order
    text = run("stats", "--db", db)
    assert "document labels, stance:\n  against      accepted: 1" in text
    # a bad line: the file's line named, nothing written
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"do": "doc-label", "doc": 3, "category": "stance",
                               "label": "sport", "decision": "accept"}) + "\n"
                   + json.dumps({"do": "doc-label", "doc": 3, "category": "topic",
                                 "label": "sport", "decision": "maybe"}) + "\n",
                   encoding="utf-8")
    refused = run("decide", str(bad), "--db", db, code=1)
    assert f"{bad}:1: no document label 'sport' in category stance" in refused
    skipped = run("decide", str(bad), "--skip-invalid", "--db", db)
    assert '"decision" must be one of accept, reject, remove' in skipped
    with Store(db) as store:
        assert store.doc_labels(3) == []


def test_cli_doc_labels_api_project(db: str) -> None:
    with Project(db, annotator="alice") as project:
        change = project.accept_doc_label(1, "stance", "neutral")
        assert [r.label for r in change.after] == ["neutral"]
        project.reject_doc_label(1, "topic", "sport")
        with project.store.write():
            project.store.put_doc_label_suggestions(2, "m", {"topic": {"sport": 0.8}})
        accepted = project.accept_doc_label_suggestions(2)
        assert accepted is not None and accepted.after[0].decision == "accepted"
        assert project.accept_doc_label_suggestions(2) is None
        assert [d.id for d in project.documents(doc_label=("topic", "sport"))] == [2]
        assert [(r.label, r.decision) for r in project.doc_labels(1)] == [
            ("sport", "rejected"), ("neutral", "accepted")]
        project.remove_doc_label(1, "topic", "sport")
        assert [r.label for r in project.doc_labels(1)] == ["neutral"]
        with pytest.raises(Exception, match="no document-label category 'mood'"):
            project.accept_doc_label(1, "mood", "x")
