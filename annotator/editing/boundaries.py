"""The token boundaries of one document for span editing, made by the project tokenizer
(:func:`annotator.tokens.tokenize`, which imports spaCy) and kept in the project's token
cache for the next time. The window calls these from a thread of its own
(``ui/tokens.py``); the cache is read on its GUI thread by
:func:`annotator.tokens.cached_bounds`."""

from __future__ import annotations

from pathlib import Path

from annotator.store import Store
from annotator.tokens import (
    Boundaries,
    TokenBounds,
    TokenCache,
    pack,
    run_apart,
    tokenize,
    tokens_json,
)

#: From this length on (code points) a text is tokenised, and its tokens cached, in a
#: process of its own (:func:`word_bounds_apart`): in the window's process, the
#: tokenizer and the cache's JSON of a 400,000-character document held the
#: interpreter lock (and made garbage collections walk the window's objects) while
#: keys waited.
LONG_TEXT = 50_000


def word_bounds(text: str) -> tuple[TokenBounds, Boundaries]:
    """The word tokens of ``text`` (whitespace tokens left out), and the tokenizer's
    own boundaries, which :func:`cache_tokens` stores."""
    bounds = tokenize(text)
    return TokenBounds.from_boundaries(text, bounds), bounds


def word_bounds_apart(text: str, db_path: Path | None, doc_id: int
                      ) -> tuple[TokenBounds, Boundaries]:
    """:func:`word_bounds` of a long ``text``, tokenised in a process of its own, which
    also caches the tokens in ``db_path`` (if given) as :func:`cache_tokens` does."""
    bounds = run_apart(_tokenize_and_cache, text, db_path, doc_id)
    return TokenBounds.from_boundaries(text, bounds), bounds


def _tokenize_and_cache(text: str, db_path: Path | None, doc_id: int) -> Boundaries:
    bounds = tokenize(text)
    if db_path is not None:
        cache_tokens(db_path, doc_id, text, bounds)
    return bounds


def cache_tokens(db_path: Path, doc_id: int, text: str, bounds: Boundaries) -> bool:
    """Store ``bounds`` (of ``text``, document ``doc_id``) in the token cache of the
    project at ``db_path``, best effort: False when it could not (a read-only, busy,
    missing or older project; it is tokenised again next time). Never creates or
    migrates a project."""
    try:
        with Store(db_path, create=False, migrate=False) as store:
            if store.readonly:
                return False
            TokenCache(store).put([(doc_id, *pack(bounds[0], tokens_json(text, bounds)
                                                  .encode("utf-8")))])
    except Exception:  # a cache, never worth a message
        return False
    return True
