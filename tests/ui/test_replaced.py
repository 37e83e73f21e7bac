"""The window whose project file another program replaces refuses the next decision
(issue 21, item 4), in the banner that shows every refusal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.store import Store

from .conftest import add_document
from .test_window import focus, key

pytestmark = pytest.mark.gui


def test_window_refuses_a_decision_after_its_file_is_replaced(qtbot, project, open_window,
                                                              db_path: Path,
                                                              tmp_path: Path) -> None:
    window = open_window()
    accepted = focus(window, project, "Wall Street Journal")
    key(qtbot, window, Qt.Key.Key_A)
    assert project.get_span(accepted.id).decision == "accepted"
    other = tmp_path / "other.db"
    with Store(other) as store:
        add_document(store, "Another project's only article.")
    # another program puts that file where the window's project was
    subprocess.run([sys.executable, "-c", "import os, sys; os.replace(*sys.argv[1:])",
                    str(other), str(db_path)], check=True, timeout=60)
    span = focus(window, project, "ISIS")
    key(qtbot, window, Qt.Key.Key_A)
    message = window.article.banner.message
    assert "not saved" in message and "replaced" in message, message
    assert project.get_span(span.id).decision == "pending"  # nothing written anywhere
    with Store(db_path) as now:  # the file there now has none of the window's work
        assert now.count_documents() == 1 and now.spans(1) == []
    window.resize(1024, 700)
    window.grab().save(str(tmp_path / "replaced.png"))
