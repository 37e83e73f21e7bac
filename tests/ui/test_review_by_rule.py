"""Review mode on a document reviewed by rule (``annotator review --majority``): the
window says so, and the reviewer changes its gold set from the keyboard, undoably."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PySide6.QtCore import Qt

from annotator.cli import main
from annotator.store import Store
from tests.test_review_rules import team  # noqa: F401  (the fixture: a real team project)
from tests.ui.conftest import settle_tokens

pytestmark = pytest.mark.gui

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def key(qtbot: Any, window: Any, k: Any, modifier: Any = Qt.KeyboardModifier.NoModifier
        ) -> None:
    qtbot.keyClick(window.article, k, modifier)
    settle_tokens(qtbot, window)


def gold(store: Store, doc_id: int) -> list[str]:
    return sorted(s.label for s in store.spans(doc_id, decisions=("accepted",)))


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_a_rule_reviewed_document_says_so_and_its_gold_set_changes_by_keyboard(
        qtbot: Any, settings: Any, team: Path, tmp_path: Path) -> None:  # noqa: F811
    result = CliRunner().invoke(main, ["review", str(team), "--majority", "--min", "2",
                                       "--annotator", "lead"])
    assert result.exit_code == 0, result.output
    from annotator.gui.app import build_window

    window = build_window(team, "rev", settings, auto_suggest=False)
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    try:
        store = window.store
        doc_id = 5  # settled by the rule: PERSON (alice, carol) over bob's ORG
        assert store.document_status(doc_id)[0] == "done"
        assert gold(store, doc_id) == ["CLAIM", "GPE", "PERSON"]
        window.open_document(doc_id)
        key(qtbot, window, Qt.Key.Key_R, CTRL)
        review = window.review
        assert review.active and window.doc.id == doc_id  # a reviewed document stays open
        assert review.panel.rule.isVisible()
        assert review.panel.rule.text() == "Reviewed by rule: majority (min 2), by lead"
        assert "reviewed ✓" in review.panel.header.text()
        qtbot.wait(50)  # the layout settles (the labels fit their wrapped text)
        panel = review.panel  # at 1024x700 no wrapped line of the panel is clipped
        for label in (panel.header, panel.rule):
            assert label.height() >= label.heightForWidth(label.width()) > 0
        assert window.grab().save(str(tmp_path / "review_by_rule.png"))
        # the reviewer prefers bob's ORG: Alt+Down to it, G takes it into gold
        bob = next(i for i, v in enumerate(review.state.versions) if v.owners == ("bob",)
                   and v.label == "ORG")
        while review.focused != bob:
            key(qtbot, window, Qt.Key.Key_Down, ALT)
        before = len(store.events(doc_id))
        key(qtbot, window, Qt.Key.Key_G)
        assert gold(store, doc_id) == ["CLAIM", "GPE", "ORG"]
        changed = [e for e in store.events(doc_id)[before:] if e["annotation_set"] == ""]
        assert [e["action"] for e in changed] == ["delete", "add"]
        assert {e["annotator"] for e in changed} == {"rev"}
        assert json.loads(changed[-1]["after"])["label"] == "ORG"
        assert review.panel.rule.text() == ("Reviewed by rule: majority (min 2), by lead"
                                            " · gold changed since by rev")
        qtbot.wait(50)
        assert window.grab().save(str(tmp_path / "review_by_rule_changed.png"))
        key(qtbot, window, Qt.Key.Key_Z, CTRL)
        assert gold(store, doc_id) == ["CLAIM", "GPE", "PERSON"]
        assert store.document_status(doc_id)[0] == "done"
        # a document the rule left a tie on (the claim's type) says it is only partly done
        window.open_document(1)
        assert review.panel.rule.text() == ("Partly reviewed by rule: majority (min 2), "
                                            "by lead · 1 left open")
        assert "not reviewed yet" in review.panel.header.text()
        qtbot.wait(50)
        assert window.grab().save(str(tmp_path / "review_by_rule_partly.png"))
    finally:
        window.close()
        window.store.close()


def test_rule_review_names_the_rule_its_label_and_what_it_left() -> None:
    from annotator.gui.review import rule_review

    def event(action: str, who: str, after: dict[str, Any] | None = None,
              span_id: int | None = None) -> dict[str, Any]:
        return {"action": action, "annotator": who, "annotation_set": "",
                "span_id": span_id, "after": json.dumps(after) if after else None}

    assert rule_review([event("add", "rev", span_id=1)]) is None  # the window's review
    take = event("review", "lead", {"rule": "take", "take": "alice", "label": "GPE",
                                    "open": 2, "reviewed": False})
    assert rule_review([take]) == ("Partly reviewed by rule: take alice's version, GPE "
                                   "only, by lead · 2 left open")
    most = event("review", "lead", {"rule": "majority", "min": "majority"})
    assert rule_review([take, most, event("add", "rev", span_id=3)]) == (
        "Reviewed by rule: majority (most sets), by lead · gold changed since by rev")
