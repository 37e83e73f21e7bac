"""Direct quotations: where they open and close in scraped news text.

Curly quotes and guillemets say which end they are; a straight quote ``"`` is read from
its neighbours: after a space (or a bracket, a dash, the start of a line) and before a
word it opens, after a word and before a space or punctuation it closes, and otherwise
it alternates. A quotation never runs past its paragraph (a line break): one still open
there, or when a new one opens while it is open (its closing mark was lost), ends at the
end of the sentence it opened in (unless the next paragraph opens with a quote mark: news
style continues a quotation so, and it then runs to its paragraph's end; see
:func:`continued_regions`), and so does one running over more than
:data:`MAX_SENTENCES` sentences. So a stray quote mark costs one sentence, never the
rest of the article.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

QUOTE_OPEN = "“„«"
QUOTE_CLOSE = "”»"
QUOTE_MARKS = '"“”„«»'
MAX_SENTENCES = 6  # in one quotation
_MARKS = re.compile(r'["“”„«»\n]')
_OPEN_BEFORE = " \t\n([{—–-/:"
_SENTENCE_END = re.compile(r"[.!?](?=[\"”»]?\s+[\"“„«]?[A-Z])")


def quote_regions(text: str, sentence_ends: Sequence[int] = ()) -> list[tuple[int, int]]:
    """Character ranges ``[start, end)`` of direct quotations, quote marks included.

    ``sentence_ends`` (sorted character offsets where sentences end) bound a quotation
    whose closing mark is missing (see the module docstring); without them it ends at
    its paragraph's end."""
    regions: list[tuple[int, int]] = []
    open_at: int | None = None
    opener = ""

    def unclosed(limit: int) -> tuple[int, int]:
        assert open_at is not None
        k = bisect.bisect_right(sentence_ends, open_at + 1)
        end = sentence_ends[k] if k < len(sentence_ends) else limit
        # the parser's sentences run long around quote marks: a full stop before a
        # capital ends the quotation sooner
        stop = _SENTENCE_END.search(text, open_at + 2, min(end, limit))
        if stop is not None:
            end = stop.start() + 1
        return open_at, min(end, limit)

    def continues(at: int) -> bool:
        nxt = text[at + 1:at + 8].lstrip(" \t\n")
        return bool(nxt) and nxt[0] in '"“«„' and at - (open_at or 0) > 1

    for m in _MARKS.finditer(text):
        ch, at = m.group(), m.start()
        if ch == "\n":
            if open_at is not None:
                # news style: a quotation that goes on in the next paragraph leaves its
                # closing mark out and opens the next paragraph with a quote mark again
                regions.append((open_at, at) if continues(at) else unclosed(at))
                open_at = None
            continue
        if ch == '"':
            before = text[at - 1] if at else "\n"
            after = text[at + 1] if at + 1 < len(text) else "\n"
            opens = before in _OPEN_BEFORE and not after.isspace()
            closes = not before.isspace() and (after.isspace() or not after.isalnum())
            if open_at is None:
                kind = "close" if closes and not opens else "open"
            else:
                kind = "open" if opens and not closes else "close"
        elif ch in QUOTE_OPEN:
            # „…“ (German style) closes with the mark others open with
            kind = "close" if open_at is not None and opener == "„" and ch == "“" else "open"
        else:
            kind = "close"
        if kind == "open":
            if open_at is not None:  # the previous quotation lost its closing mark
                regions.append(unclosed(at))
            open_at, opener = at, ch
        elif open_at is not None:
            regions.append((open_at, at + 1))
            open_at = None
    if open_at is not None:
        regions.append(unclosed(len(text)))
    if sentence_ends:
        # A "quotation" over more sentences than a news paragraph holds is a lost mark
        # paired with a far one: it ends with its first sentence.
        for k, (qs, qe) in enumerate(regions):
            first = bisect.bisect_right(sentence_ends, qs + 1)
            if bisect.bisect_left(sentence_ends, qe - 1) - first >= MAX_SENTENCES:
                regions[k] = (qs, min(sentence_ends[first], qe))
    return regions


def inside(regions: Sequence[tuple[int, int]], starts: Sequence[int], pos: int) -> bool:
    """Whether ``pos`` lies in one of ``regions`` (``starts`` are their sorted starts)."""
    k = bisect.bisect_right(starts, pos) - 1
    return k >= 0 and pos < regions[k][1]


def continued_regions(text: str, regions: Sequence[tuple[int, int]]) -> set[int]:
    """Indexes of ``regions`` that go on in the next paragraph: ending at a line break
    without a closing mark, the next paragraph opening with a quote mark."""
    out = set()
    for k, (_, qe) in enumerate(regions):
        if qe < len(text) and text[qe] == "\n" and text[qe - 1] not in QUOTE_CLOSE + '"':
            nxt = text[qe + 1:qe + 8].lstrip(" \t\n")
            if nxt and nxt[0] in '"“«„':
                out.add(k)
    return out
