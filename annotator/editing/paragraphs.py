"""The rest of a paragraph (issue 26 §3): what the window's ``Alt+A`` accepts at once,
as Prodigy accepts a whole task with one key, up to the next claim.

A paragraph is a run of text between line breaks, as the article lays it out. Spans
are in reading order: by start, the longer first (a claim before the entities it
holds), as the focus moves.
"""

from __future__ import annotations

from annotator.model import Span


def paragraph_at(text: str, pos: int) -> tuple[int, int]:
    """``(start, end)`` of the paragraph holding offset ``pos``: from after the line
    break before it to the line break after it (or the text's ends)."""
    pos = min(max(pos, 0), len(text))
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def reading_key(span: Span) -> tuple[int, int]:
    """A span's place in reading order (the focus order)."""
    return span.start, -span.end


def rest_of_paragraph(text: str, spans: list[Span], focused: Span) -> list[Span]:
    """The pending spans from ``focused`` (itself included, if pending) to the end of
    its paragraph, in reading order, stopping before the next pending claim: a claim's
    attributes show only while it is focused, so a key never accepts a claim the
    annotator has not seen (the focus goes to it next)."""
    _, end = paragraph_at(text, focused.start)
    here = reading_key(focused)
    rest = sorted((s for s in spans if s.decision == "pending" and s.start < end
                   and (s.id == focused.id or reading_key(s) > here)), key=reading_key)
    out = []
    for span in rest:
        if span.layer == "claim" and span.id != focused.id:
            break
        out.append(span)
    return out


def next_pending(spans: list[Span], after: Span, leaving: set[int | None]) -> Span | None:
    """The first pending span after ``after`` in reading order that is not in
    ``leaving``; else the first one before it (the focus wraps)."""
    here = reading_key(after)
    pending = sorted((s for s in spans if s.decision == "pending" and s.id not in leaving),
                     key=reading_key)
    later = [s for s in pending if reading_key(s) > here]
    chosen = later or pending
    return chosen[0] if chosen else None
