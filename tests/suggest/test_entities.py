"""Entity suggestions from ``doc.ents`` (hand-made Docs on a blank pipeline)."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc, Span

from annotator.suggest.entities import suggest_entities


def _doc(words, spaces, ents):
    nlp = spacy.blank("en")
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    doc.ents = [Span(doc, a, b, label=label) for a, b, label in ents]
    return doc


def test_entities_are_char_spans_without_scores():
    doc = _doc(["Ali", "al-Hassan", "warned"], [True, True, False], [(0, 2, "PERSON")])
    [ent] = suggest_entities(doc)
    assert (doc.text[ent.start:ent.end], ent.label, ent.score) == ("Ali al-Hassan", "PERSON", None)
    assert ent.cues == ["ner"]


def test_entities_cut_inside_glued_token():
    doc = _doc(["The", "USmaintains", "900"], [True, True, False], [(1, 2, "ORG")])
    [ent] = suggest_entities(doc)
    assert doc.text[ent.start:ent.end] == "US"
    assert "glue_trimmed" in ent.cues


def test_entities_drop_lone_title_abbreviation():
    doc = _doc(["Brig.", "Gen.", "Ali"], [True, True, False], [(0, 1, "GPE"), (2, 3, "PERSON")])
    assert [e.label for e in suggest_entities(doc)] == ["PERSON"]


def test_entities_drop_trailing_punctuation():
    doc = _doc(["at", "McDonald", "."], [True, False, False], [(1, 3, "ORG")])
    [ent] = suggest_entities(doc)
    assert doc.text[ent.start:ent.end] == "McDonald"


def test_entities_never_cross_a_byline_slash():
    """A byline "Outlet/ Headline": the NER merged the outlet with the headline's first
    name once the project tokenizer split the slash off ("Gulf Markets Review/ The
    Central Bank" as one ORG); cut there, and a trailing "/" is not part of a name."""
    words = ["Gulf", "Markets", "Review", "/", "The", "Central", "Bank", "kept", "Shafaq",
             "News", "/"]
    spaces = [True, True, False, True, True, True, True, True, True, False, False]
    doc = _doc(words, spaces, [(0, 7, "ORG"), (8, 11, "ORG")])
    got = [(doc.text[e.start:e.end], e.label) for e in suggest_entities(doc)]
    assert got == [("Gulf Markets Review", "ORG"), ("The Central Bank", "ORG"),
                   ("Shafaq News", "ORG")]
