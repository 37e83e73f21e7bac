"""Benchmark: ``annotator import`` against sqlite-utils ``insert_all`` of the same rows.

Run as ``python -m bench.importing [--docs N]``. Writes N generated articles
(:mod:`bench.corpus`: half as one ``.txt`` file each, a third of those with a header
line, half as ``.jsonl`` files of 500 lines), then in one process times

1. :func:`annotator.importers.import_paths` of those files into a fresh project: reading
   and decoding the files, parsing headers and JSON lines, content hashes, the duplicate
   check, titles, and the one write transaction;
2. the baseline: ``sqlite_utils.Database(...)["documents"].insert_all(rows)`` into a
   fresh database file of the same rows (text, meta as JSON, content hash, status,
   timestamps, title) already in memory, hashing included.

Each is run five times, alternating, each time into a new file after ``os.sync()``;
the best round of each counts.

Both rates are documents per second; the target is import >= 0.5 of the baseline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 0.5


def _baseline_rows(paths: list[Path]) -> list[dict[str, Any]]:
    """The rows the import stores, read back from the files without the importer."""
    from annotator.importers import read_file

    rows = []
    for path in paths:
        for record in read_file(path):
            rows.append({"text": record.text, "meta": record.meta})
    return rows


def _fresh(path: Path) -> Path:
    from annotator.paths import remove_project_files

    remove_project_files(path)
    os.sync()  # the previous round's dirty pages are not this round's cost
    return path


def measure(n_docs: int, tmp: Path, repeats: int = 5) -> dict[str, Any]:
    """Best of ``repeats`` rounds of each (the rounds alternate: import, baseline, ...)."""
    import sqlite_utils

    from annotator.importers import import_paths
    from annotator.store import Store, make_title, now
    from bench.corpus import write_corpus

    started = time.perf_counter()
    paths = write_corpus(tmp / "corpus", n_docs)
    write_s = time.perf_counter() - started
    size = sum(p.stat().st_size for p in paths)
    rows = _baseline_rows(paths)
    assert len(rows) == n_docs, (len(rows), n_docs)

    def baseline() -> float:
        db = sqlite_utils.Database(_fresh(tmp / "baseline.db"))
        started = time.perf_counter()
        ts = now()
        db["documents"].insert_all(
            {"text": r["text"], "meta": json.dumps(r["meta"], ensure_ascii=False),
             "content_hash": hashlib.sha256(r["text"].encode("utf-8")).hexdigest(),
             "status": "new", "created_at": ts, "updated_at": ts,
             "title": make_title(r["text"], r["meta"])}
            for r in rows)
        db.conn.commit()
        elapsed = time.perf_counter() - started
        db.conn.close()
        return elapsed

    def importing() -> float:
        store = Store(_fresh(tmp / "project.db"))
        started = time.perf_counter()
        result = import_paths(store, [tmp / "corpus"])
        elapsed = time.perf_counter() - started
        store.close()
        assert result.imported == n_docs, result.summary()
        return elapsed

    import_s, baseline_s = [], []
    for _ in range(repeats):
        import_s.append(importing())
        baseline_s.append(baseline())
    return {"docs": n_docs, "files": len(paths), "bytes": size, "write_corpus_s": write_s,
            "import_s": min(import_s), "baseline_s": min(baseline_s),
            "import_rounds_s": import_s, "baseline_rounds_s": baseline_s}


def run(n_docs: int = 10_000, repeats: int = 5) -> list[dict[str, Any]]:
    """Result rows for the runner (see :mod:`bench`)."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        m = measure(n_docs, Path(tmp), repeats)
    value, baseline = n_docs / m["import_s"], n_docs / m["baseline_s"]
    ratio = value / baseline
    return [{
        "name": "import .txt/.jsonl, vs sqlite-utils insert_all",
        "value": round(value, 1), "unit": "docs/s", "baseline": round(baseline, 1),
        "ratio": round(ratio, 3), "target": TARGET_RATIO, "higher_is_better": True,
        "meets": ratio >= TARGET_RATIO, "detail": m,
    }]


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
        m = r["detail"]
        print(f"{m['docs']} documents in {m['files']} files ({m['bytes'] / 1e6:.1f} MB); "
              f"rounds: import {[round(t, 2) for t in m['import_rounds_s']]} s, "
              f"baseline {[round(t, 2) for t in m['baseline_rounds_s']]} s")
        print(f"{r['name']}: {r['value']} {r['unit']}, baseline {r['baseline']}, "
              f"ratio {r['ratio']} (target >= {r['target']}) "
              f"{'meets' if r['meets'] else 'MISSES'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
