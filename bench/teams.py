"""Benchmark: ``annotator merge`` of three annotators' files against ``annotator import``,
and ``annotator agreement`` over the documents they share.

Run as ``python -m bench.teams [--docs N]``; N is the number of documents in each
annotator's file. Setup (not timed): 2·N generated articles (:mod:`bench.corpus`) are
written as files, imported, given four entity suggestions and a claim each (raw inserts),
the shared ones' tokens cached (as ``suggest`` leaves them; computed on every core);
``split`` deals them to alice, bob and carol with overlap 0.5, two annotators per shared
document, so each file holds N documents and N documents are shared. Each annotator
accepts everything in their file (an event per span), bob relabels the first entity of
every seventh document, carol rejects the second entity of every fifth, and all mark
their documents done (bulk SQL, :func:`decide`).

1. **merge**: ``teams.merge`` of the three files into a fresh team project (documents by
   hash, spans, claims, events, statuses, cached tokens), against ``import_paths`` of the
   2·N articles into a fresh project; best of 3 rounds each, alternating. Both rates are
   documents per second (the merge's: the 3·N documents of its files); target: the merge
   at least 0.5 of the import's rate.
2. **agreement**: the command ``annotator agreement team.db`` (entities: κ on tokens) and
   ``--layer claim``, each in its own process, interpreter start included; target: at
   most 10 s at N = 10,000 shared documents.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 0.5
TARGET_AGREEMENT_S = 10.0
ROOT = Path(__file__).resolve().parent.parent
_WORDS = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*\b")
LABELS = ("PERSON", "ORG", "GPE", "DATE")
NAMES = ("alice", "bob", "carol")
SEED = 1


def _fresh(path: Path) -> Path:
    from annotator.paths import remove_project_files

    remove_project_files(path)
    os.sync()
    return path


def build(tmp: Path, n_docs: int) -> dict[str, Any]:
    """The corpus, the source project and the three annotators' files (see above)."""
    from annotator.agreement import sentences
    from annotator.importers import import_paths
    from annotator.model import Span
    from annotator.store import Store
    from annotator.teams import plan_split, split
    from annotator.tokens import compute, pack, tokenizer_id
    from bench.corpus import write_corpus

    total = 2 * n_docs
    write_corpus(tmp / "corpus", total)
    source = tmp / "news.db"
    with Store(source) as store:
        import_paths(store, [tmp / "corpus"])
        ids = store.document_ids()
        with store.bulk(), store.write():
            for doc in store.iter_documents():
                found = []
                for m in _WORDS.finditer(doc.text):
                    if len(found) == 4:
                        break
                    found.append((m.start(), m.end()))
                for i, (start, end) in enumerate(found):
                    store.insert_span(Span(doc.id, "entity", start, end, LABELS[i], model="m"))
                claim = next(iter(sentences(doc.text)), None)
                if claim:
                    store.insert_span(Span(doc.id, "claim", *claim, "CLAIM", model="m"))
        # The shared documents' tokens, cached as `suggest` leaves them (agreement reads
        # them; tokenising 10,000 articles takes about 100 s on one core).
        shared = plan_split(ids, list(NAMES), 0.5, SEED).shared
        with multiprocessing.Pool() as pool:
            for i in range(0, len(shared), 500):
                docs = list(store.iter_documents(ids=shared[i:i + 500]))
                found = pool.map(compute, [d.text for d in docs], chunksize=20)
                with store.write():
                    store.put_tokens((d.id, tokenizer_id(), *pack(*t))
                                     for d, t in zip(docs, found, strict=True))
        split(store, list(NAMES), tmp / "out", overlap=0.5, seed=SEED)
    files = {}
    for name in NAMES:
        path = files[name] = tmp / "out" / f"{name}.db"
        with Store(path) as store:
            decide(store, name)
    return {"files": files, "total": total}


def decide(store: Any, name: str) -> None:
    """An annotator's decisions, as the session makes them (a span updated and an event
    logged per decision, the documents marked done) but in bulk SQL: the setup of a
    10,000-document file through one ``Session`` call per span takes minutes."""
    from annotator.store import now

    ts = now()
    c = store.conn
    with store.bulk(), store.write():
        c.execute("UPDATE spans SET decision = 'accepted', annotator = ?, updated_at = ?",
                  (name, ts))
        c.execute("INSERT INTO events (ts, annotator, action, doc_id, span_id, before, after)"
                  " SELECT ?, ?, 'accept_all', doc_id, id, '{}', '{}' FROM spans ORDER BY id",
                  (ts, name))
        if name in ("bob", "carol"):
            # bob: the first entity of every 7th document is ORG; carol: the second of
            # every 5th is rejected
            nth, rank, change = (7, 0, "label = 'ORG'") if name == "bob" else \
                (5, 1, "decision = 'rejected'")
            c.execute(
                f"UPDATE spans SET {change} WHERE id IN (SELECT id FROM (SELECT s.id, s.doc_id,"
                " row_number() OVER (PARTITION BY s.doc_id ORDER BY s.start) - 1 AS r,"
                " dense_rank() OVER (ORDER BY s.doc_id) - 1 AS d FROM spans s WHERE"
                f" s.layer = 'entity') WHERE r = {rank} AND d % {nth} = 0)")
        c.execute("UPDATE documents SET status = 'done', updated_at = ?", (ts,))
        c.execute("INSERT INTO events (ts, annotator, action, doc_id) SELECT ?, ?,"
                  " 'status_done', id FROM documents", (ts, name))


def measure(n_docs: int, tmp: Path, repeats: int = 3) -> dict[str, Any]:
    from annotator.importers import import_paths
    from annotator.store import Store
    from annotator.teams import merge

    started = time.perf_counter()
    built = build(tmp, n_docs)
    setup_s = time.perf_counter() - started
    files = [built["files"][n] for n in ("alice", "bob", "carol")]

    def importing() -> float:
        with Store(_fresh(tmp / "imported.db")) as store:
            started = time.perf_counter()
            result = import_paths(store, [tmp / "corpus"])
            elapsed = time.perf_counter() - started
        assert result.imported == built["total"], result.summary()
        return elapsed

    def merging() -> float:
        team = _fresh(tmp / "team.db")
        started = time.perf_counter()
        result = merge(team, [(f, None) for f in files], "bench")
        elapsed = time.perf_counter() - started
        assert sum(f.counts["documents"] for f in result.files) == 3 * n_docs
        return elapsed

    import_s, merge_s = [], []
    for _ in range(repeats):
        import_s.append(importing())
        merge_s.append(merging())
    agreement_s = {}
    for layer in ("entity", "claim"):
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "annotator.cli", "agreement", str(tmp / "team.db"),
             "--layer", layer, "--json"], cwd=ROOT, capture_output=True, text=True,
            check=True)
        agreement_s[layer] = time.perf_counter() - started
        data = json.loads(proc.stdout)
        assert data["documents"] == n_docs, data["documents"]
    with Store(tmp / "team.db") as store:
        team_docs = store.count_documents()
    return {"docs_per_file": n_docs, "corpus_docs": built["total"], "team_docs": team_docs,
            "setup_s": setup_s, "import_s": min(import_s), "merge_s": min(merge_s),
            "import_rounds_s": import_s, "merge_rounds_s": merge_s,
            "agreement_s": agreement_s, "shared_docs": n_docs}


def run(n_docs: int = 10_000) -> list[dict[str, Any]]:
    """Result rows for the runner (see :mod:`bench`)."""
    with tempfile.TemporaryDirectory(prefix="bench-teams-") as tmp:
        m = measure(n_docs, Path(tmp))
    merge_rate = 3 * n_docs / m["merge_s"]
    import_rate = m["corpus_docs"] / m["import_s"]
    ratio = merge_rate / import_rate
    rows: list[dict[str, Any]] = [{
        "name": "merge 3 annotators' files (docs/s of the files), vs import",
        "value": round(merge_rate, 1), "unit": "docs/s", "baseline": round(import_rate, 1),
        "ratio": round(ratio, 3), "target": TARGET_RATIO, "higher_is_better": True,
        "meets": ratio >= TARGET_RATIO, "detail": m}]
    for layer, what in (("entity", "entities, kappa on tokens"),
                        ("claim", "claims, kappa on sentences")):
        seconds = m["agreement_s"][layer]
        rows.append({
            "name": f"agreement over {n_docs:,} shared documents ({what})",
            "value": round(seconds * 1000, 1), "unit": "ms", "baseline": None, "ratio": None,
            "target": TARGET_AGREEMENT_S * 1000, "higher_is_better": False,
            "meets": seconds <= TARGET_AGREEMENT_S})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows = run(args.docs)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    m = rows[0]["detail"]
    print(f"{m['docs_per_file']} documents per file, {m['corpus_docs']} in the corpus, "
          f"{m['team_docs']} in the team; setup {m['setup_s']:.1f} s; rounds: import "
          f"{[round(t, 2) for t in m['import_rounds_s']]} s, merge "
          f"{[round(t, 2) for t in m['merge_rounds_s']]} s")
    for r in rows:
        print(f"{r['name']}: {r['value']} {r['unit']}"
              + (f", baseline {r['baseline']}, ratio {r['ratio']}" if r["baseline"] else "")
              + f" (target {r['target']}) {'meets' if r['meets'] else 'MISSES'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
