"""Agreement between annotators, on the documents they share.

A document is *shared* by the annotators who marked it done in their own files (two or
more of them; see :mod:`annotator.teams`). Only accepted spans count. For each pair of
annotators, on the documents both did, and for each label and all labels together:

- **span F1, exact**: ``2·M / (|A| + |B|)``, ``M`` the spans both made with the same
  offsets and label (symmetric: neither annotator is the reference);
- **span F1, overlap**: precision ``|B spans overlapping an A span of the same label| /
  |B|``, recall the same from A, and their harmonic mean (lenient: a span split in two
  by the other annotator still matches);
- **Cohen's κ** on units: for entities the tokens of the project tokenizer
  (:mod:`annotator.tokens`, read from the token cache), each labelled with the entity
  covering it or ``O``; for claims the sentences, labelled with the claim label or
  "no claim". κ = (p_o − p_e) / (1 − p_e) with p_e from each annotator's own label
  frequencies; per label on "this label or not". Undefined (``None``) when both used one
  value for every unit.
- for claims, **claimant agreement**: claims both marked (paired one to one by the
  largest overlap), the share whose claimant is the same words (linked entity or free
  text, any case).

And across all annotators, **Krippendorff's α** (nominal) on the same units, an
annotator who did not do a document counting as missing, computed by the
``krippendorff`` package (:func:`alpha`).

Sentences are cut by one plain rule, the same for everyone: after ``. ! ? …`` (and any
closing quotes or brackets) before a space, and at line breaks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import TeamError
from .model import Span
from .store import Store
from .teams import claimant_text, normalise
from .tokens import TokenCache, token_range

LAYER_UNITS = {"entity": "tokens", "claim": "sentences"}
ALL = "all"
BATCH = 500  # documents read together

Array = npt.NDArray[np.int64]
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+|\s*\n\s*")


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as ``(start, end)`` code-point ranges (see the module
    docstring), without surrounding spaces."""
    out: list[tuple[int, int]] = []
    last = 0
    for match in _SENTENCE_END.finditer(text):
        _add_piece(text, last, match.end(), out)  # closing quotes stay, spaces go
        last = match.end()
    _add_piece(text, last, len(text), out)
    return out


def _add_piece(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append((start, end))


# --- the figures ---------------------------------------------------------------------


def cohen_kappa(confusion: npt.NDArray[Any]) -> float | None:
    """Cohen's κ of a square confusion matrix (rows: one annotator's values, columns:
    the other's); ``None`` where chance agreement is 1 (one value throughout)."""
    total = float(confusion.sum())
    if total == 0:
        return None
    observed = float(np.trace(confusion)) / total
    expected = float((confusion.sum(axis=1) / total) @ (confusion.sum(axis=0) / total))
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def binary_confusion(confusion: npt.NDArray[Any], value: int) -> npt.NDArray[Any]:
    """The 2×2 confusion of "``value`` or not" taken from a multi-value one."""
    both = confusion[value, value]
    a_only = confusion[value, :].sum() - both
    b_only = confusion[:, value].sum() - both
    neither = confusion.sum() - both - a_only - b_only
    return np.array([[neither, b_only], [a_only, both]])


def alpha(unanimous: Counter[int], mixed: Sequence[Sequence[int]] | Sequence[Array],
          n_values: int) -> float | None:
    """Krippendorff's α (nominal) by the ``krippendorff`` package, from units given as
    value counts: ``unanimous[v]``, the number of values ``v`` given in units where every
    annotator gave ``v``; ``mixed``, one row of counts per unit where they differ.

    Units where all agree are summed into one row per value: a unit of ``m`` equal
    values adds exactly ``m`` to that value's coincidence (m·m − m over m − 1), as one
    unit of ``Σm`` equal values does, so α is unchanged while a corpus of millions of
    tokens becomes a few rows (the package builds a units × values × values array).
    ``None`` where α is undefined (fewer than two values in all)."""
    import krippendorff

    rows = [[count if v == value else 0 for v in range(n_values)]
            for value, count in sorted(unanimous.items()) if count >= 2]
    rows += [list(r) for r in mixed]
    if not rows:
        return None
    counts = np.array(rows, dtype=np.float64)
    used = counts.sum(axis=0) > 0
    if used.sum() < 2:
        return None
    try:
        return float(krippendorff.alpha(value_counts=counts[:, used],
                                         level_of_measurement="nominal"))
    except (ValueError, ZeroDivisionError):
        return None


def span_f1(a: Iterable[tuple[int, int, str]], b: Iterable[tuple[int, int, str]]
            ) -> dict[str, int]:
    """Counts for the span F1s of one document: ``a``/``b`` spans, ``exact`` (same
    offsets and label), ``a_overlap``/``b_overlap`` (spans of one overlapping a span of
    the same label of the other)."""
    a, b = sorted(set(a)), sorted(set(b))
    b_set = set(b)
    exact = sum(1 for s in a if s in b_set)
    a_overlap = sum(1 for s in a if any(_touch(s, t) for t in b))
    b_overlap = sum(1 for t in b if any(_touch(s, t) for s in a))
    return {"a_spans": len(a), "b_spans": len(b), "exact": exact,
            "a_overlap": a_overlap, "b_overlap": b_overlap}


def _touch(s: tuple[int, int, str], t: tuple[int, int, str]) -> bool:
    return s[2] == t[2] and s[0] < t[1] and t[0] < s[1]


def f1_figures(counts: Counter[str]) -> dict[str, float | None]:
    """F1 exact and overlap from summed :func:`span_f1` counts."""
    a, b = counts["a_spans"], counts["b_spans"]
    exact = 2 * counts["exact"] / (a + b) if a + b else None
    overlap = None
    if a and b:
        precision, recall = counts["b_overlap"] / b, counts["a_overlap"] / a
        overlap = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    elif a + b:
        overlap = 0.0
    return {"f1_exact": exact, "f1_overlap": overlap}


def pair_claims(a: list[Span], b: list[Span]) -> list[tuple[Span, Span]]:
    """Claims both marked: paired one to one, the largest overlaps first."""
    candidates = sorted(
        ((min(x.end, y.end) - max(x.start, y.start), -x.start, -y.start, i, j)
         for i, x in enumerate(a) for j, y in enumerate(b) if x.overlaps(y.start, y.end)),
        reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for *_, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((a[i], b[j]))
    return pairs


# --- over a project --------------------------------------------------------------------


@dataclass
class PairAgreement:
    """One pair's figures: by label (and ``all``), and for claims the claimant."""

    a: str
    b: str
    documents: int = 0
    units: int = 0
    spans: dict[str, Counter[str]] = field(default_factory=dict)
    confusion: npt.NDArray[Any] | None = None
    claimant_pairs: int = 0
    claimant_agree: int = 0

    def figures(self, label: str, labels: list[str]) -> dict[str, Any]:
        counts = self.spans.get(label, Counter())
        out: dict[str, Any] = {"a_spans": counts["a_spans"], "b_spans": counts["b_spans"],
                               "exact_matches": counts["exact"], **f1_figures(counts)}
        kappa = None
        if self.confusion is not None:
            matrix = self.confusion if label == ALL else \
                binary_confusion(self.confusion, labels.index(label) + 1)
            kappa = cohen_kappa(matrix)
        out["kappa"] = kappa
        return out


@dataclass
class Agreement:
    """The agreement of a team project's annotators on one layer (see the module
    docstring); :meth:`as_dict` is what ``annotator agreement --json`` prints."""

    layer: str
    annotators: list[str]
    labels: list[str]
    documents: int
    units: int
    pairs: list[PairAgreement]
    alpha: dict[str, float | None]

    def as_dict(self, label: str | None = None) -> dict[str, Any]:
        """The figures, of every label or of ``label`` alone (:data:`ALL` or one the
        shared documents hold, else :class:`~annotator.errors.TeamError`)."""
        if label is not None and label not in (ALL, *self.labels):
            raise TeamError(f"no {self.layer} label {label!r} in the shared documents "
                            f"({', '.join(self.labels) or 'none'})")
        shown = [label] if label else [ALL, *self.labels]
        pairs = []
        for p in self.pairs:
            item: dict[str, Any] = {
                "a": p.a, "b": p.b, "documents": p.documents, "units": p.units,
                "labels": {name: p.figures(name, self.labels) for name in shown}}
            if self.layer == "claim":
                item["claimant"] = {
                    "pairs": p.claimant_pairs, "agree": p.claimant_agree,
                    "agreement": p.claimant_agree / p.claimant_pairs
                    if p.claimant_pairs else None}
            pairs.append(item)
        return {"layer": self.layer, "units": LAYER_UNITS[self.layer],
                "annotators": self.annotators, "labels": self.labels,
                "documents": self.documents, "unit_count": self.units, "pairs": pairs,
                "alpha": {name: self.alpha.get(name) for name in shown}}

    def matrix(self, measure: str, label: str = ALL) -> list[list[float | None]]:
        """Annotator × annotator of one figure (``f1_exact``, ``f1_overlap``, ``kappa``,
        ``claimant``), symmetric, ``None`` on the diagonal and where undefined."""
        index = {name: i for i, name in enumerate(self.annotators)}
        size = len(self.annotators)
        grid: list[list[float | None]] = [[None] * size for _ in range(size)]
        for p in self.pairs:
            if measure == "claimant":
                value = p.claimant_agree / p.claimant_pairs if p.claimant_pairs else None
            else:
                value = p.figures(label, self.labels)[measure]
            grid[index[p.a]][index[p.b]] = grid[index[p.b]][index[p.a]] = value
        return grid


def agreement(store: Store, layer: str = "entity",
              on_progress: Callable[[int, int], None] | None = None) -> Agreement:
    """The agreement of the project's annotators on ``layer`` (see the module
    docstring). Reads the token cache (documents without cached tokens are tokenised,
    and cached when the project can be written). ``on_progress(done, total)``."""
    if layer not in LAYER_UNITS:
        raise ValueError(f"layer must be entity or claim, not {layer!r}")
    shared = store.shared_done()
    annotators = sorted({name for names in shared.values() for name in names})
    scheme = [x.name for x in store.label_scheme().for_layer(layer)]
    doc_ids = sorted(shared)
    cache = TokenCache(store) if layer == "entity" else None
    pairs = {(a, b): PairAgreement(a, b) for a, b in combinations(annotators, 2)}
    labels = list(scheme)
    per_doc: list[tuple[list[str], dict[str, Array]]] = []
    units = 0
    for i in range(0, len(doc_ids), BATCH):
        batch = doc_ids[i:i + BATCH]
        docs = {d.id: d.text for d in store.iter_documents(ids=batch)}
        spans: dict[tuple[int, str], list[Span]] = {}
        by_id: dict[int, Span] = {}
        for doc_id, name, span in store.decided_spans(batch):
            if span.id is not None:
                by_id[span.id] = span
            if span.layer == layer:
                spans.setdefault((doc_id, name), []).append(span)
                if span.label not in labels:
                    labels.append(span.label)
        if cache is not None:
            starts_of = cache.starts([(doc_id, docs[doc_id]) for doc_id in batch])
        for doc_id in batch:
            text = docs[doc_id]
            names = shared[doc_id]
            if cache is not None:
                starts: Sequence[int] = starts_of[doc_id]
                bounds = None
            else:
                bounds = sentences(text)
                starts = [s for s, _ in bounds]
            values = {name: _unit_values(spans.get((doc_id, name), []), starts, bounds,
                                         len(starts), labels) for name in names}
            units += len(starts)
            per_doc.append((names, values))
            for a, b in combinations(names, 2):
                _add_pair(pairs[(a, b)], spans.get((doc_id, a), []),
                          spans.get((doc_id, b), []), values[a], values[b], len(labels) + 1,
                          text, by_id, layer)
        if on_progress is not None:
            on_progress(min(i + BATCH, len(doc_ids)), len(doc_ids))
    used = [x for x in labels if any(x in p.spans for p in pairs.values())]
    result = Agreement(layer, annotators, used, len(doc_ids), units, list(pairs.values()),
                       {})
    _alphas(result, per_doc, labels)
    # κ matrices are indexed by the full label list; keep it for the figures.
    result.labels = used
    keep = [0] + [labels.index(x) + 1 for x in used]
    for p in result.pairs:
        if p.confusion is not None:
            full = np.zeros((len(labels) + 1, len(labels) + 1), dtype=np.int64)
            size = p.confusion.shape[0]
            full[:size, :size] = p.confusion
            p.confusion = full[np.ix_(keep, keep)]
    return result


def _unit_values(spans: list[Span], starts: Sequence[int],
                 bounds: list[tuple[int, int]] | None, n_units: int, labels: list[str]
                 ) -> Array:
    """Each unit's value: 0 for none, else 1 + the label's index."""
    values = np.zeros(n_units, dtype=np.int64)
    if not n_units:
        return values
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        code = labels.index(span.label) + 1
        if bounds is None:  # tokens: every token the span touches
            first, last = token_range(starts, span.start, span.end)
            values[first:last + 1] = code
        else:  # sentences: the first claim that overlaps it
            for j, (start, end) in enumerate(bounds):
                if start >= span.end:
                    break
                if end > span.start and values[j] == 0:
                    values[j] = code
    return values


def _add_pair(pair: PairAgreement, a: list[Span], b: list[Span], va: Array, vb: Array,
              n_values: int, text: str, by_id: dict[int, Span], layer: str) -> None:
    pair.documents += 1
    pair.units += len(va)
    size = max(n_values, 1)
    confusion = np.bincount(va * size + vb, minlength=size * size).reshape(size, size)
    if pair.confusion is None:
        pair.confusion = confusion
    else:
        if pair.confusion.shape[0] < size:  # a label first seen in this batch
            grown = np.zeros((size, size), dtype=np.int64)
            old = pair.confusion.shape[0]
            grown[:old, :old] = pair.confusion
            pair.confusion = grown
        pair.confusion += confusion
    for label in {s.label for s in a} | {s.label for s in b} | {ALL}:
        counts = span_f1([(s.start, s.end, s.label) for s in a if label in (ALL, s.label)],
                         [(s.start, s.end, s.label) for s in b if label in (ALL, s.label)])
        pair.spans.setdefault(label, Counter()).update(counts)
    if layer == "claim":
        for x, y in pair_claims(a, b):
            pair.claimant_pairs += 1
            if normalise(claimant_text(x, text, by_id)) == normalise(
                    claimant_text(y, text, by_id)):
                pair.claimant_agree += 1


def _alphas(result: Agreement, per_doc: list[tuple[list[str], dict[str, Array]]],
            labels: list[str]) -> None:
    n_values = len(labels) + 1
    unanimous: Counter[int] = Counter()
    mixed: list[Array] = []
    for names, values in per_doc:
        if not names or not len(values[names[0]]):
            continue
        stacked = np.stack([values[n] for n in names])
        same = (stacked == stacked[0]).all(axis=0)
        for value, count in zip(*np.unique(stacked[0][same], return_counts=True),
                                strict=True):
            unanimous[int(value)] += int(count) * len(names)
        for column in stacked[:, ~same].T:
            mixed.append(np.bincount(column, minlength=n_values))
    result.alpha[ALL] = alpha(unanimous, mixed, n_values)
    for label in result.labels:
        code = labels.index(label) + 1
        b_unanimous: Counter[int] = Counter()
        for value, count in unanimous.items():
            b_unanimous[1 if value == code else 0] += count
        b_mixed = []
        for row in mixed:
            yes, total = int(row[code]), int(row.sum())
            if yes in (0, total):
                b_unanimous[1 if yes else 0] += total
            else:
                b_mixed.append([total - yes, yes])
        result.alpha[label] = alpha(b_unanimous, b_mixed, 2)


def render(result: Agreement, label: str | None = None) -> str:
    """A text table of :meth:`Agreement.as_dict` (what ``annotator agreement`` prints)."""
    data = result.as_dict(label)
    if not result.pairs:
        return (f"no {result.layer} agreement: no document was marked done by two or more "
                "annotators (merge their files, with `annotator merge`, first)")
    lines = [f"{result.layer} agreement on {data['documents']} shared document(s), "
             f"{data['unit_count']} {data['units']}; annotators: "
             f"{', '.join(result.annotators)}"]
    header = f"{'pair':<22} {'label':<12} {'docs':>5} {'A':>5} {'B':>5} {'F1 exact':>9} " \
             f"{'F1 overlap':>10} {'kappa':>7}"
    if result.layer == "claim":
        header += f" {'claimant':>9}"
    lines.append(header)
    for item in data["pairs"]:
        for name, f in item["labels"].items():
            row = (f"{item['a'] + ' / ' + item['b']:<22} {name:<12} {item['documents']:>5} "
                   f"{f['a_spans']:>5} {f['b_spans']:>5} {_fmt(f['f1_exact']):>9} "
                   f"{_fmt(f['f1_overlap']):>10} {_fmt(f['kappa']):>7}")
            if result.layer == "claim":
                row += f" {_fmt(item['claimant']['agreement']) if name == ALL else '':>9}"
            lines.append(row)
    alphas = ", ".join(f"{name} {_fmt(v)}" for name, v in data["alpha"].items())
    lines.append(f"Krippendorff's alpha across all annotators: {alphas}")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
