"""The one place where Python code-point offsets meet Qt's UTF-16 positions.

The store keeps ``text[start:end]`` offsets in code points; ``QTextDocument`` counts
UTF-16 units, so every character outside the Basic Multilingual Plane (emoji, some CJK)
takes two positions in Qt and one in Python. Qt also turns ``\\r\\n``, ``\\r``, ``\\n``,
U+2028 and U+2029 into block separators, and collapses ``\\r\\n`` into *one* position;
:func:`display_text` therefore shows ``\\r\\n`` as a space and a newline, so that the
displayed text has exactly as many code points (and UTF-16 units) as the stored one.

Display safety: a right-to-left override (U+202E) would show "evil\\u202eexe.txt" as
"eviltxt.exe"; an invisible character hides inside a name. :func:`reveal` shows each
bidi control and invisible format character as a visible mark of its own (one BMP code
point for one, so no offset moves), in the article and in every label that shows
stored text, as code editors do.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
# Every line-break form becomes one "\n"; "\r\n" keeps its two positions as " \n".
_BREAKS = {ord("\r"): "\n", 0x2028: "\n", 0x2029: "\n"}

BIDI_MARK = "\u21c4"  # ⇄ in place of a character that reorders the text around it
HIDDEN_MARK = "\u25cc"  # ◌ in place of one that shows nothing
BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
# ZWNJ and ZWJ (U+200C, U+200D) are not marked: they shape Arabic, Persian and Indic
# words and join emoji sequences, and reorder nothing; marking them would break how
# ordinary text looks. A leading byte-order mark (which Qt would drop) is marked too.
INVISIBLE = (0x180E, 0x200B, *range(0x2060, 0x2065), *range(0x206A, 0x2070), 0xFEFF, 0xFFFE)
_REVEAL = {**dict.fromkeys(BIDI_CONTROLS, BIDI_MARK), **dict.fromkeys(INVISIBLE, HIDDEN_MARK)}
_HIDDEN = re.compile("[" + "".join(map(chr, _REVEAL)) + "]")
_DISPLAY = {**_REVEAL, **_BREAKS}


_HIDDEN_CHARS = tuple(map(chr, _REVEAL))


def reveal(text: str) -> str:
    """``text`` with every bidi control and invisible format character shown as a
    visible mark (:data:`BIDI_MARK`, :data:`HIDDEN_MARK`): same code points, same UTF-16
    length. For any label, title or list cell that shows stored text."""
    if text.isascii() or not _HIDDEN.search(text):
        return text
    return text.translate(_REVEAL)


@functools.lru_cache(maxsize=2)
def has_hidden(text: str) -> bool:
    """Whether :func:`reveal` would change ``text``. Asked about the open article on
    every redraw of its lists; cached, since a scan of 100,000 characters costs about
    0.7 ms (an ASCII text answers at once)."""
    return not text.isascii() and any(char in text for char in _HIDDEN_CHARS)


def hidden_name(char: str) -> str | None:
    """What a character that :func:`reveal` marks is, e.g. "U+202E RIGHT-TO-LEFT
    OVERRIDE" (None for any other character)."""
    if ord(char) not in _REVEAL:
        return None
    return f"U+{ord(char):04X} {unicodedata.name(char, 'format character')}"


def display_text(text: str) -> str:
    """``text`` as given to ``setPlainText``: same length in code points and in UTF-16
    units, line breaks that Qt cannot collapse, and no character that reorders or hides
    text (:func:`reveal`)."""
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
