"""Benchmark: annotate in the window, then export, against the cold path, ``python -m
bench.window_export [--docs N]`` (issue 28 §3).

A project of N generated articles (:mod:`bench.corpus`). The real window (offscreen)
goes through them as an annotator does: each document opened, a first key in the
article (the window then wants the project tokenizer's boundaries of every document it
opens, made in a thread of their own and cached in the project), ``D`` (done, next).
Then ``export`` to JSONL (with tokens) of the done documents, timed twice on copies of
the same project: as the window left it (its tokens cached while the annotator worked)
and with the token cache emptied (the cold path: the export tokenises every document).
The value is the export's seconds after the window; the baseline, the cold export's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 0.6  # the export after the window takes at most 0.6 of the cold one


def _annotate(db: Path, n_docs: int, tmp: Path) -> dict[str, Any]:
    """Open, a key, done: each document in the real window. Seconds spent, and how many
    documents' tokens the window had cached by the end."""
    from annotator.gui.app import build_window
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)
    window = build_window(db, "bench", settings, auto_suggest=False)
    window.resize(1024, 700)
    window.show()
    app.processEvents()
    started = time.perf_counter()
    QTest.keyClick(window.article, Qt.Key.Key_Right)  # the first key: tokens wanted
    for _ in range(n_docs):
        deadline = time.monotonic() + 60
        while not window.article.tokens.ready and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.002)
        QTest.keyClick(window.article, Qt.Key.Key_D)  # done, and the next one opens
        app.processEvents()
    deadline = time.monotonic() + 60
    while window.article.tokens.waiting_edits and time.monotonic() < deadline:
        app.processEvents()
    seconds = time.perf_counter() - started
    window.close()
    app.processEvents()
    window.store.close()
    conn = sqlite3.connect(db)
    cached = conn.execute("SELECT count(*) FROM tokens").fetchone()[0]
    done = conn.execute("SELECT count(*) FROM documents WHERE status = 'done'").fetchone()[0]
    conn.close()
    return {"window_s": round(seconds, 1), "tokens_cached": cached, "done": done}


def _export_s(db: Path, out: Path) -> tuple[float, str]:
    from annotator.export import ExportOptions, export
    from annotator.store import Store

    with Store(db) as store:
        started = time.perf_counter()
        summary = export(store, "jsonl", out, ExportOptions(), force=True)
        seconds = time.perf_counter() - started
    return seconds, str(summary.summary()).splitlines()[0]


def run(n_docs: int = 300) -> list[dict[str, Any]]:
    from annotator.importers import import_paths
    from annotator.store import Store
    from bench.corpus import write_corpus

    with tempfile.TemporaryDirectory(prefix="bench-window-export-") as name:
        tmp = Path(name)
        db = tmp / "p.db"
        with Store(db) as store:
            import_paths(store, write_corpus(tmp / "corpus", n_docs))
        detail = _annotate(db, n_docs, tmp)
        cold = tmp / "cold.db"
        shutil.copy(db, cold)
        conn = sqlite3.connect(cold)
        conn.execute("DELETE FROM tokens")
        conn.commit()
        conn.close()
        warm_s, said = _export_s(db, tmp / "warm.jsonl")
        cold_s, _ = _export_s(cold, tmp / "cold.jsonl")
        same = (tmp / "warm.jsonl").read_bytes() == (tmp / "cold.jsonl").read_bytes()
    ratio = warm_s / cold_s
    return [{"name": "export after annotating in the window (tokens cached meanwhile), vs "
             "the cold export", "value": round(warm_s, 3), "unit": "s",
             "baseline": round(cold_s, 3), "ratio": round(ratio, 3), "target": TARGET_RATIO,
             "higher_is_better": False, "meets": ratio <= TARGET_RATIO,
             "detail": {**detail, "export": said, "same_output": same}}]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    args = parser.parse_args(argv)
    for row in run(args.docs):
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
