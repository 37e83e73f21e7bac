"""The one place where Python code-point offsets meet Qt's UTF-16 positions.

The store keeps ``text[start:end]`` offsets in code points; ``QTextDocument`` counts
UTF-16 units, so every character outside the Basic Multilingual Plane (emoji, some CJK)
takes two positions in Qt and one in Python. Qt also turns ``\\r\\n``, ``\\r``, ``\\n``,
U+2028 and U+2029 into block separators, and collapses ``\\r\\n`` into *one* position;
:func:`display_text` therefore shows ``\\r\\n`` as a space and a newline, so that the
displayed text has exactly as many code points (and UTF-16 units) as the stored one.
Bidi controls and invisible characters are shown as marks
(:mod:`annotator.editing.reveal`, plain Python, tested without Qt).
"""

from __future__ import annotations

import re
from bisect import bisect_left

from annotator.editing.reveal import REVEAL

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
# Every line-break form becomes one "\n"; "\r\n" keeps its two positions as " \n".
_BREAKS = {ord("\r"): "\n", 0x2028: "\n", 0x2029: "\n"}
_DISPLAY = {**REVEAL, **_BREAKS}


def display_text(text: str) -> str:
    """``text`` as given to ``setPlainText``: same length in code points and in UTF-16
    units, line breaks that Qt cannot collapse, and no character that reorders or hides
    text (:func:`annotator.editing.reveal.reveal`)."""
    if "\r" in text:
        text = text.replace("\r\n", " \n")
    return text.translate(_DISPLAY)


def to_utf16(text: str, index: int) -> int:
    """The Qt (UTF-16) position of code point ``index`` in ``text``."""
    return OffsetMap(text[:index]).to_utf16(index)


def from_utf16(text: str, pos: int) -> int:
    """The code point at Qt (UTF-16) position ``pos`` in ``text`` (a position inside a
    surrogate pair snaps to the character's start)."""
    return OffsetMap(text).from_utf16(pos)


class OffsetMap:
    """Fast conversion both ways for one text: O(log n) per call, O(astral) memory."""

    def __init__(self, text: str):
        self.length = len(text)
        # Code-point indices of astral characters; empty for most articles.
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]
        # Their UTF-16 positions (each earlier astral char adds one unit).
        self._astral16 = [i + n for n, i in enumerate(self._astral)]

    @property
    def utf16_length(self) -> int:
        return self.length + len(self._astral)

    def to_utf16(self, index: int) -> int:
        if not self._astral:
            return index
        return index + bisect_left(self._astral, index)

    def from_utf16(self, pos: int) -> int:
        if not self._astral:
            return pos
        return pos - bisect_left(self._astral16, pos)
