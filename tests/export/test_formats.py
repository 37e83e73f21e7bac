"""doccano, Label Studio and CoNLL exports, read back field by field."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from annotator.export import ExportOptions, export, labelstudio

from .conftest import COMBINING, EMOJI, Project


def test_doccano_lines_match_the_sequence_labelling_schema(project: Project,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "d.jsonl"
    summary = export(project.store, "doccano", out, ExportOptions(include_rejected=True))
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(items) == 4
    for item in items:
        assert set(item) == {"text", "label", "meta"}
        assert isinstance(item["text"], str) and isinstance(item["meta"], dict)
        for entry in item["label"]:
            assert isinstance(entry, list) and len(entry) == 3
            start, end, label = entry
            assert isinstance(start, int) and isinstance(end, int) and isinstance(label, str)
            assert 0 <= start < end <= len(item["text"])
    assert items[0]["text"] == EMOJI
    assert [EMOJI[s:e] for s, e, _ in items[0]["label"]][:2] == ["Alice Smith", "Bob Jones"]
    assert items[0]["meta"]["title"] == "Emoji" and items[3]["label"] == []
    assert "skipped 1: rejected spans" in summary.summary()


def test_labelstudio_tasks_match_their_config_field_by_field(project: Project,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "ls.json"
    summary = export(project.store, "labelstudio", out)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    config = ET.fromstring((tmp_path / "ls.label_config.xml").read_text(encoding="utf-8"))
    assert config.tag == "View"
    (text_tag,) = config.iter("Text")
    assert text_tag.get("value") == "$text"
    controls = {c.get("name"): c for c in config.iter()
                if c.tag in ("Labels", "Choices", "TextArea")}
    relation_labels = {r.get("value") for r in config.iter("Relation")}
    assert summary.files == [out, tmp_path / "ls.label_config.xml"]
    assert len(tasks) == 4
    for task in tasks:
        assert set(task) == {"data", "meta", "annotations"}
        text = task["data"][text_tag.get("value")[1:]]
        (annotation,) = task["annotations"]
        assert annotation["was_cancelled"] is False and annotation["ground_truth"] is False
        ids = {r["id"] for r in annotation["result"] if r["type"] == "labels"}
        for r in annotation["result"]:
            if r["type"] == "relation":
                assert set(r) == {"from_id", "to_id", "type", "direction", "labels"}
                assert {r["from_id"], r["to_id"]} <= ids
                assert set(r["labels"]) <= relation_labels
                continue
            assert set(r) == {"id", "from_name", "to_name", "type", "origin", "value"}
            control = controls[r["from_name"]]
            assert r["to_name"] == control.get("toName") == text_tag.get("name")
            assert r["type"] == control.tag.lower()
            value = r["value"]
            assert isinstance(value["start"], int) and isinstance(value["end"], int)
            allowed = {x.get("value") for x in control}
            if r["type"] == "labels":
                assert set(value) == {"start", "end", "text", "labels"}
                assert value["text"] == text[value["start"]:value["end"]]
                assert value["labels"] and set(value["labels"]) <= allowed
                continue
            assert control.get("perRegion") == "true"
            if r["type"] == "choices":
                assert value["text"] == text[value["start"]:value["end"]]
                assert set(value["choices"]) <= allowed
            else:  # textarea: the text entered, as a list
                assert set(value) == {"start", "end", "text"}
                assert isinstance(value["text"], list) and value["text"]
            region = next(x for x in annotation["result"]
                          if x.get("id") == r["id"] and x["type"] == "labels")
            assert (region["value"]["start"], region["value"]["end"]) == (
                value["start"], value["end"])
    first = tasks[0]["annotations"][0]["result"]
    assert [r["value"]["labels"] for r in first if r["type"] == "labels"][:2] == [
        ["PERSON"], ["PERSON"]]
    assert {r["value"]["choices"][0] for r in first if r["type"] == "choices"} == {
        "quote", "no", "statistic", "yes"}


def test_labelstudio_carries_claimants_via_hedged_and_annotator(project: Project,
                                                                 tmp_path: Path) -> None:
    """Issue 21 item 8: the claimant (a relation to its entity region, or text), via,
    hedged, whose labels these are and the document's note reach the tasks, and the
    config declares them; a claimant that cannot be a relation is counted in the summary."""
    with project.store.write():
        project.store.set_document_fields(project.ids["arabic"], note="check the figure")
    out = tmp_path / "ls.json"
    summary = export(project.store, "labelstudio", out)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    config = ET.fromstring((tmp_path / "ls.label_config.xml").read_text(encoding="utf-8"))
    assert [r.get("value") for r in config.iter("Relation")] == ["claimant"]
    per_region = {c.get("name"): c.tag for c in config.iter()
                  if c.get("perRegion") == "true"}
    assert per_region == {"claim_type": "Choices", "checkworthy": "Choices",
                          "hedged": "Choices", "via": "TextArea", "claimant": "TextArea"}
    assert {c.get("value") for c in config.iter("Choice")} >= {"yes", "no"}

    def by(task: dict, name: str) -> dict[str, list]:
        return {r["id"]: r["value"]["choices" if r["type"] == "choices" else "text"]
                for r in task["annotations"][0]["result"] if r.get("from_name") == name}

    emoji, arabic = tasks[0], tasks[1]
    regions = {r["id"]: r["value"]["text"] for r in emoji["annotations"][0]["result"]
               if r["type"] == "labels"}
    (relation,) = [r for r in emoji["annotations"][0]["result"] if r["type"] == "relation"]
    assert relation["direction"] == "right" and relation["labels"] == ["claimant"]
    assert regions[relation["from_id"]] == '"We will win," Alice Smith said.'
    assert regions[relation["to_id"]] == "Alice Smith"
    quote, stat = sorted(by(emoji, "claim_type"), key=lambda i: int(i[1:]))
    assert by(emoji, "hedged") == {quote: ["no"]}
    assert by(emoji, "via") == {stat: ["Reuters"]}
    # the army is a pending suggestion, not exported: its text, counted
    assert by(emoji, "claimant") == {stat: ["army"]}
    assert summary.adjusted == {labelstudio.CLAIMANT_AS_TEXT: 1}
    assert list(by(arabic, "hedged").values()) == [["yes"]]
    assert list(by(arabic, "claimant").values()) == [["a ministry official"]]
    assert all(t["data"]["annotated_by"] == "alice"
               for t in tasks if t["annotations"][0]["result"])
    assert "annotated_by" not in tasks[3]["data"]  # no spans, nobody's labels
    assert [t["data"].get("note") for t in tasks] == [None, "check the figure", None, None]
    # claims without their entities: every linked claimant goes out as its text, counted
    claims_only = export(project.store, "labelstudio", tmp_path / "claims.json",
                         ExportOptions(layer="claim"))
    assert claims_only.adjusted == {labelstudio.CLAIMANT_AS_TEXT: 2}
    first = json.loads((tmp_path / "claims.json").read_text(encoding="utf-8"))[0]
    assert not [r for r in first["annotations"][0]["result"] if r["type"] == "relation"]
    assert sorted(by(first, "claimant").values()) == [["Alice Smith"], ["army"]]


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_conll_reads_back_token_by_token(project: Project, tmp_path: Path) -> None:
    from spacy.training.converters import conll_ner_to_docs

    out = tmp_path / "x.conll"
    summary = export(project.store, "conll", out)
    raw = out.read_text(encoding="utf-8")
    blocks = raw.split("-DOCSTART- -X- O O\n")
    assert blocks[0] == "" and len(blocks) == 5
    rows = [line.split(" ") for line in blocks[1].splitlines() if line]
    assert all(len(r) == 2 for r in rows)
    assert rows[:4] == [["😀", "O"], ["Alice", "B-PERSON"], ["Smith", "I-PERSON"], ["met", "O"]]
    assert ["👍", "O"] in rows and ["🏽", "O"] in rows and ["Baghdad", "B-GPE"] in rows
    third = [line.split(" ") for line in blocks[3].splitlines() if line]
    assert third[0] == ["Zoe\u0301", "B-PERSON"] and ["Sa\u0303o", "B-GPE"] in third
    assert ["in", "O"] in third and ["Iraq", "B-GPE"] in third  # the glued word is split
    assert ["Iraqis", "O"] in third  # not on token boundaries: left out, and counted
    assert "skipped 1: entity spans not on token boundaries" in summary.summary()
    # sentences end with a blank line
    assert blocks[1].count("\n\n") >= 3
    # spaCy's own CoNLL NER reader gets the same entities back
    docs = list(conll_ner_to_docs(raw, n_sents=0, no_print=True))
    ents = [(e.text, e.label_) for d in docs for e in d.ents]
    assert ("Alice Smith", "PERSON") in ents and ("بغداد", "GPE") in ents
    assert ("Zoe\u0301 Lefe\u0300vre", "PERSON") in ents
    assert len(ents) == summary.spans == 10


def test_conll_align_expand_keeps_glued_entities(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "x.conll"
    summary = export(project.store, "conll", out, ExportOptions(align="expand"))
    assert "Iraqis B-GPE" in out.read_text(encoding="utf-8")
    assert "adjusted 1: entity spans moved to token boundaries" in summary.summary()
    assert COMBINING.count("Iraqis") == 1
