"""Document labels (issue 25), the core: schema v7 and its migration, the scheme's
categories, the store's rows and the decisions with undo (annotator/editing/doc_labels.py),
on real project files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator import labels
from annotator.editing import doc_labels as dl
from annotator.errors import ConflictError, LabelError
from annotator.model import DocLabel, Label, LabelCategory, LabelScheme
from annotator.store import SCHEMA_VERSION, Store
from annotator.store.trust import expected_schema, read_schema
from tests.reliability.test_database import build_version


def _doc(store: Store, text: str = "Parliament passed the budget.") -> int:
    with store.write():
        return store.insert_document(text, {}, f"h{hash(text)}")


def _state(store: Store, doc_id: int, annotation_set: str = "") -> dict[str, str]:
    return {f"{r.category}:{r.label}": f"{r.origin}/{r.decision}"
            for r in store.doc_labels(doc_id, annotation_set)}


def test_doc_labels_schema_is_v7_and_a_v6_file_migrates_with_its_data(tmp_path: Path
                                                                       ) -> None:
    """A real v6 file (documents, spans, a claim, events, a custom label) opens as v7
    after a backup: its rows intact, labels keep their order, and the new tables are
    there with the shipped categories and document labels."""
    assert SCHEMA_VERSION == 7
    old = tmp_path / "old.db"
    build_version(old, 6, docs=3)
    conn = sqlite3.connect(old)
    conn.execute("INSERT INTO labels VALUES ('politics', 'entity', '#123456', '', 'mine', 99)")
    conn.commit()
    before = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
              for t in ("documents", "spans", "claims", "events", "label_map")}
    old_labels = conn.execute("SELECT name, layer, color, key, description, position FROM"
                              " labels ORDER BY position").fetchall()
    conn.close()
    with Store(old) as store:
        assert store.backup_path is not None and store.backup_path.name == "old.db.v6.bak"
        assert store.schema_version == 7
        for table, rows in before.items():
            assert store.conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() == rows
        assert store.conn.execute(
            "SELECT name, layer, color, key, description, position FROM labels WHERE"
            " layer != 'doc' ORDER BY position").fetchall() == old_labels
        scheme = store.label_scheme()
        assert [c.name for c in scheme.categories] == ["topic", "stance", "reliability"]
        assert scheme.category("stance") == LabelCategory(
            "stance", True, False, "The article's stance towards its main claim or subject")
        # the project's own "politics" (an entity label) is kept, not the shipped one
        assert scheme.get("politics") == Label("politics", "entity", "#123456", "", "mine")
        assert [x.name for x in scheme.doc_labels("topic")] == \
            ["economy", "conflict", "health", "crime", "sport"]
        assert store.doc_labels(1) == []
        assert read_schema(store.conn) == expected_schema(7)
    backup = sqlite3.connect(tmp_path / "old.db.v6.bak")  # the v6 file as it was
    assert backup.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                          ).fetchone() == ("6",)
    assert backup.execute("SELECT * FROM spans ORDER BY 1").fetchall() == before["spans"]
    backup.close()


def test_doc_labels_a_new_project_has_the_shipped_scheme(store: Store) -> None:
    shipped = LabelScheme.load()
    scheme = store.label_scheme()
    assert scheme == shipped
    assert [c.name for c in scheme.categories if c.exclusive] == ["stance", "reliability"]
    assert len(scheme.doc_labels("topic")) == 6 and len(scheme.doc_labels()) == 12
    assert all(x.category for x in scheme.doc_labels())
    assert not any(x.category for x in scheme.span_labels())


def test_doc_labels_store_rows_suggestions_counts_and_filters(store: Store) -> None:
    a, b = _doc(store), _doc(store, "The match ended in a draw.")
    with store.write():
        first = store.put_doc_label(DocLabel(None, a, "topic", "politics", "human",
                                             "accepted", annotator="ann"))
        again = store.put_doc_label(DocLabel(None, a, "topic", "politics", "human",
                                             "rejected", annotator="bob"))
        assert first == again  # replaced by its key, id kept
        n = store.put_doc_label_suggestions(b, "textcat-1", {
            "topic": {"sport": 0.9, "politics": 0.2, "economy": 0.55},
            "stance": {"for": 0.3, "against": 0.6, "neutral": 0.55}})
    assert n == 3  # sport, economy; stance: only the best (exclusive)
    assert _state(store, b) == {"topic:economy": "model/pending", "topic:sport": "model/pending",
                                "stance:against": "model/pending"}
    # the scheme's order, not the insertion's
    assert [r.label for r in store.doc_labels(b)] == ["economy", "sport", "against"]
    sport = next(r for r in store.doc_labels(b) if r.label == "sport")
    assert sport.score == pytest.approx(0.9) and sport.model == "textcat-1"
    dl.choose(store, b, "topic", "sport", annotator="ann")
    with store.write():  # again: decided ones are kept, pending ones replaced
        n = store.put_doc_label_suggestions(b, "textcat-2", {
            "topic": {"sport": 0.95, "health": 0.7}})
    assert n == 1
    assert _state(store, b)["topic:sport"] == "model/accepted"
    assert "topic:economy" not in _state(store, b)
    assert store.document_ids_with_doc_label("topic", "sport") == [b]
    assert store.document_ids_with_doc_label("topic", "politics") == []
    counts = store.doc_label_counts()
    assert counts["topic"]["politics"] == {"accepted": 0, "rejected": 1, "pending": 0}
    assert counts["topic"]["health"] == {"accepted": 0, "rejected": 0, "pending": 1}
    assert set(store.doc_labels_for([a, b, 999])) == {a, b}
    with store.write():
        store.delete_doc_label(first)
    assert _state(store, a) == {}


def test_doc_labels_exclusive_replaces_multi_toggles_and_undo_restores(store: Store
                                                                        ) -> None:
    doc = _doc(store)
    with store.write():
        store.put_doc_label_suggestions(doc, "m", {"stance": {"against": 0.8}})
    change = dl.choose(store, doc, "stance", "for", annotator="ann")
    # the pending suggestion is rejected (kept on record), the choice accepted
    assert _state(store, doc) == {"stance:for": "human/accepted",
                                  "stance:against": "model/rejected"}
    second = dl.choose(store, doc, "stance", "neutral", annotator="ann")
    assert _state(store, doc) == {"stance:neutral": "human/accepted",
                                  "stance:against": "model/rejected"}  # a person's: removed
    dl.revert(store, second)
    assert _state(store, doc) == {"stance:for": "human/accepted",
                                  "stance:against": "model/rejected"}
    dl.reapply(store, second)
    dl.revert(store, second)
    dl.revert(store, change)
    assert _state(store, doc) == {"stance:against": "model/pending"}
    # multi-label: toggles
    dl.choose(store, doc, "topic", "politics", annotator="ann")
    dl.choose(store, doc, "topic", "economy", annotator="ann")
    assert _state(store, doc)["topic:politics"] == "human/accepted"
    dl.choose(store, doc, "topic", "politics", annotator="ann")
    assert "topic:politics" not in _state(store, doc)
    assert _state(store, doc)["topic:economy"] == "human/accepted"
    # events: one per row changed, with the annotator, the set and the rows
    events = [e for e in store.events(doc) if e["action"].startswith("doc_label.")]
    first = events[0]
    assert first["action"] == "doc_label.reject" and first["annotator"] == "ann"
    assert json.loads(first["before"])["decision"] == "pending"
    assert json.loads(first["after"])["decision"] == "rejected"
    assert {e["action"] for e in events} == {"doc_label.accept", "doc_label.reject",
                                             "doc_label.remove", "doc_label.suggest"}


def test_doc_labels_undo_refuses_when_another_window_changed_them(store: Store) -> None:
    doc = _doc(store)
    change = dl.choose(store, doc, "topic", "health", annotator="ann")
    dl.reject(store, doc, "topic", "health", annotator="bob")
    with pytest.raises(ConflictError, match="changed in another window"):
        dl.revert(store, change)
    assert _state(store, doc) == {"topic:health": "human/rejected"}


def test_doc_labels_accept_suggestions_and_sets(store: Store) -> None:
    doc = _doc(store)
    assert dl.accept_suggestions(store, doc) is None
    with store.write():
        store.put_doc_label_suggestions(doc, "m", {
            "topic": {"politics": 0.9, "economy": 0.7},
            "reliability": {"mixed": 0.6}}, threshold=0.5)
    dl.choose(store, doc, "reliability", "reliable", annotator="ann")
    with store.write():  # an exclusive category with a choice takes no suggestion
        assert store.put_doc_label_suggestions(doc, "m", {"reliability": {"mixed": 0.9}}) == 0
    change = dl.accept_suggestions(store, doc, annotator="ann")
    assert change is not None and set(change.categories) == {"topic"}
    assert _state(store, doc) == {"topic:politics": "model/accepted",
                                  "topic:economy": "model/accepted",
                                  "reliability:reliable": "human/accepted",
                                  "reliability:mixed": "model/rejected"}
    # another annotation set is another set of rows
    dl.choose(store, doc, "topic", "crime", annotator="alice", annotation_set="alice")
    assert _state(store, doc, "alice") == {"topic:crime": "human/accepted"}
    assert "topic:crime" not in _state(store, doc)
    ev = [e for e in store.events(doc) if e["annotation_set"] == "alice"]
    assert [e["action"] for e in ev] == ["doc_label.accept"]


def test_doc_labels_required_categories_and_refusals(store: Store) -> None:
    doc = _doc(store)
    labels.update_category(store, "stance", "lead", required=True)
    assert dl.missing_required(store, doc) == ["stance"]
    dl.choose(store, doc, "stance", "for", annotator="ann")
    assert dl.missing_required(store, doc) == []
    with pytest.raises(LabelError, match="no document label 'sport' in category stance"):
        dl.choose(store, doc, "stance", "sport")
    with pytest.raises(LabelError, match="no document-label category 'mood'"):
        dl.choose(store, doc, "mood", "happy")
    with pytest.raises(Exception, match="no document 99"):
        dl.choose(store, 99, "stance", "for")


def test_doc_labels_scheme_add_category_rename_remove_and_toml(store: Store, tmp_path: Path
                                                              ) -> None:
    doc = _doc(store)
    labels.add(store, Label("english", "doc", "", "g", "", "language"), "lead",
               category=LabelCategory("language", exclusive=True))
    scheme = store.label_scheme()
    assert scheme.category("language") == LabelCategory("language", True)
    # a document label's key may repeat a span key and a command key, not a doc label's
    labels.add(store, Label("arabic", "doc", "", "1", "", "language"), "lead")
    with pytest.raises(LabelError, match="taken by english"):
        labels.add(store, Label("kurdish", "doc", "", "G", "", "language"), "lead")
    with pytest.raises(LabelError, match="needs a category"):
        labels.add(store, Label("kurdish", "doc", ""), "lead")
    with pytest.raises(LabelError, match="only document labels"):
        labels.add(store, Label("CITY", "entity", "", "", "", "topic"), "lead")
    dl.choose(store, doc, "language", "english", annotator="ann")
    assert labels.rename(store, "english", "en", "lead") == 1
    assert _state(store, doc) == {"language:en": "human/accepted"}
    with pytest.raises(LabelError, match="1 document label decision"):
        labels.remove(store, "en", "lead")
    with pytest.raises(LabelError, match="use category language"):
        labels.remove_category(store, "language", "lead")
    assert labels.remove(store, "en", "lead", relabel_to="arabic") == 1
    assert _state(store, doc) == {"language:arabic": "human/accepted"}
    text = labels.to_toml(store.label_scheme())
    assert '[[category]]\nname = "language"\nexclusive = true' in text
    out = tmp_path / "scheme.toml"
    out.write_text(text, encoding="utf-8")
    other = Store(tmp_path / "other.db")
    with other.write():
        other.delete_category("language")
    added = labels.import_toml(other, out, "lead")
    assert [x.name for x in added] == ["arabic"]
    assert other.label_scheme().category("language") == LabelCategory("language", True)
    assert LabelScheme.load(out) == store.label_scheme()
    other.close()
    dl.choose(store, doc, "topic", "sport")
    dl.choose(store, doc, "topic", "crime")
    with pytest.raises(LabelError, match="cannot become exclusive"):
        labels.update_category(store, "topic", "lead", exclusive=True)


def test_doc_labels_split_carries_suggestions_and_merge_carries_decisions(tmp_path: Path
                                                                          ) -> None:
    """split: each file gets its documents' pending document-label suggestions (and the
    scheme's categories); merge: each annotator's decided document labels land in their
    set, and a later merge of the same file replaces what it held."""
    from annotator.teams import merge, split

    src = tmp_path / "news.db"
    with Store(src) as store:
        ids = [_doc(store, f"Story {n} about the budget vote.") for n in range(4)]
        labels.add(store, Label("satire", "doc", "", "q", "", "genre"), "lead",
                   category=LabelCategory("genre", exclusive=True, required=True))
        with store.write():
            for doc_id in ids:
                store.put_doc_label_suggestions(doc_id, "m", {"topic": {"politics": 0.8}})
        split(store, ["alice", "bob"], tmp_path / "out", overlap=1.0, seed=1)
    files = {n: tmp_path / "out" / f"{n}.db" for n in ("alice", "bob")}
    for name, path in files.items():
        with Store(path) as part:
            assert part.label_scheme().category("genre") == LabelCategory("genre", True, True)
            held = part.document_ids()
            assert {r.label for d in held for r in part.doc_labels(d)} == {"politics"}
            dl.accept_suggestions(part, held[0], annotator=name)
            dl.choose(part, held[0], "stance", "for" if name == "alice" else "against",
                      annotator=name)
    team = tmp_path / "team.db"
    result = merge(team, [(files["alice"], None), (files["bob"], None)], "lead")
    assert "2 document labels" in result.files[0].summary()
    with Store(team) as store:
        assert store.label_scheme().category("genre") is not None
        alice = store.doc_labels_for(store.document_ids(), "alice")
        assert [(r.label, r.decision, r.annotator) for rows in alice.values() for r in rows] \
            == [("politics", "accepted", "alice"), ("for", "accepted", "alice")]
        assert store.doc_labels_for(store.document_ids(), "") == {}  # gold: nothing yet
    with Store(files["alice"]) as part:
        first = part.document_ids()[0]
        dl.choose(part, first, "stance", "neutral", annotator="alice")
    merge(team, [(files["alice"], None)], "lead")
    with Store(team) as store:
        alice = store.doc_labels_for(store.document_ids(), "alice")
        assert [r.label for rows in alice.values() for r in rows] == ["politics", "neutral"]
