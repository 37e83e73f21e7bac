"""Issue 21.1, one tokenizer: a span the window makes falls on the tokens every export
writes. The window snaps by the project tokenizer's boundaries (ui/tokens.py), never by
a second tokenizer of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from annotator.export import ExportOptions, export
from annotator.importers import content_hash, import_paths
from annotator.session import Session
from annotator.store import Store
from annotator.tokens import TokenBounds, cached_bounds, tokenizer_id

from ..conftest import SHAFAQ
from .conftest import settle_tokens

FORMATS = ("jsonl", "spacy", "doccano", "labelstudio", "conll")


def key(qtbot: Any, window: Any, k: Any) -> None:
    qtbot.keyClick(window.article, k)
    settle_tokens(qtbot, window)


@pytest.mark.gui
@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_window_tokens_shafaq_news_exports_with_nothing_skipped(qtbot, db_path: Path,
                                                                open_window, tmp_path: Path):
    """The reported case: find "Shafaq News", label it ORG (key 2). The window's regex
    split "News/" where the project tokenizer did not, so the stored span (0-11) ended
    inside a token and the JSONL export skipped it."""
    with Store(db_path) as store:
        import_paths(store, [SHAFAQ])
    window = open_window()
    assert window.article.toPlainText().startswith("Shafaq News/")
    key(qtbot, window, Qt.Key.Key_Slash)
    qtbot.keyClicks(window.article.find_bar.edit, "Shafaq News")
    key(qtbot, window, Qt.Key.Key_Return)
    key(qtbot, window, Qt.Key.Key_2)
    [span] = [s for s in window.store.spans(1) if s.origin == "human"]
    assert (span.start, span.end, span.label, span.decision) == (0, 11, "ORG", "accepted")
    window.store.conn.commit()
    for fmt in FORMATS:
        summary = export(window.store, fmt, tmp_path / f"out-{fmt}",
                         ExportOptions(status="any"))
        assert not summary.skipped, (fmt, summary.summary())
        assert summary.spans_by_label["ORG"] == 1, (fmt, summary.summary())


@pytest.mark.gui
def test_window_tokens_come_from_the_cache_or_a_thread(qtbot, db_path: Path, open_window):
    """Opened, the window has no tokens (no spaCy); the first key asks for them: made in
    a thread and cached, so the next time they are read from the cache."""
    text = "The USmaintains 900 personnel inIraq, Shafaq News/ reported."
    with Store(db_path) as store, store.write():
        store.insert_document(text, {}, content_hash(text))
    window = open_window()
    tokens = window.article.tokens
    assert not tokens.wanted and not tokens.ready
    key(qtbot, window, Qt.Key.Key_V)  # any key in the article
    qtbot.waitUntil(lambda: tokens.ready, timeout=30_000)
    made = TokenBounds.of(text)
    assert (tokens.bounds.starts, tokens.bounds.ends) == (made.starts, made.ends)
    qtbot.waitUntil(lambda: not tokens._threads, timeout=30_000)  # cached, then ended
    cached = cached_bounds(window.store, 1, text)
    assert cached is not None and (cached.starts, cached.ends) == (made.starts, made.ends)
    assert window.store.get_tokens([1], tokenizer_id())


@pytest.mark.gui
def test_window_tokens_an_edit_before_they_come_waits_for_them(qtbot, db_path: Path,
                                                               open_window):
    """A label key before the boundaries are here stores nothing on a guess: the edit
    waits, and is done with the project tokenizer's boundaries when they come."""
    text = "Reporters from Shafaq News/ said the USmaintains 900 personnel."
    with Store(db_path) as store, store.write():
        store.insert_document(text, {}, content_hash(text))
    window = open_window()
    tokens = window.article.tokens
    start = text.index("Shafaq")
    window.article.select_range(start + 2, text.index("News") + 2)  # "afaq Ne"
    qtbot.keyClick(window.article, Qt.Key.Key_2)  # asks for them, and waits for them
    assert tokens.waiting_edits == 1
    assert not [s for s in window.store.spans(1) if s.origin == "human"]
    settle_tokens(qtbot, window)
    [span] = [s for s in window.store.spans(1) if s.origin == "human"]
    assert text[span.start:span.end] == "Shafaq News"  # not "Shafaq News/"


@pytest.mark.gui
def test_window_tokens_keys_after_a_waiting_edit_keep_their_order(qtbot, db_path: Path,
                                                                  open_window):
    """Undo right after a label key whose snapping waits undoes that label, as it would
    with the boundaries at hand; a second selection labelled meanwhile is its own."""
    text = "Reporters from Shafaq News/ said the USmaintains 900 personnel inIraq."
    with Store(db_path) as store, store.write():
        store.insert_document(text, {}, content_hash(text))
    window = open_window()
    window.article.select_range(text.index("Shafaq"), text.index("News") + 1)
    qtbot.keyClick(window.article, Qt.Key.Key_2)  # waits for the boundaries
    qtbot.keyClick(window.article, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    window.article.select_range(text.index("inIraq") + 3, text.index("inIraq") + 4)
    qtbot.keyClick(window.article, Qt.Key.Key_3)
    assert window.article.tokens.waiting_edits == 3
    settle_tokens(qtbot, window)
    added = [(text[s.start:s.end], s.label) for s in window.store.spans(1)
             if s.origin == "human"]
    assert added == [("Iraq", "GPE")]
    assert window.decisions.undo_stack.count() == 1  # the GPE (the undone ORG dropped)


@pytest.mark.gui
def test_window_tokens_a_waiting_edit_is_made_before_the_window_closes(
        qtbot, db_path: Path, open_window):
    """Closing the window right after a label key whose snapping waits loses nothing."""
    text = "Reporters from Shafaq News/ said the USmaintains 900 personnel."
    with Store(db_path) as store, store.write():
        store.insert_document(text, {}, content_hash(text))
    window = open_window()
    window.article.select_range(text.index("Shafaq"), text.index("News") + 1)
    qtbot.keyClick(window.article, Qt.Key.Key_2)
    assert window.article.tokens.waiting_edits == 1
    window.close()
    with Store(db_path) as store:
        added = [(text[s.start:s.end], s.label) for s in store.spans(1) if s.origin == "human"]
    assert added == [("Shafaq News", "ORG")]


# --- the property: every selection the window snaps exports in every format ---------------

FRAGMENTS = [
    "inIraq", "USmaintains", "ISISpropaganda", "Wall StreetJournal", "State(ISIS)",
    "News/Reuters", "Shafaq News/", "/AFP", "and/or", "km/h", "1/2",
    "👍🏽", "👨‍👩‍👧", "🏳️‍🌈", "😀", "👩🏿‍💻",
    "خالد الراشد", "بغداد،", "قال", "https://www.example.com/a/b?x=1&y=2",
    "www.shafaq.com/en/", "user@example.org", "1,000.50", "2,500", "4.25%", "02:20",
    "$1.2bn", "“quoted”", "‘single’", "don’t", "it's", "U.S.", "Brig. Gen.", "Mr.",
    "e-mail", "—", "…", "(", ")", "\"", "YouTube", "McDonald", "NGOs", "Zoe\u0301",
]
SEPARATORS = [" ", "", "  ", "\n", "\n\n", ", ", ". ", " - ", "\t"]


@st.composite
def hostile(draw: Any) -> tuple[str, list[tuple[int, int]]]:
    parts = draw(st.lists(st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                min_size=1, max_size=6)), min_size=1, max_size=12))
    text = ""
    for part in parts:
        text += draw(st.sampled_from(SEPARATORS)) + part
    text = text.strip() or "x"
    cuts = st.integers(0, len(text))
    selections = draw(st.lists(st.tuples(cuts, cuts), min_size=1, max_size=4))
    return text, [(min(a, b), max(a, b)) for a, b in selections]


EXAMPLES = {"run": 0, "spans": 0}


@pytest.fixture(scope="module")
def report() -> Any:
    yield EXAMPLES
    print(f"\nhostile texts: {EXAMPLES['run']} examples, {EXAMPLES['spans']} spans, each"
          f" exported in {len(FORMATS)} formats with 0 skipped")


@pytest.mark.slow
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(case=hostile())
def test_window_tokens_every_snapped_selection_exports_everywhere(
        case: tuple[str, list[tuple[int, int]]], report: Any,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """For every selection the window would snap (annotator.gui.decisions: ``bounds.snap`` for a
    selection, ``bounds.at`` at a caret), the stored span exports in every format with
    nothing skipped under the default alignment (strict)."""
    text, selections = case
    folder = tmp_path_factory.mktemp("hostile")
    with Store(folder / "p.db") as store:
        session = Session(store, "tester")
        bounds = TokenBounds.of(text)  # what the window's WindowTokens hands the snapping
        stored = 0
        layers: set[str] = set()
        for i, (start, end) in enumerate(selections):
            snapped = bounds.at(start) if start == end else bounds.snap(start, end)
            if snapped is None:
                continue  # the window refuses: "The selection holds no word"
            # one span a document, so no format leaves one out for an overlap (CoNLL
            # has no IOB tags for overlapping spans), only for its boundaries
            with store.write():
                doc_id = store.insert_document(text, {}, f"{content_hash(text)}-{i}")
            layer = "entity" if i % 2 == 0 else "claim"
            session.add(doc_id, layer, *snapped, "ORG" if layer == "entity" else "CLAIM")
            stored += 1
            layers.add(layer)
        for fmt in FORMATS:
            if not layers or (fmt == "conll" and "entity" not in layers):
                continue  # nothing stored to export: export() refuses ("nothing to export")
            summary = export(store, fmt, folder / fmt, ExportOptions(status="any",
                             # CoNLL never takes claims (IOB tags cannot overlap)
                             layer="entity" if fmt == "conll" else None), processes=1)
            assert not summary.skipped, (fmt, text, selections, summary.summary())
    report["run"] += 1
    report["spans"] += stored
