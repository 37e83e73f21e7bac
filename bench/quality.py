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
spread over the file (6,000 sentences), ``--full`` the whole file; the README gives the
whole file's figures.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.evaluate import average_precision, prf

ROOT = Path(__file__).resolve().parent.parent
PER_DOC = 30
ALL = 10_000  # more documents than the file makes: the whole file
TARGETS = {"F1": 0.60, "AP": 0.60}


def data_path() -> Path:
    """The development file (see the module docstring)."""
    env = os.environ.get("ANNOTATOR_CLAIMBUSTER")
    if env:
        return Path(env)
    for folder in (ROOT, *ROOT.parents):
        path = folder / "shared" / "data" / "claimbuster" / "crowdsourced.csv"
        if path.exists():
            return path
    raise FileNotFoundError("ClaimBuster crowdsourced.csv not found; set ANNOTATOR_CLAIMBUSTER")


@dataclass
class ProtocolDoc:
    """One protocol document: 30 sentences of a debate, with their offsets and labels."""

    debate: str
    text: str
    sentences: list[tuple[int, int]] = field(default_factory=list)
    verdicts: list[int] = field(default_factory=list)


def protocol_documents(path: Path | None = None, limit: int | None = None,
                       per_doc: int = PER_DOC) -> list[ProtocolDoc]:
    """The file's debates cut into documents of ``per_doc`` sentences; ``limit`` keeps
    that many, spread evenly over the file (every k-th document)."""
    with open(path or data_path(), encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    debates: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        debates.setdefault(row["File_id"], []).append(row)
    docs: list[ProtocolDoc] = []
    for debate in sorted(debates):
        lines = sorted(debates[debate], key=lambda r: int(r["Line_number"]))
        for i in range(0, len(lines), per_doc):
            doc = ProtocolDoc(debate, "")
            parts: list[str] = []
            at = 0
            for row in lines[i:i + per_doc]:
                sentence = row["Text"]
                if parts:
                    at += 1
                doc.sentences.append((at, at + len(sentence)))
                doc.verdicts.append(int(row["Verdict"]))
                parts.append(sentence)
                at += len(sentence)
            doc.text = " ".join(parts)
            docs.append(doc)
    if limit is not None and limit < len(docs):
        step = len(docs) / max(limit, 1)
        docs = [docs[int(k * step)] for k in range(limit)]
    return docs


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


def measure(n_docs: int = ALL, batch_size: int = 32, nlp: Any = None) -> dict[str, Any]:
    """Check-worthy P/R/F1/AP of the claim suggester on ``n_docs`` protocol documents."""
    from annotator.suggest.claims import suggest_claims
    from annotator.suggest.entities import suggest_entities
    from annotator.suggest.runner import load_pipeline

    docs = protocol_documents(limit=n_docs)
    nlp = nlp or load_pipeline()
    labels: list[bool] = []
    scores: list[float | None] = []
    longest = longest_ratio = 0.0
    claims_n = most_sentences = 0
    started = time.perf_counter()
    for doc, pd in zip(nlp.pipe((d.text for d in docs), batch_size=batch_size), docs,
                       strict=True):
        claims = suggest_claims(doc, suggest_entities(doc))
        claims_n += len(claims)
        paras = paragraphs(pd.text)
        for c in claims:
            para = next(p for p in paras if p[0] <= c.start <= p[1])
            longest = max(longest, c.end - c.start)
            most_sentences = max(most_sentences, sum(1 for a, b in pd.sentences
                                                     if a < c.end and c.start < b))
            longest_ratio = max(longest_ratio, (c.end - c.start) / max(para[1] - para[0], 1))
        scores += sentence_scores(pd.sentences, ((c.start, c.end, c.score) for c in claims))
        labels += [v == 1 for v in pd.verdicts]
    seconds = time.perf_counter() - started
    predicted = [s is not None for s in scores]
    result = prf(labels, predicted)
    result["AP"] = average_precision(labels, scores)
    result.update(documents=len(docs), sentences=len(labels), positives=sum(labels),
                  claims=claims_n, longest_claim_chars=int(longest),
                  longest_claim_vs_paragraph=round(longest_ratio, 3),
                  longest_claim_sentences=most_sentences,
                  seconds=round(seconds, 1))
    return result


def run(n_docs: int = ALL) -> list[dict[str, Any]]:
    """Information rows for the benchmark runner (see ``bench/__init__.py``): no target
    of the runner's, the issue's goal is in the name and under ``"goal"``."""
    m = measure(n_docs)
    names = {"P": "precision", "R": "recall", "F1": "F1", "AP": "average precision"}
    rows: list[dict[str, Any]] = []
    for key in ("P", "R", "F1", "AP"):
        goal = TARGETS.get(key)
        rows.append({
            "name": f"claims check-worthy {names[key]}, ClaimBuster dev, "
                    f"{m['sentences']:,} sentences" + (f" (goal >= {goal})" if goal else ""),
            "value": round(m[key], 3), "unit": "score", "baseline": None, "ratio": None,
            "target": None, "higher_is_better": True, "meets": None, "goal": goal,
        })
    rows.append({
        "name": "claims: longest claim / its paragraph, ClaimBuster dev (goal <= 1)",
        "value": m["longest_claim_vs_paragraph"], "unit": "ratio", "baseline": None,
        "ratio": None, "target": None, "higher_is_better": False, "meets": None, "goal": 1.0,
    })
    rows[0]["detail"] = m
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=ALL,
                        help="protocol documents, spread over the file (default: all)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    m = measure(args.docs)
    if args.json:
        print(json.dumps(m, indent=2))
        return
    print(f"{m['documents']} documents, {m['sentences']} sentences ({m['positives']} "
          f"check-worthy), {m['claims']} claims, {m['seconds']} s")
    print(f"P {m['P']:.3f}  R {m['R']:.3f}  F1 {m['F1']:.3f}  AP {m['AP']:.3f}  "
          f"longest claim {m['longest_claim_chars']} chars, {m['longest_claim_sentences']} "
          f"sentence(s) ({m['longest_claim_vs_paragraph']:.2f} of its paragraph)")


if __name__ == "__main__":
    main()
