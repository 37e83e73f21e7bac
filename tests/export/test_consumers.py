"""Every format read by its consumer's own reader (or its rules), on the samples and 12
bench-corpus articles suggested with the real pipeline, every span accounted for: the
spans written plus those counted out (with their reason) equal the spans in the
project, per format. The figures are printed at the end (``-s``)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from annotator.export import ExportOptions, ExportSummary, export
from annotator.store import Store

from .conftest import RealProject, project_counts

pytestmark = pytest.mark.slow  # the real pipeline over the samples and 12 articles, once per module

FIGURES: dict[str, str] = {}


def run(path: Path, fmt: str, out: Path, **opts: Any) -> ExportSummary:
    with Store(path, readonly=True) as store:
        return export(store, fmt, out, ExportOptions(**opts))


def accounted(summary: ExportSummary, written: int, in_project: int, fmt: str) -> None:
    """Spans written plus spans counted out equal the spans in the project."""
    left_out = sum(summary.skipped.values()) - sum(
        n for reason, n in summary.skipped.items() if reason.startswith("documents "))
    FIGURES[fmt] = (f"{written} written + {left_out} counted out ({dict(summary.skipped)}) "
                    f"= {in_project} in the project")
    assert written == summary.spans
    assert written + left_out == in_project, summary.summary()


# --- JSONL: the tokens are the project tokenizer's, every span on token boundaries ------


def test_consumers_jsonl_spans_begin_and_end_on_their_tokens(real_project: RealProject,
                                                             tmp_path: Path) -> None:
    from annotator.tokens import blank_nlp

    counts = project_counts(real_project.path)
    for align in ("strict", "expand", "contract"):
        out = tmp_path / f"{align}.jsonl"
        summary = run(real_project.path, "jsonl", out, align=align)
        items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        written = 0
        for item in items:
            text, tokens = item["text"], item["tokens"]
            assert [t["start"] for t in tokens] == [
                t.idx for t in blank_nlp().make_doc(text)], "not the project tokenizer's"
            for span in item["spans"]:
                first, last = tokens[span["token_start"]], tokens[span["token_end"]]
                assert first["start"] == span["start"] and last["end"] == span["end"], span
                assert span["text"] == text[span["start"]:span["end"]]
                written += 1
            written += len(item["claims"])
        accounted(summary, written, counts["entity"] + counts["claim"], f"jsonl ({align})")
        if align == "strict":
            assert summary.skipped == {"entity spans not on token boundaries (align=strict)":
                                       real_project.off_token} and real_project.off_token == 6
        else:
            assert summary.adjusted, summary.summary()


def test_consumers_jsonl_read_back_by_our_importer(real_project: RealProject,
                                                   tmp_path: Path) -> None:
    from annotator.importers import import_paths

    out = tmp_path / "e.jsonl"
    summary = run(real_project.path, "jsonl", out, align="expand")
    with Store(tmp_path / "again.db") as store:
        result = import_paths(store, [out])
    assert result.spans == summary.spans


# --- spaCy: DocBin read back, and spacy train from another folder -----------------------


def test_consumers_spacy_docbin_counts(real_project: RealProject, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    counts = project_counts(real_project.path)
    summary = run(real_project.path, "spacy", tmp_path / "sp", dev_fraction=0.3)
    vocab = spacy.blank("en").vocab
    written = 0
    for part in ("train", "dev"):
        for doc in DocBin().from_disk(tmp_path / "sp" / f"{part}.spacy").get_docs(vocab):
            written += len(doc.ents) + len(doc.spans["claims"])
    accounted(summary, written, counts["entity"] + counts["claim"], "spacy")


# --- doccano: its sequence-labelling import rules ---------------------------------------


def doccano_import(item: dict[str, Any], allow_overlapping: bool = False) -> list[list[Any]]:
    """What doccano 1.8.4 keeps of one JSONL line of a sequence-labelling project: each
    ``label`` entry must parse as ``SpanLabel`` (``[start_offset, end_offset, label]``,
    integers, a non-empty string, start before end, not negative; an error fails the
    line); then, unless the project allows overlapping spans, a span that overlaps one
    already kept is dropped without a word (``SpanManager.can_annotate`` with
    ``Span.is_overlapping``)."""
    assert isinstance(item["text"], str)
    kept: list[list[Any]] = []
    for entry in item["label"]:
        assert isinstance(entry, list) and len(entry) == 3
        start, end, label = entry
        assert isinstance(start, int) and isinstance(end, int) and 0 <= start < end
        assert isinstance(label, str) and label
        assert end <= len(item["text"])  # not doccano's check: ours, for the offsets
        if not allow_overlapping and any(
                k[0] <= start < k[1] or k[0] < end <= k[1] or (start < k[0] and k[1] < end)
                for k in kept):
            continue
        kept.append(entry)
    return kept


def test_consumers_doccano_default_loads_completely_into_a_default_project(
        real_project: RealProject, tmp_path: Path) -> None:
    counts = project_counts(real_project.path)
    out = tmp_path / "d.jsonl"
    summary = run(real_project.path, "doccano", out)  # the format's default: entities
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    kept = sum(len(doccano_import(item)) for item in items)
    written = sum(len(item["label"]) for item in items)
    assert kept == written, "a default doccano project would drop spans"
    accounted(summary, kept, counts["entity"], "doccano (default project, entities)")
    assert not summary.warnings

    every = run(real_project.path, "doccano", tmp_path / "all.jsonl", layer="all")
    assert "Allow overlapping spans" in every.summary()
    items = [json.loads(line) for line in
             (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(len(doccano_import(item, allow_overlapping=True)) for item in items) \
        == counts["entity"] + counts["claim"]
    dropped = sum(len(item["label"]) - len(doccano_import(item)) for item in items)
    assert dropped > 0 and f"{dropped} span(s) here overlap another" in every.summary()


# --- Label Studio: the SDK's own LabelInterface -----------------------------------------


def test_consumers_labelstudio_valid_for_label_studio_sdk(real_project: RealProject,
                                                          tmp_path: Path) -> None:
    from label_studio_sdk.label_interface import LabelInterface

    counts = project_counts(real_project.path)
    out = tmp_path / "ls.json"
    summary = run(real_project.path, "labelstudio", out)
    interface = LabelInterface((tmp_path / "ls.label_config.xml").read_text(encoding="utf-8"))
    interface.validate()  # raises on a bad config
    tasks = json.loads(out.read_text(encoding="utf-8"))
    written = 0
    for task in tasks:
        assert interface.validate_task({"data": task["data"]})
        for annotation in task["annotations"]:
            assert interface._validate_object(annotation, return_errors=True) == []
            regions = [r for r in annotation["result"] if r["type"] == "labels"]
            assert {r["origin"] for r in regions} <= {"manual"}  # accepted: the person's
            written += len(regions)
    accounted(summary, written, counts["entity"] + counts["claim"], "labelstudio")
    # every claim attribute in the project reaches the tasks (issue 21, item 8)
    with Store(real_project.path, readonly=True) as store:
        want = store.conn.execute(
            "SELECT sum(claimant_span_id IS NOT NULL OR coalesce(claimant_text, '') != ''), "
            "sum(coalesce(via, '') != ''), count(hedged), sum(coalesce(claim_type, '') != ''), "
            "sum(coalesce(checkworthy, '') != '') FROM claims JOIN spans ON spans.id = span_id "
            "WHERE decision = 'accepted'").fetchone()
    got = Counter(r.get("from_name", r["type"]) for t in tasks for a in t["annotations"]
                  for r in a["result"] if r["type"] != "labels")
    assert (got["relation"] + got["claimant"], got["via"], got["hedged"], got["claim_type"],
            got["checkworthy"]) == want and want[0] and want[1] and want[2]
    assert all(t["data"]["annotated_by"] == "tester"
               for t in tasks if t["annotations"][0]["result"])
    FIGURES["labelstudio claims"] = (f"{got['relation']} claimant relations, "
                                     f"{got['claimant']} claimant texts, {got['via']} via, "
                                     f"{got['hedged']} hedged")
    # the check has teeth: a label the config does not have is an error
    bad = json.loads(json.dumps(tasks[0]["annotations"][0]))
    bad["result"][0]["value"]["labels"] = ["NOT_A_LABEL"]
    assert interface._validate_object(bad, return_errors=True)


# --- CoNLL: spaCy's own converter ------------------------------------------------------


def test_consumers_conll_read_by_spacy_converter(real_project: RealProject, tmp_path: Path) -> None:
    from spacy.training.converters import conll_ner_to_docs

    counts = project_counts(real_project.path)
    out = tmp_path / "e.conll"
    summary = run(real_project.path, "conll", out)
    docs = list(conll_ner_to_docs(out.read_text(encoding="utf-8"), n_sents=0,
                                  no_print=True))
    ents = Counter(e.label_ for doc in docs for e in doc.ents)
    assert ents == summary.spans_by_label
    for line in out.read_text(encoding="utf-8").splitlines():
        assert line == "" or len(line.split(" ")) in (2, 4), repr(line)
    accounted(summary, sum(ents.values()), counts["entity"] + counts["claim"], "conll")


def test_consumers_figures() -> None:
    """Print the figures (with ``-s``; they are in the README)."""
    sys.stdout.write("\n" + "\n".join(f"{k}: {v}" for k, v in FIGURES.items()) + "\n")
