"""The team benchmark makes its annotators' decisions in bulk SQL (:func:`bench.teams.decide`)
to keep its setup short at 100,000 documents; this guards the shortcut: the same
decisions made through ``Session`` give a team project with the same agreement figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from annotator.agreement import agreement
from annotator.session import Session
from annotator.store import Store
from annotator.teams import merge
from bench import teams


def decide_by_session(store: Store, name: str) -> None:
    """:func:`bench.teams.decide`'s decisions, one ``Session`` call each."""
    session = Session(store, name)
    with session.batch():
        session.accept_all()
        if name in ("bob", "carol"):
            nth, rank = (7, 0) if name == "bob" else (5, 1)
            for d, doc_id in enumerate(sorted(_entity_docs(store))):
                if d % nth:
                    continue
                span = sorted(_entities(store, doc_id), key=lambda s: s.start)[rank]
                assert span.id is not None
                if name == "bob":
                    session.relabel(span.id, "ORG")
                else:
                    session.reject(span.id)
        session.set_statuses(None, "done")


def _entity_docs(store: Store) -> set[int]:
    return {r[0] for r in store.conn.execute(
        "SELECT DISTINCT doc_id FROM spans WHERE layer = 'entity'")}


def _entities(store: Store, doc_id: int) -> list[Any]:
    return [s for s in store.spans(doc_id) if s.layer == "entity"]


def _figures(tmp: Path, decisions: Any) -> dict[str, Any]:
    built = teams._build(tmp, 200, decisions)
    team = tmp / "team.db"
    merge(team, [(built["files"][n], None) for n in teams.NAMES], "test")
    with Store(team) as store:
        return {layer: agreement(store, layer).as_dict() for layer in ("entity", "claim")}


@pytest.mark.slow
def test_bulk_decisions_give_the_session_s_agreement(tmp_path: Path) -> None:
    (tmp_path / "bulk").mkdir()
    (tmp_path / "session").mkdir()
    bulk = _figures(tmp_path / "bulk", None)
    by_session = _figures(tmp_path / "session", decide_by_session)
    assert bulk == by_session
    assert bulk["entity"]["documents"] == bulk["claim"]["documents"] == 200
    # not trivially equal: bob's relabels and carol's rejections are disagreements
    assert bulk["entity"]["alpha"]["ORG"] < 0.95 and bulk["entity"]["alpha"]["GPE"] == 1.0
