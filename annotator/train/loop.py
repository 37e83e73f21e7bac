"""The model in the loop: what the window does around training (issue 15, section 4),
as plain functions over the store, without Qt.

- :func:`refresh_suggestions`: after training, the pending suggestions of the documents
  not done come again from the new model; what people decided or made is never touched
  (the ``suggest --redo`` rules).
- :func:`uncertainty_order`: documents whose claim (or entity) scores sit nearest the
  decision threshold first (:func:`decision_threshold`), for an "uncertain first"
  queue; :func:`uncertain_documents` picks the threshold by layer.
- :func:`retrain_due`: whether N more documents were marked done since the newest model
  was trained, for "retrain every N documents".
- :func:`learning_curve`: one point per training run (done documents, held-out F1 per
  layer), for the Statistics view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import trained
from ..model import STATUSES, Status
from ..store import Store

if TYPE_CHECKING:
    from ..suggest.runner import Suggester, SuggestResult

#: The documents whose suggestions a new model refreshes, and the queue orders.
NOT_DONE = tuple(s for s in STATUSES if s != "done")


def refresh_suggestions(store: Store, suggester: Suggester,
                        statuses: Iterable[Status] = NOT_DONE, *, batch_size: int = 32,
                        on_progress: Callable[[int], None] | None = None) -> SuggestResult:
    """Suggest again, with ``suggester``, for every document with one of ``statuses``
    (default: all but done): each document's pending model suggestions are replaced;
    accepted, rejected and hand-made spans stay, and no new suggestion is stored over
    or (entities) overlapping one of them. ``on_progress`` as in
    :func:`annotator.suggest.runner.suggest` (raise from it to stop; what was committed
    stays)."""
    from ..suggest.runner import suggest

    ids: list[int] = []
    for status in statuses:
        ids += store.document_ids(status)
    return suggest(store, suggester, sorted(ids), redo=True, batch_size=batch_size,
                   on_progress=on_progress)


def decision_threshold(suggester: Suggester | None = None) -> float:
    """The claim score from which a unit is suggested: 0.5 with a learned model
    (:data:`~annotator.suggest.claims.COMBINED_THRESHOLD`), the rules'
    :data:`~annotator.suggest.claims.MIN_SCORE` without."""
    from ..suggest.claims import COMBINED_THRESHOLD, MIN_SCORE

    cw = suggester.checkworthiness if suggester is not None else None
    return COMBINED_THRESHOLD if cw is not None else MIN_SCORE


def uncertainty_order(store: Store, threshold: float, statuses: Iterable[Status] = NOT_DONE,
                      limit: int = -1, offset: int = 0, layer: str = "claim") -> list[int]:
    """Document ids, those whose pending ``layer`` scores are nearest ``threshold`` first
    (the most uncertain suggestion of each document decides), then the documents
    without scored pending suggestions of the layer, by id (:meth:`~annotator.store.
    Store.documents_by_uncertainty`)."""
    return [doc_id for doc_id, _ in
            store.documents_by_uncertainty(threshold, statuses, limit, offset, layer)]


#: The margin of an entity suggestion's score: the beam's probability that the entity
#: is right (``suggest --entity-scores``), least sure at one half.
ENTITY_MARGIN = 0.5


#: The margin of a suggested document label's score (its classifier's probability):
#: an exclusive category's best label, or a multi-label one's, is least sure at one half.
DOC_MARGIN = 0.5


def margin(layer: str) -> float:
    """The score nearest which a suggestion of ``layer`` is least sure: an entity's
    :data:`ENTITY_MARGIN`; a claim's the threshold of the learned check-worthiness
    model the window and ``suggest`` use (:data:`~annotator.suggest.claims.
    COMBINED_THRESHOLD`); a document label's :data:`DOC_MARGIN`."""
    if layer == "entity":
        return ENTITY_MARGIN
    if layer == "claim":
        from ..suggest.claims import COMBINED_THRESHOLD

        return float(COMBINED_THRESHOLD)
    if layer == "doc":
        return DOC_MARGIN
    raise ValueError(f"layer must be entity, claim or doc, not {layer!r}")


def uncertain_documents(store: Store, layer: str = "entity",
                        statuses: Iterable[Status] = NOT_DONE, limit: int = -1,
                        offset: int = 0) -> list[int]:
    """The active-learning queue of one layer: ids of the documents with one of
    ``statuses`` (default: all but done), those whose pending ``layer`` suggestions sit
    nearest the decision margin (:func:`margin`) first, then those with no scored
    pending suggestion of the layer, by id. Entity suggestions carry a score only when
    suggested with ``--entity-scores`` (spaCy's greedy NER gives none). ``layer``
    ``doc``: the pending document labels of a model trained with them (``suggest
    --model``), the one nearest one half deciding. What the window's
    ``Ctrl+Shift+U`` and ``assign --order uncertain`` use."""
    return uncertainty_order(store, margin(layer), statuses, limit, offset, layer)


def retrain_due(store: Store, every: int) -> bool:
    """Whether at least ``every`` more documents are done than when the project's newest
    model was trained (``every`` of 0 or less: never)."""
    if every <= 0:
        return False
    newest = trained.latest(store.path)
    trained_on = int(newest.meta.get("done_documents") or 0) if newest is not None else 0
    return store.count_documents("done") - trained_on >= every


def learning_curve(db_path: Path) -> list[dict[str, Any]]:
    """One point per model of the project, oldest first: ``model``, ``created``,
    ``done_documents`` and the held-out F1 of each layer it learnt (``entity``: exact,
    all labels; ``claim``: check-worthy units; ``doc``: the mean of its categories'
    macro-F1), ``None`` where not measured."""
    points = []
    for m in trained.list_models(db_path):
        scores = m.scores
        entity = next((r["exact"]["f1"] for r in (scores.get("entity") or {}).get("after")
                       or [] if r["label"] == "(all)"), None)
        claim = ((scores.get("claim") or {}).get("checkworthy") or {}).get("F1")
        doc = [x["macro_f1"] for x in (scores.get("doc") or {}).values()]
        points.append({"model": m.name, "created": m.created,
                       "done_documents": m.meta.get("done_documents"),
                       "entity": entity, "claim": claim,
                       "doc": round(sum(doc) / len(doc), 4) if doc else None})
    return points
