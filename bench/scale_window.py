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


def _window(db: Path, tmp: Path) -> Any:
    from annotator.gui.app import build_window
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)
    window = build_window(db, "bench", settings, auto_suggest=False)
    window.resize(1024, 700)
    window.show()
    app.processEvents()
    return app, window


CPU: list[float] = []  # the CPU milliseconds of each frame timed, beside its wall time


def _frame(app: Any, view: Any, action: Any) -> float:
    """Milliseconds of one event-loop turn that runs ``action`` and paints the list (its
    CPU time goes to :data:`CPU`: on a shared machine, the wall time also counts the
    time the process waited for a core)."""
    started, cpu = time.perf_counter(), time.process_time()
    action()
    view.viewport().repaint()
    app.processEvents()
    CPU.append((time.process_time() - cpu) * 1000)
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
        down = [_frame(app, table, lambda: bar.setValue(bar.maximum()))
                for _ in range(REACHES)]
        loaded = model.rowCount()
        back = [_frame(app, table, lambda: bar.setValue(bar.value() - bar.pageStep()))
                for _ in range(20)]
        back.append(_frame(app, table, lambda: bar.setValue(0)))
        cpu = list(CPU)
        window.indexer.start(window.store)
        tick = _frame(app, table, window.indexer.tick)
        ticks = [_frame(app, table, window.indexer.tick) for _ in range(10)]
        window.indexer.stop()
        window.close()
    frames = down + back
    return {"worst_frame_ms": max(frames), "median_frame_ms": statistics.median(frames),
            "down_worst_ms": max(down), "back_worst_ms": max(back), "rows_loaded": loaded,
            "cpu_worst_frame_ms": max(cpu), "cpu_median_frame_ms": statistics.median(cpu),
            "cpu_down_worst_ms": max(cpu[:REACHES]), "cpu_back_worst_ms": max(cpu[REACHES:]),
            "reaches": REACHES, "first_index_tick_ms": tick,
            "index_tick_worst_ms": max(ticks)}


def search(db: Path, word: str) -> dict[str, Any]:
    """``word`` typed into the list's search box and applied (the typing pause left
    out): milliseconds until its first rows are drawn, and how many show."""
    with tempfile.TemporaryDirectory(prefix="bench-search-") as name:
        app, window = _window(db, Path(name))
        window.indexer.stop()
        panel = window.documents

        def apply() -> None:
            panel.search_box.setText(word)
            panel.apply_filter()  # at once, not after the typing pause

        ms = _frame(app, panel.table, apply)
        shown = panel.model.rowCount()
        window.close()
    return {"search_ms": ms, "cpu_ms": CPU[-1], "rows_shown": shown, "word": word}


def main(argv: list[str]) -> int:
    db = Path(argv[0])
    print(first_draw(db))
    print(scroll(db))
    print(search(db, argv[1] if len(argv) > 1 else "Kovalenko"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
