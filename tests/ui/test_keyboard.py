"""Issue 13, the keyboard: every action without the mouse, on the real window offscreen;
each test checks the database as well as the widgets."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QComboBox

from annotator.labels import RESERVED_KEYS
from annotator.model import LabelScheme
from annotator.store import Store

from .conftest import TEXT, add_document, find, settle_tokens

pytestmark = pytest.mark.gui
NO = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier

GLUED = ("ISIS claimed it. The report indicated that the US-SDFcoalition has captured 233 "
         "ISIS fighters, and NGOs said the USmaintains 900 personnel.")


def key(qtbot: Any, window: Any, k: Any, modifier: Any = NO) -> None:
    """A key where the focus is (the article unless a test moved it)."""
    target = QApplication.focusWidget() or window.article
    qtbot.keyClick(target, k, modifier)
    settle_tokens(qtbot, window)


class MouseCounter(QObject):
    """Counts every mouse press, release, move and double-click in the application."""

    KINDS = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
             QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove)

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in self.KINDS:
            self.count += 1
        return False


@pytest.fixture
def mouse() -> Any:
    counter = MouseCounter()
    app = QApplication.instance()
    app.installEventFilter(counter)
    yield counter
    app.removeEventFilter(counter)


# --- Tab, Esc, the document list --------------------------------------------------------


def test_keyboard_tab_never_changes_the_document(qtbot, project, open_window):
    window = open_window()
    claim = next(s for s in project.spans(1) if s.layer == "claim")
    window.focus_span(claim.id)  # the claim editor's fields are in the round too
    seen = []
    for _ in range(2 * len(window.focus_order) + 3):
        key(qtbot, window, Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
        assert window.doc.id == 1
    for _ in range(len(window.focus_order) + 2):
        key(qtbot, window, Qt.Key.Key_Backtab, SHIFT)
        assert window.doc.id == 1
    assert [project.get_document(i).status for i in (2, 3)] == ["new", "new"]
    # the documented order, once round
    stops = [w for w in window.focus_order if w.isVisible() and w.isEnabled()]
    assert seen[:len(stops)] == [*stops[1:], stops[0]]


def test_keyboard_document_list_by_ctrl_l_opens_only_on_return(qtbot, project, open_window):
    window = open_window()
    key(qtbot, window, Qt.Key.Key_L, CTRL)
    table = window.documents.table
    assert table.hasFocus()
    key(qtbot, window, Qt.Key.Key_Down)
    key(qtbot, window, Qt.Key.Key_Down)
    assert window.doc.id == 1 and project.get_document(3).status == "new"
    assert table.currentIndex().row() == 2
    key(qtbot, window, Qt.Key.Key_Return)
    assert window.doc.id == 3 and project.get_document(3).status == "in_progress"
    assert window.article.hasFocus()


def test_keyboard_escape_always_returns_to_the_article(qtbot, project, open_window):
    window = open_window()
    claim = next(s for s in project.spans(1) if s.layer == "claim")
    window.focus_span(claim.id)
    for widget in window.focus_order:
        if not (widget.isVisible() and widget.isEnabled()):
            continue
        widget.setFocus()
        key(qtbot, window, Qt.Key.Key_Escape)
        assert window.article.hasFocus(), widget
    key(qtbot, window, Qt.Key.Key_R)  # via: typed, then Esc puts it back
    qtbot.keyClicks(window.claim_editor.via, "Reuters")
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.article.hasFocus() and window.claim_editor.via.text() == ""
    assert project.get_span(claim.id).claim.via is None


def test_keyboard_input_widgets_take_their_own_keys(qtbot, project, open_window):
    window = open_window()
    focused = window.article.focused_span()
    status = window.documents.status_filter
    status.setFocus()
    key(qtbot, window, Qt.Key.Key_Down)
    key(qtbot, window, Qt.Key.Key_Down)
    assert status.currentIndex() == 2  # the filter changed ...
    assert window.article.focused_span() is focused  # ... not the focused span
    window.documents.focus_search()
    qtbot.keyClicks(window.documents.search_box, "ax")  # letters typed, not A/X decisions
    assert window.documents.search_box.text() == "ax"
    assert {s.decision for s in project.spans(1)} == {"pending"}


# --- the claim editor -------------------------------------------------------------------


def test_keyboard_return_commits_the_claimant(qtbot, project, open_window):
    window = open_window()
    claim = next(s for s in project.spans(1) if s.layer == "claim")
    window.focus_span(claim.id)
    key(qtbot, window, Qt.Key.Key_W)
    editor = window.claim_editor
    assert editor.claimant.hasFocus()
    qtbot.keyClicks(editor.claimant, "author")
    assert project.get_span(claim.id).claim.claimant_text is None  # not before Return
    key(qtbot, window, Qt.Key.Key_Return)
    assert project.get_span(claim.id).claim.claimant_text == "author"
    assert window.article.hasFocus()


def test_keyboard_claim_field_keys_are_shown_in_the_panel_and_cheat_sheet(
        qtbot, project, open_window):
    from PySide6.QtWidgets import QFormLayout, QLabel

    window = open_window()
    form = window.claim_editor.layout()
    assert isinstance(form, QFormLayout)
    shown = [form.labelForField(w).text() for w in window.claim_editor.fields.values()]
    assert shown == ["Type [T]", "Claimant [W]", "Via [R]", "Check-worthy [Y]", "Hedged [H]"]
    key(qtbot, window, Qt.Key.Key_F1)
    texts = {label.text() for label in window.cheat_sheet.findChildren(QLabel)}
    assert {"Claim type", "Claimant (who says it)", "Via (relayed by)",
            "Check-worthy (next: yes, no, unsure, none)", "Check-worthy list",
            "Hedged (toggle)", "Accept all pending of the focused span's layer",
            "Accept all pending of the focused span's label", "Label picker (any label, "
            "type its name)", "Document list (Return opens)"} <= texts


def test_keyboard_claim_lists_pick_on_a_first_letter_and_via_completes(
        qtbot, project, open_window):
    window = open_window()
    claim = next(s for s in project.spans(1) if s.layer == "claim")
    window.focus_span(claim.id)
    editor = window.claim_editor
    key(qtbot, window, Qt.Key.Key_T)
    listed = editor.choice_list  # inside the window: no popup window's focus to wait for
    assert listed.isVisible() and listed.hasFocus() and listed.parent() is window
    assert [listed.item(i).text() for i in range(listed.count())][1:3] == \
        ["statistic", "quote"]
    key(qtbot, window, Qt.Key.Key_S)  # statistic: the only "s"
    assert window.article.hasFocus() and not listed.isVisible()
    assert project.get_span(claim.id).claim.claim_type == "statistic"
    key(qtbot, window, Qt.Key.Key_T)  # ↑/↓ and Return work too
    key(qtbot, window, Qt.Key.Key_Down)
    key(qtbot, window, Qt.Key.Key_Return)
    assert window.article.hasFocus()
    from annotator.model import CLAIM_TYPES

    after = CLAIM_TYPES[CLAIM_TYPES.index("statistic") + 1]
    assert project.get_span(claim.id).claim.claim_type == after
    key(qtbot, window, Qt.Key.Key_R)
    assert editor.outlets.stringList() == ["Wall Street Journal", "ISIS"]  # nearest first
    qtbot.keyClicks(editor.via, "w")
    assert editor.via.text().casefold() == "wall street journal"  # completed
    key(qtbot, window, Qt.Key.Key_Return)
    assert project.get_span(claim.id).claim.via == "Wall Street Journal"


def test_keyboard_claimant_choices_say_where_and_link_the_exact_mention(
        qtbot, db_path, open_window):
    text = ("ISIS said nothing. Later, the report said that ISIS fighters were captured, "
            "and the SDF confirmed it.")
    with Store(db_path) as store:
        inside = text.index("ISIS fighters")
        add_document(store, text, [("entity", "ISIS", "ORG"), ("entity", "SDF", "ORG")])
        from annotator.model import Span

        with store.write():
            linked = store.insert_span(Span(1, "entity", inside, inside + 4, "ORG"))
            said = text.index("the report said")  # the suggester's cue for "said"
            store.insert_span(Span(1, "claim", said, text.index(", and"), "CLAIM", score=0.9,
                                   model="test-model", cues=["reporting_verb"]))
    window = open_window()
    claim = next(s for s in window.spans if s.layer == "claim")
    window.focus_span(claim.id)
    editor = window.claim_editor
    editor.ensure_choices()  # listed when the field is entered (W, Tab, a click)
    choices = [editor.claimant.itemText(i) for i in range(editor.claimant.count())]
    isis = [c for c in choices if c.startswith("ISIS (ORG)")]
    assert len(isis) == 2 and len(set(isis)) == 2  # told apart by where they are
    assert isis[0] == f"ISIS (ORG) @{inside} in claim: …report said that ISIS fighters " \
        "were captured,…"
    assert editor.default_claimant == linked  # the nearest mention inside the claim
    key(qtbot, window, Qt.Key.Key_W)
    key(qtbot, window, Qt.Key.Key_Return)
    assert window.store.get_span(claim.id).claim.claimant_span_id == linked


# --- making spans without the mouse -----------------------------------------------------


def test_keyboard_caret_mode_creates_a_span_with_no_mouse_event(qtbot, db_path, open_window,
                                                                mouse):
    with Store(db_path) as store:
        add_document(store, GLUED, [("entity", "ISIS", "ORG")])
    window = open_window()
    key(qtbot, window, Qt.Key.Key_V)
    assert window.article.caret_mode and window.article.caret_position() == 0
    for _ in range(8):  # ISIS claimed it . The report indicated that
        key(qtbot, window, Qt.Key.Key_Right, CTRL)
    assert window.article.caret_position() == GLUED.index("the US")
    key(qtbot, window, Qt.Key.Key_Right, SHIFT)  # "the"
    key(qtbot, window, Qt.Key.Key_Right, SHIFT)  # "the US"
    key(qtbot, window, Qt.Key.Key_Left, CTRL | SHIFT)  # "the U" (snaps back to "the US")
    key(qtbot, window, Qt.Key.Key_3)
    added = [s for s in window.store.spans(1) if s.origin == "human"]
    assert [(GLUED[s.start:s.end], s.label) for s in added] == [("the US", "GPE")]
    assert not window.article.caret_mode
    assert mouse.count == 0


def test_keyboard_find_selects_a_glued_word_and_snaps_to_it(qtbot, db_path, open_window,
                                                           mouse):
    with Store(db_path) as store:
        add_document(store, GLUED, [("entity", "ISIS", "ORG")])
    window = open_window()
    key(qtbot, window, Qt.Key.Key_Slash)
    assert window.article.find_bar.edit.hasFocus()
    qtbot.keyClicks(window.article.find_bar.edit, "sdf")
    key(qtbot, window, Qt.Key.Key_Return)
    assert window.article.hasFocus() and window.article.caret_mode
    key(qtbot, window, Qt.Key.Key_2)
    key(qtbot, window, Qt.Key.Key_Slash)
    qtbot.keyClicks(window.article.find_bar.edit, "NGO")
    key(qtbot, window, Qt.Key.Key_Return)
    key(qtbot, window, Qt.Key.Key_2)
    key(qtbot, window, Qt.Key.Key_Slash)
    qtbot.keyClicks(window.article.find_bar.edit, "isis")
    key(qtbot, window, Qt.Key.Key_Down)  # the second match
    key(qtbot, window, Qt.Key.Key_Return)
    key(qtbot, window, Qt.Key.Key_2)
    added = sorted((s.start, GLUED[s.start:s.end]) for s in window.store.spans(1)
                   if s.origin == "human")
    # "SDF" out of "US-SDFcoalition", "NGOs" whole (an acronym's plural), the 2nd "ISIS"
    assert [t for _, t in added] == ["SDF", "ISIS", "NGOs"]
    assert mouse.count == 0


def test_keyboard_caret_mode_selects_a_sentence_for_a_claim(qtbot, db_path, open_window,
                                                           mouse):
    text = "Brig. Gen. Ali al-Hassan warned of chaos. The US maintains 900 personnel."
    with Store(db_path) as store:
        add_document(store, text, [("entity", "US", "GPE")])
    window = open_window()
    key(qtbot, window, Qt.Key.Key_V)  # the caret at the focused "US"
    key(qtbot, window, Qt.Key.Key_Up, CTRL)  # back to its sentence's start
    assert window.article.caret_position() == text.index("The US")
    key(qtbot, window, Qt.Key.Key_Up, CTRL)  # the one before ("Gen." ends none)
    assert window.article.caret_position() == 0
    key(qtbot, window, Qt.Key.Key_Down, CTRL)
    assert window.article.caret_position() == text.index("The US")
    key(qtbot, window, Qt.Key.Key_Down, CTRL | SHIFT)  # to its end
    key(qtbot, window, Qt.Key.Key_C)
    [claim] = [s for s in window.store.spans(1) if s.layer == "claim"]
    assert text[claim.start:claim.end] == "The US maintains 900 personnel."
    assert claim.origin == "human" and mouse.count == 0


def test_keyboard_label_picker_reaches_money_and_every_label(qtbot, project, open_window):
    window = open_window()
    start, end = find(TEXT, "900")
    key(qtbot, window, Qt.Key.Key_V)
    window.article.select_range(start, start)
    key(qtbot, window, Qt.Key.Key_L)
    picker = window.article.picker
    assert picker.isVisible() and picker.edit.hasFocus()
    assert picker.shown() == [x.name for x in window.scheme.span_labels()]  # every span label
    qtbot.keyClicks(picker.edit, "mon")
    assert picker.shown()[0] == "MONEY"
    key(qtbot, window, Qt.Key.Key_Return)
    span = next(s for s in project.spans(1) if TEXT[s.start:s.end] == "900"
                and s.origin == "human")
    assert span.label == "MONEY" and not picker.isVisible() and window.article.hasFocus()
    # relabel the focused span: only its layer's labels are offered
    window.focus_span(span.id)
    key(qtbot, window, Qt.Key.Key_L)
    assert "CLAIM" not in picker.shown()
    qtbot.keyClicks(picker.edit, "perc")
    key(qtbot, window, Qt.Key.Key_Return)
    assert project.get_span(span.id).label == "PERCENT"


def test_keyboard_legend_shows_every_label(project, open_window):
    window = open_window()
    legend = window.header.legend
    spans = window.scheme.span_labels()  # document labels' keys follow a prefix
    assert list(legend.chips) == [x.name for x in spans if x.key] + \
        [x.name for x in spans if not x.key]
    assert legend.chips["MONEY"].text() == "MONEY" and legend.chips["ORG"].text() == "2 ORG"


def test_keyboard_label_keys_never_collide_with_command_keys(project, open_window):
    from annotator.gui.actions import COMMAND_KEYS

    assert COMMAND_KEYS == RESERVED_KEYS  # the legend hides a reserved key of a label
    default = LabelScheme.load()
    # span labels' keys (document labels' follow the document-label prefix)
    assert not {x.key.lower() for x in default.span_labels() if x.key} & COMMAND_KEYS
    window = open_window()
    seen: dict[str, str] = {}
    for action in window.actions():
        for sequence in action.shortcuts():
            assert sequence.toString() not in seen, (sequence.toString(), action.text())
            seen[sequence.toString()] = action.text()


# --- bulk accept, boundary moves ---------------------------------------------------------


def test_keyboard_bulk_accept_by_layer_and_by_label(qtbot, project, open_window):
    window = open_window()
    gpe = next(s for s in project.spans(1) if s.label == "GPE")
    window.focus_span(gpe.id)
    key(qtbot, window, Qt.Key.Key_A, ALT | SHIFT)  # every pending GPE
    assert {s.label for s in project.spans(1) if s.decision == "accepted"} == {"GPE"}
    key(qtbot, window, Qt.Key.Key_A, CTRL | SHIFT)  # every pending entity
    assert {s.layer for s in project.spans(1) if s.decision == "pending"} == {"claim"}
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert {s.label for s in project.spans(1) if s.decision == "accepted"} == {"GPE"}


def test_keyboard_repeated_boundary_moves_are_one_undo_step_and_one_event(
        qtbot, db_path, open_window, monkeypatch):
    with Store(db_path) as store:
        add_document(store, GLUED, [("entity", "US-SDFcoalition", "ORG")])
    window = open_window()
    span = window.article.focused_span()
    for _ in range(2):  # "US-SDFcoalition" -> "US-SDF" -> "US-"
        key(qtbot, window, Qt.Key.Key_Left, SHIFT)
    key(qtbot, window, Qt.Key.Key_Right, ALT)  # the start moves too: same span, same run
    stored = window.store.get_span(span.id)
    assert GLUED[stored.start:stored.end] == "-"
    assert window.decisions.undo_stack.count() == 1
    assert [e["action"] for e in window.store.events(1)].count("resize") == 1
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    stored = window.store.get_span(span.id)
    assert (GLUED[stored.start:stored.end], stored.decision) == ("US-SDFcoalition", "pending")
    # after a pause, a new step
    import annotator.session

    key(qtbot, window, Qt.Key.Key_Left, SHIFT)
    monkeypatch.setattr(annotator.session, "COALESCE_S", 0.0)
    key(qtbot, window, Qt.Key.Key_Left, SHIFT)
    assert window.decisions.undo_stack.index() == 2


def test_keyboard_window_tokens_are_the_project_tokenizers():
    """The window snaps by :class:`TokenBounds`: the project tokenizer's tokens, the
    same whether made now or read back from the token cache's starts."""
    from annotator.tokens import TokenBounds, tokenize

    from ..conftest import SAMPLES

    tokens = TokenBounds.of(GLUED)
    start = GLUED.index("SDF")
    assert tokens.snap(start, start + 3) == (start, start + 3)  # "SDF", not "SDFcoalition"
    ngos = GLUED.index("NGOs")
    assert tokens.snap(ngos, ngos + 2) == (ngos, ngos + 4)
    us = GLUED.index("USmaintains")
    assert tokens.snap(us, us + 1) == (us, us + 2)
    for path in sorted(SAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        made = TokenBounds.of(text)
        cached = TokenBounds.from_starts(text, tokenize(text)[0])
        assert (made.starts, made.ends) == (cached.starts, cached.ends), path.name


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_keyboard_refusal_stays_until_the_next_key_and_looks_apart(qtbot, project,
                                                                   open_window):
    window = open_window()
    entity = next(s for s in project.spans(1) if s.label == "ORG")
    window.focus_span(entity.id)
    key(qtbot, window, Qt.Key.Key_T)  # a claim key on an entity: refused
    banner = window.article.banner
    assert banner.isVisible() and banner.message.startswith("No claim focused")
    assert "background: #c92a2a" in banner.styleSheet()
    qtbot.wait(1000)
    window.focus_span(entity.id)  # the focused span's description does not replace it
    assert banner.isVisible() and banner.message.startswith("No claim focused")
    assert window.statusBar().currentMessage().startswith("ORG")  # information: below
    key(qtbot, window, Qt.Key.Key_Right)  # the next key
    assert not banner.isVisible()


# --- the search index ---------------------------------------------------------------------


@pytest.mark.slow
def test_keyboard_search_index_fills_in_idle_ticks(qtbot, project, open_window, monkeypatch):
    import annotator.gui.indexer

    with project.write() as conn:
        conn.executemany("INSERT INTO documents (text, meta, content_hash, status, created_at,"
                         " updated_at, title) VALUES (?, '{}', ?, 'new', '', '', ?)",
                         ((f"Filler {i} about Kirkuk. " + "Words of news. " * 150, f"f{i}",
                           f"Filler {i}") for i in range(2000)))
    window = open_window()
    indexer = window.indexer
    assert "indexing" not in window.documents.search_box.placeholderText()  # not idle yet
    monkeypatch.setattr(annotator.gui.indexer, "IDLE_MS", 0)
    shown = []
    indexer.progressed.connect(shown.append)
    ticks = []
    original = indexer.tick
    monkeypatch.setattr(indexer, "tick", lambda: ticks.append(original()) or ticks[-1])
    qtbot.waitUntil(lambda: not indexer.running, timeout=60_000)
    assert shown[0] > 0 and shown[-1] == 0  # "indexing, N to go" while it lasted
    assert project.count_unindexed() == 0
    assert window.documents.search_box.placeholderText() == "Search title or text (Ctrl+F)"
    # In many ticks, not one long one (how short each is: `python -m bench.search`).
    assert len([n for n in ticks if n]) > 1


def test_keyboard_indexer_waits_while_keys_come(qtbot, project, open_window, monkeypatch):
    """Keys closer together than IDLE_MS keep the indexer waiting; once they stop for
    IDLE_MS it ticks. The indexer's clock is the test's (a busy machine would stretch
    real waits past IDLE_MS)."""
    import time
    import types

    import annotator.gui.indexer

    now = [1000.0]
    monkeypatch.setattr(annotator.gui.indexer, "time", types.SimpleNamespace(
        monotonic=lambda: now[0], perf_counter=time.perf_counter))
    window = open_window()
    indexer = window.indexer
    calls = []
    indexer.tick = lambda: calls.append(1) or 0  # type: ignore[method-assign]
    for _ in range(12):  # a key every 100 ms for 1.2 s: never idle for IDLE_MS
        key(qtbot, window, Qt.Key.Key_Right)
        now[0] += 0.1
        indexer._on_timer_timeout()
    assert calls == []
    now[0] += annotator.gui.indexer.IDLE_MS / 1000
    indexer._on_timer_timeout()
    assert calls == [1]


def test_keyboard_status_filter_combo_is_an_input_widget(open_window, project):
    window = open_window()
    assert isinstance(window.documents.status_filter, QComboBox)
    assert window.documents.status_filter in window.focus_order


def test_keyboard_claimant_list_is_made_when_entered_not_on_every_focus_move(
        qtbot, project, open_window, monkeypatch):
    """Listing thousands of entities with their context on every move to a claim would
    cost more than the move: the list is made when the claimant (or via) field is
    entered, once per claim and document state."""
    import annotator.gui.claim_editor

    listed: list[int] = []
    real = annotator.gui.claim_editor.claimant_choices
    monkeypatch.setattr(annotator.gui.claim_editor, "claimant_choices",
                        lambda claim, spans, text: listed.append(len(spans))
                        or real(claim, spans, text))
    window = open_window()
    claim = next(s for s in project.spans(1) if s.layer == "claim")
    for _ in range(3):
        window.focus_span(claim.id)
        window.focus_span(next(s.id for s in window.spans if s.layer == "entity"))
    assert all(n <= 1 for n in listed)  # at most the claimant shown
    window.focus_span(claim.id)
    key(qtbot, window, Qt.Key.Key_W)
    key(qtbot, window, Qt.Key.Key_Escape)
    key(qtbot, window, Qt.Key.Key_W)
    assert [n for n in listed if n > 1] == [len(window.spans)]  # once


def test_keyboard_span_list_taking_the_focus_leaves_the_focused_span(qtbot, project,
                                                                    open_window):
    """Found on a real X server: a panel closing passed the focus into the span list,
    whose first row Qt made current, which focused that span and dropped the caret
    mode selection. Only ↑/↓ in the list (or a click) move the focus to a span."""
    window = open_window()
    focused = next(s for s in project.spans(1) if s.label == "GPE")
    window.focus_span(focused.id)
    table = window.span_panel.entity_table
    table.selectionModel().clear()
    table.setFocus()
    key(qtbot, window, Qt.Key.Key_Tab)  # on and back: nothing but the focus moves
    table.setFocus()
    assert window.article.focused_span().id == focused.id
    key(qtbot, window, Qt.Key.Key_Down)  # the annotator's own move does
    assert window.article.focused_span().id != focused.id
    key(qtbot, window, Qt.Key.Key_Escape)
    key(qtbot, window, Qt.Key.Key_V)
    window.article.select_range(*find(TEXT, "Syria"))
    key(qtbot, window, Qt.Key.Key_L)
    qtbot.keyClicks(window.article.picker.edit, "loc")
    key(qtbot, window, Qt.Key.Key_Return)
    assert any((TEXT[s.start:s.end], s.label) == ("Syria", "LOC") for s in project.spans(1))


def test_keyboard_caret_and_find_count_code_points_with_emoji_and_arabic(
        qtbot, db_path, open_window, mouse):
    """Caret moves, token selection and find work in code points: an emoji with a
    skin tone is two code points and four UTF-16 units; Arabic reads right to left."""
    text = "👍🏽 Alice met خالد الراشد in Paris 😀 today."
    with Store(db_path) as store:
        add_document(store, text, [("entity", "Paris", "GPE")])
    window = open_window()
    key(qtbot, window, Qt.Key.Key_Slash)
    from PySide6.QtGui import QKeyEvent

    for char in "خالد":  # as a keyboard layout sends it (QTest types Latin-1 only)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(window.article.find_bar.edit,
                                   QKeyEvent(kind, Qt.Key.Key_unknown, NO, char))
    assert window.article.find_bar.edit.text() == "خالد"
    key(qtbot, window, Qt.Key.Key_Return)
    key(qtbot, window, Qt.Key.Key_Right, SHIFT)  # and the next word
    key(qtbot, window, Qt.Key.Key_1)
    key(qtbot, window, Qt.Key.Key_V)  # the caret at the new span; back to the start
    key(qtbot, window, Qt.Key.Key_Home)
    assert window.article.caret_position() == 0
    key(qtbot, window, Qt.Key.Key_Right)  # over the emoji and its skin tone at once
    assert window.article.caret_position() == 2
    key(qtbot, window, Qt.Key.Key_Right, CTRL)
    assert window.article.caret_position() == text.index("Alice")
    key(qtbot, window, Qt.Key.Key_1)  # the word at the caret
    people = sorted((s.start, s.end) for s in window.store.spans(1) if s.label == "PERSON")
    assert [text[a:b] for a, b in people] == ["Alice", "خالد الراشد"]
    assert people[1] == (text.index("خالد"), text.index(" in Paris"))
    assert mouse.count == 0


def test_keyboard_a_label_key_a_command_took_is_left_to_the_command(qtbot, db_path,
                                                                    open_window):
    """A scheme made before a command took its key ("t", now the claim type) keeps the
    label, reachable through the picker; the key is the command's."""
    from annotator.model import Label

    with Store(db_path) as store:
        add_document(store, TEXT, [("claim", "The US maintains 900 personnel in Syria.",
                                    "CLAIM")])
        with store.write():
            store.put_label(Label("TREATY", "entity", "#123456", "t", "Treaties"))
    window = open_window()
    assert window.header.legend.chips["TREATY"].text() == "TREATY"
    assert window.action_table["label_TREATY"].shortcuts() == []
    key(qtbot, window, Qt.Key.Key_T)  # the claim type list, not a relabel
    assert window.claim_editor.choice_list.isVisible()
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.article.hasFocus() and not window.claim_editor.choice_list.isVisible()


def test_keyboard_claimant_list_survives_its_popup_and_commits(qtbot, project, open_window):
    """Found on a real X server: opening the claimant list took the focus from the box
    (not always as a popup's focus change), which committed the offered mention and
    made the list again with only that one. The list stays whole, nothing commits."""
    from PySide6.QtGui import QFocusEvent

    window = open_window()
    claim = next(s for s in project.spans(1) if s.layer == "claim")
    window.focus_span(claim.id)
    key(qtbot, window, Qt.Key.Key_W)
    combo = window.claim_editor.claimant
    whole = combo.count()
    assert whole == 2 + sum(1 for s in window.spans if s.layer == "entity")
    combo.showPopup()
    QApplication.sendEvent(combo, QFocusEvent(QEvent.Type.FocusOut,
                                              Qt.FocusReason.ActiveWindowFocusReason))
    assert project.get_span(claim.id).claim.claimant_span_id is None  # not committed
    combo.hidePopup()
    combo.setFocus()
    key(qtbot, window, Qt.Key.Key_Return)  # now it is
    assert project.get_span(claim.id).claim.claimant_span_id is not None
    assert combo.count() == whole  # made again in full for the same claim
