"""The ClaimBuster protocol of issue 14, shared by the claim benchmarks
(``bench/quality.py``) and the shipped claim model (``bench/claimbuster.py``): the
development file (``crowdsourced.csv``), cut into documents of 30 sentences of one
debate, and the debates held out of every model (:func:`split`). Its own module, so
that neither of the two imports the other.

The file is looked up at ``$ANNOTATOR_CLAIMBUSTER``, else in ``shared/data/claimbuster/``
beside or above the repository.
"""

from __future__ import annotations

import bisect
import csv
import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PER_DOC = 30


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


HELDOUT_DEBATES = 7
SPLIT_SEED = 0


def split(docs: list[ProtocolDoc] | None = None) -> tuple[list[str], list[str]]:
    """(training debates, held-out debates), by ``File_id``."""
    debates = sorted({d.debate for d in (docs or protocol_documents())})
    order = debates[:]
    random.Random(SPLIT_SEED).shuffle(order)
    held = sorted(order[:HELDOUT_DEBATES])
    return [d for d in debates if d not in held], held


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
