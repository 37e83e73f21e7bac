"""Caret mode: making spans without the mouse, as a text editor's selection or vim's
visual mode does.

``V`` turns it on (the caret starts at the focused span) and Esc off. In caret mode the
arrow keys belong to the caret: ←/→ move it by a character, Ctrl+←/→ by a word (to the
next token start), Shift+←/→ extend the selection by a token, Ctrl+Shift+←/→ by a
character, ↑/↓, Home/End, Page Up/Down as in an editor (with Shift, extending). ``/``
finds text from the caret and selects it. A label key (or Return for the last label,
or ``L`` for the label picker) then labels the selection, widened to whole tokens as a
mouse selection is, or, with nothing selected, the token at the caret. All other keys
keep their meaning (A accepts the focused span, and so on).

Offsets are code points; the conversion to Qt's UTF-16 positions is the article's
:class:`~ui.offsets.OffsetMap`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QTextCursor

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
    key = event.key()
    shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
    ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
    cursor = article.textCursor()
    mode = QTextCursor.MoveMode.KeepAnchor if shift else QTextCursor.MoveMode.MoveAnchor
    if key in (Key.Key_Left, Key.Key_Right):
        forward = key == Key.Key_Right
        if shift != ctrl:  # a token (Shift) or a word (Ctrl): our tokens, not Qt's words
            offsets = article.offsets
            here = offsets.from_utf16(cursor.position())
            there = token_step(article, here, forward, extend=shift)
            cursor.setPosition(offsets.to_utf16(there), mode)
        else:  # a character, whole graphemes (an emoji with its skin tone is one)
            cursor.movePosition(MOVE.NextCharacter if forward else MOVE.PreviousCharacter,
                                mode)
    elif key in _EDITOR_MOVES:
        cursor.movePosition(_EDITOR_MOVES[key], mode)
    else:
        return False  # Page Up/Down: the editor's own handling
    article.setTextCursor(cursor)
    article.ensureCursorVisible()
    return True


def token_step(article: ArticleView, here: int, forward: bool, extend: bool) -> int:
    """Where a word move (``extend`` False: to a token start) or a token extension
    (True: forward to a token end, back to a token start) from code point ``here`` ends."""
    tokens = article.tokens
    if forward:
        bounds = tokens.ends if extend else tokens.starts
        i = bisect_right(bounds, here)
        return bounds[i] if i < len(bounds) else len(tokens.text)
    i = bisect_left(tokens.starts, here) - 1
    return tokens.starts[i] if i >= 0 else 0


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
