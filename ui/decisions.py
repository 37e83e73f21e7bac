"""The annotator's decisions: keys and edits turned into undoable session commands.

Every decision is a command on :attr:`Decisions.undo_stack`; the session commits it
before the command reports it through :attr:`Decisions.signals` (``changed``), so the
screen never shows a decision that is not in the database.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QInputDialog, QWidget

from annotator.editing.occurrences import other_occurrences
from annotator.model import Label, LabelScheme, Span, Status, as_layer
from annotator.session import Session
from annotator.tokens import TokenBounds

from .article import ArticleView
from .commands import (
    AcceptAllCommand,
    AcceptSpanCommand,
    AddManyCommand,
    AddSpanCommand,
    CommandSignals,
    DeleteSpanCommand,
    RejectSpanCommand,
    RelabelSpanCommand,
    ResizeSpanCommand,
    SessionCommand,
    SetClaimAttributeCommand,
    SetStatusCommand,
)
from .tokens import WindowTokens

#: The QSettings key of the accept-and-advance option.
ADVANCE_KEY = "accept_and_advance"


class Decisions(QObject):
    """Reads the open document, the focused span and the selection from ``article`` and
    pushes the matching command.

    ``refused(message)``: a key did nothing, and why. ``decided(next_id)``: a decision
    removed the focused span from the suggestions; the focus moves on to ``next_id``.
    ``status_set(doc_id)``: the document was marked done, skipped or flagged."""

    refused = Signal(str)
    decided = Signal(object)
    status_set = Signal(int)

    def __init__(self, session: Session, article: ArticleView, scheme: LabelScheme,
                 parent: QWidget):
        super().__init__(parent)
        self.session = session
        self.article = article
        self.scheme = scheme
        self.widget = parent
        self.undo_stack = QUndoStack(self)
        self.signals = CommandSignals(self)
        self.signals.told.connect(self._tell)
        entities = scheme.for_layer("entity")
        self.last_label: Label | None = entities[0] if entities else None
        #: Accept and advance: ``A``, ``X`` and Delete move the focus on to the next
        #: pending span (undo brings it back); off, the focus stays on the decided span.
        self.advance = True
        self._settings: QSettings | None = None

    def load_advance(self, settings: QSettings) -> bool:
        """Read the accept-and-advance option from ``settings`` (on unless turned off)
        and remember where to write it back."""
        self._settings = settings
        self.advance = str(settings.value(ADVANCE_KEY, "true")) == "true"
        return self.advance

    def set_advance(self, on: bool) -> None:
        """View ▸ Accept and advance: on or off, remembered in the settings."""
        self.advance = on
        if self._settings is not None:
            self._settings.setValue(ADVANCE_KEY, "true" if on else "false")

    def _tell(self, message: str) -> None:
        """What an undo or redo did, in the window's status bar."""
        bar = getattr(self.widget.window(), "status_bar", None)
        if bar is not None:  # the next undo's answer replaces it at once
            bar.say(message, 6000, replace=True)

    def set_session(self, session: Session) -> None:
        """Another project: its session, and an empty undo stack."""
        self.undo_stack.clear()
        self.session = session

    @property
    def tokens(self) -> WindowTokens:
        """The open document's token boundaries (the article's)."""
        return self.article.tokens

    def push(self, command: SessionCommand) -> bool:
        """Run ``command`` through the undo stack; False if the session refused it."""
        self.undo_stack.push(command)
        return command.error is None

    def _focused(self) -> Span | None:
        span = self.article.focused_span()
        if span is None or span.id is None:
            self.refused.emit("No span focused (→ or Space to move to one)")
            return None
        return span

    def _next_pending_after(self, span: Span, stay: bool = True) -> int | None:
        """The pending span after ``span`` (the first one if none is after it); with
        accept and advance off, ``span`` itself unless ``stay`` is False."""
        if not self.advance and stay:
            return span.id
        pending = [s for s in self.article.visible_spans()  # none the claim filter hides
                   if s.decision == "pending" and s.id != span.id]
        later = [s for s in pending if (s.start, -s.end) > (span.start, -span.end)]
        targets = later or pending
        return targets[0].id if targets else None

    # -- spans

    def accept_focused(self) -> None:
        span = self._focused()
        if span is not None and span.id is not None:
            following = self._next_pending_after(span)
            if self.push(AcceptSpanCommand(self.session, self.signals, span.id)) \
                    and following is not None:
                self.decided.emit(following)

    def reject_focused(self) -> None:
        span = self._focused()
        if span is not None and span.id is not None:
            following = self._next_pending_after(span)
            if self.push(RejectSpanCommand(self.session, self.signals, span.id)):
                self.decided.emit(following)

    def delete_focused(self) -> None:
        span = self._focused()
        if span is not None and span.id is not None:
            following = self._next_pending_after(span, stay=False)  # it is gone
            if self.push(DeleteSpanCommand(self.session, self.signals, span.id)):
                self.decided.emit(following)

    def accept_all(self) -> None:
        if self.article.doc is not None:
            self.push(AcceptAllCommand(self.session, self.signals, self.article.doc.id))

    def accept_all_like_focused(self, by: str) -> None:
        """Accept every pending suggestion of the focused span's layer (``by`` "layer")
        or label (``by`` "label") in the document."""
        span = self._focused()
        if span is None or self.article.doc is None:
            return
        layer, label = (span.layer, None) if by == "layer" else (None, span.label)
        if not any(s.decision == "pending" and (s.layer == layer or s.label == label)
                   for s in self.article.spans):
            self.refused.emit(f"No pending {label or layer} suggestions in this document")
            return
        self.push(AcceptAllCommand(self.session, self.signals, self.article.doc.id,
                                   layer, label))

    def apply_label(self, name: str) -> None:
        """A label key: label the selection if there is one, else relabel the focused
        span (of the same layer)."""
        label = self.scheme.get(name)
        if self.article.doc is None or label is None:
            return
        if self.article.selection() is not None or self.article.caret_mode:
            self.add_from_selection(name)  # the selection now; the snapping may wait
            return
        self.tokens.after_waiting(lambda: self._relabel_focused(label))

    def label_occurrences(self, name: str) -> None:
        """``Alt+`` a label key: label every other exact occurrence of the selection's
        text (the selection too), or of the focused span's, in the document, on token
        boundaries, leaving out those that overlap a span of the label's layer. A focused
        span of the label's layer gets the label too and is accepted (as its label key
        would), and the focus moves on as after ``A``. One undo step; the status bar
        says how many were added and skipped."""
        label = self.scheme.get(name)
        doc = self.article.doc
        if doc is None or label is None:
            return
        selection = self.article.selection()
        focused = self.article.focused_span() if selection is None else None
        if selection is None and focused is None:
            self.refused.emit("Focus a span or select text first: Alt+ a label key labels "
                              "every other occurrence of its text")
            return

        def run(bounds: TokenBounds) -> None:
            if selection is not None:
                snapped = bounds.snap(*selection)
                if snapped is None:
                    self.refused.emit("The selection holds no word")
                    return
                start, end = snapped
            else:
                assert focused is not None
                start, end = focused.start, focused.end
            spans = list(self.article.spans)
            ranges, skipped = other_occurrences(doc.text, start, end, bounds, spans,
                                                label.layer)
            if selection is not None and not any(
                    s.layer == label.layer and s.decision != "rejected"
                    and s.start < end and start < s.end for s in spans):
                ranges = sorted([(start, end), *ranges])
            words = " ".join(doc.text[start:end].split())
            if not ranges:
                self.refused.emit(f"No other occurrence of {words!r} to label"
                                  + (f" ({skipped} overlap a span)" if skipped else ""))
                return
            if self.article.doc is not None and self.article.doc.id == doc.id:
                self.article.set_caret_mode(False)
                self.article.clear_selection()
            if label.layer == "entity":
                self.last_label = label
            deciding = focused.id if focused is not None and focused.layer == label.layer \
                else None
            following = self._next_pending_after(focused) if deciding is not None \
                and focused is not None else None
            self.undo_stack.beginMacro(f"{label.name} on every occurrence of {words!r}")
            try:  # the focused span and the others: one undo step
                ok = deciding is None or self.push(RelabelSpanCommand(
                    self.session, self.signals, deciding, label.name))
                ok = ok and self.push(AddManyCommand(self.session, self.signals, doc.id,
                                                     as_layer(label.layer), ranges,
                                                     label.name))
            finally:
                self.undo_stack.endMacro()
            if ok:
                if deciding is not None:
                    self.decided.emit(following)
                told = (f"{label.name} on {len(ranges)} occurrence"
                        f"{'s' if len(ranges) != 1 else ''} of {words!r}; {skipped} "
                        "skipped (they overlap a span)")
                # After the token queue drains (its end clears the status bar).
                QTimer.singleShot(0, lambda: self._tell(told))

        self.tokens.when_ready(run)

    def _relabel_focused(self, label: Label) -> None:
        span = self._focused()
        if span is None or span.id is None:
            return
        if span.layer != label.layer:
            self.refused.emit(f"{label.name} is a {label.layer} label; the focused span is a "
                              f"{span.layer}. Select text to add a new span.")
            return
        if label.layer == "entity":
            self.last_label = label
        self.push(RelabelSpanCommand(self.session, self.signals, span.id, label.name))

    def add_from_selection_last_label(self) -> None:
        if self.last_label is None:
            self.refused.emit("The project has no entity label: Project ▸ Labels adds one")
            return
        self.add_from_selection(self.last_label.name)

    def add_from_selection(self, name: str, exact: bool | None = None) -> None:
        """A new span over the selection, widened to whole tokens of the project
        tokenizer unless ``exact`` (or Alt was held when the mouse selection ended). The
        snapping waits for the token boundaries if they are not here yet
        (:class:`ui.tokens.WindowTokens`); nothing is stored before."""
        label = self.scheme.get(name)
        doc = self.article.doc
        selection = self.article.selection()
        at_caret = selection is None and self.article.caret_mode
        if doc is None or label is None or (selection is None and not at_caret):
            self.refused.emit("Select some text first (V: caret mode, / finds text)"
                              if doc is not None and label is not None else
                              "Select some text first")
            return
        if at_caret:  # the token at the caret
            caret = self.article.caret_position()
            selection = (caret, caret)
        assert selection is not None
        start, end = selection
        if self.article.exact_selection if exact is None else exact:
            while start < end and doc.text[start].isspace():  # never start or end on
                start += 1                                    # white space
            while end > start and doc.text[end - 1].isspace():
                end -= 1
            if start < end:
                self._add(doc.id, label, start, end)
            return

        def snapped(bounds: TokenBounds) -> None:
            span = bounds.at(start) if at_caret else bounds.snap(start, end)
            if span is None:
                self.refused.emit("No word at the caret" if at_caret
                                  else "The selection holds no word")
                return
            self._add(doc.id, label, *span)

        self.tokens.when_ready(snapped)

    def _add(self, doc_id: int, label: Label, start: int, end: int) -> None:
        if label.layer == "entity":
            self.last_label = label
        if self.article.doc is not None and self.article.doc.id == doc_id:
            self.article.set_caret_mode(False)
            self.article.clear_selection()
        self.push(AddSpanCommand(self.session, self.signals, doc_id, as_layer(label.layer),
                                 start, end, label.name))

    def resize_focused(self, edge: str, step: int, by_token: bool) -> None:
        """Move one edge of the focused span by a token (of the project tokenizer; the
        move waits for the boundaries if they are not here yet) or a character."""
        span = self._focused()
        doc = self.article.doc
        if span is None or span.id is None or doc is None:
            return
        if not by_token:
            start, end = span.start, span.end
            if edge == "start":
                start = min(max(start + step, 0), end - 1)
            else:
                end = max(min(end + step, len(doc.text)), start + 1)
            self._resize(span.id, start, end)
            return
        span_id = span.id

        def by_tokens(bounds: TokenBounds) -> None:
            now = self.session.store.get_span(span_id)
            if now is None or bounds.text != doc.text:
                return  # gone (deleted, or undone) while the tokens came
            start, end = now.start, now.end
            if edge == "start":
                start = bounds.grow_start(start) if step < 0 \
                    else bounds.shrink_start(start, end)
            else:
                end = bounds.grow_end(end) if step > 0 else bounds.shrink_end(start, end)
            self._resize(span_id, start, end)

        self.tokens.when_ready(by_tokens)

    def _resize(self, span_id: int, start: int, end: int) -> None:
        span = self.session.store.get_span(span_id)
        if span is None:
            return
        if (start, end) == (span.start, span.end):
            self.refused.emit("The span cannot move that way")
            return
        # Continuing a resize of the same span just before: one event, one undo step.
        stack = self.undo_stack
        last = stack.command(stack.index() - 1) if stack.index() > 0 else None
        continuing = last.change if isinstance(last, ResizeSpanCommand) \
            and last.span_id == span.id else None
        self.push(ResizeSpanCommand(self.session, self.signals, span_id, start, end,
                                    continuing))

    def set_claim_attribute(self, span_id: int, name: str, value: Any) -> None:
        self.push(SetClaimAttributeCommand(self.session, self.signals, span_id, name, value))

    # -- the document

    def _set_status_and_next(self, status: Status, note: str | None = None) -> None:
        if self.article.doc is None:
            return
        doc_id = self.article.doc.id
        if self.push(SetStatusCommand(self.session, self.signals, doc_id, status, note)):
            self.status_set.emit(doc_id)

    def mark_done(self) -> None:
        self._set_status_and_next("done")

    def skip(self) -> None:
        self._set_status_and_next("skipped")

    def flag(self) -> None:
        doc = self.article.doc
        if doc is None:
            return
        note, ok = QInputDialog.getText(self.widget, "Flag document",
                                        "What is wrong with this document?",
                                        text=doc.note or "")
        if ok:
            self._set_status_and_next("flagged", note.strip() or None)

    def mark_in_progress(self) -> None:
        if self.article.doc is not None:
            self.push(SetStatusCommand(self.session, self.signals, self.article.doc.id,
                                       "in_progress"))
