"""Claim rules on sentences of our own, one or more per cue and per exclusion."""

from __future__ import annotations

import math

import pytest

from annotator.suggest.claims import (
    BIAS,
    CUE_WEIGHTS,
    MIN_SCORE,
    quote_regions,
    score_cues,
    suggest_claims,
)


def one_claim(analyse, text):
    entities, claims = analyse(text)
    assert len(claims) == 1, [(text[c.start:c.end], c.cues) for c in claims]
    return entities, claims[0]


def claimant(text, entities, claim):
    if claim.claimant_entity is not None:
        e = entities[claim.claimant_entity]
        return text[e.start:e.end], e.label
    return claim.claimant_text


# --- cues


def test_claims_reporting_verb_with_clause(analyse):
    text = "The finance minister said that unemployment fell sharply in the spring."
    entities, claim = one_claim(analyse, text)
    assert "reporting_verb" in claim.cues
    assert claim.claim_type == "reported"
    assert claimant(text, entities, claim) == "The finance minister"
    # the span is what is asserted; the attribution goes into claimant and cues
    assert text[claim.start:claim.end] == "unemployment fell sharply in the spring"


def test_claims_reporting_verb_subject_linked_to_entity(analyse):
    text = "Angela Merkel warned that the talks had failed."
    entities, claim = one_claim(analyse, text)
    assert claimant(text, entities, claim) == ("Angela Merkel", "PERSON")


def test_claims_pronoun_claimant_resolves_to_last_person(analyse):
    text = "Angela Merkel arrived in Paris on Monday. She said the talks had been productive."
    entities, claims = analyse(text)
    said = next(c for c in claims if "talks" in text[c.start:c.end])
    assert claimant(text, entities, said) == ("Angela Merkel", "PERSON")


def test_claims_according_to(analyse):
    text = "According to the World Health Organization, cases of measles rose sharply."
    entities, claim = one_claim(analyse, text)
    assert "according_to" in claim.cues
    assert claimant(text, entities, claim) == ("the World Health Organization", "ORG")


def test_claims_according_to_a_report_names_the_outlet(analyse):
    text = "The army is recruiting children, according to a Reuters report."
    entities, claim = one_claim(analyse, text)
    assert claimant(text, entities, claim) == ("Reuters", "ORG")


def test_claims_passive_reporting(analyse):
    text = "It was reported that the bridge had collapsed overnight."
    _, claim = one_claim(analyse, text)
    assert "passive_reporting" in claim.cues
    assert claim.claim_type == "reported"


def test_claims_direct_quote_straight_quotes(analyse):
    text = 'The mayor said, "We are rebuilding the old library on Main Street."'
    entities, claim = one_claim(analyse, text)
    assert "direct_quote" in claim.cues
    assert claim.claim_type == "quote"
    assert claimant(text, entities, claim) == "The mayor"


def test_claims_quote_spanning_sentences_is_one_claim_with_via(analyse):
    text = ("Maria Lopez told Reuters, “The plant is closing for good. Two hundred jobs are "
            "going with it.”")
    entities, claim = one_claim(analyse, text)
    assert text[claim.start:claim.end] == ("The plant is closing for good. Two hundred jobs "
                                           "are going with it.")
    assert claimant(text, entities, claim) == ("Maria Lopez", "PERSON")
    assert claim.via == "Reuters"


def test_claims_quote_before_attribution(analyse):
    text = "“The river has never been this low,” a local fisherman said."
    entities, claim = one_claim(analyse, text)
    assert claim.claim_type == "quote"
    assert claimant(text, entities, claim) == "a local fisherman"


def test_claims_number(analyse):
    text = "The factory employs 900 workers in two shifts."
    _, claim = one_claim(analyse, text)
    assert "number" in claim.cues
    assert claim.claim_type == "statistic"


def test_claims_percent_and_money(analyse):
    text = "The company lost $4.5 million as sales dropped 12 percent."
    _, claim = one_claim(analyse, text)
    assert "number" in claim.cues


def test_claims_date_and_event(analyse):
    text = "Toyota opened the new factory in Kentucky on 3 March 2021."
    _, claim = one_claim(analyse, text)
    assert {"date", "past_action", "on_record"} <= set(claim.cues)
    assert claim.claim_type == "event"


def test_claims_prediction(analyse):
    text = "The central bank will cut interest rates next month."
    _, claim = one_claim(analyse, text)
    assert "prediction" in claim.cues
    assert claim.claim_type == "prediction"


def test_claims_causal(analyse):
    text = "The flooding in the valley was caused by weeks of heavy rain."
    _, claim = one_claim(analyse, text)
    assert "causal" in claim.cues
    assert claim.claim_type == "causal"


def test_claims_comparative(analyse):
    text = "Exports to China were higher than in any previous year."
    _, claim = one_claim(analyse, text)
    assert "comparative" in claim.cues


@pytest.mark.parametrize("text", [
    "The rebels reportedly control about 40 villages in the north.",
    "Officials said the fire might spread to the forest by Friday.",
    "Nearly 300 families were evacuated from the coast, the agency said.",
])
def test_claims_hedged(analyse, text):
    _, claims = analyse(text)
    assert claims and all(c.hedged for c in claims)
    assert all("hedge" in c.cues for c in claims)


def test_claims_not_hedged_without_hedge(analyse):
    _, claim = one_claim(analyse, "The ministry said 300 families were evacuated.")
    assert claim.hedged is False


def test_claims_checkworthy_for_attributed_statistic(analyse):
    _, claim = one_claim(analyse, "The ministry said 300 families were evacuated on Monday.")
    assert claim.checkworthy == "yes"


def test_claims_checkworthy_left_to_human_otherwise(analyse):
    _, claim = one_claim(analyse, "The central bank will cut interest rates next month.")
    assert claim.checkworthy is None


def test_claims_that_name_no_source_are_the_authors(analyse):
    """Issue 26 §3: what the window's W offered is the suggestion, so A keeps it."""
    _, claim = one_claim(analyse, "The US maintains 900 personnel in Syria and 2,500 in Iraq.")
    assert (claim.claimant_entity, claim.claimant_text) == (None, "author")
    _, claim = one_claim(analyse, "US soldiers in Syria are reportedly struggling to "
                                  "contain 300 fighters.")
    assert claim.claimant_text == "author"  # "reportedly" names no source
    _, claim = one_claim(analyse, "The ministry said 300 families were evacuated on Monday.")
    assert claim.claimant_text == "The ministry"


def test_claims_leave_a_paragraphs_dateline_out(analyse):
    text = ("Shafaq News/ The US maintains 900 personnel in Syria.\n"
            "BAGHDAD (Reuters) - The US maintains 900 personnel in Syria.\n"
            "Prices and/or wages rose 5 percent in March.")
    _, claims = analyse(text)
    assert [text[c.start:c.end] for c in claims] == [
        "The US maintains 900 personnel in Syria.", "The US maintains 900 personnel in Syria.",
        "Prices and/or wages rose 5 percent in March."]


def test_claims_checkworthy_yes_from_the_learned_score(nlp):
    """With the shipped model, a suggestion scoring from CHECKWORTHY_YES says "yes"
    (4 in 5 held-out ClaimBuster sentences so scored are check-worthy); below, None."""
    from annotator.suggest.checkworthy import shipped
    from annotator.suggest.claims import CHECKWORTHY_YES
    from annotator.suggest.entities import suggest_entities

    scorer = shipped()
    if scorer is None:
        pytest.skip("no shipped claim model")
    seen = set()
    for text in ("The US maintains 900 personnel in Syria and 2,500 in Iraq.",
                 "The central bank will cut interest rates next month."):
        doc = nlp(text)
        for claim in suggest_claims(doc, suggest_entities(doc), scorer):
            high = claim.score >= CHECKWORTHY_YES
            seen.add(high)
            assert claim.checkworthy == ("yes" if high else None), (claim.score, text)
    assert seen == {True, False}


def test_claims_split_coordinated_clauses(analyse):
    text = "Prices rose 5 percent in March, and unemployment fell to 3 percent in April."
    _, claims = analyse(text)
    assert [text[c.start:c.end] for c in claims] == [
        "Prices rose 5 percent in March", "unemployment fell to 3 percent in April."]


def test_claims_paragraph_break_ends_a_unit(analyse):
    text = "The army captured 40 fighters last week\n\nThe report was published on Monday."
    _, claims = analyse(text)
    assert all("\n" not in text[c.start:c.end] for c in claims)


# --- exclusions


@pytest.mark.parametrize("text", [
    "Will the government raise taxes on fuel next year?",
    "How many soldiers died in the attack in 2019?",
])
def test_claims_exclude_questions(analyse, text):
    assert analyse(text)[1] == []


@pytest.mark.parametrize("text", [
    "I think the new policy is a disaster for 3 million farmers.",
    "We must act now to save the river.",
    "In my opinion, the 2 stadiums were a waste of money.",
])
def test_claims_exclude_first_person_opinion(analyse, text):
    assert analyse(text)[1] == []


@pytest.mark.parametrize("text", [
    "Disclaimer: The views expressed inthis article do not necessarily reflect those of "
    "the 3 owners.",
    "Reporting by John Smith; Editing by Jane Doe in 2024.",
    "Copyright 2024 Reuters. All rights reserved.",
])
def test_claims_exclude_boilerplate(analyse, text):
    assert analyse(text)[1] == []


@pytest.mark.parametrize("text", ["Photo: 2024 Reuters", "Gulf Markets Review/", "Section 3."])
def test_claims_exclude_fragments_without_verb(analyse, text):
    assert analyse(text)[1] == []


def test_claims_quoted_first_person_is_still_a_quote(analyse):
    text = "“We think 40 villages are under siege,” the governor said."
    _, claim = one_claim(analyse, text)
    assert claim.claim_type == "quote"


# --- pure helpers (no model)


def test_claims_score_is_logistic_of_bias_and_cue_weights():
    assert score_cues([]) == round(1 / (1 + math.exp(-BIAS)), 3) < MIN_SCORE
    both = BIAS + CUE_WEIGHTS["number"] + CUE_WEIGHTS["reporting_verb"]
    assert score_cues(["number", "reporting_verb"]) == round(1 / (1 + math.exp(-both)), 3)
    assert score_cues(["hedge"]) == score_cues([])
    assert score_cues(["number", "promise"]) < score_cues(["number"])
    assert score_cues(["date"]) < MIN_SCORE <= score_cues(["date", "past_action", "on_record"])


def test_claims_quote_regions():
    text = 'He said "yes" and “no way” then “open\n\nnext'
    regions = quote_regions(text)
    assert [text[a:b] for a, b in regions] == ['"yes"', "“no way”", "“open"]


# --- check-worthiness (issue 14): sentences of our own, one shape each


@pytest.mark.parametrize("text", [
    "We will build 200 new schools in this state.",
    "I'm going to balance the budget in my first term.",
    "Now, we may not succeed.",
    "We're going to have to rebuild the party from the ground up.",
])
def test_claims_speaker_promises_and_plans_are_not_suggested(analyse, text):
    assert analyse(text)[1] == []


def test_claims_attributed_forecast_outscores_a_promise():
    promise = score_cues(["number", "digits", "promise"])
    forecast = score_cues(["reporting_verb", "statistic", "number", "digits", "date",
                           "prediction"])
    assert promise < MIN_SCORE <= forecast


def test_claims_attributed_forecast_is_a_prediction(analyse):
    text = "The central bank said inflation could reach 6 per cent by 2026."
    _, claim = one_claim(analyse, text)
    assert claim.claim_type == "prediction" and "prediction" in claim.cues
    assert claim.score >= 0.8


@pytest.mark.parametrize(("text", "cue"), [
    ("The senator voted against the highway bill twice.", "on_record"),   # past action
    ("Our government has cut property taxes for small firms.", "past_action"),
    ("Teen smoking is sharply down across the province.", "main_trend"),  # trend
    ("Heroin overdoses in the city have tripled.", "main_trend"),
    ("It was the largest budget deficit since the war.", "superlative"),  # no number
    ("Exports were lower than in any year since the war.", "comparative"),
    ("Not a single hospital in the region has a working MRI scanner.", "not_one"),
    ("There isn't one country in the region that still supports the treaty.", "not_one"),
    ("Did you know the state spends $2 billion a year on prisons?", "question"),  # figure
])
def test_claims_factual_shapes_without_strong_cues_are_suggested(analyse, text, cue):
    _, claim = one_claim(analyse, text)
    assert cue in claim.cues
    assert claim.score >= MIN_SCORE


def test_claims_no_claim_longer_than_its_paragraph(analyse):
    text = ('Residents said "the water was brown for weeks and nobody came.\n'
            "The utility denied the claim on Monday. It said 3 samples were clean.\n\n"
            '"Prices rose 4 per cent," the minister said.')
    _, claims = analyse(text)
    paragraphs = []
    at = 0
    for line in text.split("\n"):
        paragraphs.append((at, at + len(line)))
        at += len(line) + 1
    assert claims
    for c in claims:
        assert any(a <= c.start and c.end <= b for a, b in paragraphs), text[c.start:c.end]


def test_claims_quote_regions_unclosed_quote_ends_with_its_sentence():
    text = 'He said "we lost. Then it rained. She said "fine" today.'
    assert [text[a:b] for a, b in quote_regions(text)] == ['"we lost.', '"fine"']
    ends = [len('He said "we lost. Then it rained.')]
    assert [text[a:b] for a, b in quote_regions(text, ends)][0] == '"we lost.'


def test_claims_quote_regions_straight_quotes_read_from_their_neighbours():
    text = 'a "b c" d "e f" g'
    assert [text[a:b] for a, b in quote_regions(text)] == ['"b c"', '"e f"']
