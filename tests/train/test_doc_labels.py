"""Learning document labels (issue 25): ``train --layer doc`` on a small corpus whose
topics are planted, the model entry, ``suggest --model`` storing pending document
labels with scores, accepting them, the uncertainty queue, and the refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator import trained
from annotator.cli import main
from annotator.editing.doc_labels import accept_suggestions
from annotator.importers.core import content_hash
from annotator.model import DocLabel, Label, LabelCategory
from annotator.store import Store
from annotator.train import TrainError, TrainOptions, train
from annotator.train.doccat import MIN_DOCUMENTS, category_scores
from annotator.train.loop import uncertain_documents
from bench.learning import PLANTED, clear_doc_labels, planted_articles

TOPICS = sorted(PLANTED)


def project(path: Path, labelled: int, unlabelled: int = 0, category: str = "desk",
            exclusive: bool = True) -> Store:
    """A project whose first ``labelled`` planted articles are done with their topic
    accepted in ``category``, and ``unlabelled`` more new ones."""
    store = Store(path)
    articles = planted_articles(labelled + unlabelled, seed=3)
    with store.write():
        clear_doc_labels(store)  # the shipped topics have the planted names
        store.put_category(LabelCategory(category, exclusive=exclusive))
        for topic in TOPICS:
            store.put_label(Label(topic, "doc", "#336699", category=category))
        for k, (text, topic) in enumerate(articles):
            done = k < labelled
            doc_id = store.insert_document(text, {"topic": topic}, content_hash(text),
                                           status="done" if done else "new")
            if done:
                store.put_doc_label(DocLabel(None, doc_id, category, topic, "human",
                                             "accepted"))
    return store


@pytest.mark.slow
def test_train_suggest_accept_document_labels(tmp_path: Path) -> None:
    store = project(tmp_path / "news.db", labelled=32, unlabelled=8)
    result = train(store, TrainOptions(layer="doc", max_epochs=6, seed=0))
    meta = result.meta
    assert meta["layers"] == ["doc"] and (result.path / "doccat" / "config.cfg").is_file()
    info = meta["doc"]["categories"]["desk"]
    assert info["exclusive"] and info["labels"] == TOPICS
    assert info["documents"]["train"] + info["documents"]["dev"] == 32
    scores = meta["scores"]["doc"]["desk"]
    assert scores["documents"] == info["documents"]["dev"] > 0
    assert {r["label"] for r in scores["labels"]} == set(TOPICS)
    assert scores["macro_f1"] >= 0.5  # planted words: learnt even from 26 documents
    store.close()

    # the models entry, and suggest --model latest through the CLI
    runner = CliRunner()
    listed = runner.invoke(main, ["models", "--json", "--db", str(tmp_path / "news.db")])
    assert listed.exit_code == 0, listed.output
    entry = json.loads(listed.output.splitlines()[-1])
    assert entry["layers"] == ["doc"] and set(entry["labels"]["doc"]) == set(TOPICS)
    assert "desk_macro_f1" in runner.invoke(
        main, ["models", "--db", str(tmp_path / "news.db")]).output
    out = runner.invoke(main, ["suggest", "--model", "latest", "--db",
                               str(tmp_path / "news.db")])
    assert out.exit_code == 0, out.output
    assert "document label(s)" in out.output

    store = Store(tmp_path / "news.db")
    new = store.document_ids("new")
    assert len(new) == 8
    right = 0
    for doc_id in new:
        rows = store.doc_labels(doc_id)
        assert len(rows) == 1  # exclusive: the best label, whatever its score
        row = rows[0]
        assert row.decision == "pending" and row.origin == "model"
        assert row.model == result.meta["name"] and 0.0 < (row.score or 0) <= 1.0
        right += row.label == store.get_document(doc_id).meta["topic"]
    assert right >= 6
    # the done documents' decided labels are untouched
    done = store.document_ids("done")
    assert all(x.origin == "human" and x.decision == "accepted"
               for d in done for x in store.doc_labels(d))

    # the uncertainty queue: the new documents, nearest one half first
    queue = uncertain_documents(store, "doc")
    assert sorted(queue) == sorted(new)
    distance = {d: abs((store.doc_labels(d)[0].score or 0) - 0.5) for d in new}
    assert [distance[d] for d in queue] == sorted(distance.values())

    # accepting a suggestion
    first = new[0]
    change = accept_suggestions(store, first, "desk")
    assert change is not None
    [row] = store.doc_labels(first)
    assert row.decision == "accepted"

    store.close()


@pytest.mark.slow
def test_multi_label_category_and_redo(tmp_path: Path) -> None:
    store = project(tmp_path / "news.db", labelled=24, unlabelled=4, category="topic",
                    exclusive=False)
    result = train(store, TrainOptions(layer="doc", max_epochs=20))
    assert not result.meta["doc"]["categories"]["topic"]["exclusive"]
    from annotator.suggest.runner import load_suggester, suggest

    suggester = load_suggester("latest", store.path)
    assert suggester.doc_classifier is not None
    new = store.document_ids("new")
    first = suggest(store, suggester, new)
    assert first.doc_labels_added > 0
    rows = [x for d in new for x in store.doc_labels(d)]
    assert rows and all(x.decision == "pending" and (x.score or 0) >= 0.5 for x in rows)
    # without redo a category with pending suggestions is left as it is; with redo they
    # come again, the decided ones kept
    assert suggest(store, suggester, new).doc_labels_added == 0
    decided = rows[0]
    assert accept_suggestions(store, decided.doc_id, "topic") is not None
    kept = [x for x in store.doc_labels(decided.doc_id) if x.decision == "accepted"]
    assert kept
    again = suggest(store, suggester, new, redo=True)
    assert again.doc_labels_added == len(rows) - len(kept)
    assert [x for x in store.doc_labels(decided.doc_id) if x.decision == "accepted"] == kept
    store.close()


@pytest.mark.slow
def test_too_few_labelled_documents_is_refused(tmp_path: Path) -> None:
    store = project(tmp_path / "news.db", labelled=MIN_DOCUMENTS - 1)
    with pytest.raises(TrainError) as info:
        train(store, TrainOptions(layer="doc"))
    assert str(info.value) == (
        "no document-label category has enough labelled done documents: desk: "
        f"{MIN_DOCUMENTS - 1} labelled document(s), at least {MIN_DOCUMENTS} needed")
    assert trained.list_models(store.path) == []
    store.close()
    out = CliRunner().invoke(main, ["train", "--layer", "doc", "--db",
                                    str(tmp_path / "news.db")])
    assert out.exit_code == 1
    assert f"desk: {MIN_DOCUMENTS - 1} labelled document(s)" in out.output


def test_one_label_used_in_an_exclusive_category_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "news.db")
    with store.write():
        clear_doc_labels(store)
        store.put_category(LabelCategory("stance", exclusive=True))
        for name in ("for", "against"):
            store.put_label(Label(name, "doc", "#336699", category="stance"))
        for k in range(MIN_DOCUMENTS):
            text = f"Article {k} about the plan."
            doc_id = store.insert_document(text, {}, content_hash(text), status="done")
            store.put_doc_label(DocLabel(None, doc_id, "stance", "for", "human", "accepted"))
    with pytest.raises(TrainError, match="only 1 label used; an exclusive category needs"):
        train(store, TrainOptions(layer="doc"))
    store.close()


def test_category_scores_by_hand() -> None:
    labels = ["a", "b", "c"]
    gold = [{"a": 1.0}, {"a": 1.0}, {"b": 1.0}, {"c": 1.0}]
    predicted = [{"a": 0.9, "b": 0.1}, {"b": 0.6, "a": 0.4}, {"b": 0.7}, {"a": 0.8}]
    s = category_scores(labels, gold, predicted, exclusive=True)
    f1 = {r["label"]: r["F1"] for r in s["labels"]}
    # a: P 1/2, R 1/2; b: P 1/2, R 1; c: never predicted
    assert f1 == {"a": 0.5, "b": round(2 / 3, 4), "c": 0.0}
    assert s["macro_f1"] == round((0.5 + round(2 / 3, 4) + 0.0) / 3, 4)
    assert s["accuracy"] == 0.5


def test_bench_desks_and_baseline() -> None:
    from bench.learning import bow_baseline, desk

    assert desk("http://tass.com/politics/929271") == "politics"
    assert desk("http://abcnews.go.com/US/story?id=1") == "national"
    assert desk("http://www.bbc.co.uk/news/uk-politics-38814946") == "politics"
    assert desk("http://www.bbc.co.uk/news/world-europe-38831243") == "world"
    assert desk("http://www.bbc.co.uk/sport/football/38829401") == "sport"
    assert desk("http://www.rte.ie/news/ireland/2017/0215/853064-x/") == "national"
    assert desk("http://www.aljazeera.com/news/2017/02/x.html") is None
    items = planted_articles(120, seed=1)
    guessed = bow_baseline(items[:100], [t for t, _ in items[100:]], TOPICS)
    assert sum(g == label for g, (_, label) in zip(guessed, items[100:], strict=True)) >= 15
