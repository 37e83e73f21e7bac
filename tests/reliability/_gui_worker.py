"""A scripted annotator at the keyboard of the real window (offscreen Qt): random keys
from the cheat sheet, each reported on stdout (flushed) only after the key's handler
returned, with the project state the screen then showed.

Run as ``python -m tests.reliability._gui_worker DB SEED KEYS SETTINGS_INI [--workers]``.
With ``--workers`` the window runs as a user has it: the background suggester on (the
real pipeline, asked for the documents without suggestions) and an export task started
at once and again every 40 keys, each with its own store in this process.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from annotator.gui.app import build_window  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator.export import ExportOptions  # noqa: E402

from ._project import snapshot, span_state  # noqa: E402

K, M = Qt.Key, Qt.KeyboardModifier
# (key, modifiers): moves, decisions, relabels, resizes, undo/redo, document status.
KEYS = [
    (K.Key_Space, M.NoModifier), (K.Key_Space, M.NoModifier), (K.Key_Right, M.NoModifier),
    (K.Key_Left, M.NoModifier), (K.Key_A, M.NoModifier), (K.Key_A, M.NoModifier),
    (K.Key_X, M.NoModifier), (K.Key_X, M.NoModifier), (K.Key_1, M.NoModifier),
    (K.Key_2, M.NoModifier), (K.Key_3, M.NoModifier), (K.Key_Right, M.ShiftModifier),
    (K.Key_Left, M.ShiftModifier), (K.Key_Left, M.AltModifier),
    (K.Key_Z, M.ControlModifier), (K.Key_Z, M.ControlModifier | M.ShiftModifier),
    (K.Key_Delete, M.NoModifier), (K.Key_D, M.NoModifier), (K.Key_N, M.NoModifier),
    (K.Key_P, M.NoModifier), (K.Key_S, M.NoModifier), (K.Key_A, M.ShiftModifier),
]


def main(argv: list[str]) -> int:
    db, seed, count, ini = Path(argv[0]), int(argv[1]), int(argv[2]), argv[3]
    workers = "--workers" in argv
    app = QApplication.instance() or QApplication(["annotator-test"])
    settings = QSettings(ini, QSettings.Format.IniFormat)
    window = build_window(db, annotator="gui", settings=settings, auto_suggest=workers)
    window.show()
    window.activateWindow()
    app.processEvents()
    rng = random.Random(seed)
    out = Path(ini).with_suffix(".export.jsonl")
    if workers:
        unsuggested = [d for d in window.store.document_ids()
                       if not window.store.has_model_spans(d)]
        for doc_id in unsuggested:  # each asks the background suggester
            window.open_document(doc_id)
        # Ready once the suggester has stored them all: its thread and store stay open
        # beside the window's while the keys are pressed (suggestions written during
        # the keys would make the project differ from the last report's snapshot).
        deadline = time.monotonic() + 90
        while unsuggested and time.monotonic() < deadline and not all(
                window.store.has_model_spans(d) for d in unsuggested):
            app.processEvents()
            time.sleep(0.01)
        window.files.export_to("jsonl", out, ExportOptions(status="any"), force=True)
    print(json.dumps({"ready": True}), flush=True)
    for i in range(count):
        if workers and i % 40 == 39:
            window.files.export_to("jsonl", out, ExportOptions(status="any"), force=True)
        key, mods = rng.choice(KEYS)
        QTest.keyClick(window.article, key, mods)
        app.processEvents()
        store = window.store
        # The latest event and what it says: a resize within a second rewrites the event
        # of the one before (Session.resize(continuing=True)), keeping its id.
        row = store.conn.execute("SELECT id, after FROM events WHERE annotator = 'gui'"
                                 " ORDER BY id DESC LIMIT 1").fetchone() or (None, None)
        # What the screen shows must already be what the database holds.
        shown, stored = _states(window, store)
        # The background suggester may just have stored the open document's suggestions
        # (its own connection, its own thread); the window hears of it through a queued
        # signal, so its screen may be *behind* for an event loop turn: let it catch up.
        # A screen *ahead* (a span shown that is not stored, or not as stored) never is.
        for _ in range(100):
            if shown == stored or not _only_new_suggestions(shown, stored):
                break
            app.processEvents()
            time.sleep(0.002)
            shown, stored = _states(window, store)
        report = {"i": i, "key": int(key.value), "event": row[0], "event_after": row[1],
                  "screen_matches_db": json.dumps(shown) == json.dumps(stored),
                  "snapshot": snapshot(store)}
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    window.close()
    return 0


def _states(window: object, store: object) -> tuple[list | None, list | None]:
    doc = window.doc  # type: ignore[attr-defined]
    if doc is None:
        return None, None
    return ([span_state(s) for s in window.spans],  # type: ignore[attr-defined]
            [span_state(s) for s in store.spans(doc.id)])  # type: ignore[attr-defined]


def _only_new_suggestions(shown: list | None, stored: list | None) -> bool:
    """Whether the database holds all the screen shows, as shown, plus pending model
    suggestions the screen has not drawn yet."""
    if shown is None or stored is None:
        return False
    seen = set(map(json.dumps, shown))
    extra = [s for s in stored if json.dumps(s) not in seen]
    return seen <= set(map(json.dumps, stored)) and all(
        s[6] == "model" and s[7] == "pending" for s in extra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
