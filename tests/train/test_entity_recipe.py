"""``annotator train --layer entity``: what it reports (held-out F1 per label, steps,
seconds) and the recipe it trains with (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.importers import import_paths
from annotator.store import Store
from annotator.train import TrainOptions, train
from annotator.train import data as train_data
from annotator.train.recipe import DEFAULT, EntityRecipe
from bench.entities import NEW_LABEL, make_documents, write


@pytest.fixture
def project(tmp_path: Path) -> Store:
    write(tmp_path / "labelled.jsonl", make_documents(12, 60, 0))
    store = Store(tmp_path / "news.db")
    import_paths(store, [tmp_path / "labelled.jsonl"], status="done", add_labels=True)
    yield store
    store.close()


@pytest.mark.slow
def test_cli_train_reports_per_label_f1_steps_and_seconds(project: Store) -> None:
    db = str(project.path)
    result = CliRunner().invoke(main, ["train", "--db", db, "--layer", "entity",
                                       "--max-steps", "3", "--progress-json"])
    assert result.exit_code == 0, result.output
    final = json.loads(result.output.splitlines()[-1])
    assert final["done"] is True
    per_label = final["per_label"]["entity"]
    assert NEW_LABEL in per_label and "(all)" in per_label
    assert {"P", "R", "F1", "gold"} == per_label[NEW_LABEL].keys()
    assert per_label[NEW_LABEL]["gold"] > 0
    assert per_label["(all)"]["F1"] == final["scores"]["entity_f1_after"]
    training = final["training"]["entity"]
    assert training["steps"] == 3 and training["stopped"] == "max_steps"
    assert training["seconds"] > 0 and training["epochs"] >= 0
    text = CliRunner().invoke(main, ["train", "--db", db, "--layer", "entity",
                                     "--max-steps", "2"]).output
    assert "2 steps, 0 epoch(s) in " in text and "(max_steps)" in text
    assert f"    {NEW_LABEL:<12} gold " in text and "    (all)" in text


@pytest.mark.slow
def test_fresh_ner_learns_only_the_projects_labels_on_the_base_tok2vec(project: Store
                                                                       ) -> None:
    recipe = DEFAULT.with_(fresh=True, eval_words=200)
    result = train(project, TrainOptions(layer="entity", max_steps=2, entity_recipe=recipe))
    meta = result.meta
    used = sorted(meta["examples"]["entity"]["by_label"])
    assert meta["labels"]["entity"] == used and NEW_LABEL in used
    assert meta["training"]["entity"]["recipe"]["fresh"] is True
    assert 0 < meta["examples"]["entity"]["eval_words"] <= 200 + 100


def test_recipe_batches_and_evaluations_follow_the_data() -> None:
    tuned = EntityRecipe(batch_start=1000, batch_stop=2000)
    assert tuned.batch_words(163_000) == 1000  # CoNLL-sized: big batches
    assert tuned.batch_words(5_000) == 100  # a small project: ~100 updates an epoch
    assert tuned.training_config(5_000)["batcher"]["size"]["start"] == 100
    assert tuned.training_config(5_000)["batcher"]["size"]["stop"] == 2000
    assert tuned.every(163_000) == 81 and tuned.every(5_000) == 10
    assert EntityRecipe(eval_every=7).every(10**6) == 7
    assert DEFAULT.training_config()["optimizer"]["learn_rate"] == DEFAULT.learn_rate


def test_a_new_ner_for_a_large_project_with_labels_of_its_own() -> None:
    from annotator.train.recipe import BEFORE, FRESH_MIN_WORDS

    base = ["PERSON", "ORG", "GPE", "LOC"]
    conll = ["LOC", "MISC", "ORG", "PER"]
    assert DEFAULT.use_fresh(163_000, conll, base)  # CoNLL-2003
    assert not DEFAULT.use_fresh(FRESH_MIN_WORDS - 1, conll, base)  # small: fine-tune
    assert not DEFAULT.use_fresh(10**6, ["PERSON", "ORG"], base)  # the base's labels
    assert not BEFORE.use_fresh(10**6, conll, base)
    assert DEFAULT.with_(fresh=True).use_fresh(10, ["PERSON"], base)


def test_sample_words_takes_whole_examples_seeded() -> None:
    import spacy
    from spacy.training import Example

    nlp = spacy.blank("en")
    examples = [Example(nlp.make_doc(" ".join(["w"] * n)), nlp.make_doc(" ".join(["w"] * n)))
                for n in (5, 8, 3, 9, 4, 7)]
    assert train_data.sample_words(examples, 0, 0) is examples
    assert train_data.sample_words(examples, 100, 0) is examples
    sample = train_data.sample_words(examples, 12, 1)
    assert 0 < sum(len(eg.predicted) for eg in sample) <= 12
    assert sample == train_data.sample_words(examples, 12, 1)
    assert [examples.index(eg) for eg in sample] == sorted(examples.index(eg) for eg in sample)
    assert len(train_data.sample_words(examples, 1, 0)) == 1  # at least one
