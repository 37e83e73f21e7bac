"""``annotator train``: a few steps on small made-up data, the model folder, its meta,
progress, interruption, and using the model (issue 15)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator import trained
from annotator.cli import main
from annotator.importers import import_paths
from annotator.paths import models_dir
from annotator.store import Store
from annotator.train import Stop, TrainError, TrainOptions, train
from annotator.train import data as train_data
from bench.entities import NEW_LABEL, make_documents, write

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = [
    ("Prices rose 12% last year, the ministry said.", True),
    ("I think we should all be kinder.", False),
    ("Unemployment fell to 4.1% in March, according to official figures.", True),
    ("Thank you very much for having me tonight.", False),
]


def labelled_lines(n: int = 12, words: int = 60, seed: int = 0) -> list[dict]:
    """Made-up articles with entities (MEDICINE among them) and check-worthy claims."""
    lines = make_documents(n, words, seed)
    for k, line in enumerate(lines):
        sentence, worthy = CLAIMS[k % len(CLAIMS)]
        start = len(line["text"]) + 1
        line["text"] += " " + sentence
        if worthy:
            line["claims"] = [{"start": start, "end": start + len(sentence),
                               "checkworthy": "yes"}]
    return lines


@pytest.fixture
def project(tmp_path: Path) -> Store:
    write(tmp_path / "labelled.jsonl", labelled_lines())
    store = Store(tmp_path / "news.db")
    import_paths(store, [tmp_path / "labelled.jsonl"], status="done", add_labels=True)
    yield store
    store.close()


def leftovers(db: Path) -> list[str]:
    folder = models_dir(db)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.slow
def test_train_a_few_steps_writes_a_complete_model(project: Store) -> None:
    reports = []
    result = train(project, TrainOptions(max_steps=3, seed=1), reports.append)
    path, meta = result.path, result.meta
    assert path == models_dir(project.path) / "news-1" and leftovers(project.path) == ["news-1"]
    assert (path / "pipeline" / "config.cfg").is_file()
    assert (path / "checkworthy" / "config.cfg").is_file()
    assert meta["layers"] == ["entity", "claim"] and meta["seed"] == 1
    assert NEW_LABEL in meta["labels"]["entity"] and meta["added_labels"] == [NEW_LABEL]
    assert meta["labels"]["claim"] == ["CHECKWORTHY"]
    assert meta["examples"]["entity"]["spans"] > 0 and meta["examples"]["claim"]["train_units"]
    assert meta["training"]["entity"]["steps"] == 3 and meta["training"]["claim"]["steps"] == 3
    assert meta["training"]["entity"]["stopped"] == "max_steps"
    assert meta["spacy_version"] and meta["seconds"]["total"] > 0
    after = {r["label"]: r for r in meta["scores"]["entity"]["after"]}
    assert NEW_LABEL in after and {"exact", "overlap"} <= after[NEW_LABEL].keys()
    assert meta["scores"]["entity"]["before"] is not None
    assert {"P", "R", "F1", "AP"} <= meta["scores"]["claim"]["checkworthy"].keys()
    assert 0.05 <= meta["claim"]["threshold"] <= 0.95
    assert json.loads((path / "meta.json").read_text()) == meta
    stages = [p.stage for p in reports]
    assert stages[0] == "load" and {"entity", "parse", "claim", "save"} <= set(stages)
    assert all(p.elapsed >= 0 for p in reports)
    # a second run gets the next number; `latest` is it
    second = train(project, TrainOptions(layer="claim", max_steps=2, name="news"))
    assert second.path.name == "news-2" and trained.resolve("latest", project.path) == \
        second.path
    assert not (second.path / "pipeline").exists()  # claims only: the classifier alone
    from annotator.train.loop import learning_curve

    curve = learning_curve(project.path)
    assert [p["model"] for p in curve] == ["news-1", "news-2"]
    assert curve[0]["done_documents"] == 12 and curve[0]["entity"] is not None
    assert curve[1]["entity"] is None and curve[1]["claim"] is not None


def test_train_refuses_what_it_cannot_learn(tmp_path: Path) -> None:
    store = Store(tmp_path / "empty.db")
    with pytest.raises(TrainError, match="no document is marked done"):
        train(store)
    write(tmp_path / "plain.jsonl", [{"text": "Nothing labelled here."}])
    import_paths(store, [tmp_path / "plain.jsonl"], status="done")
    with pytest.raises(TrainError, match="no accepted entity span"):
        train(store, TrainOptions(layer="entity"))
    assert leftovers(store.path) in ([], [])
    store.close()


@pytest.mark.slow
def test_train_interrupted_leaves_nothing_and_stop_keeps_the_best(project: Store) -> None:
    def interrupt(p):
        if p.stage == "entity" and p.step == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(project, TrainOptions(max_steps=50), interrupt)
    assert leftovers(project.path) == []

    def stop(p):
        if p.stage == "claim" and p.step == 2:
            raise Stop

    result = train(project, TrainOptions(layer="claim", max_steps=50), stop)
    assert result.meta["training"]["claim"]["stopped"] == "asked"
    assert leftovers(project.path) == [result.path.name]


@pytest.mark.slow
def test_train_max_minutes_is_a_deadline(project: Store) -> None:
    from annotator.train import engine

    seen = []
    real = engine.train_component

    def spy(*args, **kwargs):
        seen.append(kwargs["deadline"])
        return real(*args, **kwargs)

    engine_train = engine.train_component
    try:
        import annotator.train.run as run

        run.train_component = spy  # type: ignore[assignment]
        started = time.monotonic()
        result = train(project, TrainOptions(max_minutes=0.2))
    finally:
        run.train_component = engine_train  # type: ignore[assignment]
    assert len(seen) == 2 and all(d is not None for d in seen)
    assert seen[0] < seen[1] <= started + 0.2 * 60 + 1  # entities get their share first
    assert {result.meta["training"][x]["stopped"] for x in ("entity", "claim")} <= {
        "time", "finished"}


def test_train_split_by_keeps_groups_apart() -> None:
    from annotator.model import Document

    docs = [train_data.Labelled(Document(i, "x", {"debate": f"d{i % 5}"}), [])
            for i in range(50)]
    tr, dev = train_data.split(docs, 0.2, seed=3, split_by="debate")
    assert {d.doc.meta["debate"] for d in tr}.isdisjoint({d.doc.meta["debate"] for d in dev})
    assert len(dev) == 10
    tr2, dev2 = train_data.split(docs, 0.2, seed=3)
    assert len(dev2) == 10 and [d.doc.id for d in dev2] == [
        d.doc.id for d in train_data.split(docs, 0.2, seed=3)[1]]
    assert train_data.split(docs[:1], 0.5, 0) == (docs[:1], [])


def test_train_examples_entities_negatives_and_partial() -> None:
    import spacy

    from annotator.model import Document, Span

    nlp = spacy.blank("en")
    text = "Apple hired Tim Cook in Cupertino."
    spans = [Span(1, "entity", 0, 5, "ORG", origin="human", decision="accepted"),
             Span(1, "entity", 12, 15, "ORG", decision="rejected"),
             Span(1, "entity", 24, 29, "GPE", origin="human", decision="accepted")]  # inside
    item = train_data.Labelled(Document(1, text), spans)
    counts = train_data.EntityCounts()
    [eg] = train_data.entity_examples(nlp, [item], counts=counts)
    ref = eg.reference
    assert [(e.text, e.label_) for e in ref.ents] == [("Apple", "ORG"), ("Cupertino", "GPE")]
    assert counts.moved == 1 and counts.spans == 2 and counts.rejected == 1
    assert [(s.text, s.label_) for s in ref.spans["incorrect_spans"]] == [("Tim", "ORG")]
    assert ref[2].ent_iob_ == "O"  # complete: outside
    [eg] = train_data.entity_examples(nlp, [item], partial=True)
    assert eg.reference[2].ent_iob_ == ""  # partial: unknown
    assert train_data.counts_for(0, 10, 0, 18) and not train_data.counts_for(8, 40, 0, 10)
    assert train_data.counts_for(5, 9, 0, 100)  # all of the claim inside


@pytest.mark.slow
def test_cli_train_progress_json_and_models(project: Store) -> None:
    db = str(project.path)
    result = CliRunner().invoke(main, ["train", "--db", db, "--max-steps", "2",
                                       "--progress-json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.output.splitlines()]
    assert all({"stage", "step", "total", "loss", "score", "elapsed"} == x.keys()
               for x in lines[:-1])
    final = lines[-1]
    assert final["done"] is True and Path(final["model"]).is_dir()
    assert final["layers"] == ["entity", "claim"] and "entity_f1_after" in final["scores"]
    listed = CliRunner().invoke(main, ["models", "--db", db, "--json"])
    rows = [json.loads(x) for x in listed.output.splitlines()]
    assert [r["name"] for r in rows] == ["news-1"] and rows[0]["path"] == final["model"]
    text = CliRunner().invoke(main, ["models", "--db", db]).output
    assert "news-1" in text and "entity+claim" in text
    failed = CliRunner().invoke(main, ["train", "--db", db, "--layer", "entity",
                                       "--base", "no_such_pipeline", "--progress-json"])
    assert failed.exit_code == 1
    last = [json.loads(x) for x in failed.output.splitlines() if x.startswith("{")][-1]
    assert last["done"] is False and "no_such_pipeline" in last["error"]


@pytest.mark.slow
def test_cli_train_sigterm_leaves_nothing(project: Store) -> None:
    db = project.path
    proc = subprocess.Popen([sys.executable, "-m", "annotator", "train", "--db", str(db),
                             "--layer", "entity", "--progress-json", "--max-steps", "100000",
                             "--max-epochs", "1000"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if json.loads(line).get("stage") == "entity":
            break
    os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "interrupted (SIGTERM)" in err
    assert leftovers(db) == []
