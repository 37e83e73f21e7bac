"""The project's label scheme: stored in the project, changed through the core and the
``labels`` commands, each change one transaction and one logged event."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator import labels
from annotator.cli import main
from annotator.labels import LabelError
from annotator.model import Label, LabelScheme, Span
from annotator.session import Session
from annotator.store import Store
from annotator.suggest.claims import ClaimSuggestion
from annotator.suggest.entities import EntitySuggestion
from annotator.suggest.runner import project_labels, store_suggestions


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_labels_a_new_project_starts_from_the_shipped_scheme(store: Store) -> None:
    assert [x.name for x in store.label_scheme().labels] == \
        [x.name for x in LabelScheme.load().labels]
    assert store.label_scheme().get("CLAIM").layer == "claim"  # type: ignore[union-attr]


def test_labels_add_update_rename_remove_are_checked_and_logged(store: Store) -> None:
    with store.write():
        doc = store.insert_document("Basra and Erbil.", {}, "h")
        span = store.insert_span(Span(doc, "entity", 0, 5, "GPE"))
    labels.add(store, Label("CITY", "entity", "", "q", "A city"), "ann")
    assert store.label_scheme().labels[-1].name == "CITY"
    assert store.label_scheme().get("CITY").color.startswith("#")  # type: ignore[union-attr]
    for bad, message in [(Label("CITY", "entity", "#000000"), "already"),
                         (Label("BAD NAME", "entity", "#000000"), "whitespace"),
                         (Label("X" * 65, "entity", "#000000"), "at most"),
                         (Label("T", "entity", "red"), "colour"),
                         (Label("T", "entity", "#000000", "a"), "command key"),
                         (Label("T", "entity", "#000000", "q"), "taken by CITY"),
                         (Label("T", "span", "#000000"), "layer")]:
        with pytest.raises(LabelError, match=message):
            labels.add(store, bad, "ann")
    labels.update(store, "CITY", "ann", key="b", description="Cities")
    assert store.label_scheme().get("CITY").key == "b"  # type: ignore[union-attr]
    with pytest.raises(LabelError, match="span"):
        labels.remove(store, "GPE", "ann")
    assert labels.rename(store, "GPE", "PLACE", "ann") == 1
    assert store.get_span(span).label == "PLACE"  # type: ignore[union-attr]
    assert labels.remove(store, "PLACE", "ann", relabel_to="CITY") == 1
    assert store.get_span(span).label == "CITY"  # type: ignore[union-attr]
    assert store.label_scheme().get("PLACE") is None
    actions = [e["action"] for e in store.events()]
    assert actions == ["label_add", "label_update", "label_rename", "label_remove"]


def test_labels_map_and_suggestions_outside_the_scheme(store: Store) -> None:
    with store.write():
        doc = store.insert_document("Ali went to Erbil with 3 friends.", {}, "h")
    labels.add(store, Label("LOC2", "entity", "#123456"), "ann")
    labels.set_map(store, "GPE", "LOC2", "ann")
    labels.remove(store, "CARDINAL", "ann")
    label_for = project_labels(store)
    assert label_for["GPE"] == "LOC2" and "CARDINAL" not in label_for
    entities = [EntitySuggestion(0, 3, "PERSON"), EntitySuggestion(12, 17, "GPE"),
                EntitySuggestion(23, 24, "CARDINAL")]
    claims = [ClaimSuggestion(0, 33, 0.7, ["number"], claimant_entity=2)]
    unknown: Counter[str] = Counter()
    added = store_suggestions(store, doc, "Ali went to Erbil with 3 friends.", entities,
                              claims, "m 1", label_for=label_for, unknown=unknown)
    assert added == (2, 1) and unknown == {"CARDINAL": 1}
    assert [(s.label, s.start) for s in store.spans(doc, "entity")] == [("PERSON", 0),
                                                                         ("LOC2", 12)]
    [claim] = store.spans(doc, "claim")
    assert claim.claim is not None and claim.claim.claimant_text == "3"  # kept as text


def test_labels_cli_round_trip(db_path: Path, tmp_path: Path) -> None:
    db = str(db_path)
    run("labels", "add", "WEAPON", "--layer", "entity", "--key", "q", "--db", db)
    run("labels", "map", "PRODUCT", "WEAPON", "--db", db)
    listed = [json.loads(line) for line in run("labels", "list", "--json", "--db", db)
              .splitlines()]
    weapon = next(x for x in listed if x["name"] == "WEAPON")
    assert weapon["key"] == "q" and weapon["mapped_from"] == ["PRODUCT"]
    out = tmp_path / "scheme.toml"
    run("labels", "export", str(out), "--db", db)
    other = str(tmp_path / "other.db")
    Store(other).close()
    run("labels", "remove", "LAW", "--db", other)
    assert "added 2 label(s): LAW, WEAPON" in run("labels", "import", str(out), "--db", other)
    refused = CliRunner().invoke(main, ["labels", "remove", "NOPE", "--db", db])
    assert refused.exit_code == 1 and "no label 'NOPE'" in refused.output
    assert "Traceback" not in refused.output


def test_labels_migration_keeps_labels_the_spans_use(tmp_path: Path) -> None:
    """A project made before labels were stored keeps every label its spans use."""
    import sqlite3

    from tests.reliability.test_database import build_version

    db = tmp_path / "old.db"
    build_version(db, 4)  # a real v4 file (a v6 one set back to 4 is refused as a lie)
    conn = sqlite3.connect(db)
    conn.execute('INSERT INTO spans (doc_id, layer, start, "end", label, origin, decision,'
                 " created_at, updated_at) VALUES (1, 'entity', 0, 3, 'HERO', 'model',"
                 " 'pending', 'x', 'x')")
    conn.commit()
    conn.close()
    with Store(db) as store:
        assert store.backup_path is not None
        hero = store.label_scheme().get("HERO")
        assert hero is not None and hero.layer == "entity"
    conn = sqlite3.connect(db)
    # the 19 shipped span labels, HERO, and (v7) the 12 shipped document labels
    assert conn.execute("SELECT count(*) FROM labels WHERE layer != 'doc'").fetchone()[0] == 20
    assert conn.execute("SELECT count(*) FROM labels WHERE layer = 'doc'").fetchone()[0] == 12
    conn.close()


def test_labels_session_relabel_keeps_working_after_a_rename(store: Store) -> None:
    with store.write():
        doc = store.insert_document("Ali.", {}, "h")
    span = Session(store, "ann").add(doc, "entity", 0, 3, "PERSON").span
    labels.rename(store, "PERSON", "PER", "ann")
    assert span is not None and store.get_span(span.id).label == "PER"  # type: ignore[arg-type,union-attr]


def test_labels_use_counts_in_one_pass_equal_the_counts_one_by_one(store: Store) -> None:
    with store.write():
        doc = store.insert_document("Basra and Erbil, Iraq.", {}, "h")
        for start, end, label in ((0, 5, "GPE"), (10, 15, "GPE"), (17, 21, "LOC")):
            store.insert_span(Span(doc, "entity", start, end, label))
    counts = store.label_use_counts()
    assert counts == {"GPE": 2, "LOC": 1}
    assert all(store.count_label_use(x.name) == counts.get(x.name, 0)
               for x in store.label_scheme().labels)


# --- labels changed while suggest runs (issue 21, item 5) ------------------------------


def _gpe_pipeline():  # type: ignore[no-untyped-def]
    """A small real pipeline that says GPE for Basra and Erbil, with sentences."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "GPE", "pattern": "Basra"},  # type: ignore[attr-defined]
                        {"label": "GPE", "pattern": "Erbil"}])
    return nlp


def test_labels_rename_while_suggest_runs_leaves_no_label_outside_the_scheme(
        store: Store) -> None:
    from annotator.suggest.runner import suggest

    with store.write():
        for k in range(3):
            store.insert_document(f"Families left Basra and Erbil on day {k}.", {}, f"h{k}")
    renamed: list[int] = []

    def rename_after_the_first(done: int) -> None:
        # `labels rename GPE PLACE` from another process, after the first document was
        # written and while the others are parsed: a deterministic interleaving.
        if done == 1:
            renamed.append(labels.rename(store, "GPE", "PLACE", "ann"))

    result = suggest(store, _gpe_pipeline(), commit_every=1, checkworthiness=None,
                     on_progress=rename_after_the_first)
    assert renamed == [2] and result.entities_added == 6
    scheme = {x.name for x in store.label_scheme().labels}
    used = store.label_use_counts()
    assert set(used) <= scheme, used
    assert used["PLACE"] == 6 and store.labels_outside_scheme() == {}


def test_labels_store_suggestions_reads_the_scheme_in_its_own_transaction(
        store: Store) -> None:
    from annotator.suggest.runner import SCHEME

    text = "Families left Basra."
    with store.write():
        doc = store.insert_document(text, {}, "h")
    parsed = [EntitySuggestion(14, 19, "GPE")]  # parsed while GPE was in the scheme
    labels.remove(store, "GPE", "ann")  # then removed before the write
    unknown: Counter[str] = Counter()
    assert store_suggestions(store, doc, text, parsed, [], "m 1", label_for=SCHEME,
                             unknown=unknown) == (0, 0)
    assert unknown == {"GPE": 1} and store.spans(doc) == []


def test_labels_list_shows_labels_outside_the_scheme_and_repairs_them(db_path: Path) -> None:
    db = str(db_path)
    with Store(db_path) as store, store.write():
        doc = store.insert_document("Basra and Erbil and Mosul.", {}, "h")
        for start, end in ((0, 5), (10, 15)):  # left by an older version
            store.insert_span(Span(doc, "entity", start, end, "OLDGPE"))
        store.insert_span(Span(doc, "entity", 20, 25, "OLDLOC"))
    listed = [json.loads(x) for x in run("labels", "list", "--json", "--db", db).splitlines()]
    orphans = [x for x in listed if not x["in_scheme"]]
    assert orphans == [{"name": "OLDGPE", "layer": "entity", "spans": 2, "in_scheme": False},
                       {"name": "OLDLOC", "layer": "entity", "spans": 1, "in_scheme": False}]
    assert "outside the scheme, repair with" in run("labels", "list", "--db", db)
    refused = CliRunner().invoke(main, ["labels", "remove", "OLDLOC", "--db", db])
    assert refused.exit_code == 1 and "not in the scheme" in refused.output
    assert "--relabel-to" in refused.output
    run("labels", "remove", "OLDLOC", "--relabel-to", "LOC", "--db", db)
    run("labels", "rename", "OLDGPE", "PLACE", "--db", db)
    with Store(db_path) as store:
        assert store.labels_outside_scheme() == {}
        assert store.label_scheme().get("PLACE") is not None
        assert sorted(s.label for s in store.spans(1)) == ["LOC", "PLACE", "PLACE"]


def test_labels_a_description_of_undecodable_bytes_is_one_line(db_path: Path) -> None:
    """`labels add … --description $'\\xff\\xfe'`: the shell hands Python surrogates, which
    SQLite cannot store (issue 21, item 10: a traceback)."""
    for args in (["add", "WEAPON", "--layer", "entity"], ["update", "GPE"]):
        result = CliRunner().invoke(main, ["labels", *args, "--description", "\udcff\udcfe",
                                           "--db", str(db_path)])
        assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
        assert "not valid text" in result.output
    with Store(db_path) as store:
        assert store.label_scheme().get("WEAPON") is None
