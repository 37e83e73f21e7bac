"""Tokenisation for the token-based formats: spaCy's rule-based English tokenizer
(``spacy.blank("en")``, no model), loaded on first use so that importing
:mod:`annotator.export` does not import spaCy.

The JSONL export writes every document's tokens, and tokenising is by far its dearest
step: spaCy's tokenizer stops saving chunks to its cache once a special case has fired in
a text (a double space, an em dash, "Mr."), which real news nearly always has; on the
bundled samples it runs at about 1.2 M characters/s, several times slower than the rest
of the export. So a document's tokens, once computed, are kept in the store's ``tokens``
table (:meth:`annotator.store.Store.put_tokens`): the token starts (for the spans'
``token_start``/``token_end``, as uint32) and the exact JSON the export writes
(compressed), about three times the size of the text together. The suggestion runner writes
them while it parses, and an export writes the ones it had to compute, so the next export
only reads them. An entry carries :func:`tokenizer_id`; one made by another spaCy version
is recomputed, never trusted. The JSON is made in one pass of C-level ``map`` calls
(:func:`tokens_json`), identical to encoding the token dicts with :mod:`json`.
"""

from __future__ import annotations

import functools
import re
import sys
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .base import compact_json

if TYPE_CHECKING:
    from spacy.language import Language

RENEW_EVERY = 10_000  # documents; the vocab keeps every new string it sees
_calls = 0

#: The tokens of one text: start offsets, lengths (code points), and 1 where the token
#: is followed by a space, 0 where not.
Boundaries = tuple[list[int], list[int], list[int]]

_ESCAPE = re.compile(r'["\\\x00-\x1f]')  # what JSON escapes when ensure_ascii is off
_TOKEN = '{"text":"%s","start":%d,"end":%d,"id":%d,"ws":%s}'
_WS = ("false", "true")


@functools.cache
def blank_nlp(sentences: bool = False) -> Language:
    """``spacy.blank("en")`` (with a rule-based sentencizer if asked), cached."""
    import spacy

    nlp = spacy.blank("en")
    if sentences:
        nlp.add_pipe("sentencizer")
    return nlp


@functools.cache
def tokenizer_id() -> str:
    """The tag of cached tokens: the tokenizer and its spaCy version (read from the
    package metadata, so checking the cache does not import spaCy)."""
    from importlib.metadata import version

    return f"spacy.blank(en) {version('spacy')}"


def tokenize(text: str) -> Boundaries:
    """The token boundaries of ``text`` (see :data:`Boundaries`)."""
    global _calls
    from spacy.attrs import IDX, LENGTH, SPACY

    _calls += 1
    if _calls % RENEW_EVERY == 0:  # a fresh vocab now and then keeps memory flat
        blank_nlp.cache_clear()
    doc = blank_nlp().tokenizer(text)
    if not len(doc):
        return [], [], []
    starts, lengths, spaces = doc.to_array([IDX, LENGTH, SPACY]).T.tolist()
    return starts, lengths, spaces


def tokens_json(text: str, bounds: Boundaries) -> str:
    """Prodigy-style tokens (``text``, ``start``, ``end`` in code points, ``id``,
    ``ws``) as a JSON array, the same string :mod:`json` makes of the dicts."""
    starts, lengths, spaces = bounds
    ends = list(map(int.__add__, starts, lengths))
    words = list(map(text.__getitem__, map(slice, starts, ends)))
    if _ESCAPE.search(text):
        words = [compact_json(w)[1:-1] if _ESCAPE.search(w) else w for w in words]
    rows = zip(words, starts, ends, range(len(starts)), map(_WS.__getitem__, spaces),
               strict=True)
    return f"[{','.join(map(_TOKEN.__mod__, rows))}]"


def compute(text: str) -> tuple[list[int], bytes]:
    """What the JSONL export needs of ``text``'s tokens, and what the cache keeps: the
    token starts and the tokens JSON in UTF-8."""
    bounds = tokenize(text)
    return bounds[0], tokens_json(text, bounds).encode("utf-8")


def pack(starts: Sequence[int], encoded: bytes) -> tuple[bytes, bytes]:
    """A document's token starts and tokens JSON (UTF-8) as two blobs for the store: the starts
    as little-endian uint32 (read back without a copy loop), the JSON compressed with
    zlib."""
    values = array("I", starts)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes(), zlib.compress(encoded, 6)


def unpack(starts_blob: bytes, json_blob: bytes) -> tuple[array[int], bytes]:
    """The inverse of :func:`pack`."""
    starts = array("I")
    starts.frombytes(starts_blob)
    if sys.byteorder == "big":
        starts.byteswap()
    return starts, zlib.decompress(json_blob)


def token_range(starts: Sequence[int], start: int, end: int) -> tuple[int, int]:
    """Indices of the first and last (inclusive) token that ``[start, end)`` touches,
    given the tokens' start offsets."""
    return max(bisect_right(starts, start) - 1, 0), max(bisect_right(starts, end - 1) - 1, 0)
