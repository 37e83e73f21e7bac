"""Document labels in the files :mod:`annotator.importers` reads, as every format writes
them: our JSONL's ``doc_labels`` (``{category: [labels]}``), Prodigy's choice answers
(``options`` + ``accept``), spaCy's ``cats`` (``{label: score}``; a list, as doccano's
combined form writes it), doccano's text-classification ``label`` list, Label Studio's
document-level ``choices``, a ``DocBin``'s ``doc.cats`` and CSV columns named with
``--doc-label-column``.

A label lands as an accepted human decision (a prediction's: a pending suggestion with
its score). Its category is the one the file names (our ``doc_labels``, a Label Studio
control), else the one the project's scheme gives the label, else :data:`DEFAULT_CATEGORY`.
Labels the scheme lacks follow the rule of span labels (:class:`.core.MissingLabels`, or
``--add-labels``)."""

from __future__ import annotations

import math
from typing import Any

from ..model import DocLabel, check_label_name
from .records import ImportFailed, Record

#: The category of a label that neither the file nor the project's scheme places.
DEFAULT_CATEGORY = "label"
#: A score at or over this in ``cats`` is a chosen label.
CHOSEN = 0.5


def add_doc_label(record: Record, label: Any, category: Any = "", *,
                  annotator: str | None = None, score: float | None = None,
                  model: str | None = None, prediction: bool = False,
                  annotation_set: str = "") -> None:
    """Add one document label to ``record`` (checked: a name, and the category's)."""
    for what, name in (("document label", label), ("category", category)):
        if not isinstance(name, str) or (what == "document label" and not name):
            raise ImportFailed(record.path, record.line,
                               f"{what} {name!r} must be a non-empty string")
        reason = check_label_name(name) if name else None
        if reason is not None:
            raise ImportFailed(record.path, record.line, f"{what} {name!r}: {reason}")
    key = (annotation_set, category, label)
    if any((x.annotation_set, x.category, x.label) == key for x in record.doc_labels):
        return  # one decision a label (a list that repeats it)
    record.doc_labels.append(DocLabel(
        id=None, doc_id=0, category=category, label=label,
        origin="model" if prediction else "human",
        decision="pending" if prediction else "accepted", score=score, model=model,
        annotator=None if prediction else annotator, annotation_set=annotation_set))


def read_cats(record: Record, cats: Any, annotator: str | None) -> None:
    """spaCy's ``cats``: ``{label: score}`` (chosen at :data:`CHOSEN` or more), or a
    list of labels (doccano's combined form)."""
    if isinstance(cats, list):
        for label in cats:
            add_doc_label(record, label, annotator=annotator)
        return
    if not isinstance(cats, dict):
        raise ImportFailed(record.path, record.line, "'cats' must be an object "
                           "{label: score} or a list of labels")
    for label, score in cats.items():
        if isinstance(score, bool) or not isinstance(score, int | float) \
                or not math.isfinite(score):
            raise ImportFailed(record.path, record.line,
                               f"cats {label!r}: {score!r} is not a number")
        if score >= CHOSEN:
            add_doc_label(record, label, annotator=annotator)


def read_doc_label_keys(record: Record, item: dict[str, Any], annotator: str | None) -> None:
    """The document labels of a JSONL line: ``doc_labels`` (ours: the categories too),
    else Prodigy's ``accept`` among ``options``, else ``cats``."""
    by_category = item.get("doc_labels")
    if by_category is not None:
        if not isinstance(by_category, dict):
            raise ImportFailed(record.path, record.line,
                               "'doc_labels' must be an object {category: [labels]}")
        for category, labels in by_category.items():
            if not isinstance(labels, list):
                raise ImportFailed(record.path, record.line,
                                   f"doc_labels {category!r} must be a list of labels")
            for label in labels:
                add_doc_label(record, label, category, annotator=annotator)
        return
    options, accept = item.get("options"), item.get("accept")
    if isinstance(options, list) and isinstance(accept, list):
        ids = {o.get("id"): o for o in options if isinstance(o, dict)}
        for chosen in accept:
            if chosen not in ids:
                raise ImportFailed(record.path, record.line,
                                   f"accept {chosen!r} is not the id of one of the options")
            add_doc_label(record, str(chosen), annotator=annotator)
        return
    if "cats" in item:
        read_cats(record, item["cats"], annotator)
