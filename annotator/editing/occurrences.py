"""Every other occurrence of a span's text in its document (issue 26 §3): what
``Alt+`` a label key labels at once, as Prodigy's patterns do."""

from __future__ import annotations

from annotator.model import Span
from annotator.tokens import TokenBounds


def other_occurrences(text: str, start: int, end: int, bounds: TokenBounds,
                      spans: list[Span], layer: str
                      ) -> tuple[list[tuple[int, int]], int]:
    """``(ranges, skipped)``: the exact occurrences of ``text[start:end]`` other than
    ``[start, end)`` itself that start and end on token boundaries and overlap no live
    (not rejected) span of ``layer``; ``skipped`` counts those that do overlap one.
    Occurrences inside a longer token ("US" in "USA") are not occurrences; glued text the
    project tokenizer splits ("USmaintains") holds one."""
    needle = text[start:end]
    if not needle.strip():
        return [], 0
    starts, ends = set(bounds.starts), set(bounds.ends)
    live = [(s.start, s.end) for s in spans if s.layer == layer and s.decision != "rejected"]
    found, skipped = [], 0
    at = text.find(needle)
    while at >= 0:
        stop = at + len(needle)
        if at != start and at in starts and stop in ends:
            if any(a < stop and at < b for a, b in live):
                skipped += 1
            else:
                found.append((at, stop))
        at = text.find(needle, at + 1)
    return found, skipped
