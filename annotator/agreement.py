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
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from operator import itemgetter
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
# The cut: a line break, or a sentence end with any closing quotes or brackets, then
# the whole run of spaces after it. Each alternative starts with one of a few
# characters, so the regex engine scans for them in C (a pattern starting with a
# lookbehind or `\s*` is tried at every position: 4x slower over the bench corpus);
# the cuts are the ends of the same whitespace runs either way.
_SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=\n)\s*|[\"'”’»)\]]*(\s+))")


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as ``(start, end)`` code-point ranges (see the module
    docstring), without surrounding spaces."""
    out: list[tuple[int, int]] = []
    append = out.append
    last = len(text) - len(text.lstrip())
    for match in _SENTENCE_END.finditer(text):
        end = match.start(1)  # after the closing quotes (closing quotes stay)
        if end < 0:  # a line break: the spaces before it go
            end = last + len(text[last:match.start()].rstrip())
        if end > last:
            append((last, end))
        last = match.end()  # a whole run of spaces: the next sentence starts after it
    end = last + len(text[last:].rstrip())
    if end > last:
        append((last, end))
    return out


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


def alpha(unanimous: Counter[int],
          mixed: Sequence[Sequence[int]] | Sequence[Array] | npt.NDArray[Any],
          n_values: int) -> float | None:
    """Krippendorff's α (nominal) by the ``krippendorff`` package, from units given as
    value counts: ``unanimous[v]``, the number of values ``v`` given in units where every
    annotator gave ``v``; ``mixed``, one row of counts per unit where they differ (or
    an array of such rows).

    Units where all agree are summed into one row per value: a unit of ``m`` equal
    values adds exactly ``m`` to that value's coincidence (m·m − m over m − 1), as one
    unit of ``Σm`` equal values does, so α is unchanged while a corpus of millions of
    tokens becomes a few rows (the package builds a units × values × values array).
    ``None`` where α is undefined (fewer than two values in all)."""
    import krippendorff

    head = [[count if v == value else 0 for v in range(n_values)]
            for value, count in sorted(unanimous.items()) if count >= 2]
    tail = np.asarray(mixed, dtype=np.float64).reshape(-1, n_values)
    if not head and not len(tail):
        return None
    counts = np.vstack([np.array(head, dtype=np.float64).reshape(-1, n_values), tail])
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
    and cached when the project can be written). ``on_progress(done, total)``.

    Computed a batch of documents at a time: each annotator's unit values of the whole
    batch in one array, so that κ's confusion and α's tallies are a few array
    operations per batch, not per document; memory holds one batch and the units on
    which the annotators differ (for α), whatever the number of documents."""
    if layer not in LAYER_UNITS:
        raise ValueError(f"layer must be entity or claim, not {layer!r}")
    shared = store.shared_done()
    annotators = sorted({name for names in shared.values() for name in names})
    scheme = [x.name for x in store.label_scheme().for_layer(layer)]
    doc_ids = sorted(shared)
    cache = TokenCache(store) if layer == "entity" else None
    pairs = {(a, b): PairAgreement(a, b) for a, b in combinations(annotators, 2)}
    labels = list(scheme)
    codes = {name: i + 1 for i, name in enumerate(labels)}  # a unit's value: 0, none
    f1: dict[tuple[str, str], dict[str, list[int]]] = {key: {} for key in pairs}
    tally = _AlphaTally()
    units = 0
    for i in range(0, len(doc_ids), BATCH):
        batch = doc_ids[i:i + BATCH]
        # entities: the cached token starts, and no text unless not cached
        docs = store.document_texts(batch) if cache is None else {}
        spans, claims, by_id, seen = _batch_spans(store, batch, layer)
        for label in seen:
            if label not in codes:
                labels.append(label)
                codes[label] = len(labels)
        if cache is not None:
            starts_of = cache.starts_by_id(batch, store.document_texts)
            bounds_of: dict[int, list[tuple[int, int]]] = {}
            sizes = [len(starts_of[doc_id]) for doc_id in batch]
        else:
            bounds_of = {doc_id: sentences(docs[doc_id]) for doc_id in batch}
            sizes = [len(bounds_of[doc_id]) for doc_id in batch]
        # values[r, u]: unit u's value from the r-th annotator of its document
        width = max(len(shared[doc_id]) for doc_id in batch)
        values = np.zeros((width, sum(sizes)), dtype=np.int64)
        segments: dict[tuple[str, str], list[tuple[int, int, int, int]]] = {}
        offset = 0
        for doc_id, size in zip(batch, sizes, strict=True):
            names = shared[doc_id]
            if size:
                for row, name in enumerate(names):
                    _paint(values[row, offset:offset + size], spans.get((doc_id, name), []),
                           codes, starts_of[doc_id] if cache is not None else None,
                           bounds_of.get(doc_id, []))
            for (ra, a), (rb, b) in combinations(enumerate(names), 2):
                pair = pairs[(a, b)]
                pair.documents += 1
                pair.units += size
                segments.setdefault((a, b), []).append((offset, size, ra, rb))
                _add_f1(f1[(a, b)], spans.get((doc_id, a), []), spans.get((doc_id, b), []))
                if layer == "claim":
                    _add_claimants(pair, claims.get((doc_id, a), []),
                                   claims.get((doc_id, b), []), docs[doc_id], by_id)
            offset += size
        n_values = len(labels) + 1
        for key, parts in segments.items():
            _add_confusion(pairs[key], values, parts, n_values)
        tally.add(values, [len(shared[doc_id]) for doc_id in batch], sizes, n_values)
        units += offset
        if on_progress is not None:
            on_progress(min(i + BATCH, len(doc_ids)), len(doc_ids))
    for key, pair in pairs.items():
        pair.spans = {label: Counter(dict(zip(_F1_KEYS, counts, strict=True)))
                      for label, counts in f1[key].items()}
    used = [x for x in labels if any(x in p.spans for p in pairs.values())]
    result = Agreement(layer, annotators, used, len(doc_ids), units, list(pairs.values()),
                       {})
    _alphas(result, tally, labels)
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


Bounds = tuple[int, int, str]  # a span's start, end and label


def _batch_spans(store: Store, batch: list[int], layer: str
                 ) -> tuple[dict[tuple[int, str], list[Bounds]],
                            dict[tuple[int, str], list[Span]], dict[int, Span], list[str]]:
    """The accepted spans of ``layer`` in the annotators' sets of ``batch``, by document
    and set, in the store's order: their bounds; for claims also the spans, and the
    spans their claimants link to (accepted, in an annotator's set of the batch; others
    count as unlinked), by id; and the spans' labels in the order the store gives them
    (the labels' order in the figures)."""
    bounds: dict[tuple[int, str], list[Bounds]] = {}
    claims: dict[tuple[int, str], list[Span]] = {}
    seen: dict[str, None] = {}
    by_id: dict[int, Span] = {}
    if layer != "claim":
        for doc_id, name, start, end, label in store.decided_span_bounds(batch, layer):
            bounds.setdefault((doc_id, name), []).append((start, end, label))
            seen[label] = None
        return bounds, claims, by_id, list(seen)
    for doc_id, name, span in store.decided_spans(batch, layer):
        claims.setdefault((doc_id, name), []).append(span)
        bounds.setdefault((doc_id, name), []).append((span.start, span.end, span.label))
        seen[span.label] = None
    linked = sorted({s.claim.claimant_span_id for doc_spans in claims.values()
                     for s in doc_spans
                     if s.claim is not None and s.claim.claimant_span_id is not None})
    for k in range(0, len(linked), BATCH):
        for _, _, span in store.decided_spans(batch, span_ids=linked[k:k + BATCH]):
            if span.id is not None:
                by_id[span.id] = span
    return bounds, claims, by_id, list(seen)


def _paint(values: Array, spans: list[Bounds], codes: dict[str, int],
           starts: Sequence[int] | None, in_sentences: list[tuple[int, int]]) -> None:
    """Each unit's value (``values``, one document's units of one annotator, zeros):
    0 for none, else the label's code. Tokens: the label of the last span (in start
    order, longer first) touching them. Sentences: the label of the first claim that
    overlaps them."""
    ordered = sorted(spans, key=lambda s: (s[0], -s[1]))
    if starts is not None:
        for start, end, label in ordered:
            first, last = token_range(starts, start, end)
            values[first:last + 1] = codes[label]
        return
    for start, end, label in ordered:
        # the sentences it overlaps: those ending after its start, starting before its end
        part = values[bisect_right(in_sentences, start, key=_END):
                      bisect_left(in_sentences, end, key=_START)]
        part[part == 0] = codes[label]


_START, _END = itemgetter(0), itemgetter(1)
_F1_KEYS = ("a_spans", "b_spans", "exact", "a_overlap", "b_overlap")


def _add_f1(counts: dict[str, list[int]], a: list[Bounds], b: list[Bounds]) -> None:
    """Add one document's :func:`span_f1` counts, per label and for :data:`ALL` (the sum
    over the labels: a span only matches or overlaps one of the same label)."""
    total = counts.setdefault(ALL, [0, 0, 0, 0, 0])
    a_set, b_set = set(a), set(b)
    if a_set == b_set and all(s[0] < s[1] for s in a_set):
        # the same spans (most documents): each matches and overlaps itself
        for label, n in Counter(s[2] for s in a_set).items():
            found: tuple[int, ...] = (n,) * 5
            _add_counts(counts, total, label, found)
        return
    a_by: dict[str, set[tuple[int, int]]] = {}
    b_by: dict[str, set[tuple[int, int]]] = {}
    for start, end, label in a_set:
        a_by.setdefault(label, set()).add((start, end))
    for start, end, label in b_set:
        b_by.setdefault(label, set()).add((start, end))
    for label in a_by.keys() | b_by.keys():
        xs, ys = a_by.get(label, set()), b_by.get(label, set())
        found = (len(xs), len(ys), len(xs & ys),
                 sum(1 for s in xs if any(s[0] < t[1] and t[0] < s[1] for t in ys)),
                 sum(1 for t in ys if any(s[0] < t[1] and t[0] < s[1] for s in xs)))
        _add_counts(counts, total, label, found)


def _add_counts(counts: dict[str, list[int]], total: list[int], label: str,
                found: tuple[int, ...]) -> None:
    if label != ALL:  # a label named "all" is the whole, as span_f1's filter has it
        mine = counts.setdefault(label, [0, 0, 0, 0, 0])
        for k in range(5):
            mine[k] += found[k]
    for k in range(5):
        total[k] += found[k]


def _add_claimants(pair: PairAgreement, a: list[Span], b: list[Span], text: str,
                   by_id: dict[int, Span]) -> None:
    for x, y in pair_claims(a, b):
        pair.claimant_pairs += 1
        if normalise(claimant_text(x, text, by_id)) == normalise(claimant_text(y, text, by_id)):
            pair.claimant_agree += 1


def _add_confusion(pair: PairAgreement, values: Array,
                   parts: list[tuple[int, int, int, int]], n_values: int) -> None:
    """Add the confusion of a batch's documents the pair shares: ``parts``, each
    ``(offset, units, row of a, row of b)`` in ``values``."""
    offsets, sizes, rows_a, rows_b = (np.array(x, dtype=np.int64) for x in zip(*parts,
                                                                                strict=True))
    # the units' columns: each part's offset, counted up over its units
    columns = np.repeat(offsets - (np.cumsum(sizes) - sizes), sizes) + \
        np.arange(int(sizes.sum()))
    va = values[np.repeat(rows_a, sizes), columns]
    vb = values[np.repeat(rows_b, sizes), columns]
    size = max(n_values, 1)
    confusion = np.bincount(va * size + vb, minlength=size * size).reshape(size, size)
    if pair.confusion is None:
        pair.confusion = confusion
        return
    if pair.confusion.shape[0] < size:  # a label first seen in this batch
        grown = np.zeros((size, size), dtype=np.int64)
        old = pair.confusion.shape[0]
        grown[:old, :old] = pair.confusion
        pair.confusion = grown
    pair.confusion += confusion


class _AlphaTally:
    """What α needs of every unit, added a batch at a time (see :func:`alpha`): the
    units where all agree as value counts, and one row of value counts per unit where
    they differ, in document and unit order."""

    def __init__(self) -> None:
        self.unanimous: Counter[int] = Counter()
        self.mixed: list[Array] = []

    def add(self, values: Array, annotators: list[int], sizes: list[int],
            n_values: int) -> None:
        """``values`` as in :func:`agreement` (rows past a document's ``annotators``
        are not theirs), ``sizes`` the units of each document."""
        if not values.shape[1]:
            return
        per_unit = np.repeat(np.array(annotators, dtype=np.int64), sizes)
        present = np.arange(values.shape[0])[:, None] < per_unit[None, :]
        same = ((values == values[0]) | ~present).all(axis=0)
        found = np.bincount(values[0][same], weights=per_unit[same], minlength=n_values)
        for value in np.flatnonzero(found):
            self.unanimous[int(value)] += int(found[value])
        columns = np.flatnonzero(~same)
        if not len(columns):
            return
        counts = np.zeros((len(columns), n_values), dtype=np.int64)
        index = np.arange(len(columns))
        for row in range(values.shape[0]):
            counts[index, values[row, columns]] += present[row, columns]
        self.mixed.append(counts)

    def rows(self, n_values: int) -> Array:
        """The mixed units' counts, ``n_values`` columns wide."""
        out = np.zeros((sum(len(m) for m in self.mixed), n_values), dtype=np.int64)
        at = 0
        for block in self.mixed:
            out[at:at + len(block), :block.shape[1]] = block
            at += len(block)
        return out


def _alphas(result: Agreement, tally: _AlphaTally, labels: list[str]) -> None:
    n_values = len(labels) + 1
    unanimous = tally.unanimous
    mixed = tally.rows(n_values)
    result.alpha[ALL] = alpha(unanimous, mixed, n_values)
    totals = mixed.sum(axis=1)
    for label in result.labels:
        code = labels.index(label) + 1
        b_unanimous: Counter[int] = Counter()
        for value, count in unanimous.items():
            b_unanimous[1 if value == code else 0] += count
        yes = mixed[:, code]
        none, every = yes == 0, (yes == totals) & (yes != 0)
        if none.any():
            b_unanimous[0] += int(totals[none].sum())
        if every.any():
            b_unanimous[1] += int(totals[every].sum())
        split = ~(none | every)
        result.alpha[label] = alpha(b_unanimous, np.stack(
            [totals[split] - yes[split], yes[split]], axis=1), 2)


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
