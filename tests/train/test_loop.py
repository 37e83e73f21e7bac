"""The model in the loop (annotator.train.loop): refresh, uncertainty order, retraining."""

from __future__ import annotations

import json

import pytest

from annotator.model import Claim, Span
from annotator.paths import models_dir
from annotator.store import Store
from annotator.train.loop import refresh_suggestions, retrain_due, uncertainty_order


def _docs(store: Store, n: int) -> list[int]:
    with store.write():
        return [store.insert_document(f"Text number {k}. It said prices rose 5%.", {}, f"h{k}")
                for k in range(n)]


def _claim(store: Store, doc_id: int, score: float, decision: str = "pending") -> None:
    with store.write():
        store.insert_span(Span(doc_id=doc_id, layer="claim", start=0, end=10, label="CLAIM",
                               decision=decision, score=score, claim=Claim()))


def test_loop_uncertainty_order_nearest_the_threshold_first(store: Store) -> None:
    ids = _docs(store, 5)
    _claim(store, ids[0], 0.95)
    _claim(store, ids[1], 0.52)
    _claim(store, ids[1], 0.99)
    _claim(store, ids[2], 0.30)
    _claim(store, ids[3], 0.49, decision="accepted")  # decided: no longer uncertain
    with store.write():
        store.set_document_fields(ids[4], status="done")
    _claim(store, ids[4], 0.5)  # done documents are not queued
    assert uncertainty_order(store, 0.5) == [ids[1], ids[2], ids[0], ids[3]]
    assert uncertainty_order(store, 0.5, limit=2, offset=1) == [ids[2], ids[0]]
    assert uncertainty_order(store, 0.9, statuses=("done", "new")) == [
        ids[0], ids[1], ids[4], ids[2], ids[3]]


def test_loop_retrain_due_counts_done_documents_since_the_newest_model(store: Store) -> None:
    ids = _docs(store, 6)
    assert not retrain_due(store, 3)
    with store.write():
        for doc_id in ids[:3]:
            store.set_document_fields(doc_id, status="done")
    assert retrain_due(store, 3) and not retrain_due(store, 4) and not retrain_due(store, 0)
    folder = models_dir(store.path) / "project-1"
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text(json.dumps({"annotator_model": 1, "created": "x",
                                                  "done_documents": 3}))
    assert not retrain_due(store, 1)
    with store.write():
        store.set_document_fields(ids[3], status="done")
    assert retrain_due(store, 1) and not retrain_due(store, 2)


@pytest.mark.slow
def test_loop_refresh_keeps_human_decisions(store: Store) -> None:
    from annotator.suggest.runner import Suggester, load_pipeline, suggest

    nlp = load_pipeline()
    text = ("Apple hired Tim Cook in Cupertino. The company said sales rose 12% in 2023, "
            "according to Reuters.")
    with store.write():
        new_id = store.insert_document(text, {}, "a")
        done_id = store.insert_document(text + " Again.", {}, "b", status="done")
    suggest(store, Suggester(nlp, None, "old 1"), None)
    spans = store.spans(new_id)
    entity = next(s for s in spans if s.layer == "entity")
    claim = next(s for s in spans if s.layer == "claim")
    with store.write():
        store.update_span(entity.id, decision="rejected")  # type: ignore[arg-type]
        store.update_span(claim.id, decision="accepted")  # type: ignore[arg-type]
    done_before = [(s.id, s.model) for s in store.spans(done_id)]
    result = refresh_suggestions(store, Suggester(nlp, None, "new 2"))
    assert result.documents == 1  # only the document not done
    after = {s.id: s for s in store.spans(new_id)}
    assert after[entity.id].decision == "rejected" and after[claim.id].decision == "accepted"
    pending = [s for s in after.values() if s.decision == "pending"]
    assert pending and all(s.model == "new 2" for s in pending)
    # nothing new over the rejected entity, no second claim where the accepted one is
    assert not any(s.overlaps(entity.start, entity.end) for s in pending
                   if s.layer == "entity")
    assert [(s.id, s.model) for s in store.spans(done_id)] == done_before
