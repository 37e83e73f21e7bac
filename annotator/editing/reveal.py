"""Display safety for stored text, the same in every view that shows it.

A right-to-left override (U+202E) would show "evil\\u202eexe.txt" as "eviltxt.exe"; an
invisible character hides inside a name. :func:`reveal` shows each bidi control and
invisible format character as a visible mark of its own (one BMP code point for one, so
no offset moves, in code points or in UTF-16 units), in the article and in every label
that shows stored text, as code editors do. Plain Python: the window's conversion to
Qt's positions stays at the ui boundary (``ui/offsets.py``).
"""

from __future__ import annotations

import functools
import re
import unicodedata

BIDI_MARK = "\u21c4"  # ⇄ in place of a character that reorders the text around it
HIDDEN_MARK = "\u25cc"  # ◌ in place of one that shows nothing
BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
# ZWNJ and ZWJ (U+200C, U+200D) are not marked: they shape Arabic, Persian and Indic
# words and join emoji sequences, and reorder nothing; marking them would break how
# ordinary text looks. A leading byte-order mark (which Qt would drop) is marked too.
INVISIBLE = (0x180E, 0x200B, *range(0x2060, 0x2065), *range(0x206A, 0x2070), 0xFEFF, 0xFFFE)
#: Code point -> the mark shown in its place (a ``str.translate`` table).
REVEAL: dict[int, str] = {**dict.fromkeys(BIDI_CONTROLS, BIDI_MARK),
                          **dict.fromkeys(INVISIBLE, HIDDEN_MARK)}
_HIDDEN = re.compile("[" + "".join(map(chr, REVEAL)) + "]")
_HIDDEN_CHARS = tuple(map(chr, REVEAL))


def reveal(text: str) -> str:
    """``text`` with every bidi control and invisible format character shown as a
    visible mark (:data:`BIDI_MARK`, :data:`HIDDEN_MARK`): same code points, same UTF-16
    length. For any label, title or list cell that shows stored text."""
    if text.isascii() or not _HIDDEN.search(text):
        return text
    return text.translate(REVEAL)


@functools.lru_cache(maxsize=2)
def has_hidden(text: str) -> bool:
    """Whether :func:`reveal` would change ``text``. Asked about the open article on
    every redraw of its lists; cached, since a scan of 100,000 characters costs about
    0.7 ms (an ASCII text answers at once)."""
    return not text.isascii() and any(char in text for char in _HIDDEN_CHARS)


def hidden_name(char: str) -> str | None:
    """What a character that :func:`reveal` marks is, e.g. "U+202E RIGHT-TO-LEFT
    OVERRIDE" (None for any other character)."""
    if ord(char) not in REVEAL:
        return None
    return f"U+{ord(char):04X} {unicodedata.name(char, 'format character')}"
