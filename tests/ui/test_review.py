"""Review mode, the Statistics view and its heat map, on a small team project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.agreement import agreement
from annotator.store import Store
from annotator.teams import merge, split
from tests.test_teams import annotate, make_project
from tests.ui.conftest import settle_tokens

pytestmark = pytest.mark.gui

ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """Ten documents, four shared by alice and bob; bob calls the person ORG."""
    with Store(make_project(tmp_path / "news.db")) as store:
        split(store, ["alice", "bob"], tmp_path / "out", overlap=0.4, seed=3)
    annotate(tmp_path / "out" / "alice.db", "alice")
    annotate(tmp_path / "out" / "bob.db", "bob", label_for_ali="ORG")
    path = tmp_path / "team.db"
    merge(path, [(tmp_path / "out" / f"{n}.db", None) for n in ("alice", "bob")], "lead")
    return path


@pytest.fixture
def window(qtbot: Any, settings: Any, team: Path) -> Any:
    from annotator.gui.app import build_window

    win = build_window(team, "rev", settings, auto_suggest=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.windowHandle().requestActivate()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    yield win
    win.close()
    win.store.close()


def key(qtbot: Any, window: Any, k: Any, modifier: Any = Qt.KeyboardModifier.NoModifier
        ) -> None:
    qtbot.keyClick(window.article, k, modifier)
    settle_tokens(qtbot, window)


def test_review_mode_preaccepts_agreement_and_takes_a_version_undoably(qtbot, window) -> None:
    store = window.store
    key(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    review = window.review
    assert review.active and review.panel.isVisible()
    doc_id = window.doc.id
    assert doc_id == store.review_document_ids()[0]  # it opened the first to review
    # GPE and the claim are agreed: pre-accepted into gold as one undo step
    assert sorted(s.label for s in window.spans) == ["CLAIM", "GPE"]
    assert window.decisions.undo_stack.undoText() == "Pre-accept 2 agreed span(s)"
    rows = [review.panel.list.item(i).text() for i in range(review.panel.list.count())]
    assert any("ORG “Ali Hassan” — bob" in r for r in rows)
    assert any("PERSON “Ali Hassan” — alice" in r for r in rows)
    # Alt+Down to bob's version, T takes it; the article selection showed it first
    target = next(i for i, v in enumerate(review.state.versions) if v.owners == ("bob",))
    while review.focused != target:
        key(qtbot, window, Qt.Key.Key_Down, ALT)
    assert window.article.selection() == (review.state.versions[target].start,
                                          review.state.versions[target].end)
    key(qtbot, window, Qt.Key.Key_G)
    assert sorted(s.label for s in store.spans(doc_id)) == ["CLAIM", "GPE", "ORG"]
    # change our mind: take alice's; bob's leaves gold in the same step
    alice = next(i for i, v in enumerate(review.state.versions) if v.owners == ("alice",))
    while review.focused != alice:
        key(qtbot, window, Qt.Key.Key_Up, ALT)
    key(qtbot, window, Qt.Key.Key_G)
    assert sorted(s.label for s in store.spans(doc_id)) == ["CLAIM", "GPE", "PERSON"]
    assert window.decisions.undo_stack.undoText() == "Take alice's version"
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sorted(s.label for s in store.spans(doc_id)) == ["CLAIM", "GPE", "ORG"]
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.spans(doc_id) == []  # the pre-accept undone too
    # every gold decision is in the log, as the reviewer's, in the gold set
    gold_events = [e for e in store.events(doc_id) if e["annotation_set"] == ""
                   and e["span_id"] is not None]
    assert gold_events and {e["annotator"] for e in gold_events} == {"rev"}
    # D on an empty gold set while alice and bob labelled spans: refused, it would say
    # "nothing here" (issue 21); the banner names the review step
    key(qtbot, window, Qt.Key.Key_D)
    assert store.get_document(doc_id).status != "done"
    assert window.doc.id == doc_id
    assert "not reviewed" in window.article.banner.text() and "Ctrl+R" in \
        window.article.banner.text()
    # take alice's version again: D marks it reviewed and opens the next
    alice = next(i for i, v in enumerate(review.state.versions) if v.owners == ("alice",))
    while review.focused != alice:
        key(qtbot, window, Qt.Key.Key_Down, ALT)
    key(qtbot, window, Qt.Key.Key_G)
    assert [s.label for s in store.spans(doc_id)] == ["PERSON"]
    key(qtbot, window, Qt.Key.Key_D)
    assert store.get_document(doc_id).status == "done"
    assert window.doc.id == store.review_document_ids()[0] != doc_id


def test_review_preaccept_off_and_not_again_on_a_second_visit(qtbot, window) -> None:
    window.action_table["preaccept"].setChecked(False)
    window.action_table["review_mode"].setChecked(True)
    assert window.spans == [] and window.decisions.undo_stack.count() == 0
    window.action_table["preaccept"].setChecked(True)
    first = window.doc.id
    window.step_document(+1)
    window.open_document(first)  # pre-accepted now, on this visit
    assert sorted(s.label for s in window.spans) == ["CLAIM", "GPE"]
    window.decisions.undo_stack.undo()
    window.step_document(+1)
    window.open_document(first)  # the reviewer undid it: not again
    assert window.spans == []


def test_review_take_is_off_on_a_read_only_project(qtbot, settings, team) -> None:
    from annotator.gui.app import build_window

    win = build_window(team, "rev", settings, auto_suggest=False, readonly=True)
    qtbot.addWidget(win)
    try:
        win.action_table["review_mode"].setChecked(True)
        assert win.review.active and win.spans == []  # nothing pre-accepted
        assert not win.action_table["take_version"].isEnabled()
    finally:
        win.close()
        win.store.close()


def test_review_off_keeps_the_usual_next_document(qtbot, window) -> None:
    assert not window.review.active and not window.review.panel.isVisible()
    assert window.review.next_document(1) == window.store.next_document(1)


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_statistics_heat_map_shows_the_agreement_figures(qtbot, window) -> None:
    window.review.show_statistics()
    dialog = window.review.statistics
    assert dialog.tabs.currentIndex() == dialog.PAGES.index("agreement")  # a team project
    # polled rather than waitSignal: the figures may be in before the wait begins
    qtbot.waitUntil(lambda: bool(dialog.results), timeout=60_000)
    dialog.choose("entity", "kappa")
    expected = agreement(window.store, "entity")
    assert dialog.heatmap.rows == ["alice", "bob"]
    assert dialog.heatmap.value(0, 1) == pytest.approx(expected.matrix("kappa")[0][1])
    assert dialog.heatmap.value(0, 0) is None
    assert dialog.table.item(0, 0).text() == "alice / bob"
    assert dialog.table.item(0, 6).text() == f"{expected.matrix('kappa')[0][1]:.3f}"
    dialog.choose("claim", "claimant")
    assert dialog.heatmap.value(1, 0) == pytest.approx(1.0)
    assert "Krippendorff's α" in dialog.alpha.text()
    image = dialog.grab()
    assert not image.isNull() and image.width() > 300
    dialog.close()


def test_statistics_on_a_single_person_project_says_what_agreement_needs(
        qtbot, settings, tmp_path) -> None:
    from annotator.gui.statistics import StatisticsDialog

    with Store(make_project(tmp_path / "solo.db")) as store:
        dialog = StatisticsDialog(store)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: "merge the annotators' files" in dialog.alpha.text(),
                        timeout=60_000)
        assert dialog.summary.text().startswith("10 documents: 10 new")
        dialog.close()


def test_statistics_of_a_single_person_project_opens_on_quality(qtbot, settings,
                                                                tmp_path) -> None:
    from annotator.gui.app import build_window

    win = build_window(make_project(tmp_path / "solo.db"), "me", settings,
                       auto_suggest=False)
    qtbot.addWidget(win)
    win.review.show_statistics()
    dialog = win.review.statistics
    assert dialog.tabs.currentIndex() == dialog.PAGES.index("quality")
    dialog.close()
    win.close()


def test_plotting_colour_scale() -> None:
    from annotator.gui.plotting import MISSING, scale_color, text_color

    assert scale_color(None) == MISSING
    light, dark = scale_color(0.0), scale_color(1.0)
    assert light.lightness() > dark.lightness()
    assert scale_color(-0.5, low=-1.0).red() > scale_color(-0.5, low=-1.0).blue()
    assert text_color(dark).lightness() > 200 and text_color(light).lightness() < 50


def test_review_documents_of_annotators_get_no_model_suggestions(qtbot, settings,
                                                                 team) -> None:
    from annotator.gui.app import build_window

    win = build_window(team, "rev", settings, auto_suggest=True)
    qtbot.addWidget(win)
    try:
        requested = []
        win.taskbar.request_suggestions = lambda path, doc_id: requested.append(doc_id)
        with Store(team) as store:
            theirs = store.document_ids()[0]
            assert store.document_sets(theirs)
        win.open_document(theirs)
        assert requested == []
    finally:
        win.close()
        win.store.close()
