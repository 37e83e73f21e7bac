"""The language check of ``suggest`` (issue 26): a document whose script the
pipeline's language is not written in gets no suggestions, says so, and its script is
stored in its meta."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.language import dominant_script, letter_script, mismatch
from annotator.store import Store

ARABIC = ("وذكرت وزارة الداخلية العراقية في بيان أن 300 عائلة نزحت من مدينة البصرة"
          " يوم الاثنين.\n\nوقال محمد علي إن الأوضاع مستقرة في بغداد.")
ENGLISH = "The ministry said 300 families were evacuated from Basra on Monday."
# mostly Arabic, with an English paragraph
MIXED_AR = ARABIC + "\n\nThe ministry said the road to Basra was open."
# mostly English, with an Arabic quote
MIXED_EN = (ENGLISH + "\n\nToyota will open a factory in Kentucky next year, the company"
            " said.\n\nA sign read: بغداد.")


def test_language_letter_script_by_unicode_name():
    assert letter_script("و") == "Arabic"
    assert letter_script("a") == "Latin"
    assert letter_script("é") == "Latin"
    assert letter_script("3") is None and letter_script(".") is None


def test_language_dominant_script_of_mixed_texts():
    assert dominant_script(ARABIC) == "Arabic"
    assert dominant_script(MIXED_AR) == "Arabic"
    assert dominant_script(MIXED_EN) == "Latin"
    assert dominant_script("123 ... 456") is None


def test_language_mismatch_names_script_language_and_flag():
    reason = mismatch("Arabic", "en")
    assert reason is not None
    assert "Arabic" in reason and "English" in reason and "--force-language" in reason
    assert mismatch("Latin", "en") is None
    assert mismatch("Arabic", "ar") is None
    assert mismatch("Arabic", "xx") is None  # multi-language: not checked
    assert mismatch(None, "en") is None


def _project(path) -> None:
    with Store(path) as store, store.write():
        store.insert_document(ARABIC, {"title": "عربي"}, "h1")
        store.insert_document(ENGLISH, {}, "h2")
        store.insert_document(MIXED_AR, {}, "h3")
        store.insert_document(MIXED_EN, {}, "h4")


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_suggest_skips_arabic_documents_for_the_english_pipeline(tmp_path, nlp):
    db = tmp_path / "p.db"
    _project(db)
    result = CliRunner().invoke(main, ["suggest", "--db", str(db)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "in 2 document(s)" in out
    assert ("skipped 2 document(s): Arabic script, and the pipeline's language is "
            "English (en); --force-language suggests anyway") in out
    # once per document
    assert out.count("document 1: Arabic script, not suggested") == 1
    assert out.count("document 3: Arabic script, not suggested") == 1
    assert "document 2:" not in out and "document 4:" not in out
    with Store(db) as store:
        assert store.spans(1) == [] and store.spans(3) == []
        assert store.spans(2) and store.spans(4)
        scripts = {i: store.document(i).meta.get("script") for i in (1, 2, 3, 4)}
        assert scripts == {1: "Arabic", 2: "Latin", 3: "Arabic", 4: "Latin"}
        assert store.document(1).meta["title"] == "عربي"  # the rest of meta kept


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_suggest_force_language_suggests_anyway(tmp_path, nlp):
    db = tmp_path / "p.db"
    _project(db)
    result = CliRunner().invoke(main, ["suggest", "--doc", "1", "--force-language",
                                       "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "in 1 document(s)" in result.output
    assert "skipped" not in result.output
    with Store(db) as store:
        assert store.document(1).meta["script"] == "Arabic"
        assert store.has_model_spans(1)
