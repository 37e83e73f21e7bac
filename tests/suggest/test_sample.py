"""The Must-show items of issues 3 and 14 on the sample article, through the CLI.

Since issue 14 a claim's span is what is asserted (the quotation, the reported clause);
the attribution is in its claimant, via and cues."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotator.cli import main
from tests.conftest import SHAFAQ


@pytest.fixture(scope="module")
def shown(tmp_path_factory, nlp):
    db = tmp_path_factory.mktemp("sample") / "news.db"
    runner = CliRunner()
    for args in (["import", str(SHAFAQ)], ["suggest"], ["suggest"]):
        result = runner.invoke(main, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
    assert "0 document(s)" in result.output  # the second run found nothing to do
    result = runner.invoke(main, ["show", "1", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def claim_with(shown, *words):
    found = [s for s in shown["spans"] if s["layer"] == "claim"
             and all(w in s["text"] for w in words)]
    assert len(found) == 1, [s["text"] for s in shown["spans"] if s["layer"] == "claim"]
    assert found[0]["cues"] and found[0]["origin"] == "model"
    return found[0]


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_sample_person_suggestions(shown):
    people = {s["text"] for s in shown["spans"] if s["label"] == "PERSON"}
    assert {"Rohilat Afrin", "Ali al-Hassan"} <= people


def test_sample_statistic_claims(shown):
    claim_with(shown, "153 attacks")
    assert claim_with(shown, "233", "28 operations")["claim"]["claim_type"] == "statistic"
    claim_with(shown, "900 personnel", "2,500")


def test_sample_tasnim_prediction(shown):
    claim = claim_with(shown, "US forces might", "September 2025")["claim"]
    assert (claim["claim_type"], claim["hedged"]) == ("prediction", True)
    assert "Tasnim News" in claim["claimant"]["text"]


def test_sample_afrin_quote(shown):
    claim = claim_with(shown, "worst year", "get upagain")["claim"]
    assert claim["claim_type"] == "quote"
    assert (claim["claimant"]["label"], claim["claimant"]["text"]) == ("PERSON", "Rohilat Afrin")
    assert "Wall Street Journal" in claim["via"]


def test_sample_no_claim_on_disclaimer(shown):
    assert not [s for s in shown["spans"] if s["layer"] == "claim" and "Disclaimer" in s["text"]]


def test_sample_offsets_are_exact(shown):
    text = shown["text"]
    assert all(text[s["start"]:s["end"]] == s["text"] for s in shown["spans"])


def test_sample_lead_sentence_is_a_claim(shown):
    claim_with(shown, "Islamic State(ISIS) is resurging", "Syria")


def test_sample_reportedly_is_hedged_and_reported(shown):
    claim = claim_with(shown, "strugglingto contain", "groupreportedly")
    assert "reportedly" in claim["cues"]
    assert (claim["claim"]["claim_type"], claim["claim"]["hedged"]) == ("reported", True)


def test_sample_based_on_the_report(shown):
    claim = claim_with(shown, "ISIS is alsotargeting displaced people")
    assert not claim["text"].startswith("Based on")
    assert claim["claim"]["claim_type"] == "reported"
    assert claim["claim"]["claimant"] == "the report"  # free text, no entity


def test_sample_children_trained_as_militants(shown):
    claim_with(shown, "children are exposed", "trained as militants")


def test_sample_one_operation_is_not_a_statistic(shown):
    claim = claim_with(shown, "In one successful operation", "detained dozens")
    assert claim["claim"]["claim_type"] == "event"


def test_sample_relayed_report(shown):
    claim = claim_with(shown, "ISIS is strengthening its presence")
    assert "according to" not in claim["text"]
    assert claim["claim"]["claimant"]["text"] == "Wall Street Journal"
    assert claim["claim"]["via"] == "Jerusalem Post"


def test_sample_claiming_verb_subject(shown):
    claim = claim_with(shown, "153 attacks")
    assert claim["claim"]["claimant"]["text"] == "ISIS"
