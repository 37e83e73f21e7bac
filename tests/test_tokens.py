"""Glued words in scraped text: split by the tokenizer, offsets exact (blank pipeline)."""

from __future__ import annotations

import pytest
import spacy

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
