"""Screenshots of the team features, for ``python -m tools.screenshots``: review mode on a
shared sample article (``review-mode.png``) and the Statistics view's agreement heat map
(``agreement-heatmap.png``), from a team project made the way a team makes one: the
samples suggested, split among three annotators (every document to two of them), each
annotator's decisions scripted with the usual disagreements, merged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from annotator.samples import seed_if_empty
from annotator.session import Session
from annotator.store import Store
from annotator.teams import merge, split

ANNOTATORS = ("alice", "bob", "carol")
SAMPLE = "shafaq"


def script_decisions(path: Path, who: str) -> None:
    """Each annotator accepts the suggestions, and differs where people do: bob labels
    every third entity ORG (or PERSON if it was ORG) and rejects every fifth; carol
    rejects every fourth entity and the second claim."""
    with Store(path) as store:
        session = Session(store, who)
        for doc_id in store.document_ids():
            entities = [s for s in store.spans(doc_id, "entity") if s.decision == "pending"]
            for i, span in enumerate(entities):
                assert span.id is not None
                if store.get_span(span.id) is None:
                    continue  # replaced by an earlier decision
                if who == "bob" and i % 5 == 4 or who == "carol" and i % 4 == 3:
                    session.reject(span.id)
                elif who == "bob" and i % 3 == 1:
                    session.relabel(span.id, "PERSON" if span.label == "ORG" else "ORG")
                else:
                    session.accept(span.id)
            claims = [s for s in store.spans(doc_id, "claim") if s.decision == "pending"]
            for i, span in enumerate(claims):
                assert span.id is not None
                if who == "carol" and i == 1:
                    session.reject(span.id)
                else:
                    session.accept(span.id)
            session.set_status(doc_id, "done")


def make_team(tmp: Path) -> Path:
    from annotator.suggest.runner import load_pipeline, suggest

    source = tmp / "news.db"
    with Store(source) as store:
        seed_if_empty(store)
        suggest(store, load_pipeline())
        split(store, list(ANNOTATORS), tmp / "team", overlap=1.0, seed=1)
    for name in ANNOTATORS:
        script_decisions(tmp / "team" / f"{name}.db", name)
    team = tmp / "team.db"
    merge(team, [(tmp / "team" / f"{n}.db", None) for n in ANNOTATORS], "lead")
    return team


def shoot(out: Path, tmp: Path, app: Any) -> None:
    from annotator.gui.app import build_window

    team = make_team(tmp)
    with Store(team) as store:
        doc_id = next(d.id for d in store.iter_documents()
                      if SAMPLE in str(d.meta.get("source", "")).lower())
    window = build_window(team, "maria", QSettings(str(tmp / "team.ini"),
                                                   QSettings.Format.IniFormat),
                          auto_suggest=False)
    window.resize(1500, 900)
    window.show()
    window.open_document(doc_id)
    window.action_table["review_mode"].setChecked(True)
    review = window.review
    review.move(+1)
    review.take_focused()  # one disagreement decided; the focus moves on to the next
    app.processEvents()
    window.grab().save(str(out / "review-mode.png"))
    review.show_statistics()
    dialog = review.statistics
    assert dialog is not None
    while not getattr(dialog, "results", None):
        app.processEvents()
        dialog.thread_.wait(50)  # type: ignore[attr-defined]
    app.processEvents()
    dialog.choose("entity", "kappa")  # type: ignore[attr-defined]
    app.processEvents()
    dialog.grab().save(str(out / "agreement-heatmap.png"))  # type: ignore[attr-defined]
    dialog.close()  # type: ignore[attr-defined]
    window.close()
    QApplication.processEvents()
