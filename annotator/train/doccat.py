"""Learning document labels (issue 25): one text classifier per category.

**Examples.** The done documents of the set ``--set`` chooses (``export --set``'s
meaning), each with its document labels in that set. For an *exclusive* category
(stance) a document teaches when it has exactly one accepted label of it: that label
is 1, the others 0 (spaCy's ``textcat``). For a *multi-label* category (topics) a
document teaches when someone decided at least one of its labels (accepted or
rejected): accepted labels are 1, every other label of the category 0, the document
having been read through (``textcat_multilabel``). Documents that say nothing of a
category are left out of it, counted with their reason.

**Model.** A bag of words (spaCy's ``TextCatBOW``: one weight per word and label),
trained with spaCy's loop (:mod:`.engine`) in batches of documents: seconds for
hundreds of articles, where spaCy's CNN ensemble did not finish ten epochs of the
1,000 news articles of ``bench/learning.py`` in 400 s on the loaded 2-core machine.
All the categories' components sit in one pipeline, ``doccat/`` in the model folder
(:mod:`annotator.suggest.doccat` loads it).

**Held out.** The documents of the run's held-out split (:func:`.data.split`, the
same seed and ``--split-by`` as the other layers); measured per label (P, R, F1) and
as macro-F1 over the labels that are in the held-out gold or predicted: an exclusive
category predicts its best label, a multi-label one each label scoring at least 0.5.

A category with fewer than :data:`MIN_DOCUMENTS` labelled documents (or, exclusive,
fewer than two labels used) is not trained; with ``--layer doc`` and no category
left, training is refused, saying each category's count.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import TrainError
from ..evaluate import prf
from ..model import DocLabel, Document, LabelCategory
from ..store import Store
from . import data
from .engine import Outcome, Step, train_component

if TYPE_CHECKING:
    from spacy.training import Example

#: A category is trained from at least this many labelled done documents.
MIN_DOCUMENTS = 10
#: Passes over the training documents (``--max-epochs`` 0): 10, more for few documents
#: so that about this many document updates are made, at most :data:`MAX_EPOCHS`.
UPDATES = 2000
MAX_EPOCHS = 50
#: Steps without a better held-out score before it stops, at least (a held-out set of
#: ten documents says little step by step).
PATIENCE = 120
#: Held-out documents from which the best step is chosen by their score (fewer: the
#: last weights, averaged, are kept; the held-out documents still measure them).
MIN_CHOOSING = 30
#: The classifier of a category: a bag of words (``exclusive_classes`` set per category).
DOC_MODEL: dict[str, Any] = {
    "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 1,
    "no_output_layer": False, "length": 262144, "nO": None,
}
#: Documents, not words, a batch (a news article is hundreds of words: the words
#: batcher of the other layers made a batch of one).
DOC_TRAINING: dict[str, Any] = {
    "batcher": {"@batchers": "spacy.batch_by_sequence.v1", "get_length": None,
                "size": {"@schedules": "compounding.v1", "start": 4, "stop": 32,
                         "compound": 1.05}},
    "optimizer": {
        "@optimizers": "Adam.v1", "beta1": 0.9, "beta2": 0.999, "L2_is_weight_decay": True,
        "L2": 0.01, "grad_clip": 1.0, "use_averages": True, "eps": 1e-8,
        "learn_rate": 0.001,
    },
}
NO_LABEL = "no accepted label"
SEVERAL = "more than one accepted label in an exclusive category"
NOTHING_DECIDED = "no label of it decided"


@dataclass
class Category:
    """What one category learns from."""

    category: LabelCategory
    labels: list[str]  # the scheme's labels of the category, in order
    cats: dict[int, dict[str, float]] = field(default_factory=dict)  # doc id -> gold
    left_out: Counter[str] = field(default_factory=Counter)

    @property
    def used(self) -> list[str]:
        """The labels some labelled document has."""
        return [x for x in self.labels if any(c.get(x) for c in self.cats.values())]

    def problem(self) -> str | None:
        """Why the category cannot be trained, or ``None``."""
        n = len(self.cats)
        if n < MIN_DOCUMENTS:
            return (f"{n} labelled document(s), at least {MIN_DOCUMENTS} needed")
        if self.category.exclusive and len(self.used) < 2:
            return (f"{n} labelled document(s) but only {len(self.used)} label used; an "
                    "exclusive category needs two at least")
        if not self.used:
            return f"{n} labelled document(s) but no label accepted in any"
        return None


def done_documents(store: Store, annotation_set: str = "gold",
                   skip: Callable[[str], None] | None = None,
                   sets: Counter[str] | None = None
                   ) -> Iterator[tuple[Document, list[DocLabel]]]:
    """The done documents of the set ``annotation_set`` chooses, with their decided
    document labels in that set, in id order (a document auto cannot choose a set for
    goes through ``skip(reason)``; ``sets`` counts the documents taken from each set,
    ``gold`` for the project's own)."""
    from ..export.base import NOT_REVIEWED, resolve_set

    batch: list[tuple[Document, str]] = []

    def flush() -> Iterator[tuple[Document, list[DocLabel]]]:
        by_set: dict[str, list[int]] = {}
        for doc, name in batch:
            by_set.setdefault(name, []).append(doc.id or 0)
        found: dict[tuple[int, str], list[DocLabel]] = {}
        for name, ids in by_set.items():
            for doc_id, rows in store.doc_labels_for(ids, name).items():
                found[(doc_id, name)] = [x for x in rows if x.decision != "pending"]
        for doc, name in batch:
            yield doc, found.get((doc.id or 0, name), [])
        batch.clear()

    for doc, spans, name in store.iter_set_documents("done", resolve_set(annotation_set)):
        if spans is None:
            if skip is not None:
                skip(NOT_REVIEWED)
            continue
        batch.append((doc, name))
        if sets is not None:
            sets[name or "gold"] += 1
        if len(batch) >= 500:
            yield from flush()
    yield from flush()


def categories(store: Store, docs: Sequence[tuple[Document, list[DocLabel]]]
               ) -> list[Category]:
    """Each category of the project's scheme with its labelled documents (see the
    module docstring)."""
    scheme = store.label_scheme()
    out = []
    for category in scheme.categories:
        c = Category(category, [x.name for x in scheme.doc_labels(category.name)])
        for doc, rows in docs:
            mine = [x for x in rows if x.category == category.name and x.label in c.labels]
            accepted = [x.label for x in mine if x.decision == "accepted"]
            if category.exclusive:
                if len(accepted) != 1:
                    c.left_out[NO_LABEL if not accepted else SEVERAL] += 1
                    continue
            elif not mine:
                c.left_out[NOTHING_DECIDED] += 1
                continue
            c.cats[doc.id or 0] = {x: 1.0 if x in accepted else 0.0 for x in c.labels}
        out.append(c)
    return out


def refusal(cats: Sequence[Category]) -> str:
    """Why no category can be trained, one clause a category."""
    if not cats:
        return ("the project's scheme has no document-label category (`annotator labels "
                "add NAME --layer doc --category CAT`)")
    return "no document-label category has enough labelled done documents: " + "; ".join(
        f"{c.category.name}: {c.problem()}" for c in cats)


def train_categories(cats: Sequence[Category], texts: dict[int, str], dev_ids: set[int],
                     *, seed: int, max_epochs: int, max_steps: int,
                     deadline: float | None, out: Path, name: str,
                     report: Callable[..., None]) -> dict[str, Any]:
    """Train one component per category into one pipeline written to ``out``; returns
    the ``meta.json`` parts: ``categories`` (component, exclusive, labels, threshold,
    documents, left out), ``scores`` (per category: macro-F1 and per label P/R/F1 on
    the held-out documents) and ``training``."""
    import spacy
    from spacy.training import Example

    nlp = spacy.blank("en")
    meta_cats: dict[str, Any] = {}
    scores: dict[str, Any] = {}
    training: dict[str, Any] = {}
    for k, c in enumerate(cats):
        t0 = time.monotonic()
        labels = c.used
        factory = "textcat" if c.category.exclusive else "textcat_multilabel"
        model = {**DOC_MODEL, "exclusive_classes": c.category.exclusive}
        component: Any = nlp.add_pipe(factory, name=c.category.name,
                                      config={"model": model})
        for label in labels:
            component.add_label(label)

        def example(doc_id: int, gold: dict[str, float], labels: list[str] = labels
                    ) -> Example:
            doc = nlp.make_doc(texts[doc_id][:data.MAX_CHARS])
            reference = doc.copy()
            reference.cats = {x: gold.get(x, 0.0) for x in labels}
            return Example(doc, reference)

        train_ex = [example(i, g) for i, g in c.cats.items() if i not in dev_ids]
        dev_items = [(i, g) for i, g in c.cats.items() if i in dev_ids]
        dev_ex = [example(i, g) for i, g in dev_items]
        if not train_ex:
            raise TrainError(f"category {c.category.name}: all its labelled documents are "
                             "held out")
        # a few hundred labelled documents see each at least UPDATES / n times (the
        # held-out score stops it sooner when it stops improving)
        epochs = max_epochs or min(MAX_EPOCHS, max(10, -(-UPDATES // len(train_ex))))
        per_epoch = max(1, len(train_ex) // 16)
        total = max_steps or per_epoch * epochs
        eval_every = max(5, min(200, per_epoch))

        def on_step(step: Step, cat: str = c.category.name, total: int = total) -> None:
            report(f"doc:{cat}", step.step, total, step.loss, step.score)

        # Too few held-out documents measure but do not choose the step: the best of
        # a few noisy evaluations was an early, weak one (bench: 50 articles).
        choose = dev_ex if len(dev_ex) >= MIN_CHOOSING else []
        outcome: Outcome = train_component(
            nlp, c.category.name, train_ex, choose, score_key="cats_macro_f", resume=False,
            max_epochs=epochs, max_steps=max_steps, eval_every=eval_every,
            patience=max(eval_every * 4, PATIENCE), dropout=0.1, deadline=deadline,
            on_step=on_step, config=DOC_TRAINING)
        if dev_ex:
            predicted = component.model.ops.to_numpy(
                component.predict([eg.predicted for eg in dev_ex]))
            scores[c.category.name] = category_scores(
                labels, [g for _, g in dev_items],
                [dict(zip(labels, map(float, row), strict=True)) for row in predicted],
                c.category.exclusive)
        meta_cats[c.category.name] = {
            "component": c.category.name, "exclusive": c.category.exclusive,
            "labels": labels, "threshold": 0.5,
            "not_learnt": [x for x in c.labels if x not in labels],
            "documents": {"train": len(train_ex), "dev": len(dev_ex)},
            "left_out": dict(sorted(c.left_out.items())),
        }
        training[c.category.name] = {
            "steps": outcome.steps, "epochs": outcome.epochs, "stopped": outcome.stopped,
            "best_score": None if outcome.best_score is None else round(outcome.best_score, 4),
            "seconds": round(time.monotonic() - t0, 1), "position": k}
    nlp.meta["name"] = name
    nlp.to_disk(out)
    return {"categories": meta_cats, "scores": scores, "training": training}


def category_scores(labels: Sequence[str], gold: Sequence[dict[str, float]],
                    predicted: Sequence[dict[str, float]], exclusive: bool,
                    threshold: float = 0.5) -> dict[str, Any]:
    """Held-out figures of one category: per label P/R/F1 (and gold, predicted counts),
    macro-F1 over the labels in the gold or predicted, and (exclusive) accuracy."""
    if exclusive:
        chosen = [{max(p, key=lambda x: p[x])} if p else set() for p in predicted]
    else:
        chosen = [{x for x, s in p.items() if s >= threshold} for p in predicted]
    rows: list[dict[str, Any]] = []
    for label in labels:
        truth = [bool(x.get(label)) for x in gold]
        said = [label in c for c in chosen]
        f = prf(truth, said)
        rows.append({"label": label, "gold": sum(truth), "predicted": sum(said),
                     "P": round(f["P"], 4), "R": round(f["R"], 4), "F1": round(f["F1"], 4)})
    counted = [r for r in rows if r["gold"] or r["predicted"]]
    macro = sum(r["F1"] for r in counted) / len(counted) if counted else 0.0
    out: dict[str, Any] = {"macro_f1": round(macro, 4), "documents": len(gold), "labels": rows}
    if exclusive:
        right = sum(1 for g, c in zip(gold, chosen, strict=True)
                    if c and g.get(next(iter(c))))
        out["accuracy"] = round(right / len(gold), 4) if gold else 0.0
    return out
