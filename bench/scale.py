"""Benchmark: one project of a million articles on one machine, ``python -m bench.scale
[--docs N]`` (issue 28 §1; ``make bench-full`` runs it at 1,000,000).

One generated corpus, then:

1. ``annotator import`` of it into a new project, as a user runs it (its own process):
   seconds, and the process's peak memory (``ru_maxrss``); the baseline, in this
   process, is sqlite-utils' ``insert_all`` of the same rows (already in memory,
   hashing and titles included), as in :mod:`bench.importing`;
2. the project file's size per document, and what takes the space (SQLite's
   ``dbstat``: each table and index);
3. ``list --json --limit 100``, ``show ID --json``, ``stats`` and ``mark done ID`` from
   process start (median and p90 of 7, one untimed run first, :mod:`bench.startup`);
   ``stats`` itself in the process (counters kept by triggers, schema v8);
4. the window from process start to the first document drawn (:func:`bench.gui.cold_open`);
5. the document list's search while the full-text index is empty (what the window does
   until its idle-time indexer is through: ``LIKE`` over every text) and the indexing
   rate, measured on the first ``INDEX_SAMPLE`` documents, with the time the whole
   index would take at that rate; the search again with that part of the index built;
   then the window left idle for ``IDLE_S`` seconds, its own indexer filling the index
   in its ticks (the rate a user gets, and the whole index's time at it).

Beside the wall and CPU times, load-independent counts: SQLite VM steps of the first
draw (every connection), of each scroll frame, and of a search's first page.

The corpus: :data:`POOL` articles of :mod:`bench.corpus` (3,000 characters on average,
one in 500 of 100,000), repeated with each copy's own reference line (every text
differs, as wire copy does), in JSON lines files of 5,000: generating a million
distinct articles took longer than everything measured here.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

IMPORT_RATIO = 0.5
PEAK_MB = 300.0
START_MS = 100.0
FIRST_DRAW_S = 0.5
SEARCH_MS = 200.0
FRAME_MS = 50.0
WORD = "Kovalenko"  # a name in about 38 % of the articles
RARE = "Whitaker Kovalenko Okafor"  # three names: every word, anywhere in the article
INDEX_SAMPLE = 50_000
IDLE_S = 60.0  # the idle window's indexer, measured for this long
RUNS = 7
SMALL = 1_000  # the first draw again on a project this small, beside


POOL = 5_000
PER_FILE = 5_000


def write_corpus(folder: Path, n: int) -> list[Path]:
    """``n`` articles in JSON lines files under ``folder`` (see the module docstring)."""
    from bench.corpus import SEED, articles

    folder.mkdir(parents=True, exist_ok=True)
    pool = []
    for item in articles(min(POOL, n)):
        body, _, _ = item["text"].rpartition("\n\n(")
        pool.append((body, item["meta"]))
    paths: list[Path] = []
    for first in range(0, n, PER_FILE):
        lines = []
        for i in range(first, min(first + PER_FILE, n)):
            body, meta = pool[i % len(pool)]
            text = f"{body}\n\n({meta['source']} ref. {SEED}-{i})"
            lines.append(json.dumps({"text": text, "meta": {**meta, "id": i}},
                                    ensure_ascii=False))
        path = folder / f"batch-{len(paths):05d}.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _row(name: str, value: float, unit: str, target: float | None, *,
         baseline: float | None = None, higher: bool = False,
         detail: dict[str, Any] | None = None) -> dict[str, Any]:
    ratio = round(value / baseline, 3) if baseline else None
    if target is None:
        meets = None
    elif baseline and target <= 1 and higher:
        meets = (ratio or 0) >= target
    else:
        meets = value >= target if higher else value <= target
    return {"name": name, "value": round(value, 2), "unit": unit,
            "baseline": round(baseline, 2) if baseline else None, "ratio": ratio,
            "target": target, "higher_is_better": higher, "meets": meets,
            "detail": detail or {}}


def _annotator() -> list[str]:
    script = Path(sys.executable).with_name("annotator")
    return [str(script)] if script.exists() else [sys.executable, "-m", "annotator"]


def _import(corpus: Path, db: Path) -> tuple[float, float, str]:
    """``annotator import`` in its own process: seconds, peak MB, its summary."""
    started = time.perf_counter()
    proc = subprocess.Popen([*_annotator(), "import", str(corpus), "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    out = (proc.stdout.read() if proc.stdout else "") + (proc.stderr.read() if proc.stderr
                                                          else "")
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"annotator import failed: {out[-800:]}")
    return seconds, usage.ru_maxrss / 1024, out.strip().splitlines()[0] if out else ""


def _baseline(corpus: Path, tmp: Path) -> float:
    """sqlite-utils' insert_all of the same rows, read from the files as it goes (a
    generator: the whole corpus held in memory took 11.7 GB at 1,000,000), hashing and
    titles included, as :mod:`bench.importing` does."""
    import sqlite_utils

    from annotator.importers import read_file
    from annotator.store import make_title, now

    db = sqlite_utils.Database(tmp / "baseline.db")
    os.sync()
    started = time.perf_counter()
    ts = now()
    db["documents"].insert_all(
        {"text": r.text, "meta": json.dumps(r.meta, ensure_ascii=False),
         "content_hash": hashlib.sha256(r.text.encode("utf-8")).hexdigest(),
         "status": "new", "created_at": ts, "updated_at": ts,
         "title": make_title(r.text, r.meta)}
        for p in sorted(corpus.rglob("*")) if p.is_file() for r in read_file(p))
    db.conn.commit()
    seconds = time.perf_counter() - started
    db.conn.close()
    return seconds


def _space(db: Path) -> dict[str, float]:
    """Bytes per document of each table and index (SQLite's dbstat), largest first."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        n = conn.execute("SELECT count(*) FROM documents").fetchone()[0] or 1
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"
                            " ORDER BY 2 DESC").fetchall()
    except sqlite3.Error as exc:  # no dbstat in this SQLite
        return {"dbstat unavailable": str(exc)}  # type: ignore[dict-item]
    finally:
        conn.close()
    return {name: round(size / n, 1) for name, size in rows if size}


def _used(db: Path) -> int:
    """The project file's bytes in use: its size less SQLite's free pages (a kept
    project keeps the pages of the last run's index sample, freed)."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    return db.stat().st_size - free * page


def _median_p90(args: list[str], cwd: Path) -> tuple[float, float, float]:
    """Median and p90 of the wall milliseconds of ``annotator ARGS`` from process start
    (:data:`RUNS` runs after an untimed one), and the median CPU milliseconds."""
    walls, cpus = [], []
    for k in range(RUNS + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run([*_annotator(), *args], cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, check=False)
        if proc.returncode:
            raise RuntimeError(f"annotator {' '.join(args)}: {proc.stderr.decode()[-500:]}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if k:
            walls.append((time.perf_counter() - started) * 1000)
            cpus.append((after.ru_utime + after.ru_stime - before.ru_utime
                         - before.ru_stime) * 1000)
    walls.sort()
    return (statistics.median(walls), walls[min(len(walls) - 1, int(0.9 * len(walls)))],
            statistics.median(cpus))


def _carried(n_docs: int) -> list[dict[str, Any]]:
    """The import rows of the last run at this size, as they were (their date and
    machine kept): a run on a kept project (``BENCH_SCALE_DIR``) does not import."""
    try:
        old = json.loads((Path(__file__).with_name("results.json")).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [{**r, "detail": {**(r.get("detail") or {}), "carried_from": r.get("date")}}
            for r in old.get("results") or []
            if r.get("module") == "scale" and r.get("n_docs") == n_docs
            and str(r.get("name", "")).startswith("import ")]


def _ms(work: Any, runs: int = RUNS) -> float:
    """Median milliseconds of ``work()`` over ``runs`` calls."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _steps(store: Any, work: Any) -> int:
    """SQLite VM steps ``work()`` takes on ``store``'s connection: the same at any load."""
    n = [0]

    def step() -> int:
        n[0] += 1
        return 0

    store.conn.set_progress_handler(step, 1)
    try:
        work()
    finally:
        store.conn.set_progress_handler(None, 0)
    return n[0]


def _empty_index(db: Path) -> None:
    """The kept project's full-text index emptied (as imported: nothing indexed)."""
    from annotator.store import Store

    with Store(db) as store:
        if not store.search_indexed_upto():
            return
        with store.write():
            store.conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('delete-all')")
            store.conn.execute("UPDATE meta SET value = '0' WHERE key = 'fts_upto'")


def _load() -> str:
    """The load averages now (other jobs on the machine), as ``uptime`` says them."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run(n_docs: int = 1_000_000) -> list[dict[str, Any]]:
    """Every row at ``n_docs``. ``BENCH_SCALE_DIR=FOLDER`` keeps the corpus and the
    project there and uses them again on the next run (the import rows are then carried
    from the last run's results, not measured again)."""
    from annotator.store import Store
    from bench.gui import build_project
    from bench.scale_window import (
        first_draw,
        idle_indexing,
        scroll,
        search,
        steps_to_first_draw,
    )
    from bench.startup import compiled

    rows: list[dict[str, Any]] = []
    label = f"{n_docs:,} documents"
    keep = os.environ.get("BENCH_SCALE_DIR")
    with (contextlib.nullcontext(keep) if keep
          else tempfile.TemporaryDirectory(prefix="bench-scale-")) as name:
        tmp = Path(name)
        corpus = tmp / "corpus"
        db = tmp / "project.db"
        compiled()
        if keep and db.exists():
            rows += _carried(n_docs)
            _empty_index(db)  # a run cut short may have left its index sample
        else:
            started = time.perf_counter()
            write_corpus(corpus, n_docs)
            write_s = time.perf_counter() - started
            import_s, peak_mb, said = _import(corpus, db)
            baseline_s = _baseline(corpus, tmp)
            (tmp / "baseline.db").unlink()
            rows.append(_row(f"import {label}, vs sqlite-utils insert_all", n_docs / import_s,
                             "docs/s", IMPORT_RATIO, baseline=n_docs / baseline_s,
                             higher=True, detail={
                                 "import_s": round(import_s, 1),
                                 "baseline_s": round(baseline_s, 1),
                                 "write_corpus_s": round(write_s, 1), "said": said}))
            rows.append(_row(f"import {label}: peak memory of the process", peak_mb, "MB",
                             PEAK_MB))
        size = _used(db)
        rows.append(_row(f"project file per document, {label}", size / n_docs, "bytes",
                         None, detail={"file_mb": round(db.stat().st_size / 2**20, 1),
                                       "bytes_per_document": _space(db), "load": _load()}))
        with Store(db) as store:
            first_id = store.document_rows(limit=1)[0]["id"]
            rows.append(_row(f"stats in the process (counters), {label}",
                             _ms(store.stats), "ms", 10.0))
            rows.append(_row(f"documents left to index, counted (the indexer's first tick),"
                             f" {label}", _ms(store.count_unindexed, 3), "ms", 50.0))
        doc = str(first_id + n_docs // 2)
        small = tmp / "small.db"  # the same starts on a small project, in the same run
        small.unlink(missing_ok=True)
        build_project(small, SMALL)
        for what, args in (("list --json --limit 100", ["list", "--json", "--limit", "100"]),
                           ("show ID --json", ["show", doc, "--json"]),
                           ("stats", ["stats"]), ("mark done ID", ["mark", "done", doc])):
            med, p90, cpu = _median_p90([*args, "--db", str(db)], tmp)
            args = [a if a != doc else "2" for a in args]
            small_med, _, small_cpu = _median_p90([*args, "--db", str(small)], tmp)
            rows.append(_row(f"start-up: annotator {what}, {label}", med, "ms", START_MS,
                             detail={"p90_ms": round(p90, 1), "runs": RUNS,
                                     "cpu_median_ms": round(cpu, 1), "load": _load(),
                                     f"{SMALL:,} documents": {
                                         "median_ms": round(small_med, 1),
                                         "cpu_median_ms": round(small_cpu, 1)}}))
        drawn = first_draw(db)
        beside = first_draw(small)
        steps, small_steps = steps_to_first_draw(db), steps_to_first_draw(small)
        for leftover in (small, small.with_name(small.name + "-wal"),
                         small.with_name(small.name + "-shm")):  # the windows _exit
            leftover.unlink(missing_ok=True)
        rows.append(_row(f"window open from process start to first document drawn, {label}",
                         drawn["median_s"], "s", FIRST_DRAW_S,
                         detail={**drawn, "load": _load(), "sqlite_steps": steps,
                                 f"{SMALL:,} documents": {**beside,
                                                          "sqlite_steps": small_steps}}))
        frames = scroll(db)
        rows.append(_row(f"window: document list dragged to its end and back, worst frame,"
                         f" {label}", frames["worst_frame_ms"], "ms", FRAME_MS,
                         detail={**frames, "load": _load()}))
        found = search(db, WORD)
        with Store(db) as store:
            like_steps = _steps(store, lambda: store.document_rows(search=WORD, limit=200))
        rows.append(_row(f"window: search a word, first results drawn, index empty (LIKE),"
                         f" {label}", found["search_ms"], "ms", SEARCH_MS,
                         detail={**found, "load": _load(),
                                 "store_first_page_sqlite_steps": like_steps}))
        with Store(db) as store:
            first_ms = _ms(lambda: store.document_rows(search=WORD, limit=200), 3)
            rows.append(_row(f"list search, index not built yet (LIKE): first page, {label}",
                             first_ms, "ms", SEARCH_MS))
            t0 = time.perf_counter()
            done = 0
            while done < min(INDEX_SAMPLE, n_docs):
                step = store.update_search_index(max_docs=5_000)
                if not step:
                    break
                done += step
            rate = done / (time.perf_counter() - t0)
            rows.append(_row(f"search index built by the store in batches of 5,000, {label}",
                             rate, "docs/s", None,
                             higher=True, detail={
                                 "sample_docs": done, "load": _load(),
                                 "whole_index_projected_min": round(n_docs / rate / 60, 1)
                                 if rate else None}))
            part_ms = _ms(lambda: store.document_rows(search=WORD, limit=200), 3)
            part_steps = _steps(store, lambda: store.document_rows(search=WORD, limit=200))
            rare_ms = _ms(lambda: store.document_rows(search=RARE, limit=200), 1)
        found = search(db, WORD)
        rows.append(_row(f"window: search a word, first results drawn, index part-built"
                         f" ({done:,} documents), {label}", found["search_ms"], "ms",
                         SEARCH_MS, detail={**found, "store_first_page_ms": round(part_ms, 1),
                                            "store_first_page_sqlite_steps": part_steps,
                                            "rare_word": RARE,
                                            "rare_word_first_page_ms": round(rare_ms, 1),
                                            "load": _load()}))
        idle = idle_indexing(db, IDLE_S)  # from the part-built index on
        rows.append(_row(f"search index filled by the idle window (its own ticks), {label}",
                         idle["docs_per_s"], "docs/s", None, higher=True, detail={
                             **idle, "load": _load(),
                             "whole_index_projected_min": round(
                                 n_docs / idle["docs_per_s"] / 60, 1)
                             if idle["docs_per_s"] else None}))
        if keep:  # the kept project as it was built: nothing indexed
            _empty_index(db)
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows = run(args.docs)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        for row in rows:
            print(f"{row['name']:<90} {row['value']:>12} {row['unit']:<6} "
                  f"ratio {row['ratio']} meets {row['meets']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
