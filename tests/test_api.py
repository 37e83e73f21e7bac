"""The Python API (``annotator.api.Project``): the docs' example runs, decisions as the
CLI makes them, documents filtered and streamed, who decides (per project), and the
uncertainty queue by layer (issue 23)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from annotator.api import Project
from annotator.decide import DecisionsRefused
from annotator.model import Span
from annotator.session import SessionError, decider, login_name, save_name, saved_name
from annotator.store import Store
from annotator.train.loop import uncertain_documents

from .conftest import ROOT
from .test_decide import ORG, PERSON, TEXT, make_project

EXE = Path(sys.executable).parent / "annotator"
DOCS = ROOT / "docs" / "api.md"


def _blocks(markdown: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", markdown, flags=re.S)


def _env(**names: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ANNOTATOR_NAME"}
    env["PYTHONPATH"] = str(ROOT)
    env.update(names)
    return env


def test_api_docs_example_runs(tmp_path: Path) -> None:
    """The example of docs/api.md, run as a user would (a fresh folder, a new
    process), prints what the page says it prints."""
    text = DOCS.read_text(encoding="utf-8")
    code, = _blocks(text, "python")
    printed, = _blocks(text, "text")
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == printed
    with Store(tmp_path / "demo.db") as store:
        assert {e["annotator"] for e in store.events()} == {"alice"}


def test_api_decisions_are_the_clis(tmp_path: Path) -> None:
    """The API refuses in the CLI's words, logs as its annotator, and ``decide`` is
    all or nothing."""
    path = make_project(tmp_path / "p.db")
    with Project(path, annotator="alice") as project:
        first = project.document(1)
        (person, org), (claim,) = first.entities, first.claims
        assert (person.label, org.label, claim.layer) == ("PERSON", "ORG", "claim")
        with pytest.raises(SessionError, match="unknown label 'NOPE'"):
            project.relabel(org.id, "NOPE")
        with pytest.raises(SessionError, match="label CLAIM is of the claim layer"):
            project.relabel(org.id, "CLAIM")
        assert project.reject(org.id)[0].after[org.id].decision == "rejected"
        assert project.reject(org.id) == [project.reject(org.id)[0]]  # already so
        project.accept(person.id)
        with pytest.raises(SessionError, match="overlaps accepted PERSON"):
            project.add(1, PERSON, PERSON + 7, "ORG")
        project.set(claim.id, claim_type="statistic", claimant=person.id)
        assert project.span(claim.id).claim.claimant_span_id == person.id
        events = len(project.store.events())
        with pytest.raises(DecisionsRefused, match=r"^<api>:2: no span 999"):
            project.decide([{"do": "mark", "doc": 1, "status": "done"},
                            {"do": "accept", "doc": 1, "span": 999}])
        assert len(project.store.events()) == events  # nothing of it written
        assert project.document(1).status != "done"
        result = project.decide(['{"do": "mark", "doc": 1, "status": "done"}',
                                 '{"do": "accept", "doc": 1, "span": 999}'],
                                skip_invalid=True)
        assert result.applied == 1 and result.refused == [("<api>:2", "no span 999 in document 1")]
        assert {e["annotator"] for e in project.store.events()} == {"alice"}
    # the CLI says the same words for the same refusal
    done = subprocess.run([str(EXE), "relabel", "--label", "PERSON", "--to", "NOPE",
                           "--db", str(path), "--annotator", "bob"], env=_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "unknown label 'NOPE'" in done.stderr


def test_api_documents_filter_and_stream(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store(path) as store, store.write():
        for n in range(1, 8):
            text = f"Document {n} about Mosul and Acme."
            doc = store.insert_document(text, {}, f"h{n}")
            store.insert_span(Span(doc, "entity", 21, 26, "GPE" if n % 2 else "LOC"))
        store.put_annotation_set("bob", "x", "bob.db", 0)
        for doc in (2, 3):
            store.put_set_status(doc, "bob", "done", None)
        store.insert_span(Span(3, "entity", 27, 31, "ORG", annotation_set="bob"))
    with Project(path, annotator="alice") as project:
        items = project.documents(batch_size=2)
        assert isinstance(items, types.GeneratorType)  # read as asked, a batch at a time
        assert [d.id for d in items] == list(range(1, 8))
        assert [d.id for d in project.documents(label="LOC", batch_size=2)] == [2, 4, 6]
        project.reject(project.document(4).spans[0].id)  # a rejected LOC is no LOC
        project.mark(6, "done")
        assert [d.id for d in project.documents(label="LOC")] == [2, 6]
        assert [d.id for d in project.documents(status="done", label="LOC")] == [6]
        assert [d.id for d in project.documents(ids=[5, 1, 9])] == [1, 5]
    with Project(path, annotator="bob", annotation_set="bob") as bob:
        assert [(d.id, d.status, [s.label for s in d.spans])
                for d in bob.documents()] == [(2, "done", []), (3, "done", ["ORG"])]
        assert [d.id for d in bob.documents(label="ORG")] == [3]
        with pytest.raises(SessionError, match="no document 1 in bob's set"):
            bob.document(1)


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_api_and_cli_who_decides_is_a_setting_per_project(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """--annotator / annotator=; $ANNOTATOR_NAME; a split file's annotator; the name
    saved in the project for this login; the login name. Two projects on one account
    keep different names."""
    monkeypatch.delenv("ANNOTATOR_NAME", raising=False)
    one = make_project(tmp_path / "one.db")
    two = make_project(tmp_path / "two.db")
    with Store(one) as store:
        assert decider(None, store) == login_name()
        assert save_name(store, "maria") and saved_name(store) == "maria"
        assert store.meta_value(f"annotator_name:{login_name()}") == "maria"
    with Store(two) as store:
        save_name(store, "omar")
    with Project(one) as project:
        assert project.annotator == "maria"
        project.reject(2)
    with Project(two) as project:
        assert project.annotator == "omar"
    with Project(two, annotator="zoe") as project:
        assert project.annotator == "zoe"
    monkeypatch.setenv("ANNOTATOR_NAME", "env")
    with Project(one) as project:
        assert project.annotator == "env"
    monkeypatch.delenv("ANNOTATOR_NAME")
    with Store(two) as store, store.write():
        store.set_meta("annotator", "alice")  # as split writes it
    with Project(two) as project:
        assert project.annotator == "alice"
    # the CLI: the same rule, per project
    for path, name in ((one, "maria"), (two, "alice")):
        done = subprocess.run([str(EXE), "accept", "--db", str(path)], env=_env(),
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().endswith(f"as {name}")
    done = subprocess.run([str(EXE), "add", "1", str(ORG), str(ORG + 4), "ORG", "--db",
                           str(one)], env=_env(ANNOTATOR_NAME="env"), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip().endswith("as env"), done.stderr
    with Store(one) as store:
        assert [e["annotator"] for e in store.events()] == ["maria", "maria", "maria",
                                                            "env"]


def test_api_uncertain_documents_by_layer(tmp_path: Path) -> None:
    """The queue of a layer orders by that layer's scores only: entities nearest 0.5
    (the beam's probability), claims nearest the check-worthiness threshold."""
    path = tmp_path / "p.db"
    entity = {1: [0.99], 2: [0.55, 1.0], 3: [], 4: [0.8], 5: [None]}
    claim = {1: [0.52], 2: [0.95], 3: [0.6], 4: [], 5: []}
    with Store(path) as store, store.write():
        for n in entity:
            doc = store.insert_document(TEXT, {}, f"h{n}")
            for k, score in enumerate(entity[n]):
                store.insert_span(Span(doc, "entity", k * 10, k * 10 + 5, "ORG",
                                       score=score))
            for score in claim[n]:
                store.insert_span(Span(doc, "claim", 0, 20, "CLAIM", score=score))
        store.set_document_fields(4, status="done")
    assert uncertain_documents(Store(path), "entity") == [2, 1, 3, 5]
    assert uncertain_documents(Store(path), "claim") == [1, 3, 2, 5]
    with Project(path) as project:
        assert project.uncertain("entity", limit=2) == [2, 1]
    # no suggested document labels: the documents not done, by id
    assert uncertain_documents(Store(path), "doc") == [1, 2, 3, 5]
    with pytest.raises(ValueError, match="layer"):
        uncertain_documents(Store(path), "relation")


@pytest.mark.slow
def test_api_entity_scores_from_the_ner_beam(tmp_path: Path) -> None:
    """spaCy's greedy NER gives no score: entities are stored unscored, unless
    suggested with entity scores, which are the beam's probabilities (0 to 1), from
    the pipeline that suggested them."""
    path = tmp_path / "p.db"
    texts = ["Apple paid $5 million to Mosul officials on Tuesday, said John Smith.",
             "People in the middle groups showed a smaller increase in risk, of between "
             "9% and 17%, the institute said."]
    with Store(path) as store, store.write():
        for n, text in enumerate(texts):
            store.insert_document(text, {}, f"h{n}")
    with Project(path) as project:
        project.suggest(doc_ids=[1])
        plain = [s for s in project.document(1).entities]
        assert plain and all(s.score is None for s in plain)
        project.suggest(doc_ids=[1, 2], redo=True, entity_scores=True)
        scored = [s for d in project.documents() for s in d.entities]
        assert [(s.start, s.end, s.label) for s in scored[:len(plain)]] == [
            (s.start, s.end, s.label) for s in plain]  # the same entities, now scored
        assert all(s.score is not None and 0.0 < s.score <= 1.0 for s in scored)
        assert project.uncertain("entity")[0] in (1, 2)
