"""Long documents: ``python -m bench.long [--max-chars N]``.

One document made of :mod:`bench.corpus` articles put end to end, cut at 200,000,
400,000 and (with ``--full``, or ``--max-chars 2000000``) 2,000,000 characters, each
suggested in a fresh project with the real pipeline, as ``annotator suggest`` does it
(:func:`annotator.suggest.runner.suggest`). Measured in the same process:

- the time of each, against bare ``nlp.pipe`` over the same pieces the runner parses
  (the parse alone, no rules, nothing stored), and the longer ones against the
  200,000-character one: linear cost is x2 at 400,000 and x10 at 2,000,000 (the
  target is x12);
- the longest write transaction of those runs (from ``BEGIN IMMEDIATE`` acquired to
  ``COMMIT`` done): what another writer (``annotator mark``, a window) may wait for;
- the window (real widgets, offscreen) with its background suggester working on a
  400,000-character document, while the driver accepts a suggestion and undoes it,
  over and over, on another document with ``QTest`` key events: the time of each such
  decision keystroke until the suggester is done.

``run(n)`` (the runner's convention): ``n`` is the longest document in units of
200,000 characters (2 in quick mode, 10 with ``--full``).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

UNIT = 200_000  # characters
GROWTH_TARGET = {2: 2.4, 10: 12.0}  # x of the 200,000-character time
RATIO_TARGET = 1.5  # suggest vs bare nlp.pipe over the same pieces
HOLD_TARGET_MS = 500.0
KEY_TARGET_MS = 50.0
KEY_DOC_CHARS = 2 * UNIT  # the document the window's suggester works on
KEY_INTERVAL_S = 0.05  # a fast typist: 20 keys a second
IDLE_KEYS = 40  # keystrokes with the suggester idle: the baseline


def long_text(n_chars: int) -> str:
    """``n_chars`` characters of generated articles, end to end (paragraph breaks)."""
    from bench.corpus import articles

    parts: list[str] = []
    size = 0
    for article in articles(10 * n_chars // 1000 + 100):
        parts.append(article["text"])
        size += len(article["text"]) + 2
        if size >= n_chars:
            break
    return "\n\n".join(parts)[:n_chars]


@dataclass
class Holds:
    """Seconds each write transaction held the lock: all, and the background stores'."""

    all: list[float] = field(default_factory=list)
    background: list[float] = field(default_factory=list)
    #: the background transactions: (when the lock was taken, seconds held, of which
    #: COMMIT, rows changed, what opened it: the calling functions)
    log: list[tuple[float, float, float, int, str]] = field(default_factory=list)
    #: the foreground (the window's decisions): (when the lock was taken, seconds
    #: held, of which COMMIT)
    own: list[tuple[float, float, float]] = field(default_factory=list)


@contextlib.contextmanager
def write_holds() -> Iterator[Holds]:
    """Every outermost write transaction of any store while inside: its seconds from
    the lock taken (``BEGIN IMMEDIATE`` returned) to ``COMMIT`` done."""
    from annotator.store.base import StoreBase

    holds = Holds()
    original = StoreBase.write

    @contextlib.contextmanager
    def timed(self: StoreBase, wait_ms: int | None = None) -> Iterator[Any]:
        outer = not self.conn.in_transaction
        changes = self.conn.total_changes
        with original(self, wait_ms) as conn:
            started = time.perf_counter()
            yield conn
            body = time.perf_counter()
        if outer:
            ended = time.perf_counter()
            held = ended - started
            holds.all.append(held)
            if not self.background:
                holds.own.append((started, held, ended - body))
            if self.background:
                holds.background.append(held)
                frames = [f.name for f in traceback.extract_stack(limit=10)
                          if "contextlib" not in f.filename][:-1]
                what = "<".join(frames[-3:][::-1])
                holds.log.append((started, held, ended - body, self.conn.total_changes - changes,
                                  what))

    StoreBase.write = timed  # type: ignore[method-assign]
    try:
        yield holds
    finally:
        StoreBase.write = original  # type: ignore[method-assign]


@contextlib.contextmanager
def gc_pauses() -> Iterator[list[tuple[float, float, int, str]]]:
    """Every garbage collection while inside: (when it started, seconds, generation,
    the thread that ran it). A collection holds the interpreter lock throughout."""
    import gc
    import threading

    pauses: list[tuple[float, float, int, str]] = []
    begun: list[float] = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            begun[0] = time.perf_counter()
        else:
            pauses.append((begun[0], time.perf_counter() - begun[0], info["generation"],
                           threading.current_thread().name))

    gc.callbacks.append(callback)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(callback)


def _project(path: Path, texts: list[str]) -> list[int]:
    from annotator.store import Store

    with Store(path) as store, store.write():
        return [store.insert_document(text, {"title": f"Long {len(text):,}"},
                                      hashlib.sha256(text.encode()).hexdigest())
                for text in texts]


def measure_suggest(n_chars: int, nlp: Any, tmp: Path, bare: bool = True) -> dict[str, Any]:
    """Suggest one ``n_chars`` document in a fresh project; bare ``nlp.pipe`` over its
    pieces (if ``bare``); the write transactions."""
    import resource

    from annotator.store import Store
    from annotator.suggest.runner import PIECE_CHARS, pieces, suggest

    text = long_text(n_chars)
    db = tmp / f"long-{n_chars}.db"
    [doc_id] = _project(db, [text])
    started = time.perf_counter()
    if bare:
        for _ in nlp.pipe([text[a:b] for a, b in pieces(text, PIECE_CHARS)], batch_size=1):
            pass
    bare_s = time.perf_counter() - started if bare else None
    with Store(db) as store, write_holds() as holds:
        started = time.perf_counter()
        result = suggest(store, nlp, [doc_id])
        seconds = time.perf_counter() - started
    return {"chars": n_chars, "suggest_s": round(seconds, 2), "bare_s": bare_s and round(bare_s, 2),
            "entities": result.entities_added, "claims": result.claims_added,
            "transactions": len(holds.all), "longest_hold_ms": round(max(holds.all) * 1000, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def _short_doc_spans(conn: Any, doc_id: int, text: str, n: int) -> None:
    from annotator.store import now

    ts = now()
    starts = [i for i in range(1, len(text)) if text[i - 1] == " " and text[i].isalpha()]
    rows = []
    for start in starts[::max(len(starts) // n, 1)][:n]:
        end = text.find(" ", start)
        rows.append((doc_id, "entity", start, end if end > 0 else len(text), "ORG", "model",
                     "pending", 0.8, "bench", None, "[]", ts, ts))
    conn.executemany(
        'INSERT INTO spans (doc_id, layer, start, "end", label, origin, decision, score,'
        " model, annotator, cues, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _stats(times: list[float]) -> dict[str, Any]:
    """Median, p95, p99, slowest and how many over the target, of keys' milliseconds."""
    if not times:
        return {"keys": 0}
    ordered = sorted(times)

    def pct(p: float) -> float:
        return round(ordered[min(int(len(ordered) * p), len(ordered) - 1)], 1)

    return {"keys": len(times), "p50_ms": round(median(times), 1), "p95_ms": pct(0.95),
            "p99_ms": pct(0.99), "max_ms": round(ordered[-1], 1),
            "over_50_ms": sum(t > KEY_TARGET_MS for t in times)}


def _slow_keys(keys: list[tuple[float, float]], holds: Holds,
               pauses: list[tuple[float, float, int, str]]) -> list[dict[str, Any]]:
    """What ran during each key over the target: garbage collections and background
    transactions overlapping it (milliseconds)."""
    out = []
    for t0, ms in keys:
        if ms <= KEY_TARGET_MS:
            continue
        t1 = t0 + ms / 1000

        def during(start: float, seconds: float, t0: float = t0, t1: float = t1) -> bool:
            return start < t1 and start + seconds > t0

        out.append({"ms": round(ms, 1),
                    "gc": [(g, round(s * 1000, 1), thread) for start, s, g, thread in pauses
                           if during(start, s) and s > 0.002],
                    "worker_tx": [(round(held * 1000, 1), round(commit * 1000, 1), what)
                                  for start, held, commit, _, what in holds.log
                                  if during(start, held)],
                    "own_tx": [(round(held * 1000, 1), round(commit * 1000, 1))
                               for start, held, commit in holds.own if during(start, held)]})
    return out


BARE_COMMIT = """
import json, sqlite3, sys, time
from pathlib import Path
db, stop, out = map(Path, sys.argv[1:4])
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA synchronous = FULL")
conn.execute("CREATE TABLE IF NOT EXISTS d (id INTEGER PRIMARY KEY, v TEXT)")
times = []
while not stop.exists():
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO d (v) VALUES ('accept')")
    t0 = time.perf_counter()
    conn.execute("COMMIT")
    times.append((time.perf_counter() - t0) * 1000)
    time.sleep(%r)
out.write_text(json.dumps(times))
"""


@contextlib.contextmanager
def bare_commits(tmp: Path, name: str) -> Iterator[list[float]]:
    """The floor of a durable decision on this disk at this moment: bare sqlite3, in a
    process of its own, commits one row (WAL, ``synchronous=FULL``, as the window's
    decisions) to a file of its own in the same folder, every KEY_INTERVAL_S, while
    the block runs: each COMMIT's milliseconds (its fsync) in the list at the end."""
    import subprocess

    stop, out = tmp / f"{name}.stop", tmp / f"{name}.json"
    stop.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", BARE_COMMIT % KEY_INTERVAL_S,
                             str(tmp / f"{name}.db"), str(stop), str(out)])
    times: list[float] = []
    try:
        yield times
    finally:
        stop.touch()
        proc.wait(timeout=60)
        if out.exists():
            times.extend(json.loads(out.read_text()))


def measure_keystrokes(tmp: Path, timeout_s: float = 900) -> dict[str, Any]:
    """The window suggesting a long document in the background while the driver
    accepts and undoes on another one: each decision keystroke's milliseconds.

    The first key of the window (its first decision: caches filled, code run for the
    first time) is a warm-up, reported apart; then IDLE_KEYS keys with the suggester
    idle (the baseline), then keys until the suggester is done."""
    from annotator.gui.app import build_window
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from annotator.store import Store

    app = QApplication.instance() or QApplication([])
    db = tmp / "window.db"
    short = long_text(3_000)[1_000:3_000]
    # the short one first: the window opens on it
    short_id, long_id = _project(db, [short + " (short)", long_text(KEY_DOC_CHARS)])
    with Store(db) as store, store.write() as conn:
        _short_doc_spans(conn, short_id, store.get_document(short_id).text, 40)
    settings = QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)
    window = build_window(db, "bench", settings, auto_suggest=True)
    window.resize(1024, 700)
    window.show()
    done: list[str] = []
    window.taskbar.suggested.connect(lambda doc_id: done.append(f"suggested {doc_id}"))
    window.taskbar.suggestion_failed.connect(lambda message: done.append(message))
    refused: list[str] = []
    window.decisions.refused.connect(lambda message: refused.append(message))
    window.open_document(short_id)
    app.processEvents()
    window.windowHandle().requestActivate()
    with gc_pauses() as pauses:
        warm_up = _type(app, window, lambda: False, 2)  # accept and undo, once
        idle_keys: list[tuple[float, float]] = []
        with bare_commits(tmp, "idle") as idle_floor:
            idle = _type(app, window, lambda: False, IDLE_KEYS, idle_keys)
        idle_pauses = len(pauses)
        window.open_document(long_id)  # the background suggester starts on it
        deadline = time.monotonic() + 60
        while not window.taskbar.label.text().startswith("suggesting") and not done:
            app.processEvents()
            time.sleep(0.01)
            if time.monotonic() > deadline:
                raise RuntimeError("the background suggester did not start")
        window.open_document(short_id)
        app.processEvents()
        started = time.monotonic()
        keys: list[tuple[float, float]] = []
        with write_holds() as held, bare_commits(tmp, "busy") as floor:
            times = _type(app, window,
                          lambda: bool(done) or time.monotonic() - started > timeout_s,
                          keys=keys)
        suggest_s = time.monotonic() - started
    decided = len(window.store.events(short_id))
    window.close()
    window.store.close()
    busy = _stats(times)
    gcs = [p for p in pauses[idle_pauses:] if p[1] > 0.002]
    return {"keystrokes": len(times), "decisions_logged": decided, "refused": len(refused),
            "refusals": refused[:3], "max_ms": busy.get("max_ms"),
            "p50_ms": busy.get("p50_ms"), "p95_ms": busy.get("p95_ms"),
            "p99_ms": busy.get("p99_ms"), "over_50_ms": busy.get("over_50_ms"),
            "warm_up_ms": [round(t, 1) for t in warm_up],
            "bare_commit": _stats(floor), "bare_commit_idle": _stats(idle_floor),
            "idle": _stats(idle), "idle_max_ms": round(max(idle), 1), "idle_slow": _slow_keys(
                idle_keys, Holds(), pauses[:idle_pauses]),
            "suggester": done[0] if done else f"still working after {timeout_s:.0f} s",
            "background_s": round(suggest_s, 1),
            "longest_hold_ms": round(max(held.all) * 1000, 1) if held.all else None,
            "worker_longest_hold_ms": round(max(held.background) * 1000, 1)
            if held.background else None,
            "worker_transactions": len(held.background), "transactions": len(held.all),
            "worker_longest": [(round(h * 1000, 1), round(c * 1000, 1), n, what)
                               for _, h, c, n, what in
                               sorted(held.log, key=lambda x: -x[1])[:8]],
            "own_longest": sorted(((round(h * 1000, 1), round(c * 1000, 1))
                                   for _, h, c in held.own), reverse=True)[:8],
            "gc_over_2_ms": len(gcs), "gc_longest": sorted(
                ((round(s * 1000, 1), g, thread) for _, s, g, thread in gcs),
                reverse=True)[:8],
            "slow": sorted(_slow_keys(keys, held, pauses), key=lambda k: -k["ms"])[:12]}


def _type(app: Any, window: Any, stop: Any, n: int | None = None,
          keys: list[tuple[float, float]] | None = None) -> list[float]:
    """Accept the next pending suggestion, undo it, and so on, a key every
    KEY_INTERVAL_S, until ``stop()`` (or ``n`` keys): each key's milliseconds, from the
    key press to its events processed (the decision committed and drawn); with ``keys``
    also (when it was pressed, milliseconds) there."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    times: list[float] = []
    accept = True
    while not stop() and (n is None or len(times) < n):
        if accept:
            window.move_focus(+1, pending=True)
        t0 = time.perf_counter()
        if accept:
            QTest.keyClick(window.article, Qt.Key.Key_A)
        else:
            QTest.keyClick(window.article, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
        if keys is not None:
            keys.append((t0, times[-1]))
        accept = not accept
        pause_until = time.perf_counter() + KEY_INTERVAL_S
        while time.perf_counter() < pause_until:
            app.processEvents()
            time.sleep(0.005)
    return times


def _row(name: str, value: float, unit: str, target: float | None, *,
         baseline: float | None = None, detail: Any = None,
         target_unit: str | None = None) -> dict[str, Any]:
    ratio = None if baseline is None else round(value / baseline, 3)
    measured = ratio if target_unit == "ratio" else value
    row: dict[str, Any] = {
        "name": name, "value": round(value, 2), "unit": unit, "baseline": baseline,
        "ratio": ratio, "target": target, "higher_is_better": False,
        "meets": None if target is None or measured is None else measured <= target}
    if target_unit:
        row["target_unit"] = target_unit
    if detail is not None:
        row["detail"] = detail
    return row


def run(n_docs: int = 2, keystrokes: bool = True, suggest: bool = True
        ) -> list[dict[str, Any]]:
    """Rows for the runner: ``n_docs`` is the longest document in units of 200,000
    characters (2: 200,000 and 400,000; 10: also 2,000,000)."""
    from annotator.suggest.checkworthy import shipped
    from annotator.suggest.runner import load_pipeline

    nlp = load_pipeline()
    shipped()  # the claim model suggest uses, loaded once beforehand
    for _ in nlp.pipe([long_text(5_000)]):  # warm up
        pass
    rows: list[dict[str, Any]] = []
    sizes = [UNIT, 2 * UNIT] + ([n_docs * UNIT] if n_docs > 2 else [])
    with tempfile.TemporaryDirectory(prefix="bench-long-") as tmp:
        runs = [measure_suggest(n, nlp, Path(tmp), bare=n == UNIT) for n in sizes] \
            if suggest else []
        if runs:
            first = runs[0]
            rows.append(_row(f"suggest a {UNIT:,}-character document, vs bare nlp.pipe",
                             first["suggest_s"], "s", RATIO_TARGET, baseline=first["bare_s"],
                             target_unit="ratio", detail=first))
            for m in runs[1:]:
                factor = m["chars"] // UNIT
                rows.append(_row(f"suggest a {m['chars']:,}-character document, vs the "
                                 f"{UNIT:,} one (linear: x{factor})", m["suggest_s"], "s",
                                 GROWTH_TARGET.get(factor), baseline=first["suggest_s"],
                                 target_unit="ratio", detail=m))
            longest = max(runs, key=lambda m: m["longest_hold_ms"])
            rows.append(_row(f"longest write transaction while suggesting up to "
                             f"{sizes[-1]:,} characters", longest["longest_hold_ms"], "ms",
                             HOLD_TARGET_MS, detail={m["chars"]: m["longest_hold_ms"]
                                                     for m in runs}))
        if keystrokes:
            k = measure_keystrokes(Path(tmp))
            value = k["max_ms"] if k["max_ms"] is not None else float("nan")
            row = _row(f"decision keystroke (slowest) while the window suggests a "
                       f"{KEY_DOC_CHARS:,}-character document, vs idle", value, "ms",
                       KEY_TARGET_MS, baseline=k["idle_max_ms"], detail=k)
            row["meets"] = bool(row["meets"]) and not k["refused"] \
                and k["suggester"].startswith("suggested")
            rows.append(row)
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-chars", type=int, default=2 * UNIT,
                        help="the longest document (a multiple of 200,000)")
    parser.add_argument("--no-keystrokes", action="store_true")
    parser.add_argument("--keystrokes-only", action="store_true")
    parser.add_argument("--json", action="store_true", help="print JSON rows")
    parser.add_argument("--write", nargs="?", type=Path, const=Path(__file__).with_name(
        "results.json"), default=None, metavar="PATH",
        help="also merge the rows into the results file (default bench/results.json): "
             "other modules' rows stay, these replace the long module's of this size")
    args = parser.parse_args(argv)
    n = max(args.max_chars // UNIT, 2)
    rows = run(n, keystrokes=not args.no_keystrokes, suggest=not args.keystrokes_only)
    if args.write is not None:
        from bench.__main__ import machine, merge_results

        for row in rows:
            row["module"], row["n_docs"] = "long", n
        merge_results(args.write, rows, [], "full" if n >= 10 else "quick", machine(),
                      ran=["long"])
        print(f"wrote {args.write}", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        mark = {True: "ok", False: "MISSED", None: ""}[row["meets"]]
        extra = "" if row["ratio"] is None else f" ratio {row['ratio']:.2f}"
        print(f"{row['name']:<78} {row['value']:>9.2f} {row['unit']:<3}{extra} "
              f"(target {row['target']}) {mark}")
        print(f"    {json.dumps(row.get('detail'))}")
    return 0 if all(r["meets"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
