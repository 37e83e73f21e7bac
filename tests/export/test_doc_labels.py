"""Document labels (issue 25) in every export: Prodigy's textcat keys and ``cats`` in
JSONL, ``doc.cats`` and ``textcat`` components in the spaCy export (trained as printed,
from another folder), Label Studio ``<Choices>`` and ``choices`` results (checked by
``label-studio-sdk``), doccano text classification, one CSV column per category; what an
export leaves out is counted."""

from __future__ import annotations

import csv
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.export import ExportOptions, ExportSummary, export

from .conftest import DOC_CATEGORIES, Project

Labelled = tuple[Project, dict[int, dict[str, list[str]]]]


def run(p: Project, fmt: str, out: Path, **opts: object) -> ExportSummary:
    return export(p.store, fmt, out, ExportOptions(**opts))  # type: ignore[arg-type]


def ours(by_category: dict[str, list[str]]) -> dict[str, list[str]]:
    """Only the test's categories (the shipped scheme may hold more, all empty here)."""
    return {k: v for k, v in by_category.items() if k in DOC_CATEGORIES and v}


def test_doc_labels_jsonl_carries_prodigy_textcat_keys_and_cats(labelled: Labelled,
                                                                 tmp_path: Path) -> None:
    p, want = labelled
    summary = run(p, "jsonl", tmp_path / "e.jsonl")
    lines = [json.loads(x) for x in (tmp_path / "e.jsonl").read_text("utf-8").splitlines()]
    assert len(lines) == 4  # the done documents
    every = [label for _, labels in DOC_CATEGORIES.values() for label in labels]
    for line in lines:
        ids = {o["id"] for o in line["options"]}
        assert set(every) <= ids and all(o["text"] == o["id"] for o in line["options"])
        assert set(line["accept"]) <= ids
        assert set(line["cats"]) == ids
        assert {k for k, v in line["cats"].items() if v == 1} == set(line["accept"])
        assert all(v in (0, 1) for v in line["cats"].values())
        assert sorted(x for v in line["doc_labels"].values() for x in v) == \
            sorted(line["accept"])
    got = {line["text"]: ours(line["doc_labels"]) for line in lines}
    texts = {doc_id: p.store.get_document(doc_id).text for doc_id in want}  # type: ignore[union-attr]
    assert {texts[i]: v for i, v in want.items()} == {t: v for t, v in got.items() if v}
    assert summary.doc_labels == 5
    assert "5 document label(s) (alarmed 1, calm 1, trade 1, vote 1, war 1)" in \
        summary.summary()
    # --layer entity: no document labels
    run(p, "jsonl", tmp_path / "ents.jsonl", layer="entity")
    assert "cats" not in (tmp_path / "ents.jsonl").read_text("utf-8")


def test_doc_labels_labelstudio_choices_valid_for_label_studio_sdk(labelled: Labelled,
                                                                   tmp_path: Path) -> None:
    from label_studio_sdk.label_interface import LabelInterface

    p, want = labelled
    run(p, "labelstudio", tmp_path / "ls.json")
    xml = (tmp_path / "ls.label_config.xml").read_text("utf-8")
    assert '<Choices name="subject" toName="text" choice="multiple"' in xml
    assert '<Choices name="tone" toName="text" choice="single"' in xml
    interface = LabelInterface(xml)
    interface.validate()
    tasks = json.loads((tmp_path / "ls.json").read_text("utf-8"))
    got = {}
    for task in tasks:
        assert interface.validate_task({"data": task["data"]})
        annotation = task["annotations"][0]
        assert interface._validate_object(annotation, return_errors=True) == []
        choices = {r["from_name"]: r["value"]["choices"] for r in annotation["result"]
                   if r["type"] == "choices" and "start" not in r["value"]}
        if ours(choices):
            got[task["data"]["doc_id"]] = ours(choices)
    assert got == want
    # the check has teeth: a choice the config does not have, or two in a single one
    bad = json.loads(json.dumps(tasks[0]["annotations"][0]))
    tone = next(r for r in bad["result"] if r["from_name"] == "tone")
    tone["value"]["choices"] = ["furious"]
    assert interface._validate_object(bad, return_errors=True)


def test_doc_labels_doccano_text_classification_and_cats(labelled: Labelled,
                                                         tmp_path: Path) -> None:
    p, want = labelled
    summary = run(p, "doccano", tmp_path / "tc.jsonl", layer="doc")
    lines = [json.loads(x) for x in (tmp_path / "tc.jsonl").read_text("utf-8").splitlines()]
    for line in lines:  # doccano's text classification: a list of label strings
        assert set(line) == {"text", "label", "meta"}
        assert all(isinstance(x, str) for x in line["label"])
    got = {line["meta"]["doc_id"]: sorted(line["label"]) for line in lines if line["label"]}
    assert got == {i: sorted(x for v in cats.values() for x in v) for i, cats in want.items()}
    assert not summary.warnings and summary.doc_labels == 5
    run(p, "doccano", tmp_path / "all.jsonl", layer="all")
    lines = [json.loads(x) for x in (tmp_path / "all.jsonl").read_text("utf-8").splitlines()]
    assert all(isinstance(t, list) for line in lines for t in line["label"])
    assert {line["meta"]["doc_id"]: sorted(line["cats"]) for line in lines
            if line["cats"]} == got
    # the default (entities, for a default sequence-labelling project) is unchanged
    run(p, "doccano", tmp_path / "d.jsonl")
    assert "cats" not in json.loads((tmp_path / "d.jsonl").read_text("utf-8").splitlines()[0])


def test_doc_labels_csv_one_column_per_category(labelled: Labelled, tmp_path: Path) -> None:
    p, want = labelled
    summary = run(p, "csv", tmp_path / "e.csv")
    with open(tmp_path / "e.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:3] == ["doc_id", "status", "text"]
    assert {"subject", "tone"} <= set(rows[0])
    got = {int(r["doc_id"]): {c: r[c].split() for c in DOC_CATEGORIES if r[c]} for r in rows}
    assert {k: v for k, v in got.items() if v} == want
    assert all(r["text"] == p.store.get_document(int(r["doc_id"])).text  # type: ignore[union-attr]
               for r in rows)
    assert not summary.skipped  # --layer doc, the default: no span selected
    every = run(p, "csv", tmp_path / "all.csv", layer="all")
    assert every.skipped["spans (a CSV row holds the document labels only; export jsonl "
                         "for spans)"] > 0


def test_doc_labels_left_out_are_counted(labelled: Labelled, tmp_path: Path) -> None:
    p, _ = labelled
    summary = run(p, "conll", tmp_path / "e.conll")
    assert summary.skipped["document labels (CoNLL has no place for them)"] == 5
    with p.store.write():  # a label gone from the scheme (`labels remove` refuses while
        p.store.delete_label("calm")  # documents carry it), its decision still stored
    summary = run(p, "jsonl", tmp_path / "e.jsonl")
    assert summary.doc_labels == 4
    assert sum(n for reason, n in summary.skipped.items()
               if reason.startswith("document labels whose label")) == 1


def test_doc_labels_spacy_cats_and_one_component_per_category(labelled: Labelled,
                                                              tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    p, want = labelled
    run(p, "spacy", tmp_path / "sp", dev_fraction=0.0)
    docs = list(DocBin().from_disk(tmp_path / "sp" / "train.spacy")
                .get_docs(spacy.blank("en").vocab))
    by_id = {d.user_data["doc_id"]: d.cats for d in docs}
    emoji = by_id[p.ids["emoji"]]
    assert emoji["war"] == emoji["vote"] == emoji["alarmed"] == 1.0
    assert emoji["trade"] == emoji["calm"] == emoji["sober"] == 0.0
    # an exclusive category without a label is left out of doc.cats (no "none of these")
    assert "calm" not in by_id[p.ids["combining"]] and by_id[p.ids["combining"]]["trade"] == 1
    assert by_id[p.ids["empty"]]["war"] == 0.0 and "calm" not in by_id[p.ids["empty"]]
    assert {k for d in by_id.values() for k, v in d.items() if v} == \
        {x for cats in want.values() for v in cats.values() for x in v}
    config = spacy.util.load_config(tmp_path / "sp" / "config.cfg")
    assert config["components"]["textcat_subject"]["factory"] == "textcat_multilabel"
    # an exclusive category beside another: spaCy's textcat checking its own labels only
    assert config["components"]["textcat_tone"]["factory"] == "annotator_category_textcat"
    assert config["initialize"]["components"]["textcat_tone"]["labels"] == \
        ["calm", "alarmed", "sober"]
    assert "annotator_category_textcat" in (tmp_path / "sp" / "annotator_tokenizer.py"
                                            ).read_text("utf-8")


@pytest.mark.slow
def test_doc_labels_spacy_trains_as_printed_from_another_folder(labelled: Labelled,
                                                                tmp_path: Path) -> None:
    """The printed command trains NER and both text classifiers, run from a folder
    outside the project (the summary's command, with a short schedule)."""
    p, _ = labelled
    out = tmp_path / "deep" / "corpus"
    summary = run(p, "spacy", out, dev_fraction=0.5, seed=1, status="any")
    assert summary.command is not None
    args = shlex.split(summary.command.removeprefix("train with: "))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, *args[1:], "--training.max_steps", "4",
         "--training.eval_frequency", "2", "--training.batcher.size", "4",
         "--nlp.batch_size", "4"],
        cwd=elsewhere, capture_output=True, text=True, timeout=300)
    sys.stdout.write(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "textcat_subject" in result.stdout and "textcat_tone" in result.stdout
    meta = json.loads((out / "model" / "model-last" / "meta.json").read_text("utf-8"))
    assert {"ner", "textcat_subject", "textcat_tone"} <= set(meta["pipeline"])
    assert not list(elsewhere.iterdir()), "wrote into the working directory"


def test_doc_labels_category_textcat_checks_and_learns_from_its_own_labels_only() -> None:
    """spaCy's ``textcat`` refuses a document with a topic and a stance (two positives in
    ``doc.cats``); ours takes it, and a document without a label of its category
    teaches it nothing (loss 0; spaCy's would push every label towards 0)."""
    import spacy
    from spacy.training import Example

    from annotator.textcat_code import FACTORY, register

    register()
    nlp = spacy.blank("en")
    both = Example.from_dict(nlp.make_doc("calm words on war"),
                             {"cats": {"calm": 1.0, "alarmed": 0.0, "war": 1.0}})
    no_tone = Example.from_dict(nlp.make_doc("words on war"), {"cats": {"war": 1.0}})
    plain = nlp.add_pipe("textcat", name="plain")
    with pytest.raises(ValueError):
        plain.initialize(lambda: [both], nlp=nlp, labels=["calm", "alarmed"])
    ours = nlp.add_pipe(FACTORY, name="textcat_tone")
    ours.initialize(lambda: [both, no_tone], nlp=nlp, labels=["calm", "alarmed"])
    loss, _ = ours.get_loss([no_tone], ours.predict([no_tone.predicted]))
    assert loss == 0.0
    loss, _ = ours.get_loss([both], ours.predict([both.predicted]))
    assert loss > 0.0
