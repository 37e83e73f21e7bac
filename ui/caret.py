"""Caret mode: making spans without the mouse, as a text editor's selection or vim's
visual mode does.

``V`` turns it on (the caret starts at the focused span) and Esc off. In caret mode the
arrow keys belong to the caret: ←/→ move it by a character (visually: in a
right-to-left paragraph ← goes forward in the text), Ctrl+←/→ by a word (to the
next token start), Shift+←/→ extend the selection by a token, Ctrl+Shift+←/→ by a
character; Ctrl+↓/↑ move to the next or previous sentence and Ctrl+Shift+↓/↑ extend
the selection to a sentence's end or start (a claim is usually a sentence); ↑/↓,
Home/End, Page Up/Down as in an editor (with Shift, extending). ``/`` finds text from
the caret and selects it. A label key (or Return for the last label,
or ``L`` for the label picker) then labels the selection, widened to whole tokens as a
mouse selection is, or, with nothing selected, the token at the caret. All other keys
keep their meaning (A accepts the focused span, and so on).

Offsets are code points; the conversion to Qt's UTF-16 positions is the article's
:class:`~ui.offsets.OffsetMap`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QTextCursor

from annotator.language import right_to_left
from annotator.tokens import TokenBounds

ArticleView = Any  # ui.article.ArticleView, which imports this module

Key = Qt.Key
MOVE = QTextCursor.MoveOperation
#: Keys caret mode takes (with no modifier, Shift, Ctrl or Ctrl+Shift).
CARET_KEYS = frozenset({Key.Key_Left, Key.Key_Right, Key.Key_Up, Key.Key_Down, Key.Key_Home,
                        Key.Key_End, Key.Key_PageUp, Key.Key_PageDown})
_ALLOWED = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier \
    | Qt.KeyboardModifier.KeypadModifier
_EDITOR_MOVES = {Key.Key_Up: MOVE.Up, Key.Key_Down: MOVE.Down,
                 Key.Key_Home: MOVE.StartOfLine, Key.Key_End: MOVE.EndOfLine}


def takes(event: QKeyEvent) -> bool:
    """Whether caret mode handles this key."""
    return event.key() in CARET_KEYS and not (event.modifiers() & ~_ALLOWED)


def move_caret(article: ArticleView, event: QKeyEvent) -> bool:
    """Move the caret or extend the selection for ``event``; False if not a caret key."""
    if not takes(event):
        return False
    key = Key(event.key())
    shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
    ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
    cursor = article.textCursor()
    mode = QTextCursor.MoveMode.KeepAnchor if shift else QTextCursor.MoveMode.MoveAnchor
    if key in (Key.Key_Left, Key.Key_Right):
        # visual, as RTL editors do: in a right-to-left paragraph → goes back in the text
        forward = (key == Key.Key_Right) != right_to_left(cursor.block().text())
        if shift != ctrl:  # a token (Shift) or a word (Ctrl): the project's tokens
            doc = article.doc

            def step(bounds: TokenBounds) -> None:
                if article.doc is not doc or not article.caret_mode:
                    return  # another document, or caret mode left, while they came
                moved = article.textCursor()
                offsets = article.offsets
                here = offsets.from_utf16(moved.position())
                there = bounds.step(here, forward, extend=shift)
                moved.setPosition(offsets.to_utf16(there), mode)
                article.setTextCursor(moved)
                article.ensureCursorVisible()

            article.tokens.when_ready(step)
            return True
        else:  # a character, whole graphemes (an emoji with its skin tone is one)
            cursor.movePosition(MOVE.NextCharacter if forward else MOVE.PreviousCharacter,
                                mode)
    elif ctrl and key in (Key.Key_Up, Key.Key_Down):
        offsets = article.offsets
        here = offsets.from_utf16(cursor.position())
        there = sentence_step(article.doc.text if article.doc else "", here,
                              forward=key == Key.Key_Down, extend=shift)
        cursor.setPosition(offsets.to_utf16(there), mode)
    elif key in _EDITOR_MOVES:
        cursor.movePosition(_EDITOR_MOVES[key], mode)
    else:
        return False  # Page Up/Down: the editor's own handling
    article.setTextCursor(cursor)
    article.ensureCursorVisible()
    return True


# A sentence ends with . ! or ? (and closing quotes or brackets) before white space,
# unless the word is a title ("Gen.", "Dr."); a paragraph ends one too.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s|$)|(?<=\S)(?=\n)")


def sentence_ends(text: str) -> list[int]:
    """Where the sentences of ``text`` end (code points, after their last mark)."""
    ends: list[int] = []
    for match in _SENTENCE_END.finditer(text):
        if match.group().startswith(".") and _is_title(text, match.start()):
            continue
        if not ends or ends[-1] != match.end():
            ends.append(match.end())
    return ends


def _is_title(text: str, dot: int) -> bool:
    """Whether the word before the period at ``dot`` is a title ("Gen.", "Brig.")."""
    from annotator.tokens import TITLE_ABBREVIATIONS

    start = dot
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:dot + 1] in TITLE_ABBREVIATIONS or text[start:dot + 1] in (
        "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jr.", "Sr.")


def sentence_step(text: str, here: int, forward: bool, extend: bool) -> int:
    """Where a sentence move from ``here`` ends: forward to the next sentence's start
    (``extend``: to the end of the sentence), back to the previous sentence's start."""
    ends = sentence_ends(text)
    starts = [0, *(_next_word(text, e) for e in ends)]
    if forward and extend:
        i = bisect_right(ends, here)
        return ends[i] if i < len(ends) else len(text)
    if forward:
        i = bisect_right(starts, here)
        return starts[i] if i < len(starts) else len(text)
    i = bisect_left(starts, here) - 1
    return starts[i] if i >= 0 else 0


def _next_word(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def find(text: str, query: str, start: int) -> tuple[int, int] | None:
    """The first match of ``query`` (any case) at or after ``start``, wrapping round to
    the beginning; None if there is none."""
    if not query:
        return None
    folded, needle = text.casefold(), query.casefold()
    if len(folded) != len(text):  # casefold changed lengths ("ß"): offsets would drift
        folded, needle = text.lower(), query.lower()
        if len(folded) != len(text):
            folded, needle = text, query
    at = folded.find(needle, start)
    if at < 0:
        at = folded.find(needle)
    return None if at < 0 else (at, at + len(needle))
