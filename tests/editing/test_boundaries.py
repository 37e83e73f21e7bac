"""Token boundaries for span editing, made and cached without Qt
(annotator/editing/boundaries.py): the words the window snaps to, and the cache its
GUI thread reads them from next time."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.editing.boundaries import cache_tokens, word_bounds
from annotator.store import Store
from annotator.tokens import cached_bounds

TEXT = "ISIS claimed it.  The report (WSJ) said\n so."


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_boundaries_are_the_word_tokens_and_are_cached(store: Store) -> None:
    bounds, raw = word_bounds(TEXT)
    words = [TEXT[a:b] for a, b in zip(bounds.starts, bounds.ends, strict=True)]
    assert words == ["ISIS", "claimed", "it", ".", "The", "report", "(", "WSJ", ")",
                     "said", "so", "."]
    assert len(raw[0]) > len(words)  # the whitespace tokens are left out
    with store.write():
        doc = store.insert_document(TEXT, {}, "h")
    assert cached_bounds(store, doc, TEXT) is None
    assert cache_tokens(store.path, doc, TEXT, raw)
    cached = cached_bounds(store, doc, TEXT)
    assert cached is not None
    assert (cached.starts, cached.ends) == (bounds.starts, bounds.ends)


def test_boundaries_cache_never_creates_a_project(tmp_path: Path) -> None:
    _, raw = word_bounds(TEXT)
    missing = tmp_path / "missing.db"
    assert not cache_tokens(missing, 1, TEXT, raw)
    assert not missing.exists()


@pytest.mark.slow
def test_a_long_text_is_tokenised_apart_with_the_same_boundaries(store: Store) -> None:
    """A long document's boundaries come from a process of its own (the window's process
    keeps the interpreter lock for its keys), the same as made here, and are cached by
    that process."""
    from annotator.editing.boundaries import LONG_TEXT, word_bounds_apart

    text = (TEXT + " Officials inIraq said the USmaintains 1,500 troops 🇺🇸 قال مسؤول. ") * (
        LONG_TEXT // len(TEXT) + 1)
    assert len(text) >= LONG_TEXT
    with store.write():
        doc = store.insert_document(text, {}, "long")
    apart, raw = word_bounds_apart(text, store.path, doc)
    here, raw_here = word_bounds(text)
    assert (apart.starts, apart.ends) == (here.starts, here.ends)
    assert raw == raw_here
    cached = cached_bounds(store, doc, text)  # written by the other process
    assert cached is not None and (cached.starts, cached.ends) == (here.starts, here.ends)
