"""Spans drawn over the article by a QSyntaxHighlighter from a sorted span index.

Entities are a per-label fill (solid for accepted, lighter with a dashed underline
for pending suggestions); claims are a band of the claim colour behind the text that
entity fills sit on top of, so entities inside a claim stay visible. The index keeps
spans sorted by their UTF-16 start, so a block finds its spans by bisection. The marks
that stand for bidi controls and invisible characters
(:func:`annotator.editing.reveal.reveal`) are drawn in a colour of their own, so that
they never pass for text.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable
from operator import attrgetter
from typing import NamedTuple

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from annotator.editing.reveal import BIDI_MARK, HIDDEN_MARK
from annotator.model import LabelScheme, Span, store_order

from .colors import FALLBACK_COLOR, label_color
from .offsets import OffsetMap

MARK_COLOR = "#e03131"
_MARKS = frozenset((BIDI_MARK, HIDDEN_MARK))


class DrawnSpan(NamedTuple):
    """A span in Qt positions (a tuple: an index holds thousands, made on every open);
    ``dim``: a decided claim the claim filter hides, drawn faintly."""

    start: int
    end: int
    span: Span
    dim: bool = False


class SpanIndex:
    """The visible spans of one document, by layer, sorted by UTF-16 start. Those that
    ``hides`` (the claim filter, ui/claim_filter.py) says are filtered out are left out
    if pending or rejected, and drawn dimmed if accepted."""

    def __init__(self, spans: list[Span], offsets: OffsetMap, show_rejected: bool = False,
                 hides: Callable[[Span], bool] | None = None):
        self.offsets = offsets
        self.show_rejected = show_rejected
        self.hides = hides
        entities: list[DrawnSpan] = []
        claims: list[DrawnSpan] = []
        self._add(spans, entities, claims)
        self._set(entities, claims)

    def replaced(self, states: dict[int, Span | None]
                 ) -> tuple[SpanIndex, list[DrawnSpan]]:
        """A copy with the spans of ``states`` (span id -> new state, None when deleted)
        swapped in, and the drawn spans that changed (old and new): what a decision
        redraws, without converting every span of the document again."""
        new = SpanIndex([], self.offsets, self.show_rejected, self.hides)
        entities = [d for d in self.entities if d.span.id not in states]
        claims = [d for d in self.claims if d.span.id not in states]
        changed = [d for d in (*self.entities, *self.claims) if d.span.id in states]
        added_entities: list[DrawnSpan] = []
        added_claims: list[DrawnSpan] = []
        self._add([s for s in states.values() if s is not None], added_entities, added_claims)
        # In the store's order, as a full build from the store's list would have them.
        for items, added in ((entities, added_entities), (claims, added_claims)):
            for drawn in added:
                insort(items, drawn, key=_drawn_order)
        new._set(entities, claims)
        return new, changed + added_entities + added_claims

    def _add(self, spans: list[Span], entities: list[DrawnSpan], claims: list[DrawnSpan]
             ) -> None:
        """Append the visible ones of ``spans`` to ``entities`` or ``claims``."""
        to_utf16 = self.offsets.to_utf16
        hides = self.hides
        for span in spans:
            if span.decision == "rejected" and not self.show_rejected:
                continue
            dim = hides is not None and hides(span)
            if dim and span.decision != "accepted":
                continue
            drawn = DrawnSpan(to_utf16(span.start), to_utf16(span.end), span, dim)
            (claims if span.layer == "claim" else entities).append(drawn)

    def _set(self, entities: list[DrawnSpan], claims: list[DrawnSpan]) -> None:
        entities.sort(key=_START)  # already in order, or nearly: a linear pass
        claims.sort(key=_START)
        self.entities = entities
        self.claims = claims
        self._entity_starts = [d.start for d in entities]
        self._claim_starts = [d.start for d in claims]
        self._entity_longest = max((d.end - d.start for d in entities), default=0)
        self._claim_longest = max((d.end - d.start for d in claims), default=0)

    def in_range(self, start: int, end: int) -> tuple[list[DrawnSpan], list[DrawnSpan]]:
        """(claims, entities) overlapping the UTF-16 range ``[start, end)``."""
        return (_overlapping(self.claims, self._claim_starts, self._claim_longest, start, end),
                _overlapping(self.entities, self._entity_starts, self._entity_longest,
                             start, end))

    def at(self, pos: int) -> list[DrawnSpan]:
        """Spans covering the UTF-16 position ``pos``, entities first."""
        claims, entities = self.in_range(pos, pos + 1)
        return entities + claims


_START = attrgetter("start")


def _drawn_order(drawn: DrawnSpan) -> tuple[int, int, int]:
    return store_order(drawn.span)


def _overlapping(items: list[DrawnSpan], starts: list[int], longest: int, start: int,
                 end: int) -> list[DrawnSpan]:
    lo = bisect_left(starts, start - longest)
    hi = bisect_left(starts, end)
    return [d for d in items[lo:hi] if d.end > start]


class SpanStyles:
    """Character formats per (layer, label, decision), built once per palette."""

    def __init__(self, scheme: LabelScheme, dark: bool = False):
        self.scheme = scheme
        self.dark = dark
        self._cache: dict[tuple[str, str, str], QTextCharFormat] = {}

    def set_scheme(self, scheme: LabelScheme) -> None:
        """Another scheme (a label added, recoloured, renamed): formats are made anew."""
        self.scheme = scheme
        self._cache.clear()

    def color(self, label: str) -> QColor:
        found = self.scheme.get(label)
        return label_color(found.color if found else None, self.dark)

    def mark(self) -> QTextCharFormat:
        """The format merged over a mark standing for a hidden character."""
        fmt = self._cache.get(("", "", "mark"))
        if fmt is None:
            fmt = self._cache[("", "", "mark")] = QTextCharFormat()
            fmt.setForeground(QColor(MARK_COLOR))
            fmt.setFontWeight(700)
        return fmt

    def format(self, layer: str, label: str, decision: str) -> QTextCharFormat:
        key = (layer, label, decision)
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self._cache[key] = self._make(layer, label, decision)
        return fmt

    def _make(self, layer: str, label: str, decision: str) -> QTextCharFormat:
        fmt = QTextCharFormat()
        color = self.color(label)
        boost = 1.5 if self.dark else 1.0
        if decision == "dimmed":  # a decided claim the claim filter hides
            fill = QColor(FALLBACK_COLOR)
            fill.setAlpha(int(22 * boost))
            fmt.setBackground(fill)
            return fmt
        if decision == "rejected":
            fmt.setFontStrikeOut(True)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            fmt.setUnderlineColor(QColor(FALLBACK_COLOR))
            return fmt
        fill = QColor(color)
        if layer == "claim":
            fill.setAlpha(int((48 if decision == "accepted" else 26) * boost))
        else:
            fill.setAlpha(int((92 if decision == "accepted" else 40) * boost))
        fmt.setBackground(fill)
        if decision == "pending":
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            fmt.setUnderlineColor(color)
        return fmt


class SpanHighlighter(QSyntaxHighlighter):
    """Applies :class:`SpanStyles` to every block from a :class:`SpanIndex`."""

    def __init__(self, document: QTextDocument, styles: SpanStyles):
        super().__init__(document)
        self.styles = styles
        self.index: SpanIndex | None = None

    def set_index(self, index: SpanIndex | None, rehighlight: bool = True) -> None:
        self.index = index
        if rehighlight:
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        if self.index is None:
            return
        self._highlight_spans(text)
        if not text.isascii() and not _MARKS.isdisjoint(text):
            self._highlight_marks(text)

    def _highlight_marks(self, text: str) -> None:
        mark = self.styles.mark()
        pos = 0  # in UTF-16 units, as Qt counts
        for char in text:
            if char in _MARKS:
                fmt = self.format(pos)
                fmt.merge(mark)
                self.setFormat(pos, 1, fmt)
            pos += 2 if ord(char) > 0xFFFF else 1

    def _highlight_spans(self, text: str) -> None:
        assert self.index is not None
        block = self.currentBlock()
        base = block.position()
        length = len(text.encode("utf-16-le")) // 2 if not text.isascii() else len(text)
        claims, entities = self.index.in_range(base, base + length + 1)
        if not claims and not entities:
            return
        # Cut the block at every span edge; each piece takes the claim band under the
        # entity fill (an entity's own underline wins over a pending claim's).
        cuts = {0, length}
        for d in (*claims, *entities):
            cuts.add(min(max(d.start - base, 0), length))
            cuts.add(min(max(d.end - base, 0), length))
        edges = sorted(cuts)
        # One sweep over the pieces: entities (sorted, not overlapping unless rejected
        # ones are shown) by a moving index, claims by an active list.
        e = 0
        c = 0
        active: list[DrawnSpan] = []
        for left, right in zip(edges, edges[1:], strict=False):
            pos = base + left
            while c < len(claims) and claims[c].start <= pos:
                active.append(claims[c])
                c += 1
            if active:
                active = [d for d in active if d.end > pos]
            while e < len(entities) and entities[e].end <= pos:
                e += 1
            entity = next((d for d in entities[e:e + 4] if d.start <= pos < d.end), None)
            claim = _strongest(active)
            if claim is None and entity is None:
                continue
            fmt = QTextCharFormat()
            if claim is not None:
                fmt.merge(self.styles.format("claim", claim.span.label,
                                             "dimmed" if claim.dim else claim.span.decision))
            if entity is not None:
                fmt.merge(self.styles.format("entity", entity.span.label,
                                             entity.span.decision))
            self.setFormat(left, right - left, fmt)


def _strongest(claims: list[DrawnSpan]) -> DrawnSpan | None:
    order = {"accepted": 0, "pending": 1, "rejected": 2}
    return min(claims, key=lambda d: (d.dim, order.get(d.span.decision, 3)), default=None)
