"""Screenshots of the model in the loop, for ``python -m tools.screenshots``: the window
while a model trains (``training.png``), the Statistics view's suggestion quality
(``statistics-quality.png``), acceptance per label (``statistics-acceptance.png``) and
learning curve (``learning-curve.png``), and the Labels dialog (``labels-dialog.png``).

The project goes round the loop three times, through the window's own actions:
generated medicine news (``bench/entities.py``: MEDICINE is a label the base pipeline
lacks), the first 4 articles imported as done with their labels; Project ▸ Train; the
suggestions of the others refreshed from the new model; the next 8 decided as the
generator labelled them (suggestions accepted or rejected, missing entities added) and
marked done; train again; then 18 more; train a third time."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from annotator.importers import content_hash, import_paths
from annotator.session import Session, SessionError
from annotator.store import Store

DONE = (4, 12, 30)  # documents done at each training
TRAIN_ARGS = ["--max-minutes", "1", "--seed", "1"]


def make_project(path: Path) -> dict[int, list[dict[str, Any]]]:
    """The first ``DONE[0]`` articles done with their labels, the others new without;
    returns the generator's labels of those (document id -> spans)."""
    from bench.entities import make_documents, write

    lines = make_documents(DONE[-1] + 6, 120, seed=3, dev_fraction=0.0)
    source = path.parent / "labelled.jsonl"
    write(source, lines[:DONE[0]])
    gold = {}
    with Store(path) as store:
        import_paths(store, [source], status="done", add_labels=True)
        with store.write():
            for line in lines[DONE[0]:]:
                doc = store.insert_document(line["text"], {"title": line["text"][:60]},
                                            content_hash(line["text"]))
                gold[doc] = line["spans"]
    return gold


def decide(path: Path, gold: dict[int, list[dict[str, Any]]], docs: list[int]) -> None:
    """Decide ``docs`` as the generator labelled them, then mark them done: suggestions
    that match are accepted, others rejected, missing entities added; claims scored
    from 0.5 accepted."""
    with Store(path) as store:
        session = Session(store, "maria")
        for doc in docs:
            wanted = {(g["start"], g["end"], g["label"]) for g in gold[doc]}
            for span in store.spans(doc):
                if span.decision != "pending" or span.id is None:
                    continue
                ok = (span.start, span.end, span.label) in wanted if span.layer == "entity" \
                    else (span.score or 0) >= 0.5
                (session.accept if ok else session.reject)(span.id)
                wanted.discard((span.start, span.end, span.label))
            for start, end, label in sorted(wanted):
                try:
                    session.add(doc, "entity", start, end, label)
                except SessionError:
                    continue  # overlaps an accepted span
            session.set_status(doc, "done")


def wait(app: QApplication, until: Any, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def train_round(window: Any, app: QApplication, shot: Path | None = None) -> None:
    """Train, and wait for the model and for the refreshed suggestions; ``shot``: grab
    the window while it trains."""
    taskbar = window.taskbar
    process = window.model_loop.train()
    if process is None:
        raise RuntimeError("training did not start")
    if shot is not None:
        wait(app, lambda: (process.last or {}).get("stage") == "entity"
             and (process.last or {}).get("step", 0) >= 40)
        for _ in range(5):
            app.processEvents()
        window.grab().save(str(shot))
    wait(app, lambda: taskbar.training is None)
    wait(app, lambda: not taskbar.busy)


def shoot(out: Path, app: QApplication) -> None:
    from annotator.gui.app import build_window

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "medicine.db"
        gold = make_project(db)
        new = sorted(gold)
        window = build_window(db, "maria", QSettings(str(Path(tmp) / "l.ini"),
                                                     QSettings.Format.IniFormat),
                              auto_suggest=False)
        window.model_loop.train_args = TRAIN_ARGS
        window.resize(1366, 768)
        window.show()
        for k, done in enumerate(DONE):
            window.open_document(new[done - DONE[0]])
            last = k == len(DONE) - 1
            train_round(window, app, out / "training.png" if last else None)
            if not last:
                decide(db, gold, new[done - DONE[0]:DONE[k + 1] - DONE[0]])
                window.documents.reload()
        window.review.show_statistics()
        statistics = window.review.statistics
        assert statistics is not None
        wait(app, lambda: getattr(statistics, "figures", None) is not None
             and len(statistics.figures.curve) == len(DONE))  # type: ignore[attr-defined]
        statistics.resize(1100, 780)  # type: ignore[attr-defined]
        for page, name in (("quality", "statistics-quality.png"),
                           ("acceptance", "statistics-acceptance.png"),
                           ("learning", "learning-curve.png")):
            statistics.show_page(page)  # type: ignore[attr-defined]
            if page == "quality":
                statistics.quality.choose("entity")  # type: ignore[attr-defined]
            for _ in range(5):
                app.processEvents()
            statistics.grab().save(str(out / name))  # type: ignore[attr-defined]
        statistics.close()  # type: ignore[attr-defined]
        labels(window, app, out / "labels-dialog.png")
        window.close()
        window.store.close()
        app.processEvents()


def labels(window: Any, app: QApplication, shot: Path) -> None:
    """The Labels dialog with MEDICINE chosen and its removal refused (spans use it)."""
    window.scheme_work.show_labels()
    dialog = window.scheme_work.labels_dialog
    wait(app, lambda: dialog.table.rowCount() > 0 and not dialog.busy)
    names = [x.name for x in dialog.rows.scheme.labels]
    dialog.table.setCurrentCell(names.index("MEDICINE"), 0)
    dialog.remove()
    wait(app, lambda: not dialog.busy)
    for _ in range(5):
        app.processEvents()
    dialog.grab().save(str(shot))
    dialog.close()
