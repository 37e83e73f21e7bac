"""A calibrated combination of the claim scores, for ``bench/quality.py`` (issue 27).

The check-worthiness model (:mod:`annotator.suggest.checkworthy`) and the claim rules
(:mod:`annotator.suggest.claims`) each score a unit. :func:`ranking_features` puts a
unit into numbers: the model's margin over its own threshold and the rules' margin over
``MIN_SCORE``, both in log-odds, and one flag per cue that fired. A logistic regression
on these (:func:`fit_logistic`: Newton steps with a small L2 penalty, numpy) gives a
calibrated probability that the unit is check-worthy. Fit leaving one held-out debate
out at a time, it ranked no better than the suggester's plain average of the two margins
(docs/quality.md), so no coefficients ship: this stays a measurement.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

#: The cues a flag is made for (the rules' cue names, see ``CUE_WEIGHTS``).
_CUES = ("reporting_verb", "according_to", "passive_reporting", "reportedly",
         "direct_quote", "continued_quote", "statistic", "number", "digits", "date",
         "named", "named_subject", "passive", "existential", "past_time", "past_action",
         "on_record", "trend", "main_trend", "comparative", "superlative", "universal",
         "not_one", "measure", "causal", "long", "third_person", "prediction", "promise",
         "opinion", "normative", "question", "conditional", "imperative", "speaker_self",
         "fragment", "evaluative", "hedge")
FEATURES: tuple[str, ...] = ("model_margin", "rules_margin", *(f"cue:{c}" for c in _CUES))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def ranking_features(probability: float, threshold: float, cues: Sequence[str]
                     ) -> list[float]:
    """The numbers the regression reads for a unit (in the order of :data:`FEATURES`)."""
    from annotator.suggest.claims import BIAS, CUE_WEIGHTS, MIN_SCORE

    rules = BIAS + sum(CUE_WEIGHTS.get(c, 0.0) for c in cues) - _logit(MIN_SCORE)
    fired = set(cues)
    return [_logit(probability) - _logit(threshold), rules,
            *(1.0 if c in fired else 0.0 for c in _CUES)]


def fit_logistic(x: Any, y: Any, l2: float = 1.0, steps: int = 50) -> Any:
    """Coefficients ``[bias, w...]`` of a logistic regression of ``y`` (0/1) on the rows
    of ``x``, by Newton steps with an L2 penalty ``l2`` on the weights (not the bias)."""
    import numpy as np

    a = np.hstack([np.ones((x.shape[0], 1)), x])
    w = np.zeros(a.shape[1])
    penalty = np.full(a.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) + penalty * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w
