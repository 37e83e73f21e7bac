"""Agreement between annotators on document labels (issue 25): ``annotator agreement
--layer doc``.

The units are the documents two or more annotators marked done in their own files (as
for spans, :meth:`~annotator.store.Store.shared_done`); only accepted document labels
count. Per category of the scheme:

- an **exclusive** category (stance) is one nominal value per document: the label the
  annotator accepted, or ``(none)`` when they accepted none (as ``O`` for tokens: "no
  stance" is an answer too). Cohen's κ per pair of annotators, on the documents both
  did; Krippendorff's α (nominal) across all annotators, one who did not do a document
  counting as missing;
- a **multi-label** category (topics) is one binary value per document and label
  (present or not), so κ and α are given per label.

κ = (p_o − p_e) / (1 − p_e), p_e from each annotator's own frequencies
(:func:`annotator.agreement.cohen_kappa`); α by the ``krippendorff`` package
(:func:`annotator.agreement.alpha`). Each is ``None`` where undefined (one value
throughout).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from .agreement import alpha, cohen_kappa
from .errors import TeamError
from .model import LabelCategory
from .store import Store

NONE = "(none)"


@dataclass
class Figures:
    """κ per pair (``"a / b"``: value) and α across annotators, over ``documents``."""

    kappa: dict[str, float | None] = field(default_factory=dict)
    pair_documents: dict[str, int] = field(default_factory=dict)
    alpha: float | None = None


@dataclass
class CategoryAgreement:
    """One category's figures: for an exclusive one under ``""`` (its values are its
    labels and ``(none)``), for a multi-label one per label."""

    name: str
    exclusive: bool
    labels: list[str]
    figures: dict[str, Figures]


@dataclass
class DocAgreement:
    """What ``annotator agreement --layer doc`` reports (:meth:`as_dict` for --json)."""

    annotators: list[str]
    documents: int
    categories: list[CategoryAgreement]

    def as_dict(self, category: str | None = None) -> dict[str, Any]:
        """The figures of every category, or of ``category`` alone (else TeamError)."""
        shown = self.categories
        if category is not None:
            shown = [c for c in self.categories if c.name == category]
            if not shown:
                raise TeamError(f"no document-label category {category!r} "
                                f"({', '.join(c.name for c in self.categories) or 'none'})")
        return {"layer": "doc", "units": "documents", "annotators": self.annotators,
                "documents": self.documents, "categories": [
                    {"name": c.name, "exclusive": c.exclusive, "labels": c.labels,
                     "figures": {key: {"kappa": f.kappa, "pair_documents": f.pair_documents,
                                       "alpha": f.alpha}
                                 for key, f in c.figures.items()}}
                    for c in shown]}


def doc_agreement(store: Store) -> DocAgreement:
    """The agreement of a team project's annotators on its document labels (see the
    module docstring)."""
    shared = store.shared_done()
    annotators = sorted({name for names in shared.values() for name in names})
    doc_ids = sorted(shared)
    chosen: dict[tuple[int, str], dict[str, set[str]]] = {}
    rows = store.doc_labels_for(doc_ids, None)
    for doc_id, labels in rows.items():
        for row in labels:
            if row.decision == "accepted" and row.annotation_set in shared[doc_id]:
                chosen.setdefault((doc_id, row.annotation_set), {}).setdefault(
                    row.category, set()).add(row.label)
    scheme = store.label_scheme()
    categories = []
    for category in scheme.categories:
        names = [x.name for x in scheme.doc_labels(category.name)]
        # labels the sets hold that the scheme lost since are counted too
        seen = sorted({label for by_cat in chosen.values()
                       for label in by_cat.get(category.name, ())} - set(names))
        categories.append(_category(category, names + seen, shared, chosen, annotators))
    return DocAgreement(annotators, len(doc_ids), categories)


def _category(category: LabelCategory, labels: list[str], shared: dict[int, list[str]],
              chosen: dict[tuple[int, str], dict[str, set[str]]], annotators: list[str]
              ) -> CategoryAgreement:
    def picked(doc_id: int, name: str) -> set[str]:
        return chosen.get((doc_id, name), {}).get(category.name, set())

    figures = {}
    if category.exclusive:
        values = [NONE, *labels]

        def value(doc_id: int, name: str) -> int:
            mine = picked(doc_id, name)
            # several accepted (a category made exclusive later): the scheme's first
            return next((values.index(x) for x in labels if x in mine), 0)

        figures[""] = _figures(value, len(values), shared, annotators)
    else:
        for label in labels:
            def present(doc_id: int, name: str, label: str = label) -> int:
                return int(label in picked(doc_id, name))

            figures[label] = _figures(present, 2, shared, annotators)
    return CategoryAgreement(category.name, category.exclusive, labels, figures)


def _figures(value: Any, n_values: int, shared: dict[int, list[str]],
             annotators: list[str]) -> Figures:
    """κ per pair and α across annotators of one nominal variable with ``n_values``
    values, ``value(doc_id, annotator)`` its code."""
    out = Figures()
    for a, b in combinations(annotators, 2):
        confusion = np.zeros((n_values, n_values), dtype=np.int64)
        both = [d for d, names in shared.items() if a in names and b in names]
        for doc_id in both:
            confusion[value(doc_id, a), value(doc_id, b)] += 1
        key = f"{a} / {b}"
        out.pair_documents[key] = len(both)
        out.kappa[key] = cohen_kappa(confusion) if both else None
    units = []
    for doc_id, names in shared.items():
        counts = np.bincount([value(doc_id, n) for n in names], minlength=n_values)
        units.append(counts)
    out.alpha = alpha(Counter(), units, n_values) if units else None
    return out


def render(result: DocAgreement, category: str | None = None) -> str:
    """A text table of :meth:`DocAgreement.as_dict` (what the command prints)."""
    data = result.as_dict(category)
    if not result.annotators:
        return ("no document-label agreement: no document was marked done by two or more "
                "annotators (merge their files, with `annotator merge`, first)")
    lines = [f"document-label agreement on {data['documents']} shared document(s); "
             f"annotators: {', '.join(result.annotators)}",
             f"{'category':<14} {'label':<14} {'pair':<24} {'docs':>5} {'kappa':>7}"]
    for item in data["categories"]:
        kind = "exclusive" if item["exclusive"] else "per label"
        for key, f in item["figures"].items():
            label = key or f"({kind})"
            for pair, kappa in f["kappa"].items():
                lines.append(f"{item['name']:<14} {label:<14} {pair:<24} "
                             f"{f['pair_documents'][pair]:>5} {_fmt(kappa):>7}")
            lines.append(f"{item['name']:<14} {label:<14} {'alpha (all annotators)':<24} "
                         f"{'':>5} {_fmt(f['alpha']):>7}")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
