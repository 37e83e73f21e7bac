"""Document labels read back (issue 25): a round trip through every export into a new
project gives the same labels; other tools' forms (Prodigy's choice answers, Label Studio
JSON-MIN and predictions) land; unknown labels follow the rule of span labels; bad ones
are refused naming the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.export import ExportOptions, export
from annotator.importers import ImportFailed, MissingLabels, import_paths
from annotator.store import Store

from .export.conftest import DOC_CATEGORIES, add_doc_categories, build, label_documents

ByText = dict[str, dict[str, list[str]]]


def doc_labels_by_text(store: Store, ids: list[int] | None = None,
                       decision: str = "accepted") -> ByText:
    """text -> category -> labels (sorted), of the test's categories."""
    out: ByText = {}
    for doc_id in ids if ids is not None else store.document_ids():
        cats: dict[str, list[str]] = {}
        for x in store.doc_labels(doc_id):
            if x.decision == decision and x.category in DOC_CATEGORIES:
                cats.setdefault(x.category, []).append(x.label)
        if cats:
            doc = store.get_document(doc_id)
            assert doc is not None
            out[doc.text] = {k: sorted(v) for k, v in cats.items()}
    return out


# (format, export options, output name, file to import, import options)
ROUND_TRIPS: list[tuple[str, dict[str, Any], str, str, dict[str, Any]]] = [
    ("jsonl", {}, "e.jsonl", "e.jsonl", {}),
    ("labelstudio", {}, "ls.json", "ls.json", {}),
    ("doccano", {"layer": "doc"}, "tc.jsonl", "tc.jsonl", {}),
    ("doccano", {"layer": "all"}, "all.jsonl", "all.jsonl", {}),
    ("spacy", {"dev_fraction": 0.0}, "sp", "sp/train.spacy", {}),
    ("csv", {}, "e.csv", "e.csv", {"doc_label_columns": ("subject", "tone")}),
]


@pytest.mark.parametrize(("fmt", "opts", "out", "source", "kwargs"), ROUND_TRIPS,
                         ids=[f"{r[0]}-{r[1].get('layer', 'default')}" for r in ROUND_TRIPS])
def test_import_doc_labels_round_trip_through_each_export(
        tmp_path: Path, fmt: str, opts: dict[str, Any], out: str, source: str,
        kwargs: dict[str, Any]) -> None:
    p = build(tmp_path / "p.db")
    try:
        want = label_documents(p)
        summary = export(p.store, fmt, tmp_path / out, ExportOptions(**opts))
        assert summary.doc_labels == 5
        expected = doc_labels_by_text(p.store, list(want))
    finally:
        p.store.close()
    with Store(tmp_path / "new.db") as store:
        add_doc_categories(store)
        result = import_paths(store, [tmp_path / source], **kwargs)
        assert doc_labels_by_text(store) == expected
        assert result.doc_labels == 5, result.summary()
        assert "5 document label(s)" in result.summary()
        assert not [r for r in result.left_out if "document" in r], result.left_out


def test_import_doc_labels_unknown_refused_with_the_commands_or_added(tmp_path: Path) -> None:
    p = build(tmp_path / "p.db")
    try:
        label_documents(p)
        export(p.store, "jsonl", tmp_path / "e.jsonl", ExportOptions())
        export(p.store, "labelstudio", tmp_path / "ls.json", ExportOptions())
        expected = doc_labels_by_text(p.store)
    finally:
        p.store.close()
    with Store(tmp_path / "new.db") as store:
        with pytest.raises(MissingLabels) as info:
            import_paths(store, [tmp_path / "e.jsonl"])
        text = str(info.value)
        assert "e.jsonl:1:" in text and "war (doc, category subject)" in text
        assert "annotator labels add war --layer doc --category subject --multi" in text
        assert store.count_documents() == 0  # nothing half-written
    # Label Studio's config says which category is exclusive
    with Store(tmp_path / "ls.db") as store:
        with pytest.raises(MissingLabels) as info:
            import_paths(store, [tmp_path / "ls.json"])
        assert "--category tone --exclusive" in str(info.value)
        result = import_paths(store, [tmp_path / "ls.json"], add_labels=True)
        tone = store.label_scheme().category("tone")
        assert tone is not None and tone.exclusive
        assert {"war", "vote", "calm"} <= set(result.labels_added)
        got = doc_labels_by_text(store)
        assert {t: v for t, v in expected.items() if t in got} == got and len(got) == 3


def test_import_doc_labels_prodigy_choice_answers_land_in_the_schemes_categories(
        tmp_path: Path) -> None:
    src = tmp_path / "textcat.jsonl"
    options = [{"id": x, "text": x.title()} for x in ("war", "trade", "calm")]
    lines = [{"text": "A war of words.", "options": options, "accept": ["war", "calm"],
              "answer": "accept", "_annotator_id": "bob"},
             {"text": "Trade talks.", "options": options, "accept": [], "answer": "accept"},
             {"text": "Spacy cats.", "cats": {"vote": 0.9, "trade": 0.2}}]
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    with Store(tmp_path / "p.db") as store:
        add_doc_categories(store)
        result = import_paths(store, [src])
        assert doc_labels_by_text(store) == {
            "A war of words.": {"subject": ["war"], "tone": ["calm"]},
            "Spacy cats.": {"subject": ["vote"]}}
        assert result.doc_labels == 3 and not result.left_out
        doc_id = store.document_ids()[0]
        assert {x.annotator for x in store.doc_labels(doc_id)} == {"bob"}


def test_import_doc_labels_refusals_name_file_and_line(tmp_path: Path) -> None:
    bad = [
        ({"text": "x", "doc_labels": {"tone": ["calm", "alarmed"]}}, "exclusive"),
        ({"text": "x", "doc_labels": {"tone": ["war"]}}, "category subject in the project"),
        ({"text": "x", "accept": ["nope"], "options": [{"id": "war"}]}, "not the id"),
        ({"text": "x", "cats": {"war": "yes"}}, "not a number"),
        ({"text": "x", "doc_labels": {"subject": ["two words"]}}, "document label"),
    ]
    with Store(tmp_path / "p.db") as store:
        add_doc_categories(store)
        for n, (line, words) in enumerate(bad):
            src = tmp_path / f"bad{n}.jsonl"
            src.write_text('{"text": "fine"}\n' + json.dumps(line) + "\n", encoding="utf-8")
            with pytest.raises(ImportFailed) as info:
                import_paths(store, [src])
            assert f"bad{n}.jsonl:2:" in str(info.value) and words in str(info.value), \
                str(info.value)
        assert store.count_documents() == 0


def test_import_doc_labels_labelstudio_min_and_predictions(tmp_path: Path) -> None:
    config = ('<View><Text name="text" value="$text"/>'
              '<Choices name="subject" toName="text" choice="multiple">'
              '<Choice value="war"/><Choice value="vote"/></Choices>'
              '<Choices name="tone" toName="text"><Choice value="calm"/></Choices></View>')
    (tmp_path / "m.label_config.xml").write_text(config, encoding="utf-8")
    (tmp_path / "m.json").write_text(json.dumps([
        {"id": 1, "text": "One.", "tone": "calm", "subject": {"choices": ["war", "vote"]}},
        {"id": 2, "text": "Two.", "subject": "war"}]), encoding="utf-8")
    (tmp_path / "t.json").write_text(json.dumps([
        {"data": {"text": "Three."}, "annotations": [], "predictions": [
            {"score": 0.8, "model_version": "m1", "result": [
                {"from_name": "subject", "to_name": "text", "type": "choices",
                 "value": {"choices": ["vote"]}}]}]}]), encoding="utf-8")
    with Store(tmp_path / "p.db") as store:
        add_doc_categories(store)
        import_paths(store, [tmp_path / "m.json", tmp_path / "t.json"])
        assert doc_labels_by_text(store) == {"One.": {"subject": ["vote", "war"],
                                                      "tone": ["calm"]},
                                             "Two.": {"subject": ["war"]}}
        assert doc_labels_by_text(store, decision="pending") == {"Three.": {"subject": ["vote"]}}
        three = store.document_ids()[-1]
        pending = store.doc_labels(three)[0]
        assert (pending.origin, pending.score, pending.model) == ("model", 0.8, "m1")
