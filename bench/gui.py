"""GUI timings with real widgets, offscreen: ``python -m bench.gui [--docs N]``.

Builds a project of ``n_docs`` documents with raw ``executemany`` (seconds, not
minutes), then measures: the window opened by a new process (``python main.py --db``,
from the process's start to its first document drawn, median of 5; the row fails if
spaCy was imported by then), opening the window in this process, opening a
3,000-character document with 60 spans, a 100,000-character one with 3,000 spans, one
accept keystroke including the database commit, and the GUI process's memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from annotator.store import Store, now  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
COLD_RUNS = 5
# The real start (main.py's run()), with build_window wrapped to watch the article: at
# its first paint with a document in it, print the time and whether spaCy is imported,
# and end. Nothing else of the start is changed.
FIRST_DRAW = r"""
import os, sys, time
import annotator.gui.app as app
from PySide6.QtCore import QEvent, QObject, QTimer

class FirstDraw(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.window.doc is not None:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self.drawn)  # after this paint is done
        return False
    def drawn(self):
        print("drawn", time.time(), self.window.doc.id, "spacy" in sys.modules, flush=True)
        os._exit(0)  # at once: the background suggester may be starting by now

build = app.build_window
def build_window(*args, **kwargs):
    window = build(*args, **kwargs)
    window.article.viewport().installEventFilter(FirstDraw(window))
    return window
app.build_window = build_window
sys.exit(app.run(sys.argv[1:]))
"""

SENTENCE = ("Officials in Baghdad said the attack killed 12 people on Tuesday, according "
            "to the ministry. Reuters reported that ISIS claimed it.")
WORDS = SENTENCE.split(" ")


def _text(n_chars: int, seed: int) -> str:
    out: list[str] = []
    size = 0
    i = seed
    while size < n_chars:
        word = WORDS[i % len(WORDS)]
        out.append(word)
        size += len(word) + 1
        i += 7
    # paragraphs of about 600 characters, as in news articles
    text = " ".join(out)[:n_chars]
    return "".join(ch if i % 600 or ch != " " else "\n" for i, ch in enumerate(text))


def _spans_for(doc_id: int, text: str, n: int, ts: str) -> list[tuple[Any, ...]]:
    """``n`` non-overlapping entity spans on word starts, every tenth one a claim."""
    starts = [i for i in range(len(text)) if (i == 0 or text[i - 1] == " ") and
              text[i] != " "]
    step = max(len(starts) // n, 1)
    rows = []
    for k, start in enumerate(starts[::step][:n]):
        end = text.find(" ", start)
        end = len(text) if end < 0 else end
        layer, label = ("claim", "CLAIM") if k % 10 == 9 else ("entity", "GPE")
        if layer == "claim":
            end = min(start + 120, len(text))
        rows.append((doc_id, layer, start, end, label, "model", "pending", 0.8, "bench",
                     None, "[]", ts, ts))
    return rows


def build_project(path: Path, n_docs: int) -> dict[str, int]:
    """A project with ``n_docs`` short documents plus the two measured ones."""
    ts = now()
    with Store(path) as store, store.write() as conn:
        docs = ((_text(600, i), "{}", f"h{i}", "new", ts, ts, f"Document {i}")
                for i in range(n_docs))
        conn.executemany(
            "INSERT INTO documents (text, meta, content_hash, status, created_at,"
            " updated_at, title) VALUES (?, ?, ?, ?, ?, ?, ?)", docs)
        ids = {}
        for name, chars, n_spans in (("small", 3_000, 60), ("large", 100_000, 3_000)):
            text = _text(chars, 3)
            cur = conn.execute(
                "INSERT INTO documents (text, meta, content_hash, status, created_at,"
                " updated_at, title) VALUES (?, '{}', ?, 'new', ?, ?, ?)",
                (text, f"bench-{name}", ts, ts, f"Bench {name}"))
            doc_id = int(cur.lastrowid or 0)
            ids[name] = doc_id
            spans = _spans_for(doc_id, text, n_spans, ts)
            conn.executemany(
                'INSERT INTO spans (doc_id, layer, start, "end", label, origin, decision,'
                " score, model, annotator, cues, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", spans)
            conn.execute("INSERT INTO claims (span_id) SELECT id FROM spans WHERE doc_id = ?"
                         " AND layer = 'claim'", (doc_id,))
    return ids


def cold_open(db: Path, settings_dir: Path) -> tuple[float, bool]:
    """Seconds from starting ``python main.py --db DB`` (the FIRST_DRAW wrapper) to its
    first document drawn, and whether spaCy was imported by then."""
    import subprocess

    env = dict(os.environ, XDG_CONFIG_HOME=str(settings_dir), HOME=str(settings_dir))
    started = time.time()
    out = subprocess.run([sys.executable, "-c", FIRST_DRAW, "--db", str(db),
                          "--annotator", "bench"], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120, check=False)
    words = next((ln.split() for ln in out.stdout.splitlines() if ln.startswith("drawn")),
                 None)
    if out.returncode or words is None:
        raise RuntimeError(f"the window did not open: {out.stderr[-1000:]}")
    return float(words[1]) - started, words[3] == "True"


def _row(name: str, value: float, unit: str, target: float, higher: bool = False
         ) -> dict[str, Any]:
    meets = value >= target if higher else value <= target
    return {"name": name, "value": round(value, 2), "unit": unit, "baseline": None,
            "ratio": None, "target": target, "higher_is_better": higher, "meets": meets}


def run(n_docs: int = 100_000, repeats: int = 5) -> list[dict[str, Any]]:
    """Build the project, drive the real window, return one row per measure."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        started = time.perf_counter()
        ids = build_project(db, n_docs)
        build_s = time.perf_counter() - started
        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        cold = [cold_open(db, Path(tmp)) for _ in range(COLD_RUNS)]
        row = _row(f"window open from process start to first document drawn, "
                   f"{n_docs:,} documents", median(t for t, _ in cold) * 1000, "ms", 500)
        spacy_imported = any(s for _, s in cold)
        row["meets"] = row["meets"] and not spacy_imported
        row["detail"] = {"runs_ms": [round(t * 1000, 1) for t, _ in cold],
                         "spacy_imported": spacy_imported, "command": "python main.py --db"}
        rows.append(row)
        from annotator.gui.app import build_window

        started = time.perf_counter()
        window = build_window(db, "bench", settings, auto_suggest=False)
        window.show()
        app.processEvents()
        open_s = time.perf_counter() - started
        rows.append(_row(f"window open, {n_docs:,} documents", open_s * 1000, "ms", 1000))

        for name, label, target in (("small", "open doc 3,000 chars / 60 spans", 30),
                                    ("large", "open doc 100,000 chars / 3,000 spans", 300)):
            times = []
            for _ in range(repeats):
                window.open_document(1)
                app.processEvents()
                started = time.perf_counter()
                window.open_document(ids[name])
                app.processEvents()
                times.append((time.perf_counter() - started) * 1000)
            rows.append(_row(label, median(times), "ms", target))

        window.windowHandle().requestActivate()
        app.processEvents()
        for name, target in (("small", 16), ("large", None)):
            window.open_document(ids[name])
            app.processEvents()
            times = []
            for _ in range(repeats * 4):
                window.move_focus(+1, pending=True)
                started = time.perf_counter()
                QTest.keyClick(window.article, Qt.Key.Key_A)
                app.processEvents()
                times.append((time.perf_counter() - started) * 1000)
            label = ("accept keystroke incl. commit (60 spans)" if name == "small"
                     else "accept keystroke incl. commit (3,000 spans)")
            rows.append(_row(label, median(times), "ms", target or 100))
        window.close()
        window.store.close()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append(_row(f"GUI process peak memory, {n_docs:,} documents", rss_mb, "MB", 300))
        rows.append({"name": "build bench project", "value": round(build_s, 2), "unit": "s",
                     "baseline": None, "ratio": None, "target": None,
                     "higher_is_better": False, "meets": None})
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print JSON rows")
    args = parser.parse_args(argv)
    rows = run(args.docs)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        target = "" if row["target"] is None else f"target {row['target']:g} {row['unit']}"
        mark = {True: "ok", False: "MISSED", None: ""}[row["meets"]]
        print(f"{row['name']:<48} {row['value']:>9.2f} {row['unit']:<3} {target:<18} {mark}")
    return 0 if all(r["meets"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
