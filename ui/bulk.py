"""Decisions on many spans with one key (issue 26 §3): the rest of a paragraph
(``Alt+A``) and every other occurrence of a text (``Alt+`` a label key).

Each is one undo step, pushed through :class:`ui.decisions.Decisions` like every other
decision (committed before the screen shows it); with accept and advance on, the focus
then moves on as after ``A``.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer

from annotator.editing.occurrences import other_occurrences
from annotator.editing.paragraphs import next_pending, rest_of_paragraph
from annotator.tokens import TokenBounds

from .commands import AcceptManyCommand, AddManyCommand, RelabelSpanCommand
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


def label_occurrences(d: Decisions, name: str) -> None:
    """``Alt+`` a label key: label every other exact occurrence of the selection's text
    (the selection too), or of the focused span's, in the document, on token boundaries,
    leaving out those that overlap a span of the label's layer. A focused span of the
    label's layer gets the label too and is accepted (as its label key would), and the
    focus moves on as after ``A``. One undo step; the status bar says how many were
    added and skipped."""
    label = d.scheme.get(name)
    doc = d.article.doc
    if doc is None or label is None:
        return
    selection = d.article.selection()
    focused = d.article.focused_span() if selection is None else None
    if selection is None and focused is None:
        d.refused.emit("Focus a span or select text first: Alt+ a label key labels "
                       "every other occurrence of its text")
        return

    def run(bounds: TokenBounds) -> None:
        if selection is not None:
            snapped = bounds.snap(*selection)
            if snapped is None:
                d.refused.emit("The selection holds no word")
                return
            start, end = snapped
        else:
            assert focused is not None
            start, end = focused.start, focused.end
        spans = list(d.article.spans)
        ranges, skipped = other_occurrences(doc.text, start, end, bounds, spans, label.layer)
        if selection is not None and not any(
                s.layer == label.layer and s.decision != "rejected"
                and s.start < end and start < s.end for s in spans):
            ranges = sorted([(start, end), *ranges])
        words = " ".join(doc.text[start:end].split())
        if not ranges:
            d.refused.emit(f"No other occurrence of {words!r} to label"
                           + (f" ({skipped} overlap a span)" if skipped else ""))
            return
        if d.article.doc is not None and d.article.doc.id == doc.id:
            d.article.set_caret_mode(False)
            d.article.clear_selection()
        if label.layer == "entity":
            d.last_label = label
        deciding = focused if focused is not None and focused.id is not None \
            and focused.layer == label.layer else None
        following = d.next_pending_after(deciding) if deciding is not None else None
        d.undo_stack.beginMacro(f"{label.name} on every occurrence of {words!r}")
        try:
            ok = deciding is None or deciding.id is None or d.push(RelabelSpanCommand(
                d.session, d.signals, deciding.id, label.name))
            ok = ok and d.push(AddManyCommand(d.session, d.signals, doc.id, label.layer,
                                              ranges, label.name))
        finally:
            d.undo_stack.endMacro()
        if not ok:
            return
        if deciding is not None:
            d.decided.emit(following)
        told = (f"{label.name} on {len(ranges)} occurrence{'s' if len(ranges) != 1 else ''}"
                f" of {words!r}; {skipped} skipped (they overlap a span)")
        # After the token queue drains (its end clears the status bar).
        QTimer.singleShot(0, lambda: d.tell(told))

    d.tokens.when_ready(run)
