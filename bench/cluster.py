"""Benchmark: ``suggest --cluster local:2`` against ``--processes 2`` and one process,
the cluster's overhead per document, and a projection to a 16-worker cluster.

Run as ``python -m bench.cluster [--docs N]`` (the issue's figure is at 200 bench-corpus
articles). On a project of N articles (:mod:`bench.corpus`):

1. ``annotator suggest`` three times, each a fresh process on a fresh copy of the
   project: one process, ``--processes 2``, ``--cluster local:2``; documents per second
   by the command's own clock (the summary line) and from process start to exit. The
   three projects must hold the same suggestions (compared, span ids aside).
2. On a ``local:1`` cluster with the model loaded, the batches of the run (32 documents,
   as ``suggest`` makes them) sent one at a time: the round trip seen here minus the
   worker's own time for the batch (parse, rules, tokens) is the overhead: pickling the
   texts and the results, the transfer, the scheduler. Both per document.
3. The main process's own cost per document (reading the texts, writing the
   suggestions, the token cache and the search index), with the results of step 2
   replayed instead of a cluster.

The projection for W workers is ``min(W / (parse + overhead), 1 / main)`` documents per
second: the workers in parallel, or the one process that writes, whichever is slower.
It is marked as projected: no 16-worker cluster was run.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BATCH = 32
PROJECTED_WORKERS = 16
RUNS = (("1 process", []), ("--processes 2", ["--processes", "2"]),
        ("--cluster local:2", ["--cluster", "local:2"]))


def timed_batch(model: Any, label_for: dict[str, str], docs: list[tuple[int, str]]
                ) -> tuple[list[dict[str, Any]], float]:
    """On a worker: :func:`~annotator.suggest.cluster.parse_batch` and its own time."""
    from annotator.suggest.cluster import parse_batch

    started = time.perf_counter()
    outs = parse_batch(model, label_for, docs)
    return outs, time.perf_counter() - started


def _project(path: Path, n_docs: int) -> None:
    from annotator.store import Store
    from bench.corpus import articles

    with Store(path) as store, store.write():
        for i, article in enumerate(articles(n_docs)):
            store.insert_document(article["text"], {}, f"bench-{i}")


def _snapshot(path: Path) -> tuple[list[Any], list[Any], int]:
    """The suggestions without span ids (a cluster writes in the order batches come
    back): spans, claims (claimant as its span's key), cached token entries."""
    from annotator.store import Store

    with Store(path) as store:
        spans = store.conn.execute('SELECT id, doc_id, layer, start, "end", label, score, '
                                   "model, cues FROM spans").fetchall()
        key = {row[0]: tuple(row[1:6]) for row in spans}
        claims = sorted((key[c[0]], *(key.get(x, x) if k == 1 else x
                                      for k, x in enumerate(c[1:])))
                        for c in store.conn.execute("SELECT * FROM claims"))
        tokens = store.conn.execute("SELECT count(*) FROM tokens").fetchone()[0]
    return sorted(tuple(r[1:]) for r in spans), claims, int(tokens)


def run_commands(base: Path, tmp: Path) -> list[dict[str, Any]]:
    """Step 1: the three commands, each on its own copy of ``base``."""
    out = []
    for label, extra in RUNS:
        db = tmp / f"{len(out)}.db"
        shutil.copy(base, db)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "annotator", "suggest", "--db", str(db),
                               *extra], capture_output=True, text=True, timeout=3600,
                              cwd=ROOT)
        wall = time.perf_counter() - started
        if done.returncode:
            raise RuntimeError(f"{label}: {done.stderr.strip()[-500:]}")
        found = re.search(r"in (\d+) document\(s\) in ([\d.]+) s", done.stdout)
        assert found, done.stdout
        docs, seconds = int(found[1]), float(found[2])
        out.append({"run": label, "docs": docs, "seconds": seconds, "wall_s": wall,
                    "docs_per_s": docs / seconds, "snapshot": _snapshot(db),
                    "summary": done.stdout.strip().splitlines()[0]})
    return out


class Replay:
    """A :class:`~annotator.suggest.runner.Remote` that gives back results recorded
    before, at once: what is left is the main process's own work."""

    def __init__(self, outs: dict[str, dict[str, Any]]):
        self.outs = outs

    def parsed(self, items: Iterator[Any], batch_size: int
               ) -> Generator[tuple[dict[str, Any], Any], None, None]:
        for item in items:
            yield self.outs[item[0]], item


def measure_overhead(base: Path, tmp: Path) -> dict[str, Any]:
    """Steps 2 and 3 (see the module docstring)."""
    import pickle

    from annotator.store import Store
    from annotator.suggest.cluster import WorkerModel, open_cluster
    from annotator.suggest.runner import (
        BATCH_CHARS,
        PIECE_CHARS,
        _batches,
        _texts,
        load_suggester,
        project_labels,
        same_tokenizer,
        suggest,
    )

    suggester = load_suggester()
    with Store(base) as store:
        labels = project_labels(store)
        ids = store.document_ids_for_suggest(False)
        items = list(_texts(store, ids, PIECE_CHARS))
    remote = open_cluster("local:1", WorkerModel(None), labels)
    rounds, computes, sizes_in, sizes_out, docs = [], [], [], [], 0
    outs: dict[str, dict[str, Any]] = {}
    try:
        remote.check(suggester.name, suggester.claim_model, same_tokenizer(suggester.nlp))
        for batch in _batches(iter(items), BATCH, BATCH_CHARS):
            payload = [(place[0], text) for text, place in batch]
            started = time.perf_counter()
            got, compute = remote.client.submit(timed_batch, remote.model, labels, payload,
                                                pure=False).result()
            rounds.append(time.perf_counter() - started)
            computes.append(compute)
            sizes_in.append(len(pickle.dumps(payload)))
            sizes_out.append(len(pickle.dumps(got)))
            docs += len(batch)
            outs.update((text, out) for (text, _), out in zip(batch, got, strict=True))
    finally:
        remote.close()
    copy = tmp / "replay.db"
    shutil.copy(base, copy)
    with Store(copy) as store:
        result = suggest(store, suggester, remote=Replay(outs))
    overhead = [(r - c) for r, c in zip(rounds, computes, strict=True)]
    return {"batches": len(rounds), "docs": docs,
            "parse_ms_per_doc": 1000 * sum(computes) / docs,
            "overhead_ms_per_doc": 1000 * sum(overhead) / docs,
            "overhead_ms_per_batch_median": 1000 * statistics.median(overhead),
            "bytes_in_per_doc": sum(sizes_in) / docs, "bytes_out_per_doc": sum(sizes_out) / docs,
            "main_ms_per_doc": 1000 * result.seconds / max(result.documents, 1)}


def run(n_docs: int = 200) -> list[dict[str, Any]]:
    """Result rows for the benchmark runner (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as folder:
        tmp = Path(folder)
        base = tmp / "base.db"
        _project(base, n_docs)
        runs = run_commands(base, tmp)
        same = all(r["snapshot"] == runs[0]["snapshot"] for r in runs)
        spans = len(runs[0]["snapshot"][0])
        for r in runs:
            r.pop("snapshot")
        cost = measure_overhead(base, tmp)
    one = runs[0]["docs_per_s"]
    rows: list[dict[str, Any]] = []
    for r in runs:
        rows.append({
            "name": f"suggest {r['run']}, {n_docs} articles (command's clock)",
            "value": round(r["docs_per_s"], 2), "unit": "docs/s",
            "baseline": round(one, 2), "ratio": round(r["docs_per_s"] / one, 3),
            "target": None, "higher_is_better": True, "meets": None,
            "detail": {**r, "identical_to_1_process": same, "spans": spans}})
    per_doc = cost["parse_ms_per_doc"] + cost["overhead_ms_per_doc"]
    projected = min(PROJECTED_WORKERS * 1000 / per_doc, 1000 / cost["main_ms_per_doc"])
    rows += [
        {"name": "cluster overhead per document (pickling, transfer, scheduling; local:1, "
                 f"batches of {BATCH})", "value": round(cost["overhead_ms_per_doc"], 2),
         "unit": "ms", "baseline": round(cost["parse_ms_per_doc"], 1),
         "ratio": round(cost["overhead_ms_per_doc"] / cost["parse_ms_per_doc"], 4),
         "target": None, "higher_is_better": False, "meets": None, "detail": cost},
        {"name": "cluster main process per document (writes, token cache, search index)",
         "value": round(cost["main_ms_per_doc"], 2), "unit": "ms", "baseline": None,
         "ratio": None, "target": None, "higher_is_better": False, "meets": None},
        {"name": f"PROJECTED: suggest --cluster with {PROJECTED_WORKERS} workers "
                 "(from the measured costs, not run)", "value": round(projected, 1),
         "unit": "docs/s", "baseline": round(one, 2), "ratio": round(projected / one, 2),
         "target": None, "higher_is_better": True, "meets": None,
         "detail": {"projected": True, "formula": "min(W / (parse + overhead), 1 / main)",
                    "workers": PROJECTED_WORKERS,
                    "bound_by": "the main process" if projected * cost["main_ms_per_doc"]
                    >= 999 else "the workers"}},
    ]
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.docs), indent=2))


if __name__ == "__main__":
    main()
