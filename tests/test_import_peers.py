"""Peers' exports as imports: Label Studio (JSON, JSON-MIN, task lines), doccano,
Prodigy, CoNLL and spaCy DocBin, told apart by content. Every region, relation, choice
and status lands or is counted with its reason."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from annotator.importers import ImportFailed, import_paths
from annotator.importers.detect import detect
from annotator.store import Store

EMOJI = "😀 Alice Smith met 👍🏽 Bob in بغداد. Alice Smith said taxes rose."
CONLL_VALID = Path(os.environ.get("ANNOTATOR_CONLL2003",
                                  "/work/shared/data/conll2003/conll2003_valid.txt"))


def at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def u16(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-16-le")) // 2


def region(rid: str, text: str, part: str, label: str, control: str = "label",
           utf16: bool = False) -> dict[str, Any]:
    start, end = at(text, part)
    if utf16:
        start, end = u16(text, start), u16(text, end)
    return {"id": rid, "from_name": control, "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": part, "labels": [label]}}


def ls_task(utf16: bool = False) -> dict[str, Any]:
    claim = EMOJI[EMOJI.index("Alice Smith said"):]
    return {
        "id": 41, "data": {"text": EMOJI, "source": "wire"}, "meta": {"title": "Emoji"},
        "annotations": [{
            "completed_by": {"id": 3, "email": "ann@example.org"}, "was_cancelled": False,
            "result": [
                region("e1", EMOJI, "Alice Smith", "PERSON", utf16=utf16),
                region("e2", EMOJI, "Bob", "PERSON", utf16=utf16),
                region("e3", EMOJI, "بغداد", "GPE", utf16=utf16),
                region("c1", EMOJI, claim, "CLAIM", "claim", utf16=utf16),
                {"id": "c1", "from_name": "claim_type", "to_name": "text", "type": "choices",
                 "value": {"choices": ["reported"]}},
                {"id": "c1", "from_name": "checkworthy", "to_name": "text", "type": "choices",
                 "value": {"choices": ["yes"]}},
                {"from_id": "c1", "to_id": "e1", "type": "relation", "direction": "right",
                 "labels": ["claimant"]},
                {"from_id": "e1", "to_id": "e2", "type": "relation", "labels": ["knows"]},
                {"id": "d1", "from_name": "topic", "to_name": "text", "type": "choices",
                 "value": {"choices": ["politics"]}},
                {"id": "r1", "from_name": "quality", "to_name": "text", "type": "rating",
                 "value": {"rating": 4}},
            ]}, {"completed_by": 7, "result": [region("x", EMOJI, "Bob", "PERSON")]}],
        "predictions": [{"model_version": "m1", "score": 0.5, "result": [
            region("p1", EMOJI, "Bob", "PERSON"), region("p2", EMOJI, "Smith", "PERSON")]}],
    }


def ls_config(folder: Path, stem: str) -> None:
    (folder / f"{stem}.label_config.xml").write_text(
        '<View><Labels name="label" toName="text"/><Labels name="claim" toName="text"/>'
        '<Text name="text" value="$text"/></View>', encoding="utf-8")


@pytest.mark.parametrize("utf16", [False, True])
def test_import_peers_labelstudio_json_every_result_lands_or_is_counted(
        store: Store, tmp_path: Path, utf16: bool) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps([ls_task(utf16), {"data": {"text": "Cancelled one."},
                                                 "annotations": [{"was_cancelled": True,
                                                                  "result": []}]}]),
                    encoding="utf-8")
    ls_config(tmp_path, "export")
    result = import_paths(store, [path], add_labels=True)
    assert result.imported == 2 and result.spans == 5 and result.doc_labels == 1
    assert [(x.category, x.label, x.annotator) for x in store.doc_labels(1)] == [
        ("topic", "politics", "ann@example.org")]  # a document-level Choices (issue 25)
    assert result.left_out == {
        "relations 'knows' not joining a claim and an entity (only claimant links are "
        "modelled)": 1,
        "rating results (Annotator has no such annotation)": 1,
        "regions of a task's further annotations (one annotation a document; the first not "
        "cancelled is read)": 1,
        "predictions repeating a region of the annotation": 1,
    }
    assert sum(result.repaired.values()) == (4 if utf16 else 0)
    if utf16:
        assert "UTF-16" in result.summary()
    doc = store.get_document(1)
    assert doc is not None and doc.status == "done" and doc.text == EMOJI
    assert doc.meta == {"title": "Emoji", "source": "wire", "source_id": 41}
    spans = store.spans(1)
    accepted = [s for s in spans if s.decision == "accepted"]
    assert sorted((doc.text[s.start:s.end], s.label) for s in accepted if s.layer == "entity") \
        == [("Alice Smith", "PERSON"), ("Bob", "PERSON"), ("بغداد", "GPE")]
    assert {s.annotator for s in accepted} == {"ann@example.org"}
    claim = next(s.claim for s in spans if s.layer == "claim")
    alice = next(s for s in accepted if s.label == "PERSON" and s.start == 2)
    assert claim is not None and (claim.claim_type, claim.checkworthy) == ("reported", "yes")
    assert claim.claimant_span_id == alice.id
    pending = [s for s in spans if s.decision == "pending"]
    assert [(doc.text[s.start:s.end], s.score, s.model) for s in pending] == [
        ("Smith", 0.5, "m1")]
    cancelled = store.get_document(2)
    assert cancelled is not None and cancelled.status == "skipped"


def test_import_peers_labelstudio_offsets_that_fit_no_reading_are_refused(
        store: Store, tmp_path: Path) -> None:
    task = ls_task()
    task["annotations"][0]["result"][0]["value"]["start"] += 1
    path = tmp_path / "bad.json"
    path.write_text("[\n" + json.dumps(task) + "\n]\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"bad\.json:2: region 'e1': text\[3:13\]"):
        import_paths(store, [path])
    assert store.count_documents() == 0


def test_import_peers_labelstudio_min_and_task_lines(store: Store, tmp_path: Path) -> None:
    text = "Ali met Bob in Basra."
    minimal = tmp_path / "min.json"  # JSON-MIN: a list of flat records
    minimal.write_text(json.dumps([{
        "id": 5, "text": text, "annotator": "a@b.c", "annotation_id": 9, "lead_time": 3.1,
        "label": [{"start": 0, "end": 3, "text": "Ali", "labels": ["PERSON"]},
                  {"start": 15, "end": 20, "text": "Basra", "labels": ["GPE"]}],
        "sentiment": "positive"}]), encoding="utf-8")
    (tmp_path / "label_config.xml").write_text(
        '<View><Labels name="label" toName="text"/><Choices name="sentiment" toName="text"/>'
        '<Text name="text" value="$text"/></View>', encoding="utf-8")
    lines = tmp_path / "tasks.jsonl"  # one task a line
    task = {"data": {"body": "Bob met Ali."}, "annotations": [{"result": [
        {"id": "a", "from_name": "ner", "to_name": "body", "type": "labels",
         "value": {"start": 0, "end": 3, "text": "Bob", "labels": ["PERSON"]}}]}]}
    lines.write_text(json.dumps(task) + "\n", encoding="utf-8")
    assert detect(minimal) == "labelstudio" and detect(lines) == "labelstudio"
    result = import_paths(store, [minimal, lines], add_labels=True)
    assert result.imported == 2 and result.spans == 3 and not result.left_out
    first = store.doc_labels(1)  # JSON-MIN's document choice: a document label (issue 25)
    assert [(x.category, x.label) for x in first] == [("sentiment", "positive")]
    category = store.label_scheme().category("sentiment")
    assert category is not None and category.exclusive  # the config's choice="single"
    docs = {d.text: d for d in store.iter_documents()}
    assert docs[text].status == "done" and docs[text].meta["source_id"] == 5
    assert {s.annotator for s in store.spans(docs[text].id)} == {"a@b.c"}


def test_import_peers_labelstudio_large_array_streams(store: Store, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A list of tasks read in chunks far smaller than the file: every task, right line."""
    import annotator.importers.jsonstream as jsonstream

    monkeypatch.setattr(jsonstream, "CHUNK", 64)
    tasks = [{"data": {"text": f"{EMOJI} {i}"}} for i in range(300)]
    path = tmp_path / "big.json"
    path.write_text("[\n" + ",\n".join(json.dumps(t, ensure_ascii=False) for t in tasks)
                    + "\n]\n", encoding="utf-8")
    assert import_paths(store, [path]).imported == 300
    path.write_text(path.read_text(encoding="utf-8").replace(" 250\"", " 250\" oops"),
                    encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"big\.json:252"):
        import_paths(store, [path])


def test_import_peers_doccano_relations_status_and_comments(store: Store,
                                                           tmp_path: Path) -> None:
    text = "Ali said taxes rose. Bob agreed."
    lines = [
        {"id": 1, "text": text, "meta": {"status": "done"}, "Comments": ["check the date"],
         "entities": [{"id": 10, "label": "PERSON", "start_offset": 0, "end_offset": 3},
                      {"id": 11, "label": "CLAIM", "start_offset": 0, "end_offset": 20},
                      {"id": 12, "label": "PERSON", "start_offset": 21, "end_offset": 24}],
         "relations": [{"id": 1, "from_id": 11, "to_id": 10, "type": "claimant"},
                       {"id": 2, "from_id": 10, "to_id": 12, "type": "knows"}]},
        {"text": "A plain one.", "label": ["politics"], "status": "skipped"},
    ]
    path = tmp_path / "doccano.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = import_paths(store, [path], add_labels=True)
    assert result.spans == 3 and result.doc_labels == 1  # text classification (issue 25)
    assert [x.label for x in store.doc_labels(2)] == ["politics"]
    assert result.left_out == {
        "relations 'knows' not joining a claim and an entity (only claimant links are "
        "modelled)": 1}
    doc = store.get_document(1)
    assert doc is not None and doc.status == "done" and doc.note == "check the date"
    claim = store.spans(1, layer="claim")[0]
    ali = store.spans(1, layer="entity")[0]
    assert claim.claim is not None and claim.claim.claimant_span_id == ali.id
    assert store.get_document(2).status == "skipped"  # type: ignore[union-attr]


def test_import_peers_doccano_all_layers_told_apart_by_the_project(
        store: Store, tmp_path: Path) -> None:
    """Our ``--layer all`` file: claims overlap entities, the project's labels say which."""
    text = "Ali said taxes rose."
    path = tmp_path / "all.jsonl"
    path.write_text(json.dumps({"text": text, "label": [[0, 20, "CLAIM"], [0, 3, "PERSON"]],
                                "meta": {"status": "done"}}) + "\n", encoding="utf-8")
    assert import_paths(store, [path]).spans == 2
    assert [s.layer for s in store.spans(1)] == ["claim", "entity"]


def test_import_peers_prodigy_answers_relations_and_choices(store: Store,
                                                           tmp_path: Path) -> None:
    text = "Ali said taxes rose in Basra."
    lines = [
        {"text": text, "answer": "reject", "spans": [{"start": 23, "end": 28,
                                                      "label": "PERSON"}]},
        {"text": "Ignored text.", "answer": "ignore"},
        {"text": "Bob met Ali.", "answer": "accept",
         "spans": [{"start": 0, "end": 3, "label": "PERSON"},
                   {"start": 8, "end": 11, "label": "PERSON"}],
         "relations": [{"head": 0, "child": 2, "label": "MEETS",
                        "head_span": {"start": 0, "end": 3, "label": "PERSON"},
                        "child_span": {"start": 8, "end": 11, "label": "PERSON"}}]},
        {"text": "Pick a topic.", "options": [{"id": "POL"}, {"id": "ECO"}],
         "accept": ["POL"], "answer": "accept"},
    ]
    path = tmp_path / "prodigy.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = import_paths(store, [path], fmt="prodigy", add_labels=True)
    assert result.spans == 3 and result.doc_labels == 1  # the choice answer (issue 25)
    assert [x.label for x in store.doc_labels(4)] == ["POL"]
    assert result.left_out == {
        "relations 'MEETS' not joining a claim and an entity (only claimant links are "
        "modelled)": 1}
    assert [s.decision for s in store.spans(1)] == ["rejected"]
    assert store.get_document(2).status == "skipped"  # type: ignore[union-attr]


CONLL_IOB2 = "-DOCSTART- -X- O O\n\nAli B-PER\nal-Hassan I-PER\nsaid O\n\nIn O\nBasra B-LOC\n"


def test_import_peers_conll_rebuilds_text_with_exact_offsets(store: Store,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "a.txt"  # .txt: told by its content
    path.write_text(CONLL_IOB2, encoding="utf-8")
    assert detect(path) == "conll"
    result = import_paths(store, [path], add_labels=True)
    doc = store.get_document(1)
    assert doc is not None and doc.text == "Ali al-Hassan said\nIn Basra"
    assert [(doc.text[s.start:s.end], s.label) for s in store.spans(1)] == [
        ("Ali al-Hassan", "PER"), ("Basra", "LOC")]
    assert result.spans == 2 and doc.status == "done"


@pytest.mark.parametrize(("content", "line"), [
    ("Ali B-PER\nsaid O\nhi I-PER\n", 3),  # IOB2: I- after O
    ("Ali B-PER\nBob I-LOC\n", 2),  # a type change inside an entity
    ("Ali B-PER\nsaid O\n", 2),  # BILOU (U- below): B- never closed
])
def test_import_peers_conll_invalid_transitions_name_file_and_line(
        store: Store, tmp_path: Path, content: str, line: int) -> None:
    path = tmp_path / "bad.conll"
    path.write_text(content + ("X U-ORG\n" if line == 2 and "said" in content else ""),
                    encoding="utf-8")
    with pytest.raises(ImportFailed, match=rf"bad\.conll:{line}: "):
        import_paths(store, [path])
    assert store.count_documents() == 0


def test_import_peers_conll_bilou_and_no_docstart(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "b.bilou"
    path.write_text("Ali B-PER\nal-Hassan L-PER\nin O\nBasra U-LOC\n\nBob U-PER\n",
                    encoding="utf-8")
    result = import_paths(store, [path], add_labels=True)
    assert result.imported == 2 and result.spans == 3  # a sentence a document


@pytest.mark.skipif(not CONLL_VALID.exists(), reason=f"{CONLL_VALID} is absent")
@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_import_peers_conll2003_validation_every_entity(store: Store) -> None:
    """CoNLL-2003 (IOB1, four columns): its README's 216 documents and 5,942 entities."""
    result = import_paths(store, [CONLL_VALID], add_labels=True)
    assert result.imported == 216 and result.spans == 5942
    assert result.left_out == {"CoNLL token columns between the token and its tag (POS, "
                               "chunk)": 2 * 51362}
    doc = store.get_document(1)
    assert doc is not None and doc.text.startswith("CRICKET - LEICESTERSHIRE TAKE OVER")
    first = store.spans(1)[0]
    assert (doc.text[first.start:first.end], first.label) == ("LEICESTERSHIRE", "ORG")


def test_import_peers_docbin_cats_and_span_groups_counted(store: Store,
                                                         tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    doc = nlp("Ali said taxes rose in Basra.")
    doc.ents = [doc.char_span(0, 3, label="PERSON")]
    doc.spans["claims"] = [doc.char_span(0, 19, label="CLAIM")]
    doc.spans["sc"] = [doc[5:6]]
    doc.cats = {"POLITICS": 1.0, "SPORT": 0.0}
    doc.user_data["source"] = "wire"
    path = tmp_path / "data.spacy"
    DocBin(docs=[doc], store_user_data=True).to_disk(path)
    result = import_paths(store, [path], add_labels=True)
    assert result.spans == 2 and result.doc_labels == 1
    assert [x.label for x in store.doc_labels(1)] == ["POLITICS"]  # doc.cats 1.0 (issue 25)
    assert result.left_out == {
        "spans of the span group 'sc' (only 'claims' holds claims)": 1}
    stored = store.get_document(1)
    assert stored is not None and stored.meta["source"] == "wire"


def test_import_peers_format_told_by_content_not_by_ending(tmp_path: Path) -> None:
    cases = {
        "a.json": ("[]", "labelstudio"),
        "b.data": ('{"text": "x", "label": [[0, 1, "A"]]}\n', "jsonl"),
        "c.out": (CONLL_IOB2, "conll"),
        "d.txt": ("An article.\n", "txt"),
    }
    for name, (content, kind) in cases.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        assert detect(tmp_path / name) == kind, name
    (tmp_path / "e.dat").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="could be txt or csv; pass --format txt or "
                                           "--format csv"):
        detect(tmp_path / "e.dat")


def test_import_peers_no_span_landed_is_not_success(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "rating.jsonl"  # a Label Studio task whose one result has no place
    path.write_text(json.dumps({"data": {"text": "A text."}, "annotations": [{"result": [
        {"id": "r", "from_name": "q", "to_name": "text", "type": "rating",
         "value": {"rating": 4}}]}]}) + "\n", encoding="utf-8")
    summary = import_paths(store, [path]).summary()
    assert summary.startswith("warning: no labelled span landed")


def test_import_peers_cli_reads_a_json_export_and_says_what_it_left_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's first refusal: ``unknown file type '.json'`` for a Label Studio export."""
    from click.testing import CliRunner

    from annotator.cli import main

    path = tmp_path / "project-1-at-2026.json"
    path.write_text(json.dumps([ls_task(utf16=True)]), encoding="utf-8")
    out = CliRunner().invoke(main, ["import", str(path), "--db", str(tmp_path / "p.db"),
                                    "--add-labels"])
    assert out.exit_code == 0, out.output
    assert "imported 1 document(s) from 1 file(s), 5 labelled span(s), 1 document " \
        "label(s)" in out.output
    assert "repaired: 4 region offsets counted in UTF-16 units" in out.output
    assert "left out (4):" in out.output
    bad = tmp_path / "bad.conll"
    bad.write_text("Ali B-PER\nsaid O\nhi I-PER\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["import", str(bad), "--db", str(tmp_path / "p.db"),
                                    "--format", "conll"])
    assert out.exit_code == 1 and "bad.conll:3: I-PER after O" in out.output


def test_import_peers_labelstudio_as_sets_one_set_per_annotator(store: Store,
                                                               tmp_path: Path) -> None:
    """``completed_by`` with ``--as-sets``: each annotator's annotation in their own set,
    overlapping entities of different annotators allowed, claimants within a set."""
    text = "Ali said taxes rose."
    claim = region("c", text, text, "CLAIM", "claim")
    tasks = [{"data": {"text": text}, "annotations": [
        {"completed_by": {"email": "ann@x.org"}, "result": [
            region("a", text, "Ali", "PERSON"), claim,
            {"type": "relation", "from_id": "c", "to_id": "a", "labels": []}]},
        {"completed_by": 9, "was_cancelled": True,
         "result": [region("b", text, "Ali said", "ORG")]},
    ]}]
    path = tmp_path / "team.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    result = import_paths(store, [path], as_sets=True)
    assert result.spans == 3 and not result.left_out
    assert store.document_sets(1) == {"9": "skipped", "ann@x.org": "done"}
    assert {s["name"] for s in store.annotation_sets()} == {"9", "ann@x.org"}
    assert store.spans(1) == []  # the project's own set stays empty
    assert store.get_document(1).status == "new"  # type: ignore[union-attr]
    rows = store.conn.execute("SELECT annotation_set, label FROM spans ORDER BY id").fetchall()
    assert sorted(rows) == [("9", "ORG"), ("ann@x.org", "CLAIM"), ("ann@x.org", "PERSON")]
    claimant = store.conn.execute(
        "SELECT s.annotation_set FROM claims c JOIN spans s ON s.id = c.claimant_span_id"
    ).fetchall()
    assert claimant == [("ann@x.org",)]


def test_import_peers_offsets_readings() -> None:
    from annotator.importers.offsets import UTF8, UTF16, place

    text = "👍🏽 عبد الله said"
    start, end = at(text, "عبد الله")
    assert place(text, start, end, "عبد الله") == (start, end, None)
    assert place(text, u16(text, start), u16(text, end), "عبد الله") == (start, end, UTF16)
    nbytes = len(text[:start].encode())
    assert place(text, nbytes, nbytes + len("عبد الله".encode()), "عبد الله") == (
        start, end, UTF8)
    with pytest.raises(ValueError, match="no reading"):
        place(text, start + 1, end + 1, "عبد الله")


@pytest.mark.parametrize(("name", "content", "where", "message"), [
    ("cut.json", '[\n{"data": {"text": "a"}},\n{"data": {"text": ', "cut.json:3",
     "invalid JSON"),
    ("noclose.json", '[\n{"data": {"text": "a"}}\n', "noclose.json:3", "not closed"),
    ("list.json", '[\n"just a string"\n]', "list.json:2", "JSON object"),
    ("notext.json", '[{"data": {"a": 1, "b": 2}}]', "notext.json:1", "no text field"),
    ("broken.spacy", "\x78\x9cnot zlib", "broken.spacy", "not a spaCy DocBin"),
    ("tags.conll", "Ali B-PER\nsaid\n", "tags.conll:2", "not a CoNLL line"),
])
def test_import_peers_bad_files_name_file_and_line(store: Store, tmp_path: Path, name: str,
                                                   content: str, where: str,
                                                   message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        import_paths(store, [path])
    assert f"{where}:" in str(info.value) and message in str(info.value)
    assert store.count_documents() == 0


def test_import_peers_labelstudio_csv_regions_become_spans(store: Store,
                                                          tmp_path: Path) -> None:
    """Label Studio's CSV export keeps the regions as JSON in a column: they land."""
    import csv

    path = tmp_path / "project.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["annotation_id", "annotator", "id", "label", "text"])
        writer.writerow(["3", "a@b.c", "7", json.dumps(
            [{"start": 0, "end": 3, "text": "Ali", "labels": ["PERSON"]}]), "Ali said so."])
    result = import_paths(store, [path])
    assert result.spans == 1 and not result.left_out
    doc = store.get_document(1)
    assert doc is not None and doc.status == "done" and doc.meta["source_id"] == "7"
    assert [s.annotator for s in store.spans(1)] == ["a@b.c"]


def test_import_peers_long_first_line_stays_jsonl(store: Store, tmp_path: Path) -> None:
    """A first line longer than what detection reads (a 100,000-character article whose
    meta mentions "data") is still our JSONL, its spans read."""
    text = "Ali said so. " + "x " * 50_000
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"meta": {"data": "x"}, "text": text,
                                "spans": [{"start": 0, "end": 3, "label": "PERSON"}]}) + "\n",
                    encoding="utf-8")
    assert detect(path) == "jsonl"
    assert import_paths(store, [path]).spans == 1
