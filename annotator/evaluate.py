"""How good are the suggestions? (work in progress)"""

from __future__ import annotations

from collections.abc import Sequence


def prf(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 of ``predicted`` against ``gold`` (item by item)."""
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p and not g)
    fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g and not p)
    return _prf(tp, fp, fn)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"P": p, "R": r, "F1": f}


def average_precision(gold: Sequence[bool], scores: Sequence[float | None]) -> float:
    """Average precision of the ranking by ``scores`` (``None`` ranks last)."""
    ranked = sorted(((float("-inf") if s is None else s, g) for s, g in
                     zip(scores, gold, strict=True)), key=lambda x: -x[0])
    total = sum(gold)
    if not total:
        return 0.0
    ap = 0.0
    tp = seen = 0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        group_tp = sum(1 for _, g in ranked[i:j] if g)
        tp += group_tp
        seen += j - i
        ap += (group_tp / total) * (tp / seen)
        i = j
    return ap
