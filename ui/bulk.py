"""Decisions on many spans with one key (issue 26 §3): the rest of a paragraph
(``Alt+A``), as Prodigy accepts a whole task with one key.

One undo step, pushed through :class:`ui.decisions.Decisions` like every other decision
(committed before the screen shows it); with accept and advance on, the focus then moves
on as after ``A``.
"""

from __future__ import annotations

from annotator.editing.paragraphs import next_pending, rest_of_paragraph

from .commands import AcceptManyCommand
from .decisions import Decisions


def accept_rest_of_paragraph(d: Decisions) -> None:
    """``Alt+A``: accept every pending suggestion from the focused span (itself
    included) to the end of its paragraph, stopping before the next pending claim (its
    attributes show only once it is focused), in one undo step; with accept and
    advance, the focus moves on to the next pending span (that claim, say)."""
    span, doc = d.article.focused_span(), d.article.doc
    if span is None or span.id is None or doc is None:
        d.refused.emit("No span focused (→ or Space to move to one)")
        return
    rest = rest_of_paragraph(doc.text, list(d.article.spans), span)
    if not rest:
        d.refused.emit("Nothing pending in the rest of this paragraph "
                       "(Space: the next suggestion)")
        return
    ids = [s.id for s in rest if s.id is not None]
    following = next_pending(d.article.spans, span, set(ids)) if d.advance else span
    if d.push(AcceptManyCommand(d.session, d.signals, doc.id, ids)) \
            and following is not None:
        d.decided.emit(following.id)
