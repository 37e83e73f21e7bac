"""Document labels from a trained model (issue 25): one spaCy text classifier per
category of the project's scheme, ``textcat`` for an exclusive category (one choice)
and ``textcat_multilabel`` for a multi-label one, together in one pipeline
``doccat/`` of a model folder (:mod:`annotator.train.doccat` trains it; its
``meta.json`` names each category's component, labels and threshold).

:func:`store_doc_suggestions` writes a document's scores as pending document labels
(:meth:`~annotator.store.Store.put_doc_label_suggestions`): the best label of an
exclusive category whatever its score (so that its closeness to one half ranks the
document in the uncertainty queue), each label of a multi-label category scoring at
least its threshold. Never over a decision. spaCy is imported when a model is loaded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import trained
from ..store import Store

if TYPE_CHECKING:
    from spacy.language import Language

#: The folder of a model that holds the document classifiers.
FOLDER = "doccat"
#: Longer documents are classified by their first this many characters.
MAX_CHARS = 100_000
#: A multi-label category's label is suggested from this score.
THRESHOLD = 0.5

#: A document's scores: category -> label -> score.
Scores = dict[str, dict[str, float]]


class DocClassifier:
    """A loaded document classifier: ``categories`` is the model's ``meta.json``
    ``doc.categories`` (category -> ``component``, ``exclusive``, ``labels``,
    ``threshold``); ``name`` is stored as the suggestions' ``model``."""

    def __init__(self, nlp: Language, categories: dict[str, dict[str, Any]], name: str,
                 path: Path | None = None):
        self.nlp = nlp
        self.categories = categories
        self.name = name
        self.path = path

    @classmethod
    def load(cls, model_dir: Path) -> DocClassifier:
        """The classifiers of an Annotator model folder (one with ``doccat/``)."""
        from .loading import load

        model_dir = Path(model_dir)
        meta = trained.read_meta(model_dir)
        categories = dict((meta.get("doc") or {}).get("categories") or {})
        nlp = load(str(model_dir / FOLDER))  # checked first, as data only
        return cls(nlp, categories, trained.model_id(meta, model_dir), model_dir)

    def exclusive(self, category: str) -> bool:
        return bool(self.categories.get(category, {}).get("exclusive"))

    def scores(self, texts: Sequence[str]) -> list[Scores]:
        """The scores of each text, in order: category -> label -> probability."""
        if not texts:
            return []
        docs = [self.nlp.make_doc(text[:MAX_CHARS]) for text in texts]
        out: list[Scores] = [{} for _ in texts]
        for category, info in self.categories.items():
            component: Any = self.nlp.get_pipe(str(info.get("component") or category))
            labels = list(component.labels)
            matrix = component.model.ops.to_numpy(component.predict(docs))
            for k, row in enumerate(matrix):
                out[k][category] = {label: round(float(x), 4)
                                    for label, x in zip(labels, row, strict=True)}
        return out


def has_classifier(model_dir: Path) -> bool:
    """Whether the model folder holds document classifiers."""
    return (Path(model_dir) / FOLDER / "config.cfg").is_file()


def store_doc_suggestions(store: Store, doc_id: int, scores: Scores, model: str,
                          exclusive: dict[str, bool], *, redo: bool = False,
                          unknown: Counter[str] | None = None) -> int:
    """Write one document's scores as pending document labels in the project's own
    set; returns how many. Only categories and labels of the project's scheme are
    written (the others counted in ``unknown`` as ``category=label``). A category
    with pending model suggestions already is left as it is unless ``redo`` (then
    they are replaced); decided labels are never touched (the ``suggest --redo``
    rules of spans). Call inside :meth:`Store.write`."""
    scheme = store.label_scheme()
    pending = set() if redo else {
        x.category for x in store.doc_labels(doc_id)
        if x.decision == "pending" and x.origin == "model"}
    written = 0
    for category, by_label in scores.items():
        known = {label.name for label in scheme.doc_labels(category)}
        if scheme.category(category) is None:
            known = set()
        kept = {label: s for label, s in by_label.items() if label in known}
        if unknown is not None:
            unknown.update(f"{category}={label}" for label in by_label if label not in known)
        if not kept or category in pending:
            continue
        threshold = 0.0 if exclusive.get(category) else THRESHOLD
        written += store.put_doc_label_suggestions(doc_id, model, {category: kept},
                                                   threshold)
    return written
