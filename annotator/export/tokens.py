"""Tokenisation for the token-based formats: spaCy's rule-based English tokenizer
(``spacy.blank("en")``, no model), loaded on first use so that importing
:mod:`annotator.export` does not import spaCy."""

from __future__ import annotations

import functools
from bisect import bisect_right
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language


@functools.cache
def blank_nlp(sentences: bool = False) -> Language:
    """``spacy.blank("en")`` (with a rule-based sentencizer if asked), cached."""
    import spacy

    nlp = spacy.blank("en")
    if sentences:
        nlp.add_pipe("sentencizer")
    return nlp


RENEW_EVERY = 10_000  # documents; the vocab keeps every new string it sees
_calls = 0


def token_dicts(text: str) -> list[dict[str, Any]]:
    """Prodigy-style tokens: ``text``, ``start``, ``end`` (code points), ``id``, ``ws``."""
    global _calls
    _calls += 1
    if _calls % RENEW_EVERY == 0:  # a fresh vocab now and then keeps memory flat
        blank_nlp.cache_clear()
    doc = blank_nlp().tokenizer(text)
    return [{"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i,
             "ws": bool(t.whitespace_)} for t in doc]


def token_range(starts: list[int], start: int, end: int) -> tuple[int, int]:
    """Indices of the first and last (inclusive) token that ``[start, end)`` touches,
    given the tokens' start offsets."""
    return max(bisect_right(starts, start) - 1, 0), max(bisect_right(starts, end - 1) - 1, 0)
