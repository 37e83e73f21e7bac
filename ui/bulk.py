"""Decisions on many spans with one key (issue 26 §3): the rest of a paragraph
(``Alt+A``), as Prodigy accepts a whole task with one key; and the accept-all keys
while the claim filter hides claims (ui/claim_filter.py).

One undo step, pushed through :class:`ui.decisions.Decisions` like every other decision
(committed before the screen shows it); with accept and advance on, the focus then moves
on as after ``A``. A key never decides a claim the claim filter hides: those stay
pending, and the status bar says how many.
"""

from __future__ import annotations

from annotator.editing.paragraphs import next_pending, rest_of_paragraph
from annotator.model import Span

from .commands import AcceptManyCommand
from .decisions import Decisions


def accept_rest_of_paragraph(d: Decisions) -> None:
    """``Alt+A``: accept every pending suggestion from the focused span (itself
    included) to the end of its paragraph, stopping before the next pending claim (its
    attributes show only once it is focused), in one undo step; with accept and
    advance, the focus moves on to the next pending span (that claim, say). Claims the
    claim filter hides are neither accepted nor stopped before."""
    span, doc = d.article.focused_span(), d.article.doc
    if span is None or span.id is None or doc is None:
        d.refused.emit("No span focused (→ or Space to move to one)")
        return
    shown = d.article.visible_spans()
    rest = rest_of_paragraph(doc.text, shown, span)
    if not rest:
        d.refused.emit("Nothing pending in the rest of this paragraph "
                       "(Space: the next suggestion)")
        return
    ids = [s.id for s in rest if s.id is not None]
    following = next_pending(shown, span, set(ids)) if d.advance else span
    if d.push(AcceptManyCommand(d.session, d.signals, doc.id, ids)) \
            and following is not None:
        d.decided.emit(following.id)


def accept_all_shown(d: Decisions) -> None:
    """``Shift+A``: every pending suggestion of the document; those the claim filter
    hides stay pending."""
    if not _accept_shown(d, [s for s in d.article.spans if s.decision == "pending"],
                         "all shown pending in document"):
        d.accept_all()


def accept_all_like_focused_shown(d: Decisions, by: str) -> None:
    """``Ctrl+Shift+A`` (``by`` "layer"), ``Alt+Shift+A`` (``by`` "label"): as
    :meth:`Decisions.accept_all_like_focused`; those the claim filter hides stay
    pending."""
    span = d.article.focused_span()
    if span is not None and d.article.hides is not None:
        what = span.layer if by == "layer" else span.label
        pending = [s for s in d.article.spans if s.decision == "pending"
                   and (s.layer if by == "layer" else s.label) == what]
        if _accept_shown(d, pending, f"all shown pending {what} in document"):
            return
    d.accept_all_like_focused(by)


def _accept_shown(d: Decisions, pending: list[Span], what: str) -> bool:
    """Accept the shown ones of ``pending`` in one undo step when the claim filter hides
    some of them (True); False when it hides none (the caller's own command runs)."""
    hides, doc = d.article.hides, d.article.doc
    if hides is None or doc is None:
        return False
    shown = [s.id for s in pending if s.id is not None and not hides(s)]
    hidden = sum(1 for s in pending if hides(s))
    if not hidden:
        return False
    left = f"{hidden} claim{'' if hidden == 1 else 's'} the claim filter hides"
    if not shown:
        d.refused.emit(f"Nothing shown to accept: {left} stay pending "
                       "(Ctrl+Shift+F: the claim filter)")
    elif d.push(AcceptManyCommand(d.session, d.signals, doc.id, shown, what)):
        d.signals.told.emit(f"Accepted {len(shown)} shown; {left} stay pending")
    return True
