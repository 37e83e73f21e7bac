"""Benchmark: claim suggestions against ClaimBuster's check-worthiness labels.

Run as ``python -m bench.quality [--docs N] [--json]``. The protocol of issue 14, so
figures compare across changes: the development file (``crowdsourced.csv``, US debate
sentences; Verdict 1 = check-worthy) is cut into documents of 30 sentences, each
debate's sentences joined in ``Line_number`` order with one space. The default pipeline
and the claim rules run over them; a sentence counts as suggested when a claim covers at
least half of its characters or at least half of the claim lies inside it, and its score
is the highest score of the claims that count for it (unsuggested sentences rank last).
Reported: check-worthy precision, recall and F1 at the default threshold, average
precision ranked by claim score, and the longest claim against its paragraph.

The file is looked up at ``$ANNOTATOR_CLAIMBUSTER``, else in ``shared/data/claimbuster/``
beside or above the repository; without it the module fails (the runner skips it).
In ``make bench`` the figures are information rows: the quick run takes 200 documents
spread over the file (6,000 sentences), ``--full`` the whole file; docs/quality.md gives
the whole file's figures.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator.evaluate import average_precision, prf
from bench.claim_ranking import best_f1
from bench.protocol import protocol_documents, sentence_scores, split

ALL = 10_000  # more documents than the file makes: the whole file
TARGETS = {"F1": 0.60, "AP": 0.60}  # issue 14, the rules alone
MODEL_TARGETS = {"F1": 0.70}  # issue 15, with the learned model, on held-out debates


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Character ranges of the text's paragraphs (split at line breaks)."""
    out, at = [], 0
    for line in text.split("\n"):
        out.append((at, at + len(line)))
        at += len(line) + 1
    return out


def measure(n_docs: int = ALL, batch_size: int = 32, nlp: Any = None, *,
            debates: Sequence[str] | None = None, model: Any = "default") -> dict[str, Any]:
    """Check-worthy P/R/F1/AP of the claim suggester on ``n_docs`` protocol documents
    (of ``debates`` only, if given), claims scored by ``model``: ``"default"`` the
    shipped model, ``None`` the rules alone, or a model folder."""
    return measure_many({"m": model}, n_docs, batch_size, nlp, debates=debates)["m"]


def heldout_debates() -> list[str]:
    """The debates no shipped or learning-curve model learns from (bench/protocol.py)."""
    return split()[1]


def scorer_for(model: Any) -> Any:
    """The claim scorer ``model`` names (see :func:`measure`)."""
    from annotator.suggest.checkworthy import Checkworthiness, shipped

    if model is None:
        return None
    if model == "default":
        found = shipped()
        if found is None:
            raise FileNotFoundError("no shipped claim model (make checkworthy-model)")
        return found
    if isinstance(model, str | Path):
        return Checkworthiness.load(Path(model))
    return model


def measure_many(models: dict[str, Any], n_docs: int = ALL, batch_size: int = 32,
                 nlp: Any = None, *, debates: Sequence[str] | None = None
                 ) -> dict[str, dict[str, Any]]:
    """:func:`measure` for several claim scorers at once (one parse of the documents)."""
    from annotator.suggest.claims import (
        COMBINED_THRESHOLD,
        MIN_SCORE,
        Candidate,
        claim_candidates,
        score_candidates,
    )
    from annotator.suggest.entities import suggest_entities
    from annotator.suggest.runner import load_pipeline

    docs = protocol_documents()
    if debates is not None:
        wanted = set(debates)
        docs = [d for d in docs if d.debate in wanted]
    if n_docs < len(docs):
        step = len(docs) / max(n_docs, 1)
        docs = [docs[int(k * step)] for k in range(n_docs)]
    scorers = {name: scorer_for(m) for name, m in models.items()}
    nlp = nlp or load_pipeline()
    labels: list[bool] = []
    scores: dict[str, list[float | None]] = {name: [] for name in scorers}
    stats = {name: {"claims": 0, "longest": 0.0, "ratio": 0.0, "sentences": 0}
             for name in scorers}
    started = time.perf_counter()
    for doc, pd in zip(nlp.pipe((d.text for d in docs), batch_size=batch_size), docs,
                       strict=True):
        candidates = claim_candidates(doc, suggest_entities(doc))
        paras = paragraphs(pd.text)
        labels += [v == 1 for v in pd.verdicts]
        for name, scorer in scorers.items():
            fresh = [Candidate(replace(c.claim, cues=list(c.claim.cues)), c.features)
                     for c in candidates]  # scoring sets the claims' scores
            claims = [(c.start, c.end, c.score)
                      for c in score_candidates(fresh, scorer, doc.vocab, quotes=False)]
            st = stats[name]
            st["claims"] += len(claims)
            for start, end, _ in claims:
                para = next(p for p in paras if p[0] <= start <= p[1])
                st["longest"] = max(st["longest"], end - start)
                st["sentences"] = max(st["sentences"], sum(1 for a, b in pd.sentences
                                                           if a < end and start < b))
                st["ratio"] = max(st["ratio"], (end - start) / max(para[1] - para[0], 1))
            scores[name] += sentence_scores(pd.sentences, claims)
    seconds = time.perf_counter() - started
    out: dict[str, dict[str, Any]] = {}
    for name, scorer in scorers.items():
        predicted = [s is not None for s in scores[name]]
        result: dict[str, Any] = dict(prf(labels, predicted))
        result["AP"] = average_precision(labels, scores[name])
        st = stats[name]
        result.update(documents=len(docs), sentences=len(labels), positives=sum(labels),
                      claims=st["claims"], longest_claim_chars=int(st["longest"]),
                      longest_claim_vs_paragraph=round(st["ratio"], 3),
                      longest_claim_sentences=st["sentences"], seconds=round(seconds, 1),
                      model="rules alone" if scorer is None else scorer.name,
                      threshold=MIN_SCORE if scorer is None else COMBINED_THRESHOLD,
                      model_threshold=None if scorer is None else scorer.threshold,
                      debates=sorted({d.debate for d in docs}))
        out[name] = result
    return out


def run(n_docs: int = ALL) -> list[dict[str, Any]]:
    """Information rows for the benchmark runner (see ``bench/__init__.py``): no target
    of the runner's, the issues' goals are in the names and under ``"goal"``. Measured on
    the held-out debates, which no shipped model learned from: the rules alone, and the
    rules with the shipped check-worthiness model; then speaker accuracy and quote recall
    on the quote set (:func:`speaker_rows`) and the rankings of issue 27
    (:func:`ranking_table_rows`, on ``n_docs`` documents of the held-out debates)."""
    held = heldout_debates()
    figures = measure_many({"rules": None, "model": "default"}, n_docs, debates=held)
    names = {"P": "precision", "R": "recall", "F1": "F1", "AP": "average precision"}
    rows: list[dict[str, Any]] = []
    for which, goals, what in (("rules", TARGETS, "rules alone"),
                               ("model", MODEL_TARGETS, "with the shipped model")):
        m = figures[which]
        for key in ("P", "R", "F1", "AP"):
            goal = goals.get(key)
            rows.append({
                "name": f"claims check-worthy {names[key]}, {what}, ClaimBuster held-out "
                        f"debates, {m['sentences']:,} sentences"
                        + (f" (goal >= {goal})" if goal else ""),
                "value": round(m[key], 3), "unit": "score", "baseline": None, "ratio": None,
                "target": None, "higher_is_better": True, "meets": None, "goal": goal,
            })
    m = figures["model"]
    rows.append({
        "name": "claims: longest claim / its paragraph, ClaimBuster held-out (goal <= 1)",
        "value": max(m["longest_claim_vs_paragraph"],
                     figures["rules"]["longest_claim_vs_paragraph"]),
        "unit": "ratio", "baseline": None, "ratio": None, "target": None,
        "higher_is_better": False, "meets": None, "goal": 1.0,
    })
    rows[0]["detail"] = figures
    return rows + speaker_rows() + ranking_table_rows(n_docs)


#: Speaker figures on ``bench/data/speakers-dev.jsonl`` before issue 27 (measured with
#: :func:`measure_speakers` on the code of commit 97be236), with the shipped model.
SPEAKERS_BEFORE = {"quotes": 136, "found": 99, "right": 84}


def speaker_rows(nlp: Any = None) -> list[dict[str, Any]]:
    """Information rows: speaker accuracy and quote recall on the quote set, before
    issue 27 (:data:`SPEAKERS_BEFORE`) and now."""
    m = measure_speakers(nlp)
    before = SPEAKERS_BEFORE
    rows = []
    for name, value, was in (
            ("speaker accuracy of found quotes", m["accuracy_found"],
             before["right"] / before["found"]),
            ("speaker accuracy of all quotes", m["accuracy_all"],
             before["right"] / before["quotes"]),
            ("quote recall (quote view)", m["quote_recall"],
             before["found"] / before["quotes"])):
        rows.append({"name": f"{name}, speakers-dev ({m['quotes']} news quotes; before "
                             f"issue 27: {was:.3f})" + (" (goal >= 0.9)" if "accuracy of found"
                                                        in name else ""),
                     "value": round(value, 3), "unit": "score", "baseline": round(was, 3),
                     "ratio": None, "target": None, "higher_is_better": True, "meets": None,
                     "goal": 0.9 if "accuracy of found" in name else None})
    rows[0]["detail"] = m
    return rows


RANKINGS = ("model alone", "rules alone", "average of the two (shipped)",
            "logistic on the two scores", "logistic combination")


def ranking_table_rows(n_docs: int = ALL, nlp: Any = None) -> list[dict[str, Any]]:
    """Information rows of :func:`ranking_rows`: AP and best F1 of each ranking."""
    r = ranking_rows(n_docs, nlp)
    rows = []
    for name in RANKINGS:
        for key, what in (("AP", "AP"), ("best_F1", "best F1")):
            rows.append({"name": f"claims ranking, {name}: {what}, every unit ranked, "
                                 f"ClaimBuster held-out debates, {r['sentences']:,} sentences",
                         "value": round(r[name][key], 3), "unit": "score", "baseline": None,
                         "ratio": None, "target": None, "higher_is_better": True,
                         "meets": None})
    rows[0]["detail"] = r
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=ALL,
                        help="protocol documents, spread over the file (default: all)")
    parser.add_argument("--all-debates", action="store_true",
                        help="the whole file (the shipped model learned from most of it: "
                             "its figures there are no measurement)")
    parser.add_argument("--model", default="default",
                        help="a model folder to measure beside the rules (default: the "
                             "shipped model)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--speakers", action="store_true",
                        help="also measure speaker accuracy and quote recall on "
                             "bench/data/speakers-dev.jsonl")
    parser.add_argument("--ranking", action="store_true",
                        help="also rank every claim unit of the held-out debates by the "
                             "model, the rules, their average and the logistic combination "
                             "(AP, best F1; the combination fit leaving one debate out)")
    args = parser.parse_args(argv)
    if args.speakers:
        m = measure_speakers()
        b = SPEAKERS_BEFORE
        print(f"speakers-dev: {m['quotes']} quotes in {m['articles']} articles; found "
              f"{m['found']} (recall {m['quote_recall']:.3f}; {m['checkworthy_found']} by "
              f"check-worthy claims), right speaker {m['right']} ({m['accuracy_found']:.3f} "
              f"of found, {m['accuracy_all']:.3f} of all); before issue 27: "
              f"{b['right']} of {b['found']} found ({b['right'] / b['found']:.3f}), "
              f"recall {b['found'] / b['quotes']:.3f}")
    if args.ranking:
        r = ranking_rows(args.docs)
        for name in RANKINGS:
            x = r[name]
            sug = x["suggested"]
            print(f"{name}: AP {x['AP']:.3f}, best F1 {x['best_F1']:.3f} (at "
                  f"{x['best_threshold']}); as suggested P {sug['P']:.3f} R {sug['R']:.3f} "
                  f"F1 {sug['F1']:.3f} AP {sug['AP']:.3f}")
    debates = None if args.all_debates else heldout_debates()
    figures = measure_many({"rules alone": None, "with model": args.model}, args.docs,
                           debates=debates)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    where = "all debates" if debates is None else f"held-out debates {', '.join(debates)}"
    for name, m in figures.items():
        print(f"{name} ({m['model']}, threshold {m['threshold']:.2f}), {where}: "
              f"{m['documents']} documents, {m['sentences']} sentences ({m['positives']} "
              f"check-worthy), {m['claims']} claims, {m['seconds']} s")
        print(f"  P {m['P']:.3f}  R {m['R']:.3f}  F1 {m['F1']:.3f}  AP {m['AP']:.3f}  "
              f"longest claim {m['longest_claim_chars']} chars, "
              f"{m['longest_claim_sentences']} sentence(s) "
              f"({m['longest_claim_vs_paragraph']:.2f} of its paragraph)")



# --- speakers of news quotes (issue 27) ----------------------------------------------

SPEAKER_SET = Path(__file__).resolve().parent / "data" / "speakers-dev.jsonl"


def _name_tokens(name: str) -> list[str]:
    return [w for w in "".join(ch if ch.isalnum() or ch in "'’" else " "
                               for ch in name.lower()).split()
            if w not in ("dr", "mr", "ms", "mrs", "the")]


def same_speaker(gold: str, predicted: str | None) -> bool:
    """Whether ``predicted`` names the ``gold`` speaker: the gold name's last word
    (the surname; an organisation's last word) is one of the predicted name's words."""
    if not predicted:
        return False
    g, p = _name_tokens(gold), _name_tokens(predicted)
    return bool(g) and g[-1] in p


def measure_speakers(nlp: Any = None, path: Path = SPEAKER_SET,
                     model: Any = "default") -> dict[str, Any]:
    """Speaker accuracy and quote recall on the quote set (``bench/data/README.md``).

    A gold quote is *found* when a suggested claim covers at least half of it (or lies
    at least half inside it); its speaker is right when that claim's claimant, the
    linked entity's text or else the claimant text, names the gold speaker
    (:func:`same_speaker`). Accuracy is over the found quotes (the issue's measure) and
    over all quotes. Check-worthy claims (not kept by the quote view alone) are counted
    apart: how many gold quotes they find."""
    from annotator.suggest.claims import suggest_claims
    from annotator.suggest.entities import suggest_entities
    from annotator.suggest.runner import load_pipeline

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    scorer = scorer_for(model)
    nlp = nlp or load_pipeline()
    total = found = right = checkworthy_found = 0
    misses: list[dict[str, Any]] = []
    for row, doc in zip(rows, nlp.pipe(r["text"] for r in rows), strict=True):
        entities = suggest_entities(doc)
        claims = suggest_claims(doc, entities, scorer)
        text = row["text"]
        for q in row["quotes"]:
            total += 1
            qs, qe = q["start"], q["end"]
            best = None
            for c in claims:
                inside = min(qe, c.end) - max(qs, c.start)
                counts = inside > 0 and (2 * inside >= qe - qs or 2 * inside >= c.end - c.start)
                if counts and (best is None or "quote_only" in best.cues):
                    best = c
            if best is None:
                misses.append({"id": row["id"], "quote": q["text"][:60], "speaker": q["speaker"],
                               "predicted": None})
                continue
            found += 1
            checkworthy_found += "quote_only" not in best.cues
            if best.claimant_entity is not None:
                e = entities[best.claimant_entity]
                predicted: str | None = text[e.start:e.end]
            else:
                predicted = best.claimant_text
            if same_speaker(q["speaker"], predicted):
                right += 1
            else:
                misses.append({"id": row["id"], "quote": q["text"][:60],
                               "speaker": q["speaker"], "predicted": predicted})
    return {"quotes": total, "found": found, "right": right,
            "accuracy_found": right / found if found else 0.0,
            "accuracy_all": right / total if total else 0.0,
            "quote_recall": found / total if total else 0.0,
            "checkworthy_found": checkworthy_found, "articles": len(rows),
            "misses": misses}


# --- ranking the claims: model, rules, a calibrated combination (issue 27) -----------

def ranking_rows(n_docs: int = ALL, nlp: Any = None) -> dict[str, Any]:
    """AP and best F1 on the held-out debates of five rankings of every claim unit (not
    only the suggested ones): the shipped model's probability alone, the rules' score
    alone, their average (as suggested), and a logistic regression on both and the cue flags
    (:mod:`bench.claim_ranking`), fit leaving one held-out debate out at a time
    (each debate scored by a fit on the other six), and the same on the two scores
    only. Also the coefficients fit on all seven."""
    import numpy as np

    from annotator.suggest.claims import (
        COMBINED_THRESHOLD,
        MIN_SCORE,
        claim_candidates,
        combined_score,
    )
    from annotator.suggest.entities import suggest_entities
    from annotator.suggest.runner import load_pipeline
    from bench.claim_ranking import FEATURES, fit_logistic, ranking_features

    held = set(heldout_debates())
    docs = [d for d in protocol_documents() if d.debate in held]
    if n_docs < len(docs):
        step = len(docs) / max(n_docs, 1)
        docs = [docs[int(k * step)] for k in range(n_docs)]
    scorer = scorer_for("default")
    nlp = nlp or load_pipeline()
    units: list[dict[str, Any]] = []  # per candidate: debate, doc, span, features, label
    sentence_gold: list[tuple[int, bool]] = []  # per sentence: (doc number, label)
    for n, (doc, pd) in enumerate(zip(nlp.pipe(d.text for d in docs), docs, strict=True)):
        sentence_gold += [(n, v == 1) for v in pd.verdicts]
        cands = claim_candidates(doc, suggest_entities(doc))
        probs = scorer.score([c.features for c in cands], doc.vocab)
        for c, p in zip(cands, probs, strict=True):
            hits = sentence_scores(pd.sentences, [(c.claim.start, c.claim.end, 1.0)])
            label = any(h is not None and v == 1 for h, v in zip(hits, pd.verdicts,
                                                                  strict=True))
            units.append({"debate": pd.debate, "doc": n, "span": (c.claim.start, c.claim.end),
                          "cues": list(c.claim.cues),
                          "x": ranking_features(p, scorer.threshold, c.claim.cues),
                          "p": p, "rules": c.claim.score, "label": label})
    x = np.array([u["x"] for u in units], dtype=float)
    y = np.array([u["label"] for u in units], dtype=float)
    debates = np.array([u["debate"] for u in units])

    def cross_fit(cols: Any) -> tuple[Any, Any]:
        """Each debate's scores by a fit on the others, and the threshold with the best
        F1 on the units of those others."""
        scored, cut = np.zeros(len(units)), np.zeros(len(units))
        for d in sorted(held):
            test = debates == d
            w = fit_logistic(cols[~test], y[~test])
            scored[test] = 1 / (1 + np.exp(-(cols[test] @ w[1:] + w[0])))
            fitted = 1 / (1 + np.exp(-(cols[~test] @ w[1:] + w[0])))
            cut[test] = best_f1(y[~test].astype(bool).tolist(), fitted.tolist())[1]
        return scored, cut

    combined, cut = cross_fit(x)
    two, two_cut = cross_fit(x[:, :2])
    gold = [g for _, g in sentence_gold]
    out: dict[str, Any] = {"sentences": len(gold), "positives": sum(gold),
                           "units": len(units), "debates": sorted(held)}
    rankings = (
        ("model alone", [u["p"] for u in units], [scorer.threshold] * len(units)),
        ("rules alone", [u["rules"] for u in units], [MIN_SCORE] * len(units)),
        ("average of the two (shipped)",
         [combined_score(u["p"], scorer.threshold, u["cues"]) for u in units],
         [COMBINED_THRESHOLD] * len(units)),
        ("logistic on the two scores", two.tolist(), two_cut.tolist()),
        ("logistic combination", combined.tolist(), cut.tolist()))
    for name, values, thresholds in rankings:
        per_doc: dict[int, list[tuple[int, int, float]]] = {}
        kept: dict[int, list[tuple[int, int, float]]] = {}
        for u, v, th in zip(units, values, thresholds, strict=True):
            per_doc.setdefault(u["doc"], []).append((*u["span"], float(v)))
            if v >= th:
                kept.setdefault(u["doc"], []).append((*u["span"], float(v)))
        scores: list[float | None] = []
        suggested: list[float | None] = []
        for n, pd in enumerate(docs):
            scores += sentence_scores(pd.sentences, per_doc.get(n, []))
            suggested += sentence_scores(pd.sentences, kept.get(n, []))
        f1, at = best_f1(gold, scores)
        as_suggested = prf(gold, [v is not None for v in suggested])
        out[name] = {"AP": average_precision(gold, scores), "best_F1": f1,
                     "best_threshold": round(at, 3),
                     "suggested": {**as_suggested,
                                   "AP": average_precision(gold, suggested)}}
    w = fit_logistic(x, y)
    out["coefficients"] = {"bias": float(w[0]),
                           **{f: float(v) for f, v in zip(FEATURES, w[1:], strict=True)}}
    return out


if __name__ == "__main__":
    main()
