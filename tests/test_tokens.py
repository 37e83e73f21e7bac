"""Glued words in scraped text: split by the tokenizer, offsets exact (blank pipeline)."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.tokens import fix_tokenizer, trim_to_glue, unglue


@pytest.fixture(scope="module")
def blank():
    return fix_tokenizer(spacy.blank("en"))


@pytest.mark.parametrize(("text", "expected"), [
    ("forces inIraq and", ["forces", "in", "Iraq", "and"]),
    ("The USmaintains 900", ["The", "US", "maintains", "900"]),
    ("to ISISpropaganda.", ["to", "ISIS", "propaganda", "."]),
    ("the Wall StreetJournal,", ["the", "Wall", "Street", "Journal", ","]),
    ("The Islamic State(ISIS) is", ["The", "Islamic", "State", "(", "ISIS", ")", "is"]),
])
@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_tokenizer_splits_glued_words(blank, text, expected):
    doc = blank(text)
    assert [t.text for t in doc] == expected
    assert doc.text == text
    assert all(text[t.idx:t.idx + len(t)] == t.text for t in doc)


@pytest.mark.parametrize("word", ["YouTube", "JPMorgan", "McDonald", "CEOs", "NGOs", "iPhone",
                                  "LinkedIn", "OpenAI"])
def test_tokenizer_keeps_camel_case_names(blank, word):
    assert [t.text for t in blank(f"on {word} today")] == ["on", word, "today"]


def test_tokenizer_keeps_title_abbreviations(blank):
    assert [t.text for t in blank("Brig. Gen. Ali")] == ["Brig.", "Gen.", "Ali"]


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_tokenizer_fix_is_idempotent(blank):
    fix_tokenizer(blank)
    assert [t.text for t in blank("inIraq")] == ["in", "Iraq"]


@pytest.mark.parametrize(("text", "start", "end", "expected"), [
    ("The USmaintains 900", 4, 15, "US"),
    ("forces inIraq", 7, 13, "Iraq"),
    ("the Wall StreetJournal", 0, 22, "the Wall StreetJournal"),
    ("to ISISpropaganda", 3, 17, "ISIS"),
    ("Syria", 0, 5, "Syria"),
])
def test_tokenizer_trim_to_glue(text, start, end, expected):
    s, e = trim_to_glue(text, start, end)
    assert text[s:e] == expected


def test_tokenizer_unglue_for_free_text():
    assert unglue("the Wall StreetJournal") == "the Wall Street Journal"
    assert unglue("a US officer") == "a US officer"


# --- the primed tokenizer gives spaCy's own tokens ----------------------------------

# Pieces that make spaCy's special cases fire and combine: abbreviations and title
# abbreviations, emoticons, contractions, camel-case names and the halves the glue rule
# splits them into ("Black Berry": a special-case pattern across a space), URLs, every
# kind of whitespace, emoji sequences, combining marks, Arabic, control characters.
HOSTILE_PIECES = [*" \n\t\r\x0b\x0c\u00a0\u1680\u2000\u2028\u2029\u202f\u3000\x1c\x85",
                  *".,'’\"“”«»()[]{}-—–:;!?…/\\%$€@#&*+=<>|~^_`",
                  *"aAzZ09éß😀ب\u0301\u200b\u200d\x00",
                  "don't", "U.S.", "Mr.", "(Mr.", "Mr", ":)", ":-)", "(:", "<3", "o.O", "-_-",
                  "a.m.", "10a.m.", "p.m", "e.g.", "E.g", "i.e.", "'s", "'", "''", "n't",
                  "Brig.", "Gen.", "Lt.-Gen.", "Brig.-Gen.", "Col.", "St.", "Inc.", "Calif.",
                  "Black", "Berry", "BlackBerry", "You", "Tube", "YouTube", "inIraq",
                  "USmaintains", "State(ISIS)", "McDonald", "iPhone", "  ", "\n\n", " \n",
                  "👨‍👩‍👧", "👍🏽", "http://x.org/a?b=1", "www.example.com", "@user",
                  "#tag", "1,000", "3.5%", "$12bn", "—Mr.", "“Mr.", "(U.S.)", "U.S.-led"]


def _reference():
    """spaCy's tokenizer with the project's rules and its cache off."""
    reference = fix_tokenizer(spacy.blank("en")).tokenizer
    reference.max_cache_size = 0
    return reference


def _bounds(doc) -> tuple[list[int], list[int], list[int]]:
    return ([t.idx for t in doc], [len(t.text) for t in doc],
            [1 if t.whitespace_ else 0 for t in doc])


@pytest.mark.slow
def test_tokenizer_primed_cache_gives_spacys_tokens_on_hostile_text() -> None:
    """tokenize() primes spaCy's cache chunk by chunk; over thousands of hostile strings
    interleaved with news articles (so the cache is full of what came before), its
    tokens are those of a tokenizer that caches nothing."""
    import random

    from annotator.tokens import tokenize
    from bench.corpus import articles

    reference = _reference()
    rng = random.Random(18)
    news = [a["text"] for a in articles(120)]
    checked = 0
    for k in range(6000):
        if k % 50 == 0 and news:
            text = news.pop()
            # and a mangled copy: the same words glued, cut and respaced
            words = text.split(" ")
            mangled = "".join(w + rng.choice(["", " ", "  ", "\n", "\u00a0", " "])
                              for w in words[:rng.randint(0, len(words))])
            for t in (text, mangled):
                assert tokenize(t) == _bounds(reference(t)), t[:200]
                checked += 1
        text = "".join(rng.choice(HOSTILE_PIECES) for _ in range(rng.randint(0, 50)))
        assert tokenize(text) == _bounds(reference(text)), repr(text)
        checked += 1
    assert checked > 6000


@pytest.mark.slow
def test_tokenizer_primed_cache_survives_renewal(monkeypatch) -> None:
    """A renewed tokenizer (fresh vocab and cache) gives the same tokens as before."""
    from annotator import tokens

    reference = _reference()
    monkeypatch.setattr(tokens, "RENEW_EVERY", 7)
    texts = [f"Mr. Smith said {i} times inIraq (U.S.) that\n\n “Lt.-Gen. Ali” won."
             for i in range(30)]
    for text in texts:
        assert tokens.tokenize(text) == _bounds(reference(text))


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=6)), max_size=40))
def test_tokenizer_primed_cache_gives_spacys_tokens_on_any_text(parts: list[str]) -> None:
    from annotator.tokens import tokenize

    text = "".join(parts)
    assert tokenize(text) == _bounds(_REFERENCE(text))


_REFERENCE = _reference()


def test_token_cache_starts_are_those_of_get_cached_or_not(tmp_path) -> None:
    """``TokenCache.starts`` (what agreement reads, without decompressing the tokens JSON)
    gives ``get``'s starts, for a cached document and for one it tokenises and caches."""
    from annotator.importers import content_hash
    from annotator.store import Store
    from annotator.tokens import TokenCache, compute, pack, tokenizer_id

    texts = ["Ali al-Hassan told Reuters on Monday.", "Maria López saidThursday: “no”."]
    with Store(tmp_path / "p.db") as store:
        with store.write():
            ids = [store.insert_document(t, {}, content_hash(t)) for t in texts]
            store.put_tokens([(ids[0], tokenizer_id(), *pack(*compute(texts[0])))])
        docs = list(zip(ids, texts, strict=True))
        cache = TokenCache(store)
        starts = cache.starts(docs)
        assert cache.computed == 1 and cache.saved == 1  # the second, cached now
        assert {d: list(s) for d, s in starts.items()} == \
            {d: list(t[0]) for d, t in TokenCache(store).get(docs).items()}
        assert list(starts[ids[1]]) == compute(texts[1])[0]
