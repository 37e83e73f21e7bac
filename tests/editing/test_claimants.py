"""Claimant choices and ``via`` completions without Qt (annotator/editing/claimants.py):
the mentions inside the claim first, each saying where it is."""

from __future__ import annotations

from annotator.editing.claimants import claimant_choices, outlets
from annotator.editing.reveal import BIDI_MARK
from annotator.model import Span

TEXT = ("ISIS said nothing. Later, the report said that ISIS fighters were captured, "
        "and the SDF confirmed it to the Wall StreetJournal.")


def entity(text: str, word: str, label: str, span_id: int, nth: int = 0,
           decision: str = "accepted") -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return Span(1, "entity", start, start + len(word), label, decision=decision, id=span_id)


def claim(text: str, words: str) -> Span:
    start = text.index(words)
    return Span(1, "claim", start, start + len(words), "CLAIM", id=99)


def test_claimants_inside_first_then_before_then_after_each_saying_where() -> None:
    spans = [entity(TEXT, "ISIS", "ORG", 1), entity(TEXT, "ISIS", "ORG", 2, nth=1),
             entity(TEXT, "SDF", "ORG", 3), entity(TEXT, "Later", "DATE", 4),
             entity(TEXT, "nothing", "ORG", 5, decision="rejected")]
    said = claim(TEXT, "the report said that ISIS fighters were captured")
    choices = claimant_choices(said, spans, TEXT)
    assert [span_id for span_id, _ in choices] == [2, 1, 4, 3]  # speakers lead each group
    inside = TEXT.index("ISIS fighters")
    assert choices[0][1] == (f"ISIS (ORG) @{inside} in claim: …report said that ISIS "
                             "fighters were captured,…")
    assert choices[1][1].startswith("ISIS (ORG) @0 before: …ISIS said nothing.")
    assert " after: " in choices[3][1]  # the SDF, after the claim
    assert all(span_id != 5 for span_id, _ in choices)  # a rejected entity is no choice


def test_claimants_show_hidden_characters_as_marks() -> None:
    text = "Ali\u202e said that prices rose."
    spans = [Span(1, "entity", 0, 4, "PERSON", id=1)]
    [(span_id, shown)] = claimant_choices(claim(text, "prices rose"), spans, text)
    assert span_id == 1 and "\u202e" not in shown and BIDI_MARK in shown


def test_claimants_outlets_are_organisations_as_words_nearest_first() -> None:
    spans = [entity(TEXT, "Wall StreetJournal", "ORG", 1), entity(TEXT, "ISIS", "ORG", 2),
             entity(TEXT, "ISIS", "ORG", 3, nth=1), entity(TEXT, "SDF", "ORG", 4,
                                                            decision="rejected")]
    said = claim(TEXT, "the SDF confirmed it")
    assert outlets(said, spans, TEXT) == ["Wall Street Journal", "ISIS"]


def test_claimants_the_reported_source_leads_the_grammatical_subject() -> None:
    # Issue 26 §3: W offered "ISIS", the subject, for a claim whose source is the WSJ.
    text = ("ISIS has doubled its attacks in Syria this year, according to a Wall Street "
            "Journal report. The SDF said that 900 fighters were held. US troops stay.")
    spans = [entity(text, "ISIS", "ORG", 1), entity(text, "Syria", "GPE", 2),
             entity(text, "Wall Street Journal", "ORG", 3), entity(text, "SDF", "ORG", 4),
             entity(text, "US", "GPE", 5)]
    whole = claim(text, "ISIS has doubled its attacks in Syria this year, according to a "
                        "Wall Street Journal report.")
    assert claimant_choices(whole, spans, text)[0][0] == 3
    held = claim(text, "900 fighters were held")  # "The SDF said that <claim>"
    assert claimant_choices(held, spans, text)[0][0] == 4
    trailing = claim(text, "ISIS has doubled its attacks in Syria this year")  # the
    assert claimant_choices(trailing, spans, text)[0][0] == 3  # source after the claim
    plain = claim(text, "US troops stay")  # no reported source: the subject leads
    assert claimant_choices(plain, spans, text)[0][0] == 5


def test_other_occurrences_on_token_boundaries_skipping_overlaps() -> None:
    from annotator.editing.occurrences import other_occurrences
    from annotator.tokens import TokenBounds

    text = "US troops and USA; the US-led US."
    bounds = TokenBounds.of(text)
    taken = [Span(1, "entity", text.index("US-led"), text.index("US-led") + 6, "GPE",
                  id=1)]
    found, skipped = other_occurrences(text, 0, 2, bounds, taken, "entity")
    assert found == [(text.rindex("US"), len(text) - 1)] and skipped == 1
