"""GUI fixtures: a real project file, isolated QSettings, the real window offscreen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from annotator.importers import content_hash
from annotator.model import Span
from annotator.store import Store

TEXT = ("General Rohilat Afrin told the Wall Street Journal that ISIS attacks rose. "
        "The US maintains 900 personnel in Syria.")


def find(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def add_document(store: Store, text: str, spans: list[tuple[str, str, str]] | None = None,
                 status: str = "new", meta: dict[str, Any] | None = None) -> int:
    """A document with model suggestions given as (layer, needle, label)."""
    with store.write():
        doc_id = store.insert_document(text, meta or {}, content_hash(text), status)
        for layer, needle, label in spans or []:
            start, end = find(text, needle)
            store.insert_span(Span(doc_id, layer, start, end, label, score=0.9,
                                   model="test-model", cues=["test cue"] if layer == "claim"
                                   else []))
    return doc_id


def settle_tokens(qtbot: Any, window: Any) -> None:
    """Wait until no edit waits for the project tokenizer's boundaries (they come from a
    thread when the token cache lacks them; see ui/tokens.py)."""
    qtbot.waitUntil(lambda: not window.article.tokens.waiting_edits, timeout=30_000)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def project(db_path: Path) -> Iterator[Store]:
    """Three documents; the first with entity and claim suggestions."""
    store = Store(db_path)
    add_document(store, TEXT, [
        ("entity", "Rohilat Afrin", "PERSON"),
        ("entity", "Wall Street Journal", "ORG"),
        ("entity", "ISIS", "ORG"),
        ("entity", "US", "GPE"),
        ("entity", "900", "CARDINAL"),
        ("entity", "Syria", "GPE"),
        ("claim", "General Rohilat Afrin told the Wall Street Journal that ISIS attacks rose.",
         "CLAIM"),
    ], meta={"title": "First"})
    add_document(store, "Second article about Baghdad.", [("entity", "Baghdad", "GPE")])
    add_document(store, "Third article about Mosul.", [("entity", "Mosul", "GPE")])
    yield store
    store.close()


@pytest.fixture
def open_window(qtbot: Any, settings: QSettings, db_path: Path
                ) -> Callable[..., Any]:
    """Opens the real window on ``db_path``; closes it (and its threads) afterwards."""
    from annotator.gui.app import build_window

    windows = []

    def make(annotator: str = "tester", **kwargs: Any) -> Any:
        kwargs.setdefault("auto_suggest", False)
        window = build_window(db_path, annotator, settings, **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        # Window shortcuts fire only in the active window.
        window.windowHandle().requestActivate()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        window.article.setFocus()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        window.store.close()
