"""The model in the loop in the window (issue 15, section 4): Project ▸ Train runs a real
``annotator train`` (a few steps) in a separate process, with progress and Cancel in the
task bar; the model is listed; the pending suggestions of the documents not done are
refreshed from it, decisions untouched; Cancel leaves nothing; keys are taken at the
same speed while it trains; retraining every N documents; uncertain documents first."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PySide6.QtCore import Qt

from annotator.cli import main
from annotator.importers import content_hash, import_paths
from annotator.model import Span
from annotator.paths import models_dir
from annotator.session import Session
from annotator.store import Store
from bench.entities import make_documents, write

pytestmark = pytest.mark.gui
FEW_STEPS = ["--layer", "entity", "--max-steps", "3"]
NEW_TEXT = ("Doctors in Kenya prescribed Zorvalex to more than 300 patients, Amira Haddad of "
            "Meridian Health said on Monday. Sales of Quentrol rose 12 percent in France.")


def labelled_project(path: Path, n: int = 12, words: int = 60) -> None:
    """``n`` done documents labelled by the entity generator (MEDICINE among the labels,
    which the base pipeline lacks), imported as finished annotation."""
    source = path.parent / "labelled.jsonl"
    write(source, make_documents(n, words))
    with Store(path) as store:
        import_paths(store, [source], status="done", add_labels=True)


def add_new_document(store: Store, text: str) -> tuple[int, int]:
    """A document not done, with old pending suggestions and one accepted human span;
    returns (document id, the human span's id)."""
    with store.write():
        doc = store.insert_document(text, {"title": "New"}, content_hash(text), "new")
        for needle, label in (("Kenya", "GPE"), ("Monday", "DATE"), ("France", "GPE")):
            start = text.index(needle)
            store.insert_span(Span(doc, "entity", start, start + len(needle), label,
                                   "model", "pending", None, "old-model 1.0"))
    start = text.index("Zorvalex")
    human = Session(store, "ann").add(doc, "entity", start, start + 8, "MEDICINE")
    assert human.span is not None and human.span.id is not None
    return doc, human.span.id


def spans_of(store: Store, doc_id: int) -> list[tuple[Any, ...]]:
    return sorted((s.id, s.start, s.end, s.label, s.origin, s.decision, s.model)
                  for s in store.spans(doc_id))


@pytest.mark.slow
def test_train_action_trains_in_a_process_lists_the_model_and_refreshes(
        qtbot, db_path, open_window) -> None:
    labelled_project(db_path)
    with Store(db_path) as store:
        doc, human = add_new_document(store, NEW_TEXT)
        done = {d: spans_of(store, d) for d in store.document_ids("done")}
    window = open_window()
    window.model_loop.train_args = FEW_STEPS
    taskbar = window.taskbar
    seen: list[dict[str, Any]] = []
    window.open_document(doc)
    with qtbot.waitSignal(taskbar.trained, timeout=180_000) as trained:
        window.action_table["train"].trigger()
        process = taskbar.training
        assert process is not None and process.running
        assert process.process.processId() not in (0, os.getpid())  # a process of its own
        process.progressed.connect(seen.append)
        assert taskbar.isVisible() and taskbar.train_group.isVisible()
    result = trained.args[0]
    # progress: the command's JSON lines, shown in the task bar as they came
    entity = [p for p in seen if p["stage"] == "entity"]
    assert [p["step"] for p in entity] == [1, 2, 3] and {p["total"] for p in entity} == {3}
    assert result["done"] and result["name"] == "project-1"
    # the model is listed
    listed = CliRunner().invoke(main, ["models", "--json", "--db", str(db_path)])
    models = [json.loads(line) for line in listed.output.splitlines()]
    assert [m["path"] for m in models] == [result["model"]]
    # suggestions of the documents not done come from it; decisions untouched
    with qtbot.waitSignal(taskbar.finished, timeout=180_000,
                          check_params_cb=lambda kind, _m: kind == "refresh") as refreshed:
        pass
    assert "Suggestions refreshed from project-1" in refreshed.args[1]
    assert not taskbar.train_group.isVisible()
    with Store(db_path, readonly=True) as store:
        after = store.spans(doc)
        assert {d: spans_of(store, d) for d in done} == done
    models_used = {s.model for s in after if s.origin == "model"}
    assert models_used and all(m and "project-1" in m for m in models_used), models_used
    assert not any(s.model == "old-model 1.0" for s in after)
    kept = next(s for s in after if s.id == human)
    assert (kept.decision, kept.label, kept.origin) == ("accepted", "MEDICINE", "human")
    # the open document shows the refreshed suggestions; the suggester uses the model
    assert {s.id for s in window.spans} == {s.id for s in after}
    assert taskbar.model == result["model"]


@pytest.mark.slow
def test_cancel_training_leaves_nothing_half_written(qtbot, db_path, open_window) -> None:
    labelled_project(db_path)
    window = open_window()
    window.model_loop.train_args = ["--layer", "entity", "--dev-fraction", "0",
                                    "--max-epochs", "1000"]
    taskbar = window.taskbar
    window.model_loop.train()
    process = taskbar.training
    assert process is not None
    qtbot.waitUntil(lambda: (process.last or {}).get("stage") == "entity", timeout=600_000)
    with qtbot.waitSignal(taskbar.training_cancelled, timeout=60_000) as failed:
        qtbot.mouseClick(taskbar.train_cancel, Qt.MouseButton.LeftButton)
    assert failed.args[0] == "training cancelled; no model was written"
    folder = models_dir(db_path)
    assert not folder.exists() or list(folder.iterdir()) == []  # no model, no temporary
    assert taskbar.training is None and not taskbar.isVisible()
    # cancelled as asked: a message of the status bar, not the red refusal banner
    assert not window.article.banner.isVisible()
    qtbot.waitUntil(lambda: "training cancelled" in window.statusBar().currentMessage())


def accept_keys(qtbot: Any, window: Any, n: int) -> None:
    """``n`` accept keys on the article, each with its commit and redraw (the events it
    posted processed)."""
    from PySide6.QtWidgets import QApplication

    for _ in range(n):
        window.move_focus(+1, pending=True)
        qtbot.keyClick(window.article, Qt.Key.Key_A)
        QApplication.processEvents()


@pytest.mark.slow
def test_typing_never_waits_for_training(qtbot, db_path, open_window) -> None:
    """50 accept keys (each committed) while no training runs, then 50 while the
    training process takes the processor: each is committed while it trains, and the
    training goes on. How long a key takes meanwhile is a benchmark, not a test:
    `python -m bench.gui_training` (median against its 16 ms target)."""
    from bench.gui import _text

    labelled_project(db_path, n=40, words=120)
    text = _text(3_000, 3)
    with Store(db_path) as store, store.write():
        doc = store.insert_document(text, {"title": "Bench"}, content_hash(text), "new")
        starts = [i for i in range(len(text)) if (i == 0 or text[i - 1] == " ")
                  and text[i] != " "][::4][:110]
        for start in starts:
            end = text.find(" ", start)
            store.insert_span(Span(doc, "entity", start, len(text) if end < 0 else end, "GPE",
                                   "model", "pending", 0.8, "bench"))
    window = open_window()
    window.open_document(doc)
    window.article.setFocus()
    accept_keys(qtbot, window, 50)
    window.model_loop.train_args = ["--layer", "entity", "--dev-fraction", "0",
                                    "--max-epochs", "1000"]
    process = window.model_loop.train()
    assert process is not None
    qtbot.waitUntil(lambda: (process.last or {}).get("stage") == "entity", timeout=600_000)
    accept_keys(qtbot, window, 50)
    with Store(db_path, readonly=True) as store:  # committed while it trained
        assert sum(1 for s in store.spans(doc) if s.decision == "accepted") == 100
    assert process.running  # it trained all along
    with qtbot.waitSignal(window.taskbar.training_cancelled, timeout=60_000):
        window.model_loop.cancel_training()


@pytest.mark.slow
def test_retrain_every_n_documents_done(qtbot, db_path, open_window) -> None:
    labelled_project(db_path)
    with Store(db_path) as store:
        docs = [add_new_document(store, NEW_TEXT + " " * k)[0] for k in range(3)]
    window = open_window()
    window.model_loop.train_args = FEW_STEPS
    window.model_loop.set_retrain_every(2)
    assert window.settings.value("retrain_every") == 2
    window.open_document(docs[0])
    qtbot.keyClick(window.article, Qt.Key.Key_D)  # 13 done: no model yet, so due
    assert window.taskbar.training is not None
    with qtbot.waitSignal(window.taskbar.trained, timeout=180_000):
        pass
    qtbot.waitUntil(lambda: not window.taskbar.busy, timeout=180_000)  # the refresh
    qtbot.keyClick(window.article, Qt.Key.Key_D)  # 14 done, trained on 13: not yet
    assert window.taskbar.training is None
    window.review.show_statistics()  # open while the second model trains
    statistics = window.review.statistics
    qtbot.waitUntil(lambda: statistics.figures is not None, timeout=60_000)
    assert len(statistics.figures.curve) == 1
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.open_document(docs[2])
    window.article.setFocus()
    qtbot.keyClick(window.article, Qt.Key.Key_D)  # 15: two more than the model saw
    assert window.taskbar.training is not None
    with qtbot.waitSignal(window.taskbar.trained, timeout=180_000) as second:
        pass
    assert second.args[0]["name"].endswith("-2")
    # the learning curve: one point per run, as the models' meta.json say
    qtbot.waitUntil(lambda: len(statistics.figures.curve) == 2, timeout=60_000)
    listed = CliRunner().invoke(main, ["models", "--json", "--db", str(db_path)])
    metas = [json.loads(line) for line in listed.output.splitlines()]
    expected = [(float(m["done_documents"]), next(
        r["exact"]["f1"] for r in m["scores"]["entity"]["after"] if r["label"] == "(all)"))
        for m in metas]
    assert [x for x, _ in expected] == [13.0, 15.0]
    chart = statistics.learning.chart
    assert chart.series_named("entities: exact F1, all labels").points == expected
    table = statistics.learning.table
    assert [table.item(r, 2).text() for r in range(table.rowCount())] == ["13", "15"]
    statistics.show_page("learning")
    assert not statistics.grab().isNull()
    statistics.close()
    qtbot.waitUntil(lambda: not window.taskbar.busy, timeout=180_000)


def test_uncertain_documents_first_orders_the_next_document(qtbot, db_path,
                                                            open_window) -> None:
    """Claim scores nearest the threshold first: after D the next document is the most
    uncertain one not done, not the next by number."""
    from annotator.gui.model_loop import claim_threshold

    threshold = claim_threshold()
    scores = {1: [0.95], 2: [0.9, threshold + 0.2], 3: [threshold + 0.02], 4: [],
              5: [threshold - 0.1, 0.1]}
    with Store(db_path) as store, store.write():
        for n, claim_scores in scores.items():
            text = f"Document {n}. Prices rose {n} percent, the ministry said."
            doc = store.insert_document(text, {"title": f"Doc {n}"}, content_hash(text))
            for score in claim_scores:
                store.insert_span(Span(doc, "claim", 13, len(text), "CLAIM", "model",
                                       "pending", score, "m"))
    window = open_window()
    window.open_document(1)
    assert not window.model_loop.uncertain_first
    window.action_table["uncertain_first"].trigger()  # Ctrl+Shift+U
    assert window.model_loop.uncertain_first and window.settings.value("uncertain_first") == "true"
    qtbot.waitUntil(lambda: window.model_loop._queue_thread is None)  # the order, kept
    assert window.model_loop._queue == [3, 5, 2, 1, 4]  # 1 is open (in progress), 4 has no score
    order = []
    for _ in range(4):
        qtbot.keyClick(window.article, Qt.Key.Key_D)
        order.append(window.doc.id if window.doc else None)
    # 3 (0.02 from the threshold), 5 (0.1), 2 (0.2), then 4 (no scored claim)
    assert order == [3, 5, 2, 4]
    assert window.model_loop.next_in_queue(4) is None  # every other document is done
    window.action_table["uncertain_first"].trigger()
    assert not window.model_loop.uncertain_first
