"""The one place where Python code-point offsets meet Qt's UTF-16 positions.

The store keeps ``text[start:end]`` offsets in code points; ``QTextDocument`` counts
UTF-16 units, so every character outside the Basic Multilingual Plane (emoji, some CJK)
takes two positions in Qt and one in Python. Qt also turns ``\\r\\n``, ``\\r``, ``\\n``,
U+2028 and U+2029 into block separators, and collapses ``\\r\\n`` into *one* position;
:func:`display_text` therefore shows ``\\r\\n`` as a space and a newline (and a leading
byte-order mark, which Qt drops, as a word joiner), so that the displayed text has
exactly as many code points as the stored one.
"""

from __future__ import annotations

import re
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
# Every line-break form becomes one "\n"; "\r\n" keeps its two positions as " \n".
_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n"})


def display_text(text: str) -> str:
    """``text`` as given to ``setPlainText``: same length in code points, line breaks
    that Qt cannot collapse."""
    if "\r" in text:
        text = text.replace("\r\n", " \n")
    if text[:1] in ("\ufeff", "\ufffe"):  # Qt drops a leading byte-order mark
        text = "\u2060" + text[1:]
    return text.translate(_BREAKS)


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
