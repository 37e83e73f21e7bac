"""Who decides in the window (issue 23): the CLI's rule (annotator.session.decider), the
name a setting per project, not one for the whole account; and the uncertainty queue of
the layer in focus (Ctrl+Shift+U)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog

from annotator.importers import content_hash
from annotator.model import Span
from annotator.session import saved_name
from annotator.store import Store

from .conftest import TEXT, add_document


def _project(path: Path) -> Path:
    with Store(path) as store:
        add_document(store, TEXT, [("entity", "Rohilat Afrin", "PERSON")])
    return path


@pytest.fixture
def windows(qtbot: Any, settings: QSettings) -> Any:
    """Opens the real window as ``annotator gui`` does (asking when it must)."""
    from annotator.gui.app import build_window

    opened = []

    def make(path: Path, annotator: str | None = None) -> Any:
        window = build_window(path, annotator, settings, auto_suggest=False, ask=True)
        qtbot.addWidget(window)
        opened.append(window)
        return window

    yield make
    for window in opened:
        window.close()
        window.store.close()


def _answer(monkeypatch: pytest.MonkeyPatch, name: str | None) -> list[str]:
    """Answer the name question with ``name`` (``None``: the test fails if asked);
    returns the questions asked."""
    asked: list[str] = []

    def get_text(*args: Any, **kwargs: Any) -> tuple[str, bool]:
        asked.append(args[2])
        assert name is not None, "the window asked for a name"
        return name, True

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    return asked


def test_window_two_projects_on_one_account_keep_their_names(
        qtbot: Any, tmp_path: Path, windows: Any, settings: QSettings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The name given for one project is not the name of another on the same account
    (they shared one setting): each project asks once and keeps its own."""
    monkeypatch.delenv("ANNOTATOR_NAME", raising=False)
    one, two = _project(tmp_path / "one.db"), _project(tmp_path / "two.db")
    asked = _answer(monkeypatch, "maria")
    assert windows(one).annotator == "maria" and len(asked) == 1
    asked = _answer(monkeypatch, "omar")
    assert windows(two).annotator == "omar" and len(asked) == 1  # asked: a new project
    _answer(monkeypatch, None)
    assert windows(one).annotator == "maria"
    window = windows(two)
    assert window.annotator == "omar"
    # switching project in the window takes that project's name
    window.set_project(Store(one))
    assert window.annotator == "maria" and window.decisions.session.annotator == "maria"
    assert window.annotator_label.full_text == "Annotator: maria"  # elided if narrow
    with Store(one) as a, Store(two) as b:
        assert (saved_name(a), saved_name(b)) == ("maria", "omar")


def test_window_split_file_opens_as_its_annotator_without_asking(
        qtbot: Any, tmp_path: Path, windows: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANNOTATOR_NAME", raising=False)
    path = _project(tmp_path / "alice.db")
    with Store(path) as store, store.write():
        store.set_meta("annotator", "alice")  # as split writes it
        store.set_meta("annotator_name:someone", "zoe")
    _answer(monkeypatch, None)
    window = windows(path)
    assert window.annotator == "alice"
    with Store(path) as store:
        assert saved_name(store) is None  # used, not saved as the project's name


def test_window_uncertain_first_orders_by_the_layer_in_focus(
        qtbot: Any, db_path: Path, open_window: Any) -> None:
    """Ctrl+Shift+U with an entity in focus: entity scores nearest 0.5 first (claims'
    scores say the opposite order here)."""
    entity = {1: 0.99, 2: 0.97, 3: 0.6, 4: 0.52, 5: None}
    claim = {1: 0.9, 2: 0.52, 3: 0.7, 4: 0.95, 5: 0.6}
    with Store(db_path) as store, store.write():
        for n in entity:
            text = f"Document {n}. Prices rose {n} percent, Acme Corp said."
            doc = store.insert_document(text, {"title": f"Doc {n}"}, content_hash(text))
            start = text.index("Acme")
            store.insert_span(Span(doc, "entity", start, start + 9, "ORG", "model",
                                   "pending", entity[n], "m"))
            store.insert_span(Span(doc, "claim", 13, len(text), "CLAIM", "model", "pending",
                                   claim[n], "m"))
    window = open_window()
    window.open_document(1)
    entity_span = next(s for s in window.spans if s.layer == "entity")
    window.focus_span(entity_span.id)
    assert window.article.focused_span().layer == "entity"
    window.action_table["uncertain_first"].trigger()  # Ctrl+Shift+U
    qtbot.waitUntil(lambda: window.model_loop._queue_thread is None)
    assert window.model_loop._queue == [4, 3, 2, 1, 5]  # 5 has no entity score
    window.action_table["uncertain_first"].trigger()
    claim_span = next(s for s in window.spans if s.layer == "claim")
    window.focus_span(claim_span.id)
    window.action_table["uncertain_first"].trigger()
    qtbot.waitUntil(lambda: window.model_loop._queue_thread is None)
    assert window.model_loop._queue == [2, 5, 3, 1, 4]
