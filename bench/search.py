"""The document list's search: the full-text index against LIKE, ``python -m bench.search
[--docs N]``.

Builds a project of ``n_docs`` generated articles (:mod:`bench.corpus`), then times what
the window and ``annotator list --search`` do for a query (the first page of 200 rows
and the count of matches) with nothing indexed (LIKE over every text, as before the
index) and with the index complete, for a frequent word, a name and a word that is in
no document (LIKE reads every text to find nothing). Also the indexing rate, which the
window spends in idle time, and how long one of the window's idle ticks takes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

from annotator.importers import content_hash
from annotator.store import Store
from bench.corpus import articles

QUERIES = ("inflation", "Kovalenko", "xyzzy")
TARGET_MS = 50.0  # a search that answers while typing
TICK_TARGET_MS = 15.0  # an idle tick (budget 12 ms of wall time) shorter than a frame


def _search_ms(store: Store, query: str, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        store.document_rows(search=query, limit=200)
        store.count_rows(search=query)
        times.append((time.perf_counter() - started) * 1000)
    return median(times)


def run(n_docs: int = 10_000) -> list[dict[str, Any]]:
    """Result rows for the runner (see :mod:`bench`)."""
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        store = Store(Path(tmp) / "p.db")
        with store.write():
            batch = []
            for a in articles(n_docs):
                batch.append((a["text"], a["meta"], content_hash(a["text"]), "new"))
                if len(batch) == 500:
                    store.insert_documents(batch)
                    batch = []
            store.insert_documents(batch)
        like = {q: _search_ms(store, q) for q in QUERIES}
        ticks, ticked = _idle_ticks(store)
        started = time.perf_counter()
        while store.update_search_index(max_docs=500):
            pass
        index_s = time.perf_counter() - started
        fts = {q: _search_ms(store, q) for q in QUERIES}
        store.close()
    rows = []
    for q in QUERIES:
        rows.append({
            "name": f"list search {q!r} (page + count), full-text index vs LIKE",
            "value": round(fts[q], 2), "unit": "ms", "baseline": round(like[q], 2),
            "ratio": round(fts[q] / like[q], 3) if like[q] else None, "target": TARGET_MS,
            "higher_is_better": False, "meets": fts[q] <= TARGET_MS})
    rows.append({
        "name": "search index built in idle time", "value": round((n_docs - ticked) / index_s, 1),
        "unit": "docs/s", "baseline": None, "ratio": None, "target": None,
        "higher_is_better": True, "meets": None})
    tick = median(ticks)
    rows.append({
        "name": "search index idle tick of the window, median processor time",
        "value": round(tick, 2), "unit": "ms", "baseline": None, "ratio": None,
        "target": TICK_TARGET_MS, "higher_is_better": False, "meets": tick <= TICK_TARGET_MS,
        "detail": {"ticks": len(ticks), "documents": ticked}})
    return rows


def _idle_ticks(store: Store, count: int = 40) -> tuple[list[float], int]:
    """The window's idle ticks (ui/indexer.py) on ``store``: the processor time of each
    (ms; its budget is wall time, so a busy machine makes a tick do less, never more),
    and the documents they indexed. Was an assertion in tests/ui/test_keyboard.py."""
    from annotator.gui.indexer import SearchIndexer

    indexer = SearchIndexer()
    indexer.store = store
    spent, done = [], 0
    for _ in range(count):
        t0 = time.thread_time()
        done += indexer.tick()
        spent.append((time.thread_time() - t0) * 1000)
    return spent, done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows = run(args.docs)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        base = f", LIKE {r['baseline']} {r['unit']}" if r["baseline"] is not None else ""
        print(f"{r['name']}: {r['value']} {r['unit']}{base}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
