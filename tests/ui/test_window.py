"""The real window on a real project file, driven from the keyboard; every test checks
the database afterwards, not only the widgets."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from annotator.store import Store, now

from .conftest import TEXT, add_document, find, settle_tokens

pytestmark = pytest.mark.gui


def key(qtbot: Any, window: Any, k: Any, modifier: Any = Qt.KeyboardModifier.NoModifier
        ) -> None:
    qtbot.keyClick(window.article, k, modifier)
    settle_tokens(qtbot, window)


def span_by_text(store: Store, doc_id: int, needle: str) -> Any:
    doc = store.get_document(doc_id)
    assert doc is not None
    return next(s for s in store.spans(doc_id) if doc.text[s.start:s.end] == needle)


def focus(window: Any, store: Store, needle: str) -> Any:
    span = span_by_text(store, window.doc.id, needle)
    window.focus_span(span.id)
    return span


def test_window_opens_on_first_document_and_marks_it_in_progress(project, open_window):
    window = open_window()
    assert window.doc.id == 1
    assert window.article.toPlainText() == TEXT
    assert project.get_document(1).status == "in_progress"
    # the first pending suggestion (the claim, by start) is focused
    assert window.article.focused_span().layer == "claim"
    assert "tester" in window.annotator_label.text()


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_window_opens_without_importing_spacy(project, db_path: Path, tmp_path: Path):
    """Nor pyqtgraph and numpy: the Statistics view's charts import them when it opens."""
    code = (
        "import sys; from PySide6.QtWidgets import QApplication; from PySide6.QtCore import "
        "QSettings; app = QApplication([]); from annotator.gui.app import build_window; "
        f"w = build_window({str(db_path)!r}, 'x', QSettings({str(tmp_path / 's.ini')!r}, "
        "QSettings.Format.IniFormat)); w.show(); app.processEvents(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'pyqtgraph', "
        "'numpy'))); w.close()"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""},
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_window_navigates_spans_and_documents(qtbot, project, open_window):
    window = open_window()
    key(qtbot, window, Qt.Key.Key_Right)
    assert window.article.focused_span().label == "PERSON"
    key(qtbot, window, Qt.Key.Key_J)
    assert window.article.focused_span().label == "ORG"
    key(qtbot, window, Qt.Key.Key_Left)
    key(qtbot, window, Qt.Key.Key_Left)
    assert window.article.focused_span().layer == "claim"
    key(qtbot, window, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert window.doc.id == 2
    key(qtbot, window, Qt.Key.Key_N)
    assert window.doc.id == 3
    key(qtbot, window, Qt.Key.Key_P)
    assert window.doc.id == 2
    assert project.get_document(2).status == "in_progress"


def test_window_accept_key_commits_and_moves_on(qtbot, project, open_window):
    window = open_window()
    span = focus(window, project, "Rohilat Afrin")
    key(qtbot, window, Qt.Key.Key_A)
    stored = project.get_span(span.id)
    assert stored.decision == "accepted" and stored.annotator == "tester"
    assert any(e["action"] == "accept" and e["span_id"] == span.id
               for e in project.events(window.doc.id))
    assert window.article.focused_span().id != span.id  # on to the next suggestion


def test_window_reject_key_hides_the_span(qtbot, project, open_window):
    window = open_window()
    span = focus(window, project, "ISIS")
    key(qtbot, window, Qt.Key.Key_X)
    assert project.get_span(span.id).decision == "rejected"
    assert all(d.span.id != span.id for d in window.article.index.entities)
    window.action_table["show_rejected"].trigger()
    assert any(d.span.id == span.id for d in window.article.index.entities)


def test_window_relabel_with_label_key(qtbot, project, open_window):
    window = open_window()
    span = focus(window, project, "Wall Street Journal")
    key(qtbot, window, Qt.Key.Key_1)
    stored = project.get_span(span.id)
    assert (stored.label, stored.decision) == ("PERSON", "accepted")


def test_window_resize_by_token_and_by_character(qtbot, project, open_window):
    window = open_window()
    span = focus(window, project, "Wall Street Journal")
    key(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # start: + "the"
    assert TEXT[project.get_span(span.id).start:project.get_span(span.id).end] == \
        "the Wall Street Journal"
    key(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)  # end: - token
    stored = project.get_span(span.id)
    assert TEXT[stored.start:stored.end] == "the Wall Street"
    key(qtbot, window, Qt.Key.Key_Right,
        Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)  # start +1 char
    key(qtbot, window, Qt.Key.Key_Left,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)  # end -1
    stored = project.get_span(span.id)
    assert TEXT[stored.start:stored.end] == "he Wall Stree"
    assert stored.decision == "accepted"


def test_window_adds_span_from_selection_snapped_to_tokens(qtbot, project, open_window):
    window = open_window()
    start, end = find(TEXT, "personnel")
    window.article.select_range(start + 2, end - 2)  # "rsonn"
    key(qtbot, window, Qt.Key.Key_0)
    added = [s for s in project.spans(1) if s.origin == "human"]
    assert [(TEXT[s.start:s.end], s.label, s.decision) for s in added] == \
        [("personnel", "QUANTITY", "accepted")]


def test_window_adds_exact_span_when_the_modifier_was_held(qtbot, project, open_window):
    window = open_window()
    start, _ = find(TEXT, "attacks")
    window.article.select_range(start, start + 6)
    window.article.exact_selection = True  # Alt held at mouse release
    key(qtbot, window, Qt.Key.Key_C)
    added = [s for s in project.spans(1) if s.origin == "human"]
    assert [(TEXT[s.start:s.end], s.layer) for s in added] == [("attack", "claim")]


def test_window_edits_claim_attributes(qtbot, project, open_window):
    """Every field from its key: T and Shift+Y open their list (a first letter picks), W
    offers the nearest mention, R takes typed text; Return commits each and goes back
    to the article; H toggles."""
    window = open_window()
    claim = next(s for s in project.spans(1) if s.layer == "claim")
    person = span_by_text(project, 1, "Rohilat Afrin")
    window.focus_span(claim.id)
    editor = window.claim_editor
    assert editor.isEnabled()
    for field, modifier, letter in ((Qt.Key.Key_T, Qt.KeyboardModifier.NoModifier,
                                     Qt.Key.Key_R),
                                    (Qt.Key.Key_Y, Qt.KeyboardModifier.ShiftModifier,
                                     Qt.Key.Key_Y)):  # Shift+Y: the list (Y cycles)
        key(qtbot, window, field, modifier)
        assert editor.choice_list.hasFocus()
        qtbot.keyClick(editor.choice_list, letter)
        assert window.article.hasFocus()
    key(qtbot, window, Qt.Key.Key_W)  # the nearest speaker inside the claim is offered
    assert editor.claimant.hasFocus() and editor.claimant.currentData() == person.id
    qtbot.keyClick(editor.claimant, Qt.Key.Key_Return)
    key(qtbot, window, Qt.Key.Key_R)
    qtbot.keyClicks(editor.via, "Jerusalem Post")
    qtbot.keyClick(editor.via, Qt.Key.Key_Return)
    assert window.article.hasFocus()
    key(qtbot, window, Qt.Key.Key_H)
    stored = project.get_span(claim.id)
    assert stored.claim.claim_type == "reported"
    assert stored.claim.checkworthy == "yes"
    assert stored.claim.claimant_span_id == person.id
    assert stored.claim.via == "Jerusalem Post"
    assert stored.claim.hedged is True
    assert stored.decision == "accepted"
    # free-text claimant, typed over the offered one
    key(qtbot, window, Qt.Key.Key_W)
    qtbot.keyClicks(editor.claimant, "a US Special Forces officer")
    qtbot.keyClick(editor.claimant, Qt.Key.Key_Return)
    stored = project.get_span(claim.id)
    assert (stored.claim.claimant_span_id, stored.claim.claimant_text) == \
        (None, "a US Special Forces officer")
    # the editor shows what is stored after an undo
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert project.get_span(claim.id).claim.claimant_span_id == person.id
    assert editor.claimant.currentData() == person.id


def test_window_undo_redo_across_operations(qtbot, project, open_window):
    window = open_window()
    span = focus(window, project, "Rohilat Afrin")
    key(qtbot, window, Qt.Key.Key_A)
    focus(window, project, "Syria")
    key(qtbot, window, Qt.Key.Key_X)
    key(qtbot, window, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)  # accept all
    assert {s.decision for s in project.spans(1)} == {"accepted", "rejected"}
    ctrl = Qt.KeyboardModifier.ControlModifier
    for _ in range(3):
        key(qtbot, window, Qt.Key.Key_Z, ctrl)
    assert {s.decision for s in project.spans(1)} == {"pending"}
    key(qtbot, window, Qt.Key.Key_Z, ctrl | Qt.KeyboardModifier.ShiftModifier)
    assert project.get_span(span.id).decision == "accepted"
    assert window.article.focused_span().id == span.id
    assert sum(1 for s in window.spans if s.decision == "accepted") == 1


def test_window_mark_done_opens_next_not_done(qtbot, project, open_window):
    window = open_window()
    key(qtbot, window, Qt.Key.Key_D)
    assert project.get_document(1).status == "done"
    assert window.doc.id == 2
    assert window.documents.progress.value() == 1
    key(qtbot, window, Qt.Key.Key_S)
    assert project.get_document(2).status == "skipped"
    assert window.doc.id == 3
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert project.get_document(2).status == "in_progress"
    assert window.doc.id == 2


def test_window_flag_with_note(qtbot, project, open_window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("garbled text", True))
    window = open_window()
    key(qtbot, window, Qt.Key.Key_F)
    doc = project.get_document(1)
    assert (doc.status, doc.note) == ("flagged", "garbled text")


def test_window_delete_key(qtbot, project, open_window):
    window = open_window()
    span = focus(window, project, "900")
    key(qtbot, window, Qt.Key.Key_Delete)
    assert project.get_span(span.id) is None


def test_window_refuses_overlap_with_a_message(qtbot, project, open_window):
    window = open_window()
    focus(window, project, "Wall Street Journal")
    key(qtbot, window, Qt.Key.Key_A)
    span = focus(window, project, "Rohilat Afrin")
    for _ in range(4):  # grow into the accepted ORG
        key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    stored = project.get_span(span.id)
    assert TEXT[stored.start:stored.end] == "Rohilat Afrin told the"
    assert "overlaps" in window.article.banner.message
    # accept and two resizes in a row (one undo step); the refused ones are dropped
    assert window.decisions.undo_stack.count() == 2


def test_window_shows_markup_as_text_and_astral_offsets(qtbot, db_path, open_window):
    text = "<b>x</b> 😀😀 خالد الراشد met\r\nAlice 👍🏽 in Paris.\u2028<img src=x> Bob"
    with Store(db_path) as store:
        add_document(store, text, [("entity", "Alice", "PERSON"), ("entity", "Bob", "PERSON")])
    window = open_window()
    assert window.article.toPlainText().replace("\u2029", "\n") == \
        text.replace("\r\n", " \n").replace("\u2028", "\n")
    # add "Paris" from a selection made in Qt positions, after astral characters
    start, end = find(text, "Paris")
    window.article.select_range(start, end)
    assert window.article.selection() == (start, end)
    key(qtbot, window, Qt.Key.Key_3)
    # resize Alice by a character, after CRLF and emoji
    focus(window, window.store, "Alice")
    key(qtbot, window, Qt.Key.Key_Right,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    with Store(db_path) as store:
        got = {text[s.start:s.end] for s in store.spans(1)}
    assert got == {"Paris", "Alice ", "Bob"}
    # the highlighter paints exactly "Bob" (UTF-16 positions inside its block)
    block = window.article.document().findBlock(window.article.offsets.to_utf16(end))
    bob = window.article.document().lastBlock()
    assert bob.text().endswith("Bob")
    ranges = [(r.start, r.length) for r in bob.layout().formats()]
    assert (len(bob.text()) - 3, 3) in ranges
    assert block.isValid()


def test_window_go_to_document_and_zoom(qtbot, project, open_window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "exec", lambda self: 1)  # OK pressed
    monkeypatch.setattr(QInputDialog, "intValue", lambda self: 3)  # on 3
    window = open_window()
    key(qtbot, window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert window.doc.id == 3
    size = window.article.font().pointSizeF()
    window.action_table["zoom_in"].trigger()
    assert window.article.font().pointSizeF() == size + 1


def test_window_cheat_sheet_lists_every_shortcut(qtbot, project, open_window):
    window = open_window()
    key(qtbot, window, Qt.Key.Key_F1)
    sheet = window.cheat_sheet
    assert sheet.isVisible()
    from PySide6.QtWidgets import QLabel

    texts = {label.text() for label in sheet.findChildren(QLabel)}
    assert {"Accept", "Reject", "Undo", "Mark done and open next"} <= texts


def test_window_shortcuts_do_not_collide(project, open_window):
    window = open_window()
    seen: dict[str, str] = {}
    for action in window.actions():
        for sequence in action.shortcuts():
            text = sequence.toString()
            assert text not in seen, f"{text}: {seen.get(text)} and {action.text()}"
            seen[text] = action.text()


def test_window_remembers_annotator_last_document_and_recent(qtbot, project, open_window,
                                                            settings):
    window = open_window(annotator="maria")
    key(qtbot, window, Qt.Key.Key_N)
    window.close()
    from annotator.gui.app import annotator_name

    assert annotator_name(project, None, ask=False) == "maria"
    again = open_window(annotator=None)
    assert again.annotator == "maria"
    assert again.doc.id == 2
    assert str(project.path.resolve()) in settings.value("recent_projects")


def test_window_opens_a_split_file_as_its_annotator(qtbot, project, open_window, settings,
                                                   monkeypatch):
    """The CLI's rule (annotator.session.decider): a split file opens as the annotator it
    was made for, without asking and without saving the name for other projects;
    $ANNOTATOR_NAME comes before it, --annotator before both."""
    monkeypatch.delenv("ANNOTATOR_NAME", raising=False)
    settings.setValue("annotator", "maria")
    with project.write():
        project.set_meta("annotator", "alice")
    window = open_window(annotator=None)
    assert window.annotator == "alice" and settings.value("annotator") == "maria"
    key(qtbot, window, Qt.Key.Key_A)  # a decision in the window is alice's
    assert {e["annotator"] for e in project.events() if e["action"] == "accept"} == {"alice"}
    monkeypatch.setenv("ANNOTATOR_NAME", "bob")
    assert open_window(annotator=None).annotator == "bob"
    assert open_window(annotator="carol").annotator == "carol"


def test_window_document_list_filters_and_searches(qtbot, project, open_window):
    window = open_window()
    key(qtbot, window, Qt.Key.Key_D)
    documents = window.documents
    documents.status_filter.setCurrentIndex(documents.status_filter.findData("done"))
    assert [window.doc_model.doc_id(r) for r in range(window.doc_model.rowCount())] == [1]
    documents.status_filter.setCurrentIndex(0)
    documents.search_box.setText("Mosul")
    documents.apply_filter()
    assert [window.doc_model.doc_id(r) for r in range(window.doc_model.rowCount())] == [3]
    documents.table.clicked.emit(window.doc_model.index(0, 2))
    assert window.doc.id == 3


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_window_closed_with_a_search_pending_reads_no_closed_store(qtbot, project,
                                                                   open_window):
    window = open_window()
    window.documents.search_box.setText("Mosul")  # the search waits 250 ms for more keys
    window.close()
    window.store.close()
    qtbot.wait(400)  # an error in the event loop (a closed database) fails the test


def shown_state(window: Any) -> tuple[Any, ...]:
    """What the window draws and lists for its document, in comparable form."""
    index = window.article.index
    return ([(d.start, d.end, d.span) for d in index.entities],
            [(d.start, d.end, d.span) for d in index.claims],
            window.span_panel.entity_model.spans, window.span_panel.claim_model.spans,
            window.spans)


def test_window_redraws_a_decision_as_a_full_reload_would(qtbot, project, open_window):
    """Decisions update the span index and lists in place; the result must equal
    re-reading everything from the store."""
    window = open_window()
    ctrl = Qt.KeyboardModifier.ControlModifier
    steps = [
        ("Rohilat Afrin", Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier),  # accept
        ("ISIS", Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier),  # reject: hidden
        ("Wall Street Journal", Qt.Key.Key_1, Qt.KeyboardModifier.NoModifier),  # relabel
        ("900", Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier),  # resize: moves
        ("Syria", Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier),  # delete
        (None, Qt.Key.Key_Z, ctrl),  # undo the delete
        (None, Qt.Key.Key_Z, ctrl | Qt.KeyboardModifier.ShiftModifier),  # redo it
    ]
    for needle, k, modifier in steps:
        if needle is not None:
            focus(window, project, needle)
        key(qtbot, window, k, modifier)
        incremental = shown_state(window)
        window.reload_spans()
        assert shown_state(window) == incremental, (needle, k)
    window.article.select_range(*find(TEXT, "The US"))
    key(qtbot, window, Qt.Key.Key_3)  # add over a pending suggestion: replaces it
    assert "The US" in {TEXT[s.start:s.end] for s in project.spans(1)}
    incremental = shown_state(window)
    window.reload_spans()
    assert shown_state(window) == incremental


def decide_on_a_corpus(qtbot: Any, settings: Any, path: Path, n_docs: int
                       ) -> tuple[list[str], list[str], dict[str, int]]:
    """Accept and reject one span of document 1 in a project of ``n_docs`` more documents
    (each with a suggestion), every list page loaded; returns the SQL run during the two
    keystrokes, the query plans of its statements and the list model's signals."""
    with Store(path) as store:
        add_document(store, TEXT, [("entity", "Rohilat Afrin", "PERSON"),
                                   ("entity", "ISIS", "ORG")])
        ts = now()
        with store.write() as conn:
            conn.executemany(
                "INSERT INTO documents (text, meta, content_hash, status, created_at,"
                " updated_at, title) VALUES (?, '{}', ?, 'new', ?, ?, ?)",
                ((f"Filler {i} in Mosul.", f"h{i}", ts, ts, f"Filler {i}")
                 for i in range(n_docs)))
            conn.execute(
                'INSERT INTO spans (doc_id, layer, start, "end", label, origin, decision,'
                " created_at, updated_at) SELECT id, 'entity', 10, 15, 'GPE', 'model',"
                " 'pending', ?, ? FROM documents WHERE id > 1", (ts, ts))
    from annotator.gui.app import build_window

    window = build_window(path, "tester", settings, auto_suggest=False)
    qtbot.addWidget(window)
    window.show()
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    model = window.doc_model
    while model.canFetchMore(QModelIndex()):  # the worst case: the whole list in memory
        model.fetchMore(QModelIndex())
    assert model.rowCount() == n_docs + 1
    signals = {"reset": 0, "inserted": 0, "changed_rows": 0}
    model.modelReset.connect(lambda: signals.__setitem__("reset", signals["reset"] + 1))
    model.rowsInserted.connect(
        lambda *_: signals.__setitem__("inserted", signals["inserted"] + 1))
    model.dataChanged.connect(lambda top, bottom, *_: signals.__setitem__(
        "changed_rows", signals["changed_rows"] + bottom.row() - top.row() + 1))
    statements: list[str] = []
    window.store.conn.set_trace_callback(statements.append)
    try:
        focus(window, window.store, "Rohilat Afrin")
        key(qtbot, window, Qt.Key.Key_A)
        focus(window, window.store, "ISIS")
        key(qtbot, window, Qt.Key.Key_X)
    finally:
        window.store.conn.set_trace_callback(None)
    plans = [row[3] for sql in statements if sql.split()[0] in ("SELECT", "UPDATE", "DELETE")
             for row in window.store.conn.execute("EXPLAIN QUERY PLAN " + sql)]
    # The list row shows the new counts.
    cell = model.index(model.row_of(1), model.COLUMNS.index("accepted"))
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == "0 pending, 1 accepted"
    assert window.documents.progress.format() == f"0 / {n_docs + 1} done"
    window.close()
    window.store.close()
    shapes = [re.sub(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b", "?", sql) for sql in statements]
    return shapes, plans, signals


def test_window_decision_cost_does_not_grow_with_the_corpus(qtbot, settings, tmp_path):
    """An accept or reject on one document runs the same statements on a project of 10
    or of 2,000 documents, none of which scans a table, and updates one list row (no
    reset): nothing in it grows with the corpus."""
    small = decide_on_a_corpus(qtbot, settings, tmp_path / "small.db", 10)
    large = decide_on_a_corpus(qtbot, settings, tmp_path / "large.db", 2_000)
    assert small[0] == large[0]
    assert small[0].count("COMMIT") == 2  # each decision committed on its own
    assert [p for p in large[1] if p.startswith("SCAN")] == []
    assert small[2] == large[2] == {"reset": 0, "inserted": 0, "changed_rows": 2}


def test_window_focus_moves_keep_the_right_hand_panels_in_place(qtbot, project, open_window):
    """The span details never shrink, so the claim editor and span lists below do not
    jump (nor get laid out and repainted) each time the focus moves."""
    from PySide6.QtWidgets import QApplication

    window = open_window()
    tops = []
    for needle in (None, "ISIS", None, "Wall Street Journal", None):
        window.focus_span(None if needle is None else span_by_text(project, 1, needle).id)
        for _ in range(3):  # a new size hint travels up the layouts one event at a time
            QApplication.processEvents()
        tops.append(window.claim_editor.geometry().top())
    assert len(set(tops)) == 1, tops


def test_window_switches_projects_from_the_recent_menu(qtbot, project, open_window, tmp_path):
    other = tmp_path / "other.db"
    with Store(other) as store:
        add_document(store, "Another project about Kirkuk.", [("entity", "Kirkuk", "GPE")])
    window = open_window()
    key(qtbot, window, Qt.Key.Key_A)
    assert window.decisions.undo_stack.count() == 1
    window.projects.chosen.emit(other)  # as File ▸ Open would
    assert window.store.path == other and window.doc.text.startswith("Another project")
    assert window.doc_model.rowCount() == 1 and window.decisions.undo_stack.count() == 0
    assert window.windowTitle() == "Annotator — other.db"
    recent = [a.data() for a in window.projects.recent_menu.actions()]
    assert recent == [str(other.resolve()), str(project.path.resolve())]
    window.projects.recent_menu.actions()[1].trigger()  # back to the first project
    assert window.store.path.resolve() == project.path.resolve()
    assert window.doc.id == 1 and window.doc_model.rowCount() == 3
    with Store(other) as store:
        assert store.get_document(1).status == "in_progress"
