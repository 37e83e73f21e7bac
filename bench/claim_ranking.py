"""A calibrated combination of the claim scores, for ``bench/quality.py`` (issue 27).

The check-worthiness model (:mod:`annotator.suggest.checkworthy`) and the claim rules
(:mod:`annotator.suggest.claims`) each score a unit. :func:`ranking_features` puts a
unit into numbers: the model's margin over its own threshold and the rules' margin over
``MIN_SCORE``, both in log-odds, and one flag per cue that fired. A logistic regression
on these (:func:`fit_logistic`: Newton steps with a small L2 penalty, numpy) gives a
calibrated probability that the unit is check-worthy. Fit leaving one held-out debate
out at a time, it ranked no better than the suggester's plain average of the two margins
(docs/quality.md), so no coefficients ship: this stays a measurement.

``python -m bench.claim_ranking [--cache FILE] [--variant NAME]`` goes one step back, to
the model itself (:func:`compare_models`): each classifier of :data:`VARIANTS` (bags of
words of other shapes, exclusive classes, the previous unit as context, spaCy's CNN
ensemble) and the :data:`BLENDS` of two, trained on the training debates as ``annotator
train`` trains the shipped one (:func:`train_variant`), every threshold and regression
chosen on the training side (:func:`dev_split`), measured on the held-out debates alone
and with the rules (:func:`combinations`, :func:`sentence_figures`). None beat the
shipped model by more than noise (docs/quality.md, "Ranking the claims").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
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


def best_f1(gold: Sequence[bool], scores: Sequence[float | None]) -> tuple[float, float]:
    """The best F1 over all thresholds of ``scores`` (``None``: never suggested), and the
    threshold that gives it."""
    pairs = sorted(((s, g) for s, g in zip(scores, gold, strict=True) if s is not None),
                   key=lambda x: -x[0])
    total = sum(1 for g in gold if g)
    best, at, tp, k = 0.0, 1.0, 0, 0
    while k < len(pairs):
        j = k
        while j < len(pairs) and pairs[j][0] == pairs[k][0]:
            tp += pairs[j][1]
            j += 1
        p, r = tp / j, tp / total if total else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        if f > best:
            best, at = f, pairs[k][0]
        k = j
    return best, at


# --- the check-worthiness model itself: variants trained on the training debates -----

def collect_units(cache: Path | None = None, batch_size: int = 16) -> dict[str, Any]:
    """Every protocol document of the 33 debates parsed once, its claim units (the
    rules' candidates) with their features, cues, rule score and label (a check-worthy
    sentence counts for the unit, as ``bench.protocol.sentence_scores`` counts it), and
    each document's sentences and verdicts. Pickled to ``cache`` (read back if there)."""
    import pickle

    if cache is not None and cache.exists():
        with open(cache, "rb") as fh:
            loaded: dict[str, Any] = pickle.load(fh)
        return loaded
    from annotator.suggest.claims import claim_candidates
    from annotator.suggest.entities import suggest_entities
    from annotator.suggest.runner import load_pipeline
    from annotator.train.data import counts_for
    from bench.protocol import protocol_documents

    docs = protocol_documents()
    nlp = load_pipeline()
    units: list[dict[str, Any]] = []
    for n, (doc, pd) in enumerate(zip(nlp.pipe((d.text for d in docs), batch_size=batch_size),
                                      docs, strict=True)):
        positives = [s for s, v in zip(pd.sentences, pd.verdicts, strict=True) if v == 1]
        for c in claim_candidates(doc, suggest_entities(doc)):
            claim = c.claim
            units.append({"debate": pd.debate, "doc": n, "span": (claim.start, claim.end),
                          "features": list(c.features), "cues": list(claim.cues),
                          "rules": claim.score,
                          "label": any(counts_for(a, b, claim.start, claim.end)
                                       for a, b in positives)})
    out = {"units": units, "documents": [
        {"debate": d.debate, "sentences": d.sentences, "verdicts": d.verdicts} for d in docs]}
    if cache is not None:
        with open(cache, "wb") as fh:
            pickle.dump(out, fh)
    return out


#: A bag of words (spaCy's TextCatBOW.v3) of the given n-gram size.
def _bow(ngram_size: int, exclusive: bool = False) -> dict[str, Any]:
    return {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": exclusive,
            "ngram_size": ngram_size, "no_output_layer": False, "length": 262144, "nO": None}


def _ensemble(width: int = 64) -> dict[str, Any]:
    """spaCy's TextCatEnsemble.v2: a small CNN over the tokens beside the bag of words."""
    return {"@architectures": "spacy.TextCatEnsemble.v2", "nO": None,
            "tok2vec": {"@architectures": "spacy.Tok2Vec.v2",
                        "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": width,
                                  "attrs": ["ORTH", "PREFIX", "SUFFIX", "SHAPE"],
                                  "rows": [5000, 1000, 2500, 500],
                                  "include_static_vectors": False},
                        "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2",
                                   "width": width, "window_size": 1, "maxout_pieces": 3,
                                   "depth": 2}},
            "linear_model": _bow(2)}


#: The variants :func:`compare_models` trains: (factory, model, features, epochs).
#: Features: ``unit`` the shipped ones (words and cue tokens), ``words`` the words only,
#: ``context`` the unit's and, marked, the previous unit's words.
VARIANTS: dict[str, tuple[str, dict[str, Any], str, int]] = {
    "BOW 1-2, multi-label (shipped architecture)": ("textcat_multilabel", _bow(2), "unit", 6),
    "BOW 1-2, exclusive classes": ("textcat", _bow(2, exclusive=True), "unit", 6),
    "BOW 1-3, multi-label": ("textcat_multilabel", _bow(3), "unit", 6),
    "BOW 1-2, words only (no cue tokens)": ("textcat_multilabel", _bow(2), "words", 6),
    "BOW 1-2, with the previous unit's words": ("textcat_multilabel", _bow(2), "context", 6),
    "Ensemble.v2 (CNN + BOW 1-2)": ("textcat_multilabel", _ensemble(), "unit", 4),
}
OTHER = "OTHER"


def _features(units: list[dict[str, Any]], kind: str) -> list[list[str]]:
    from annotator.suggest.claims import CUE_FEATURE

    cue_tokens = {CUE_FEATURE.format(c) for u in units for c in u["cues"]}
    out = []
    for k, u in enumerate(units):
        words = [f for f in u["features"] if f not in cue_tokens]
        if kind == "unit":
            out.append(list(u["features"]))
        elif kind == "words":
            out.append(words)
        else:
            prev = units[k - 1] if k and units[k - 1]["doc"] == u["doc"] else None
            before = [f"<{f}" for f in prev["features"] if f not in cue_tokens] if prev else []
            out.append(list(u["features"]) + before)
    return out


def train_variant(spec: tuple[str, dict[str, Any], str, int], train: list[dict[str, Any]],
                  dev: list[dict[str, Any]], seed: int = 0) -> Any:
    """A classifier trained as ``annotator train --layer claim`` trains the shipped one
    (:func:`annotator.train.run._train_claims`: same loop, dropout, evaluation and
    patience), but of the variant ``spec``; returns ``predict(units) -> probabilities``."""
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example
    from thinc.api import fix_random_seed

    from annotator.suggest.checkworthy import COMPONENT, EMPTY, LABEL
    from annotator.train.engine import train_component

    factory, model, kind, epochs = spec
    fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat: Any = nlp.add_pipe(factory, name=COMPONENT, config={"model": model})
    textcat.add_label(LABEL)
    if factory == "textcat":
        textcat.add_label(OTHER)

    def examples(units: list[dict[str, Any]]) -> list[Any]:
        out = []
        for words, u in zip(_features(units, kind), units, strict=True):
            doc = Doc(nlp.vocab, words=words or [EMPTY])
            ref = doc.copy()
            ref.cats = {LABEL: float(u["label"])}
            if factory == "textcat":
                ref.cats[OTHER] = 1.0 - float(u["label"])
            out.append(Example(doc, ref))
        return out

    train_ex, dev_ex = examples(train), examples(dev)
    words = sum(len(eg.predicted) for eg in train_ex)
    per_epoch = max(1, words // 600)
    eval_every = max(10, min(400, per_epoch // 2))
    train_component(nlp, COMPONENT, train_ex, dev_ex, score_key="cats_macro_auc",
                    resume=False, max_epochs=epochs, eval_every=eval_every,
                    patience=eval_every * 4, dropout=0.2)
    column = list(textcat.labels).index(LABEL)

    def predict(units: list[dict[str, Any]]) -> list[float]:
        docs = [Doc(nlp.vocab, words=w or [EMPTY]) for w in _features(units, kind)]
        out: list[float] = []
        for k in range(0, len(docs), 1000):
            out += [float(x) for x in textcat.predict(docs[k:k + 1000])[:, column]]
        return out

    return predict


def dev_split(units: list[dict[str, Any]], documents: list[dict[str, Any]],
              train_debates: Sequence[str]) -> tuple[list[str], list[str]]:
    """The training debates cut as ``annotator train --split-by debate --seed 0`` cuts
    the imported documents (:func:`annotator.train.data.split`): (fit, dev) debates."""
    from types import SimpleNamespace

    from annotator.train.data import split as data_split

    wanted = set(train_debates)
    docs = [SimpleNamespace(doc=SimpleNamespace(id=n, meta={"debate": d["debate"]}))
            for n, d in enumerate(documents) if d["debate"] in wanted]
    fit, dev = data_split(docs, 0.2, 0, "debate")  # type: ignore[arg-type]
    return (sorted({d.doc.meta["debate"] for d in fit}),
            sorted({d.doc.meta["debate"] for d in dev}))


def sentence_figures(documents: list[dict[str, Any]], units: list[dict[str, Any]],
                     values: Sequence[float], threshold: float) -> dict[str, Any]:
    """On the documents the ``units`` come from: AP and best F1 with every unit ranked
    by ``values``, and P/R/F1/AP as suggested (units from ``threshold``; sentences
    without one last), by sentence (``bench.quality`` counts a unit for a sentence)."""
    from annotator.evaluate import average_precision, prf
    from bench.protocol import sentence_scores

    per_doc: dict[int, list[tuple[int, int, float]]] = {}
    kept: dict[int, list[tuple[int, int, float]]] = {}
    for u, v in zip(units, values, strict=True):
        per_doc.setdefault(u["doc"], []).append((*u["span"], float(v)))
        if v >= threshold:
            kept.setdefault(u["doc"], []).append((*u["span"], float(v)))
    gold: list[bool] = []
    scores: list[float | None] = []
    suggested: list[float | None] = []
    for n in sorted({u["doc"] for u in units}):
        d = documents[n]
        sentences = [tuple(s) for s in d["sentences"]]
        gold += [v == 1 for v in d["verdicts"]]
        scores += sentence_scores(sentences, per_doc.get(n, []))  # type: ignore[arg-type]
        suggested += sentence_scores(sentences, kept.get(n, []))  # type: ignore[arg-type]
    f1, _ = best_f1(gold, scores)
    return {"AP": average_precision(gold, scores), "best_F1": f1,
            "suggested": {**prf(gold, [v is not None for v in suggested]),
                          "AP": average_precision(gold, suggested)},
            "sentences": len(gold), "positives": sum(gold)}


def _sigmoid(z: Any) -> Any:
    import numpy as np

    return 1 / (1 + np.exp(-z))


def combinations(p_dev: list[float], p_held: list[float], dev: list[dict[str, Any]],
                 held: list[dict[str, Any]]) -> dict[str, tuple[list[float], float]]:
    """The rankings of the held-out units a model's probabilities give, each with its
    threshold, every choice made on the ``dev`` units (training debates): the model
    alone (the probability with the best dev F1, as ``annotator train`` chooses it), the
    rules with the model as suggested (:func:`~annotator.suggest.claims.combined_score`,
    0.5), and logistic regressions (:func:`fit_logistic`) on the two margins, and on
    them and the cue flags, fit on the dev units, from the score with the best dev F1."""
    import numpy as np

    from annotator.suggest.claims import COMBINED_THRESHOLD, combined_score
    from annotator.train.run import _best_threshold

    y_dev = [bool(u["label"]) for u in dev]
    t = _best_threshold(y_dev, p_dev)
    out: dict[str, tuple[list[float], float]] = {
        "model alone": (p_held, t),
        "with the rules, average (as suggested)": (
            [combined_score(p, t, u["cues"]) for p, u in zip(p_held, held, strict=True)],
            COMBINED_THRESHOLD)}
    x_dev = np.array([ranking_features(p, t, u["cues"]) for p, u in zip(p_dev, dev,
                                                                        strict=True)])
    x_held = np.array([ranking_features(p, t, u["cues"]) for p, u in zip(p_held, held,
                                                                         strict=True)])
    for name, cols in (("with the rules, logistic on the two scores", 2),
                       ("with the rules, logistic on the scores and cue flags", None)):
        w = fit_logistic(x_dev[:, :cols], np.array(y_dev, dtype=float))
        fitted = _sigmoid(x_dev[:, :cols] @ w[1:] + w[0])
        cut = best_f1(y_dev, fitted.tolist())[1]
        out[name] = (_sigmoid(x_held[:, :cols] @ w[1:] + w[0]).tolist(), cut)
    return out


#: Pairs of variants averaged in log-odds (a cheap ensemble).
BLENDS = (("BOW 1-2, multi-label (shipped architecture)", "BOW 1-2, exclusive classes"),
          ("BOW 1-2, multi-label (shipped architecture)", "Ensemble.v2 (CNN + BOW 1-2)"),
          ("BOW 1-2, multi-label (shipped architecture)", "BOW 1-3, multi-label"))


def compare_models(data: dict[str, Any], variants: Sequence[str] | None = None,
                   blends: Sequence[tuple[str, str]] = BLENDS,
                   on_result: Any = None) -> dict[str, Any]:
    """Each variant of :data:`VARIANTS` trained on the training debates' fit part and
    chosen on their dev part (:func:`dev_split`), measured on the held-out debates
    (:func:`sentence_figures`) alone and with the rules (:func:`combinations`); the
    shipped model's file and the rules alone beside them, and the :data:`BLENDS`."""
    import math
    import time

    from annotator.suggest.checkworthy import shipped
    from annotator.suggest.claims import MIN_SCORE
    from bench.protocol import split

    units, documents = data["units"], data["documents"]
    train_debates, held_debates = split()
    fit_debates, dev_debates = dev_split(units, documents, train_debates)
    fit = [u for u in units if u["debate"] in set(fit_debates)]
    dev = [u for u in units if u["debate"] in set(dev_debates)]
    held = [u for u in units if u["debate"] in set(held_debates)]
    results: dict[str, Any] = {"debates": {"fit": fit_debates, "dev": dev_debates,
                                           "held_out": held_debates},
                               "units": {"fit": len(fit), "dev": len(dev), "held": len(held)}}

    def record(name: str, p_dev: list[float], p_held: list[float], seconds: float) -> None:
        figures = {k: {**sentence_figures(documents, held, v, th), "threshold": round(th, 3)}
                   for k, (v, th) in combinations(p_dev, p_held, dev, held).items()}
        results[name] = {"seconds": round(seconds, 1), **figures}
        if on_result is not None:
            on_result(name, results[name])

    results["rules alone"] = {"rules alone": sentence_figures(
        documents, held, [u["rules"] for u in held], MIN_SCORE)}
    if on_result is not None:
        on_result("rules alone", results["rules alone"])
    probabilities: dict[str, tuple[list[float], list[float]]] = {}
    scorer = shipped()
    if scorer is not None:
        probabilities["shipped model (file)"] = (
            scorer.score([u["features"] for u in dev]), scorer.score([u["features"] for u in held]))
        record("shipped model (file)", *probabilities["shipped model (file)"], 0.0)
    for name in (list(VARIANTS) if variants is None else variants):
        t0 = time.monotonic()
        predict = train_variant(VARIANTS[name], fit, dev)
        probabilities[name] = (predict(dev), predict(held))
        record(name, *probabilities[name], time.monotonic() - t0)
    results["probabilities"] = {k: {"dev": v[0], "held": v[1]} for k, v in probabilities.items()}

    def logit(p: float) -> float:
        p = min(max(p, 1e-6), 1 - 1e-6)
        return math.log(p / (1 - p))

    for a, b in blends:
        if a in probabilities and b in probabilities:
            mixed = [[1 / (1 + math.exp(-(logit(x) + logit(y)) / 2))
                      for x, y in zip(probabilities[a][k], probabilities[b][k], strict=True)]
                     for k in (0, 1)]
            record(f"average of {a} and {b}", mixed[0], mixed[1], 0.0)
    return results


def _row(name: str, ranking: str, f: dict[str, Any]) -> str:
    s = f["suggested"]
    return (f"| {name}: {ranking} | {f['AP']:.3f} | {f['best_F1']:.3f} | {s['P']:.3f} | "
            f"{s['R']:.3f} | {s['F1']:.3f} | {s['AP']:.3f} |")


def main(argv: list[str] | None = None) -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser(
        description="Check-worthiness model variants trained on ClaimBuster's training "
                    "debates, measured on the held-out debates (issue 27)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="a pickle of the parsed claim units (written if missing)")
    parser.add_argument("--variant", action="append", choices=list(VARIANTS),
                        help="train only this variant (repeatable; default: all)")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    data = collect_units(args.cache)

    def show(name: str, figures: dict[str, Any]) -> None:
        for ranking, f in figures.items():
            if isinstance(f, dict):
                print(_row(name, ranking, f), flush=True)

    print("| variant: ranking | AP, every unit | best F1 | P | R | F1 | AP |")
    results = compare_models(data, args.variant, on_result=show)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
