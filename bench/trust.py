"""Benchmark: what checking a file from someone else costs, ``python -m bench.trust
[--docs N]`` (issue 29).

Builds an annotator's file of N documents (about 1,500 characters and four entity spans
each, as split writes them, accepted), then times, best of 5:

1. **open**: the checks every open runs (the header, ``sqlite_master`` against the
   expected schema); target below 50 ms. Beside it the whole ``Store`` open, checks
   included, for scale.
2. **merge**: the checks each file to merge gets on top (``PRAGMA quick_check`` and the
   caps on text and spans per document, :func:`annotator.store.trust.check_limits`),
   informative: they read the whole file, once per merge.

The expected schema is built once per process (about 3 ms); the open figure is after it,
as in a window that opens a second project, and the first-open figure includes it.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_OPEN_MS = 50.0
ROUNDS = 5
SENTENCE = ("Officials in Baghdad said the attack killed 12 people on Tuesday, according "
            "to the ministry. Reuters reported that ISIS claimed it. ")


def build(path: Path, n_docs: int) -> None:
    from annotator.store import Store, now

    ts = now()
    text = SENTENCE * 11
    with Store(path) as store, store.bulk(), store.write() as conn:
        conn.executemany(
            "INSERT INTO documents (text, meta, content_hash, status, created_at, updated_at,"
            " title) VALUES (?, '{}', ?, 'done', ?, ?, ?)",
            ((f"{i}: {text}", f"h{i}", ts, ts, f"Document {i}") for i in range(n_docs)))
        conn.executemany(  # four spans a document (offsets need not be words here)
            'INSERT INTO spans (doc_id, layer, start, "end", label, origin, decision,'
            " annotator, created_at, updated_at) VALUES (?, 'entity', ?, ?, 'GPE', 'model',"
            " 'accepted', 'alice', ?, ?)",
            ((d + 1, 40 * k, 40 * k + 7, ts, ts) for d in range(n_docs) for k in range(4)))
        store.set_meta("annotator", "alice")


def best(fn: Any) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def run(n_docs: int) -> list[dict[str, Any]]:
    from annotator.store import Store, trust
    from annotator.store.files import _close, _connect, read_header

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "alice.db"
        build(path, n_docs)
        size_mb = path.stat().st_size / 1e6
        started = time.perf_counter()
        Store(path, readonly=True).close()
        first_open = (time.perf_counter() - started) * 1000
        conn = _connect(path, readonly=True)

        def open_checks() -> None:
            trust.check_header(trust.Header.parse(read_header(path) or b""), path)
            trust.check_schema(conn, path, 6)

        open_ms = best(open_checks)
        _close(conn)
        store_ms = best(lambda: Store(path, readonly=True).close())
        team = Store(Path(tmp) / "team.db")
        team.attach(path, "src")
        quick_ms = best(lambda: trust.quick_check(team.conn, "src"))
        caps_ms = best(lambda: trust.check_limits(team.conn, "src"))
        team.detach("src")
        team.close()
    detail = {"file_mb": round(size_mb, 1)}
    return [
        {"name": f"open checks (header, schema), {n_docs:,} documents", "value":
         round(open_ms, 2), "unit": "ms", "baseline": None, "ratio": None,
         "target": TARGET_OPEN_MS, "higher_is_better": False,
         "meets": open_ms < TARGET_OPEN_MS, "detail": detail},
        {"name": f"Store open with the checks, {n_docs:,} documents", "value":
         round(store_ms, 2), "unit": "ms", "baseline": None, "ratio": None, "target": None,
         "higher_is_better": False, "meets": None,
         "detail": {**detail, "first_open_in_process_ms": round(first_open, 2)}},
        {"name": f"merge: quick_check of a file, {n_docs:,} documents", "value":
         round(quick_ms, 1), "unit": "ms", "baseline": None, "ratio": None, "target": None,
         "higher_is_better": False, "meets": None, "detail": detail},
        {"name": f"merge: caps on text and spans per document, {n_docs:,} documents",
         "value": round(caps_ms, 1), "unit": "ms", "baseline": None, "ratio": None,
         "target": None, "higher_is_better": False, "meets": None, "detail": detail},
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()
    for row in run(args.docs):
        print(json.dumps(row))
