"""The claim filter (issue 27, the quote view): all claims, check-worthy only (at least a
score, or marked "yes"), quotes only; the list, the highlights, the stepping, the
bulk keys and the counts follow it, and it is kept per project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel

from annotator.importers import content_hash
from annotator.model import Claim, Span
from annotator.store import Store

from .conftest import settle_tokens
from .test_keyboard import ALT, CTRL, SHIFT, key

pytestmark = pytest.mark.gui

TEXT = ("\"I love this town and I always will,\" said Ana Ferreira. "
        "Unemployment fell to 4.1 per cent in March. "
        "The SDF said ISIS lost Raqqa. "
        "Officials expect more rain.\n"
        "The council met in Mosul. Critics called the plan a disaster.")


def _claim(text: str, needle: str, score: float | None, claim: Claim, cues: list[str],
           decision: str = "pending") -> Span:
    start = text.index(needle)
    return Span(0, "claim", start, start + len(needle), "CLAIM",
                origin="model" if score is not None else "human", decision=decision,
                score=score, model="test-model" if score is not None else None,
                cues=cues, claim=claim)


def _project(store: Store) -> tuple[int, dict[str, int]]:
    """One document: a quote below the threshold (the quote view's), a statistic, a
    claim marked not check-worthy despite its score, one marked check-worthy despite
    its score, one at 0.60, a claim a person added (no score), and entities."""
    claims = {
        "quote": _claim(TEXT, "\"I love this town and I always will,\" said Ana Ferreira.",
                        0.21, Claim(claim_type="quote", claimant_text="Ana Ferreira"),
                        ["direct_quote", "quote_only"]),
        "statistic": _claim(TEXT, "Unemployment fell to 4.1 per cent in March.", 0.84,
                            Claim(claim_type="statistic"), ["number", "statistic"]),
        "said": _claim(TEXT, "The SDF said ISIS lost Raqqa.", 0.55,
                       Claim(claim_type="reported", checkworthy="no"), ["reporting_verb"]),
        "rain": _claim(TEXT, "Officials expect more rain.", 0.31,
                       Claim(claim_type="prediction", checkworthy="yes"), ["prediction"]),
        "met": _claim(TEXT, "The council met in Mosul.", 0.6, Claim(claim_type="event"),
                      ["past_action"]),
        "human": _claim(TEXT, "Critics called the plan a disaster.", None,
                        Claim(claim_type="other"), [], decision="accepted"),
    }
    entities = {"Ana Ferreira": "PERSON", "SDF": "ORG", "ISIS": "ORG", "Raqqa": "GPE",
                "Mosul": "GPE"}
    ids = {}
    with store.write():
        doc_id = store.insert_document(TEXT, {"title": "Filter"}, content_hash(TEXT), "new")
        for name, span in claims.items():
            span.doc_id = doc_id
            ids[name] = store.insert_span(span)
        for needle, label in entities.items():
            start = TEXT.index(needle)
            ids[needle] = store.insert_span(Span(doc_id, "entity", start,
                                                 start + len(needle), label, score=0.9,
                                                 model="test-model"))
    return doc_id, ids


@pytest.fixture
def filtered(db_path: Path) -> Any:
    store = Store(db_path)
    doc_id, ids = _project(store)
    yield store, doc_id, ids
    store.close()


def _listed(window: Any) -> set[int]:
    model = window.span_panel.claim_model
    return {model.spans[r].id for r in range(model.rowCount())}


def _drawn(window: Any) -> dict[int, bool]:
    """Claim id -> drawn dimmed, for every claim the article draws."""
    return {d.span.id: d.dim for d in window.article.index.claims}


def _set_filter(qtbot: Any, window: Any, mode: str) -> None:
    """Ctrl+Shift+F until ``mode``: the keyboard's way."""
    for _ in range(3):
        if window.claim_filter.filter.mode == mode:
            return
        key(qtbot, window, Qt.Key.Key_F, CTRL | SHIFT)
    assert window.claim_filter.filter.mode == mode


def test_claim_filter_modes_change_the_visible_set(qtbot, filtered, open_window):
    store, doc_id, ids = filtered
    window = open_window()
    window.open_document(doc_id)
    claims = {n: ids[n] for n in ("quote", "statistic", "said", "rain", "met", "human")}
    assert _listed(window) == set(claims.values())
    assert window.span_panel.claim_filter_bar.min_score.value() == 0.5
    _set_filter(qtbot, window, "checkworthy")  # ≥ 0.50, or marked yes; never marked no
    shown = {ids["statistic"], ids["rain"], ids["met"]}
    assert _listed(window) == shown
    # Hidden suggestions are not drawn; the hidden decided claim is drawn dimmed.
    assert _drawn(window) == {**{i: False for i in shown}, ids["human"]: True}
    _set_filter(qtbot, window, "quotes")
    assert _listed(window) == {ids["quote"]}
    assert set(_drawn(window)) == {ids["quote"], ids["human"]}
    # Entities are never filtered.
    assert window.span_panel.entity_model.rowCount() == 5
    _set_filter(qtbot, window, "all")
    assert _listed(window) == set(claims.values())
    assert _drawn(window) == dict.fromkeys(claims.values(), False)


def test_claim_filter_least_score_from_the_keyboard(qtbot, filtered, open_window):
    store, doc_id, ids = filtered
    window = open_window()
    window.open_document(doc_id)
    window.focus_span(ids["SDF"])  # an entity focused: its tab shows
    key(qtbot, window, Qt.Key.Key_Y, CTRL | SHIFT)  # check-worthy only, in the box
    spin = window.span_panel.claim_filter_bar.min_score
    assert window.claim_filter.filter.mode == "checkworthy"
    assert spin.hasFocus()
    key(qtbot, window, Qt.Key.Key_Up)
    key(qtbot, window, Qt.Key.Key_Up)  # 0.60: the claim at 0.6 still shows
    assert window.claim_filter.filter.min_score == 0.6
    # The focused entity stays, and the box keeps the keys (its tab is not switched).
    assert spin.hasFocus() and window.span_panel.tabs.currentIndex() == 1
    assert window.article.focused_id == ids["SDF"]
    assert _listed(window) == {ids["statistic"], ids["rain"], ids["met"]}
    key(qtbot, window, Qt.Key.Key_Up)  # 0.65
    assert _listed(window) == {ids["statistic"], ids["rain"]}
    qtbot.keyClicks(spin, "0.9")  # typed: applies on Return
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert _listed(window) == {ids["rain"]}  # marked yes: shown whatever its score
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.article.hasFocus()


def test_claim_filter_count_says_how_many_are_hidden(qtbot, filtered, open_window):
    store, doc_id, ids = filtered
    window = open_window()
    window.open_document(doc_id)
    bar = window.span_panel.claim_filter_bar
    assert bar.count.text() == "6 claims"
    _set_filter(qtbot, window, "checkworthy")
    told = "3 of 6 claims shown: filter check-worthy ≥ 0.50"
    assert bar.count.text() == told
    assert window.status_bar.currentMessage() == told
    assert window.span_panel.tabs.tabText(1) == "Claims 3/6"
    assert "3 claims filtered out" in window.position_label.full_text
    _set_filter(qtbot, window, "quotes")
    assert bar.count.text() == "1 of 6 claims shown: filter quotes only"
    assert "5 claims filtered out" in window.position_label.full_text


def test_claim_filter_reads_nothing_more_from_the_project(qtbot, filtered, open_window):
    """Scores and claim attributes come with the document's spans (one query): going
    round the modes and moving the least score runs no SQL."""
    store, doc_id, ids = filtered
    window = open_window()
    window.open_document(doc_id)
    window.focus_span(ids["SDF"])  # an entity: never hidden, so the focus stays
    window.article.tokens.want()  # what the first key asks for, asked first
    settle_tokens(qtbot, window)
    qtbot.waitUntil(lambda: window.article.tokens.wanted, timeout=5000)
    statements: list[str] = []
    window.store.conn.set_trace_callback(statements.append)
    try:
        for _ in range(3):
            key(qtbot, window, Qt.Key.Key_F, CTRL | SHIFT)
        key(qtbot, window, Qt.Key.Key_Y, CTRL | SHIFT)
        key(qtbot, window, Qt.Key.Key_Up)
    finally:
        window.store.conn.set_trace_callback(None)
    assert window.claim_filter.filter.min_score == 0.55
    assert statements == []


def test_claim_filter_stepping_skips_hidden_spans(qtbot, filtered, open_window):
    store, doc_id, ids = filtered
    window = open_window()
    window.open_document(doc_id)
    _set_filter(qtbot, window, "quotes")
    window.focus_span(ids["quote"])
    seen = []
    for _ in range(7):  # next suggestion, wrapping around
        key(qtbot, window, Qt.Key.Key_Space)
        seen.append(window.article.focused_id)
    order = [ids[n] for n in ("Ana Ferreira", "SDF", "ISIS", "Raqqa", "Mosul", "quote",
                              "Ana Ferreira")]
    assert seen == order
    window.focus_span(ids["Raqqa"])
    key(qtbot, window, Qt.Key.Key_Right)  # next span: over the hidden claims
    assert window.article.focused_id == ids["Mosul"]
    key(qtbot, window, Qt.Key.Key_Left)
    assert window.article.focused_id == ids["Raqqa"]
    # A (accept and advance) moves on to a shown suggestion, never a hidden one.
    key(qtbot, window, Qt.Key.Key_A)
    assert window.article.focused_id == ids["Mosul"]
    # A filter change that hides the focused claim moves the focus on.
    window.focus_span(ids["statistic"])
    _set_filter(qtbot, window, "all")
    window.focus_span(ids["said"])
    _set_filter(qtbot, window, "checkworthy")  # on to the next suggestion that shows
    assert window.article.focused_id == ids["SDF"]


def test_claim_filter_bulk_keys_never_accept_hidden_claims(qtbot, filtered, open_window):
    store, doc_id, ids = filtered
    window = open_window()
    window.open_document(doc_id)
    _set_filter(qtbot, window, "quotes")

    def decision(name: str) -> str:
        return store.get_span(ids[name]).decision

    # Shift+A: every shown suggestion; the hidden claims stay pending. One undo step.
    key(qtbot, window, Qt.Key.Key_A, SHIFT)
    assert [decision(n) for n in ("quote", "Ana Ferreira", "SDF", "Mosul")] \
        == ["accepted"] * 4
    assert [decision(n) for n in ("statistic", "said", "rain", "met")] == ["pending"] * 4
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert [decision(n) for n in ("quote", "Ana Ferreira", "SDF", "Mosul")] \
        == ["pending"] * 4
    # Alt+A from Ana Ferreira: the rest of the paragraph, past the hidden claims (not
    # stopping before them, where the focus would land on one for the next Alt+A).
    window.focus_span(ids["Ana Ferreira"])
    key(qtbot, window, Qt.Key.Key_A, ALT)
    assert [decision(n) for n in ("Ana Ferreira", "SDF", "ISIS", "Raqqa")] == ["accepted"] * 4
    assert window.article.focused_id == ids["Mosul"]  # the next paragraph's
    key(qtbot, window, Qt.Key.Key_A, ALT)
    assert decision("Mosul") == "accepted"
    assert [decision(n) for n in ("statistic", "said", "rain", "met")] == ["pending"] * 4
    # Ctrl+Shift+A on the quote: the claims of the layer that show, only.
    window.focus_span(ids["quote"])
    key(qtbot, window, Qt.Key.Key_A, CTRL | SHIFT)
    assert decision("quote") == "accepted"
    assert [decision(n) for n in ("statistic", "said", "rain", "met")] == ["pending"] * 4
    told = window.status_bar.queue.history[-1][1]
    assert told == "Accepted 1 shown; 4 claims the claim filter hides stay pending"
    key(qtbot, window, Qt.Key.Key_A, SHIFT)  # nothing shown is left: Shift+A refuses
    assert window.article.banner.message.startswith("Nothing shown to accept")
    # With every claim shown, Shift+A accepts them all, as before.
    _set_filter(qtbot, window, "all")
    key(qtbot, window, Qt.Key.Key_A, SHIFT)
    assert [decision(n) for n in ("statistic", "said", "rain", "met")] == ["accepted"] * 4


def test_claim_filter_survives_reopening_per_project(qtbot, filtered, open_window,
                                                   settings, tmp_path):
    store, doc_id, ids = filtered
    window = open_window()
    window.open_document(doc_id)
    key(qtbot, window, Qt.Key.Key_Y, CTRL | SHIFT)
    qtbot.keyClick(window.span_panel.claim_filter_bar.min_score, Qt.Key.Key_Up)
    window.close()
    settings.sync()
    again = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    from annotator.gui.app import build_window

    reopened = build_window(store.path, "tester", again, auto_suggest=False)
    qtbot.addWidget(reopened)
    try:
        reopened.open_document(doc_id)
        bar = reopened.span_panel.claim_filter_bar
        assert (bar.current().mode, bar.current().min_score) == ("checkworthy", 0.55)
        assert _listed(reopened) == {ids["statistic"], ids["rain"], ids["met"]}
        # Another project has its own (all claims, until set there).
        other = Store(tmp_path / "other.db")
        reopened.set_project(other)
        assert reopened.claim_filter.filter.mode == "all"
        assert not bar.min_score.isEnabled()
    finally:
        reopened.close()
        reopened.store.close()


def test_claim_filter_keys_are_in_the_menus_and_the_cheat_sheet(qtbot, filtered,
                                                                open_window):
    from annotator.gui.cheatsheet import CheatSheet

    window = open_window()
    table = window.action_table
    assert table["claim_filter"].shortcut().toString() == "Ctrl+Shift+F"
    assert table["claim_filter_score"].shortcut().toString() == "Ctrl+Shift+Y"
    assert table["claim_filter"] in table.menus["&View"].actions()
    bound: dict[str, str] = {}
    for spec in table.specs:  # no key is bound twice
        for k in spec.keys:
            assert bound.setdefault(k, spec.name) == spec.name, k
    sheet = CheatSheet(table.specs, window, window.doc_labels.cheat_rows())
    texts = [label.text() for label in sheet.findChildren(QLabel)]
    assert any(t.startswith("Claim filter: next") for t in texts)


def test_claim_filter_on_real_suggestions_keeps_every_quote(qtbot, db_path, open_window):
    """The real pipeline and the shipped check-worthiness model: an opinion quoted with
    its speaker is a suggestion (the quote view), shown by quotes only and hidden by
    check-worthy only; the statistic is the other way round."""
    from annotator.suggest.runner import load_pipeline, suggest

    text = ("Residents gathered in the square on Sunday. \"I love this town and I always "
            "will,\" said Ana Ferreira.\n"
            "Unemployment fell to 4.1 per cent in March, the statistics office said.")
    store = Store(db_path)
    with store.write():
        doc_id = store.insert_document(text, {}, content_hash(text), "new")
    suggest(store, load_pipeline())
    store.close()
    window = open_window()
    window.open_document(doc_id)

    def listed_texts() -> list[str]:
        return [text[s.start:s.end] for s in window.span_panel.claim_model.spans]

    quote = [s for s in window.spans if s.layer == "claim" and "love this town" in
             text[s.start:s.end]]
    assert len(quote) == 1 and quote[0].claim.claim_type == "quote"
    _set_filter(qtbot, window, "quotes")
    assert any("love this town" in t for t in listed_texts())
    assert not any("Unemployment" in t for t in listed_texts())
    _set_filter(qtbot, window, "checkworthy")
    assert not any("love this town" in t for t in listed_texts())
    assert any("Unemployment" in t for t in listed_texts())
