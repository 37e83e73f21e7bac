"""CoNLL files: CoNLL-2003 (``token POS chunk NER``) and two-column ``token TAG`` files,
tagged IOB (IOB1, as CoNLL-2003), IOB2 or BILOU/IOBES, with or without ``-DOCSTART-``.

A document is what lies between ``-DOCSTART-`` lines (without them, each sentence is
one). Its text is rebuilt as our CoNLL export writes it (:mod:`annotator.export.conll`):
tokens joined by single spaces, sentences by a newline, so a span's offsets are exact.
Entities are accepted human spans and the documents are ``done`` (a labelled corpus is
finished annotation; ``--status new`` says otherwise). The columns between the token and
the tag (POS, chunk) are counted as left out. An invalid transition (``I-PER`` after
``B-ORG``; in IOB2, ``I-`` after ``O``; in BILOU, a ``B-`` never closed) is refused with
``file:line``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..model import Span, check_label_name
from .records import ImportFailed, Record, decode

DOCSTART = "-DOCSTART-"
TAG = re.compile(r"^(?:O|[BIELSU]-\S+)$")
FEATURES = "CoNLL token columns between the token and its tag (POS, chunk)"


def scheme_of(tags: list[str]) -> str:
    """``bilou`` if any tag is L-, U-, E- or S-; ``iob2`` if a B- starts an entity after
    O or another type; else ``iob1`` (I- starts entities, B- only between two)."""
    prev = "O"
    iob2 = False
    for tag in tags:
        if tag[:2] in ("L-", "U-", "E-", "S-"):
            return "bilou"
        if tag.startswith("B-") and prev[2:] != tag[2:]:
            iob2 = True
        prev = tag
    return "iob2" if iob2 else "iob1"


def read_conll(path: Path) -> Iterator[Record]:
    """The documents of a CoNLL file (see the module's docstring)."""
    rows: list[tuple[int, str]] = []  # (line, stripped line) of the file, blanks kept
    for number, raw in enumerate(decode(path).split("\n"), start=1):
        rows.append((number, raw.rstrip("\r").strip()))
    tags = []
    for number, line in rows:
        if line and not line.startswith(DOCSTART):
            parts = line.split()
            if len(parts) < 2 or not TAG.match(parts[-1]):
                raise ImportFailed(path, number, f"not a CoNLL line 'token ... TAG': {line!r}")
            tags.append(parts[-1])
    scheme = scheme_of(tags)
    docstarts = any(line.startswith(DOCSTART) for _, line in rows)
    doc: list[list[tuple[int, str, str, int]]] = []  # sentences of (line, token, tag, cols)
    sentence: list[tuple[int, str, str, int]] = []
    first_line = 1
    for number, line in [*rows, (len(rows) + 1, DOCSTART)]:
        if not line or line.startswith(DOCSTART):
            if sentence:
                doc.append(sentence)
                sentence = []
            if doc and (line.startswith(DOCSTART) or not docstarts):
                yield _record(path, first_line, doc, scheme)
                doc = []
            if line.startswith(DOCSTART) or not doc:
                first_line = number + 1
            continue
        parts = line.split()
        sentence.append((number, parts[0], parts[-1], len(parts) - 2))


def _record(path: Path, first_line: int, sentences: list[list[tuple[int, str, str, int]]],
            scheme: str) -> Record:
    pieces: list[str] = []
    offset = 0
    spans: list[Span] = []
    features = 0
    for n, sentence in enumerate(sentences):
        if n:
            pieces.append("\n")
            offset += 1
        open_: tuple[int, str, int] | None = None  # (start, label, line)
        prev, prev_end = "O", 0
        for i, (number, token, tag, cols) in enumerate(sentence):
            features += cols
            if i:
                pieces.append(" ")
                offset += 1
            start, end = offset, offset + len(token)
            pieces.append(token)
            offset = end
            kind, label = (tag[0], tag[2:]) if tag != "O" else ("O", "")
            if label:
                reason = check_label_name(label)
                if reason is not None:
                    raise ImportFailed(path, number, f"label {label!r}: {reason}")
            continues = kind in ("I", "L", "E") and prev != "O" and prev[2:] == label \
                and prev[0] not in ("L", "E", "U", "S")
            if scheme == "iob1" and kind == "B" and not (prev != "O" and prev[2:] == label):
                raise ImportFailed(path, number, f"{tag} after {prev}: in IOB, B- only "
                                   "separates two entities of the same type")
            if scheme != "iob1" and kind in ("I", "L", "E") and not continues:
                raise ImportFailed(path, number, f"{tag} after {prev}: an entity must start "
                                   f"with {'B- or U-' if scheme == 'bilou' else 'B-'}")
            if scheme == "bilou" and prev[0] in ("B", "I") and prev != "O" and not (
                    kind in ("I", "L", "E") and prev[2:] == label):
                raise ImportFailed(path, number, f"{tag} after {prev}: the entity begun is "
                                   "never closed with L- (or E-)")
            if open_ is not None and not (kind in ("I", "L", "E") and continues
                                          or scheme == "iob1" and kind == "I"
                                          and open_[1] == label):
                spans.append(_span(open_, prev_end))
                open_ = None
            if kind != "O" and open_ is None:
                open_ = (start, label, number)
            prev, prev_end = tag, end
        if scheme == "bilou" and prev[0] in ("B", "I") and prev != "O":
            raise ImportFailed(path, sentence[-1][0], f"{prev} ends the sentence: the entity "
                               "begun is never closed with L- (or E-)")
        if open_ is not None:
            spans.append(_span(open_, prev_end))
    record = Record(text="".join(pieces), meta={"file": path.name, "line": first_line},
                    path=path, line=first_line, spans=spans, status="done")
    record.leave_out(FEATURES, features)
    return record


def _span(open_: tuple[int, str, int], end: int) -> Span:
    return Span(doc_id=0, layer="entity", start=open_[0], end=end, label=open_[1],
                origin="human", decision="accepted")
