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
import bisect
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator.evaluate import average_precision, prf
from bench.protocol import protocol_documents, split

ALL = 10_000  # more documents than the file makes: the whole file
TARGETS = {"F1": 0.60, "AP": 0.60}  # issue 14, the rules alone
MODEL_TARGETS = {"F1": 0.70}  # issue 15, with the learned model, on held-out debates


def sentence_scores(sentences: Sequence[tuple[int, int]],
                    claims: Iterable[tuple[int, int, float]]) -> list[float | None]:
    """Per sentence, the highest score of the claims that count for it (``None``: none).

    A claim counts for a sentence when it covers at least half of the sentence's
    characters, or at least half of the claim lies inside the sentence."""
    out: list[float | None] = [None] * len(sentences)
    starts = [s for s, _ in sentences]
    for c_start, c_end, score in claims:
        k = max(bisect.bisect_right(starts, c_start) - 1, 0)
        while k < len(sentences) and sentences[k][0] < c_end:
            s, e = sentences[k]
            inside = min(e, c_end) - max(s, c_start)
            if inside > 0 and (2 * inside >= e - s or 2 * inside >= c_end - c_start):
                best = out[k]
                out[k] = score if best is None else max(best, score)
            k += 1
    return out


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
                      for c in score_candidates(fresh, scorer, doc.vocab)]
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
    rules with the shipped check-worthiness model."""
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
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    main()
