"""The window at scale, for :mod:`bench.scale`: the first document drawn from process
start (several runs), the document list scrolled to the end and back (each frame
timed), and a search typed into the list (until its first rows are drawn), in a real
window offscreen. Run alone: ``python -m bench.scale_window DB``."""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

COLD_RUNS = 5
REACHES = 60  # drags of the scroll bar to its end (each loads one more page)

#: put before :data:`bench.gui.FIRST_DRAW`: every SQLite connection's VM steps counted (a
#: progress handler on each, per statement), printed as ``steps {...}`` when the first
#: draw exits: what the first draw costs the database, whatever the load on the machine.
COUNT_STEPS = r"""
import collections, json, os, sqlite3
STEPS, CUR = collections.Counter(), {}
connect = sqlite3.connect
def counted(*args, **kwargs):
    conn = connect(*args, **kwargs)
    key = id(conn)
    def on_statement(sql, key=key):
        CUR[key] = " ".join(sql.split())[:100]
    def on_step(key=key):
        STEPS[CUR.get(key, "?")] += 1
        return 0
    conn.set_trace_callback(on_statement)
    conn.set_progress_handler(on_step, 1)
    return conn
sqlite3.connect = counted
exit_now = os._exit
def exit_with_steps(code):
    print("steps", json.dumps({"total": sum(STEPS.values()), "top": STEPS.most_common(3)}),
          flush=True)
    exit_now(code)
os._exit = exit_with_steps
"""


def steps_to_first_draw(db: Path) -> dict[str, Any]:
    """SQLite VM steps (every connection) from process start to the first document
    drawn, and the three costliest statements: the same at any load."""
    import json
    import subprocess

    from bench.gui import FIRST_DRAW, ROOT

    with tempfile.TemporaryDirectory(prefix="bench-first-draw-") as tmp:
        env = dict(os.environ, XDG_CONFIG_HOME=tmp, HOME=tmp)
        out = subprocess.run([sys.executable, "-c", COUNT_STEPS + FIRST_DRAW, "--db", str(db),
                              "--annotator", "bench"], capture_output=True, text=True,
                             cwd=ROOT, env=env, timeout=300, check=False)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("steps ")), None)
    if out.returncode or line is None:
        raise RuntimeError(f"the window did not open: {out.stderr[-1000:]}")
    got: dict[str, Any] = json.loads(line[len("steps "):])
    return got


def first_draw(db: Path, runs: int = COLD_RUNS) -> dict[str, Any]:
    """Seconds from process start to the first document drawn, ``runs`` times."""
    from bench.gui import cold_open

    with tempfile.TemporaryDirectory(prefix="bench-first-draw-") as tmp:
        cold_open(db, Path(tmp))  # untimed: the page cache as a user's second start
        times, cpu = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append(cold_open(db, Path(tmp)))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    seconds = [t for t, _ in times]
    return {"median_s": statistics.median(seconds), "worst_s": max(seconds),
            "runs_s": [round(t, 3) for t in seconds],
            "cpu_median_s": round(statistics.median(cpu), 3),
            "cpu_worst_s": round(max(cpu), 3),
            "spacy_imported": any(s for _, s in times)}


def _window(db: Path, tmp: Path, readonly: bool = False) -> Any:
    from annotator.gui.app import build_window
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)
    window = build_window(db, "bench", settings, auto_suggest=False,
                          readonly=readonly)
    window.resize(1024, 700)
    window.show()
    app.processEvents()
    return app, window


CPU: list[float] = []  # the CPU milliseconds of each frame timed, beside its wall time
STEPS: list[int] = []  # the SQLite VM steps of the window's connection in each frame
STEP = 10  # steps between two calls of the progress handler that counts them


class _Steps:
    """Counts the SQLite VM steps of ``conn`` (to the nearest :data:`STEP`)."""

    def __init__(self, conn: Any):
        self.conn, self.n = conn, 0
        conn.set_progress_handler(self._step, STEP)

    def _step(self) -> int:
        self.n += STEP
        return 0

    def stop(self) -> None:
        self.conn.set_progress_handler(None, 0)


def _frame(app: Any, view: Any, action: Any, steps: _Steps | None = None) -> float:
    """Milliseconds of one event-loop turn that runs ``action`` and paints the list (its
    CPU time goes to :data:`CPU`: on a shared machine, the wall time also counts the
    time the process waited for a core; with ``steps``, its SQLite steps to
    :data:`STEPS`)."""
    before = steps.n if steps else 0
    started, cpu = time.perf_counter(), time.process_time()
    action()
    view.viewport().repaint()
    app.processEvents()
    CPU.append((time.process_time() - cpu) * 1000)
    if steps:
        STEPS.append(steps.n - before)
    return (time.perf_counter() - started) * 1000


def scroll(db: Path) -> dict[str, Any]:
    """The list dragged to its end :data:`REACHES` times and back to the top (each a
    frame, timed); then the idle indexer's first tick (it counts the documents left)
    and ten more."""
    with tempfile.TemporaryDirectory(prefix="bench-scroll-") as name:
        app, window = _window(db, Path(name))
        window.indexer.stop()  # its ticks are timed on their own below
        table = window.documents.table
        bar = table.verticalScrollBar()
        model = window.documents.model
        CPU.clear()
        STEPS.clear()
        steps = _Steps(window.store.conn)
        down = [_frame(app, table, lambda: bar.setValue(bar.maximum()), steps)
                for _ in range(REACHES)]
        paged = getattr(model, "paged", None)  # the list without a search: by position
        loaded = paged.held if paged is not None else model.rowCount()
        bottom = table.rowAt(table.viewport().height() - 1)
        last_shown = model.doc_id(model.rowCount() - 1 if bottom < 0 else bottom)
        back = [_frame(app, table, lambda: bar.setValue(bar.value() - bar.pageStep()), steps)
                for _ in range(20)]
        back.append(_frame(app, table, lambda: bar.setValue(0), steps))
        jumps = [_frame(app, table, lambda f=f: bar.setValue(int(bar.maximum() * f)), steps)
                 for f in (0.5, 0.25, 0.75, 0.9, 0.1)]  # drops anywhere on the bar
        held = paged.held if paged is not None else model.rowCount()
        cpu, frame_steps = list(CPU), list(STEPS)
        steps.stop()
        window.indexer.start(window.store)
        tick = _frame(app, table, window.indexer.tick)
        ticks = [_frame(app, table, window.indexer.tick) for _ in range(10)]
        window.indexer.stop()
        window.close()
    frames = down + back + jumps
    return {"worst_frame_ms": max(frames), "median_frame_ms": statistics.median(frames),
            "down_worst_ms": max(down), "back_worst_ms": max(back),
            "jump_worst_ms": max(jumps), "rows_loaded": loaded, "rows_held_at_end": held,
            "last_shown_id": last_shown, "documents": model.total,
            "cpu_worst_frame_ms": max(cpu), "cpu_median_frame_ms": statistics.median(cpu),
            "cpu_down_worst_ms": max(cpu[:REACHES]),
            "cpu_back_worst_ms": max(cpu[REACHES:REACHES + 21]),
            "cpu_jump_worst_ms": max(cpu[REACHES + 21:]),
            "sqlite_steps_worst_frame": max(frame_steps),
            "sqlite_steps_median_frame": statistics.median(frame_steps),
            "reaches": REACHES, "first_index_tick_ms": tick,
            "index_tick_worst_ms": max(ticks)}


def search(db: Path, word: str) -> dict[str, Any]:
    """``word`` typed into the list's search box and applied (the typing pause left
    out): milliseconds until its first rows are drawn (also when the list reads them in a
    thread), and how many show. While a thread reads them the GUI thread waits in its
    event loop, as the window does: spinning ``processEvents()`` instead competed with
    the thread for the two cores and the GIL (782 ms once at 1M, under load)."""
    from PySide6.QtCore import QEventLoop, QTimer

    with tempfile.TemporaryDirectory(prefix="bench-search-") as name:
        app, window = _window(db, Path(name))
        window.indexer.stop()
        panel = window.documents
        waiting = QEventLoop()
        panel.model.pages.found.connect(waiting.quit)  # after the list's own slot
        panel.model.pages.failed.connect(waiting.quit)
        steps = _Steps(window.store.conn)

        def apply() -> None:
            panel.search_box.setText(word)
            panel.apply_filter()  # at once, not after the typing pause

        started, cpu = time.perf_counter(), time.process_time()
        _frame(app, panel.table, apply)
        applied_ms = (time.perf_counter() - started) * 1000
        threaded = panel.model.searching  # read in a thread (doc_search)
        if threaded:
            QTimer.singleShot(120_000, waiting.quit)
            waiting.exec()
        rows_ms = (time.perf_counter() - started) * 1000
        panel.table.viewport().repaint()
        app.processEvents()
        ms = (time.perf_counter() - started) * 1000
        CPU.append((time.process_time() - cpu) * 1000)  # the search's thread included
        steps.stop()
        shown = panel.model.rowCount()
        window.close()
    return {"search_ms": ms, "cpu_ms": CPU[-1], "rows_shown": shown, "word": word,
            "threaded": threaded, "applied_ms": round(applied_ms, 1),
            "rows_in_ms": round(rows_ms, 1), "gui_thread_sqlite_steps": steps.n}


def search_turns(db: Path, word: str, timeout_s: float = 300.0) -> dict[str, Any]:
    """``word`` typed into the list's search box and applied, then the event loop run
    until the list has its rows: the GUI thread's longest turn meanwhile (the time
    between two runs of a zero-interval timer, wall and the GUI thread's own CPU), the
    turns counted, and the seconds until the rows were there. A search that blocks the
    GUI thread shows as one long turn; one run in a worker, as many short ones."""
    from PySide6.QtCore import QTimer

    with tempfile.TemporaryDirectory(prefix="bench-search-turns-") as name:
        app, window = _window(db, Path(name), readonly=True)  # the project untouched
        panel = window.documents
        gaps: list[tuple[float, float]] = []
        last = [time.perf_counter(), time.thread_time()]

        def on_turn() -> None:
            wall, cpu = time.perf_counter(), time.thread_time()
            gaps.append(((wall - last[0]) * 1000, (cpu - last[1]) * 1000))
            last[:] = [wall, cpu]

        timer = QTimer(interval=0)
        timer.timeout.connect(on_turn)
        timer.start()
        app.processEvents()
        started = time.perf_counter()
        last[:] = [started, time.thread_time()]
        panel.search_box.setText(word)
        panel.apply_filter()  # at once, not after the typing pause
        while getattr(panel.model, "searching", False) \
                and time.perf_counter() - started < timeout_s:
            app.processEvents()
        done_s = time.perf_counter() - started
        app.processEvents()
        timer.stop()
        shown = panel.model.rowCount()
        window.close()
        window.store.close()
    walls = [w for w, _ in gaps] or [0.0]
    cpus = [c for _, c in gaps] or [0.0]
    return {"word": word, "rows_shown": shown, "rows_after_s": round(done_s, 2),
            "turns": len(gaps), "longest_turn_ms": round(max(walls), 1),
            "longest_turn_cpu_ms": round(max(cpus), 1),
            "longest_turn_index": walls.index(max(walls)),  # 0: the one that applied it
            "median_turn_ms": round(statistics.median(walls), 2)}


def idle_indexing(db: Path, seconds: float = 60.0) -> dict[str, Any]:
    """The window left idle for ``seconds`` (or until its index is complete) with its
    indexer on (its own timer and ticks, as a user who stops typing gets): documents
    added to the full-text index per second of idle window, and its ticks (wall and CPU
    of the longest). The project's index grows by what it adds (:mod:`bench.scale`
    empties it again)."""
    import threading

    from PySide6.QtCore import QEventLoop, QTimer

    with tempfile.TemporaryDirectory(prefix="bench-idle-") as name:
        app, window = _window(db, Path(name))
        indexer, store = window.indexer, window.store
        before = store.search_indexed_upto()
        ticks: list[tuple[float, float, int]] = []
        tick = indexer.tick

        def timed_tick() -> int:
            started, cpu = time.perf_counter(), time.thread_time()
            done = tick()
            ticks.append(((time.perf_counter() - started) * 1000,
                          (time.thread_time() - cpu) * 1000, done))
            return done

        indexer.tick = timed_tick  # type: ignore[method-assign]
        indexer._last_activity = time.monotonic() - 3600  # idle since long ago
        waiting = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), waiting.quit)
        indexer.progressed.connect(lambda left: left or waiting.quit())  # complete
        cpu0, started = time.process_time(), time.perf_counter()
        assert threading.current_thread() is threading.main_thread()
        waiting.exec()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu0
        indexer.stop()
        after = store.search_indexed_upto()
        left = store.count_unindexed()
        window.close()
    done = sum(n for _, _, n in ticks)
    walls = [w for w, _, _ in ticks] or [0.0]
    cpus = [c for _, c, _ in ticks] or [0.0]
    return {"seconds": round(elapsed, 1), "documents": done, "ids": after - before,
            "docs_per_s": done / elapsed, "cpu_s": round(cpu, 1),
            "left": left, "ticks": len(ticks),
            "docs_per_tick_median": statistics.median([n for _, _, n in ticks] or [0]),
            "tick_median_ms": round(statistics.median(walls), 1),
            "tick_worst_ms": round(max(walls), 1),
            "tick_cpu_median_ms": round(statistics.median(cpus), 1),
            "tick_cpu_worst_ms": round(max(cpus), 1)}


def main(argv: list[str]) -> int:
    db = Path(argv[0])
    if argv[1:2] == ["--idle"]:  # the idle window's indexer: DB --idle SECONDS
        print(idle_indexing(db, float(argv[2]) if len(argv) > 2 else 60.0))
        return 0
    if argv[1:2] == ["--turns"]:  # the search's turns alone: DB --turns WORD
        print(search_turns(db, argv[2] if len(argv) > 2 else "qzxvbnmw"))
        return 0
    print(steps_to_first_draw(db))
    print(first_draw(db))
    print(scroll(db))
    print(search(db, argv[1] if len(argv) > 1 else "Kovalenko"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
