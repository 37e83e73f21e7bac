"""Speakers of news quotes (issue 27): pronoun and role speakers, gender, speech verbs
only, quotations over paragraphs, a person speaking for an organisation, and the quote
view. One paragraph per pattern, written for these tests (names and figures invented),
through the real pipeline."""

from __future__ import annotations

from annotator.suggest.checkworthy import shipped
from annotator.suggest.claims import QUOTE_ONLY, suggest_claims
from annotator.suggest.entities import suggest_entities
from annotator.suggest.quotes import continued_regions, quote_regions


def quote_claim(analyse, text, words):
    """``(claim, linked name or None, entities)`` of the one claim holding ``words``."""
    entities, claims = analyse(text)
    found = [c for c in claims if words in text[c.start:c.end]]
    assert len(found) == 1, [(text[c.start:c.end], c.cues) for c in claims]
    c = found[0]
    linked = None
    if c.claimant_entity is not None:
        e = entities[c.claimant_entity]
        linked = text[e.start:e.end]
    return c, linked


def test_she_passes_over_a_man_named_since(analyse):
    text = ("Health minister Jane Whitcombe opened the clinic on Monday. Opposition critic "
            "Samuel Brandt called the plan overdue. \"The waits have been known since "
            "2019,\" he said. \"We have hired 600 nurses in two years,\" she told reporters.")
    claim, linked = quote_claim(analyse, text, "600 nurses")
    assert linked == "Jane Whitcombe"
    assert claim.claimant_text == "she"  # the pronoun stays, so the annotator sees why


def test_an_earlier_pronoun_tells_the_gender(analyse):
    # neither first name is in the list: "he" and "she" teach who is who
    text = ("Tendai Moyo runs the only pharmacy in the town. \"We have had no insulin "
            "since May,\" he said. Nkechi Obi, a nurse at the clinic, said the shortage "
            "was worse in the villages. \"Patients walk for two days to reach us,\" she "
            "said. \"We have written to the ministry four times,\" he said.")
    claim, linked = quote_claim(analyse, text, "four times")
    assert linked == "Tendai Moyo"
    assert claim.claimant_text == "he"


def test_role_speaker_links_to_the_person_an_apposition_named(analyse):
    text = ("Marta Kowal, the finance minister, presented the budget on Tuesday. Opposition "
            "leader Ivo Brandt called it reckless. \"This budget borrows 12 billion that our "
            "children will repay,\" Brandt said. \"We borrow less than any government since "
            "2008,\" the minister said.")
    claim, linked = quote_claim(analyse, text, "borrow less")
    assert linked == "Marta Kowal"
    assert claim.claimant_text == "the minister"


def test_role_speaker_links_to_the_person_a_title_named(analyse):
    text = ("The Riverside Hawks lost 3-1 on Saturday. Coach Dara Flynn blamed the defence. "
            "Striker Tomas Ruiz scored the only goal. \"We gave away two goals from corners "
            "in ten minutes,\" the coach said.")
    claim, linked = quote_claim(analyse, text, "two goals")
    assert linked == "Dara Flynn"
    assert claim.claimant_text == "the coach"


def test_a_role_no_one_was_given_stays_as_written(analyse):
    text = ("Striker Tomas Ruiz scored twice on Saturday. \"We gave away two goals from "
            "corners in ten minutes,\" the goalkeeper said.")
    claim, linked = quote_claim(analyse, text, "two goals")
    assert linked is None
    assert claim.claimant_text == "the goalkeeper"


def test_person_speaking_for_an_organisation_keeps_it_as_via(analyse):
    text = ("\"The mine will stay closed until the inspectors are satisfied,\" said Lena "
            "Ortiz, a spokeswoman for Corvex Mining.")
    claim, linked = quote_claim(analyse, text, "inspectors")
    assert linked == "Lena Ortiz"
    assert claim.via == "Corvex Mining"
    text = ("Lena Ortiz, a spokeswoman for Corvex Mining, said the mine would stay closed "
            "until June.")
    claim, linked = quote_claim(analyse, text, "until June")
    assert linked == "Lena Ortiz"
    assert claim.via == "Corvex Mining"


def test_only_a_speech_verb_makes_a_quotation_speaker(analyse):
    text = ("Mira Patel found the boxes in the basement of the archive, \"untouched for "
            "forty years and full of letters.\"")
    entities, claims = analyse(text)
    for c in claims:
        assert c.claimant_entity is None and c.claimant_text is None, c
        assert "reporting_verb" not in c.cues


def test_quotation_over_paragraphs_takes_its_speaker_from_the_next(analyse):
    text = ("The mayor of Riverton promised on Monday to hire 50 more police officers.\n"
            "“Our officers are stretched to the limit. Response times have doubled "
            "since 2018, and people notice.\n"
            "“These new officers will be on the streets by summer,” Gloria Adams said.")
    first, who_first = quote_claim(analyse, text, "stretched")
    second, who_second = quote_claim(analyse, text, "by summer")
    assert who_first == who_second == "Gloria Adams"
    assert "continued_quote" in first.cues
    assert text[first.start:first.end].endswith("people notice.")


def test_quotation_over_paragraphs_keeps_the_speaker_of_the_first(analyse):
    text = ("Gloria Adams, the mayor of Riverton, spoke on Monday. She said: “Our officers "
            "are stretched to the limit, and response times have doubled since 2018.\n"
            "“These new officers will be on the streets by summer.”")
    second, who = quote_claim(analyse, text, "by summer")
    assert who == "Gloria Adams"


def test_quote_regions_run_to_the_paragraph_end_when_the_next_goes_on():
    text = "“One. Two three four.\n“Five six,” she said.\nHe said “seven eight. Nine ten.\nEnd."
    ends = [text.index(".") + 1, text.index("four.") + 5, text.index("said.") + 5,
            text.index("eight.") + 6, text.index("ten.") + 4, len(text)]
    regions = quote_regions(text, ends)
    assert regions[0] == (0, text.index("\n"))  # the whole paragraph
    assert continued_regions(text, regions) == {0}
    # not followed by a quote mark: ends with its sentence, as before
    third = regions[2]
    assert text[third[0]:third[1]] == "“seven eight."


def test_quote_view_suggests_every_quotation(nlp):
    text = ("Residents gathered in the square on Sunday. \"I love this town and I always "
            "will,\" said Ana Ferreira.")
    doc = nlp(text)
    entities = suggest_entities(doc)
    model = shipped()  # the rules alone find any quotation with its speaker worth checking
    quotes = [c for c in suggest_claims(doc, entities, model)
              if "love this town" in text[c.start:c.end]]
    assert len(quotes) == 1
    q = quotes[0]
    assert q.claim_type == "quote" and QUOTE_ONLY in q.cues
    assert q.score < 0.5  # the check-worthy score stays: the window can filter on it
    e = entities[q.claimant_entity]
    assert text[e.start:e.end] == "Ana Ferreira"
    without = suggest_claims(doc, entities, model, quotes=False)
    assert not [c for c in without if "love this town" in text[c.start:c.end]]


def test_quote_view_leaves_check_worthy_quotes_unmarked(nlp):
    text = ("\"Unemployment fell to 4.1 per cent in March, the lowest since 2001,\" said "
            "Ana Ferreira, the labour minister.")
    doc = nlp(text)
    claims = suggest_claims(doc, suggest_entities(doc), shipped())
    assert claims and all(QUOTE_ONLY not in c.cues for c in claims)


def test_a_subject_inside_the_quotation_is_never_the_speaker(analyse):
    # the parser gives "said" two subjects: "Nothing" (quoted) and the speaker
    text = ("Nurse Joy Okoro and her colleagues waited at the hospital doors on Monday.\n"
            "\"We want the same staffing as the wards in the capital. Nothing more,\" "
            "said Okoro.")
    claim, linked = quote_claim(analyse, text, "same staffing")
    assert linked == "Okoro"
