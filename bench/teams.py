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
   most 10 s at N = 10,000 shared documents (60 s at 100,000, issue 28).

``BENCH_TEAMS_DIR=FOLDER`` keeps the setup (the corpus and the annotators' files, in
``FOLDER/N``) and uses it again on the next run at the same N; the merge and the
agreement are measured on every run (the files are only read). ``BENCH_TEAMS_ROUNDS``
sets the rounds of import and merge (3 by default; 1 keeps a 100,000 run short; 0: the
agreement rows only, the team project merged once without a merge row).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 0.5
TARGET_AGREEMENT_S = 10.0
TARGET_AGREEMENT_100K_S = 60.0
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
    """The corpus, the source project and the three annotators' files (see above); kept
    ones (a ``built.json`` left by a complete earlier build at the same size) are used
    again."""
    marker = tmp / "built.json"
    if marker.exists():
        built = json.loads(marker.read_text("utf-8"))
        if built.get("n_docs") == n_docs:
            return {"files": {n: tmp / "out" / f"{n}.db" for n in NAMES},
                    "total": built["total"], "reused": True}
    made = _build(tmp, n_docs)
    marker.write_text(json.dumps({"n_docs": n_docs, "total": made["total"]}), "utf-8")
    return made


def _build(tmp: Path, n_docs: int, decisions: Any = None) -> dict[str, Any]:
    """:func:`build` without the reuse; ``decisions(store, name)`` makes an annotator's
    decisions in their file (:func:`decide` unless given: the test that guards this
    shortcut gives the same decisions through ``Session``)."""
    from annotator.store import Store
    from annotator.teams import plan_split, split
    from annotator.tokens import compute, pack, tokenizer_id
    from bench.corpus import write_corpus

    # Each step leaves a mark in `tmp`, so that a kept setup (BENCH_TEAMS_DIR) stopped
    # half-way goes on from the last finished step.
    total = 2 * n_docs
    if not (tmp / "corpus.done").exists():
        write_corpus(tmp / "corpus", total)
        (tmp / "corpus.done").touch()
    source = tmp / "news.db"
    if not (tmp / "source.done").exists():
        _fresh(source)
        with Store(source) as store:
            _source(store, tmp)
        (tmp / "source.done").touch()
    with Store(source) as store:
        ids = store.document_ids()
        # The shared documents' tokens, cached as `suggest` leaves them (agreement reads
        # them; tokenising 10,000 articles takes about 100 s on one core); those cached
        # by an earlier, stopped run are kept.
        shared = plan_split(ids, list(NAMES), 0.5, SEED).shared
        cached = {r[0] for r in store.conn.execute("SELECT doc_id FROM tokens")}
        todo = [d for d in shared if d not in cached]
        with multiprocessing.Pool() as pool:
            for i in range(0, len(todo), 500):
                docs = list(store.iter_documents(ids=todo[i:i + 500]))
                found = pool.map(compute, [d.text for d in docs], chunksize=20)
                with store.write():
                    store.put_tokens((d.id, tokenizer_id(), *pack(*t))
                                     for d, t in zip(docs, found, strict=True))
        if (tmp / "out").exists():
            shutil.rmtree(tmp / "out")
        split(store, list(NAMES), tmp / "out", overlap=0.5, seed=SEED)
    files = {}
    for name in NAMES:
        path = files[name] = tmp / "out" / f"{name}.db"
        with Store(path) as store:
            (decisions or decide)(store, name)
    return {"files": files, "total": total, "reused": False}


def _source(store: Any, tmp: Path) -> None:
    """The corpus imported, with four entity suggestions and a claim per document."""
    from annotator.agreement import sentences
    from annotator.importers import import_paths
    from annotator.model import Span

    import_paths(store, [tmp / "corpus"])
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


def measure(n_docs: int, tmp: Path, repeats: int | None = None) -> dict[str, Any]:
    from annotator.importers import import_paths
    from annotator.store import Store
    from annotator.teams import merge

    if repeats is None:
        repeats = int(os.environ.get("BENCH_TEAMS_ROUNDS") or 3)
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

    import_s: list[float] = []
    merge_s: list[float] = []
    for _ in range(repeats):
        import_s.append(importing())
        merge_s.append(merging())
    if not repeats:  # the agreement rows only: the team project merged once, untimed row
        merge_s.append(merging())
    agreement_s, agreement_peak_mb = {}, {}
    for layer in ("entity", "claim"):
        agreement_s[layer], agreement_peak_mb[layer], data = _agreement(tmp / "team.db", layer)
        assert data["documents"] == n_docs, data["documents"]
    with Store(tmp / "team.db") as store:
        team_docs = store.count_documents()
    return {"docs_per_file": n_docs, "corpus_docs": built["total"], "team_docs": team_docs,
            "setup_s": setup_s, "setup_reused": built["reused"],
            "import_s": min(import_s) if import_s else None,
            "merge_s": min(merge_s),
            "import_rounds_s": import_s, "merge_rounds_s": merge_s,
            "agreement_s": agreement_s, "agreement_peak_mb": agreement_peak_mb,
            "shared_docs": n_docs}


def _agreement(team: Path, layer: str) -> tuple[float, float, dict[str, Any]]:
    """``annotator agreement TEAM --layer LAYER --json`` in its own process: seconds
    (interpreter start included), the process's peak resident memory in MB, its JSON."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "annotator.cli", "agreement", str(team), "--layer", layer,
             "--json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            raise RuntimeError(f"agreement --layer {layer}: exit {proc.returncode}: "
                               f"{err.read().decode(errors='replace')}")
    return elapsed, usage.ru_maxrss / 1024, json.loads(out)


def run(n_docs: int = 10_000) -> list[dict[str, Any]]:
    """Result rows for the runner (see :mod:`bench`)."""
    keep = os.environ.get("BENCH_TEAMS_DIR")
    if keep:
        (Path(keep) / str(n_docs)).mkdir(parents=True, exist_ok=True)
    with (contextlib.nullcontext(str(Path(keep) / str(n_docs))) if keep
          else tempfile.TemporaryDirectory(prefix="bench-teams-")) as tmp:
        m = measure(n_docs, Path(tmp))
    rows: list[dict[str, Any]] = []
    if m["import_s"] is not None:
        merge_rate = 3 * n_docs / m["merge_s"]
        import_rate = m["corpus_docs"] / m["import_s"]
        ratio = merge_rate / import_rate
        rows.append({
            "name": "merge 3 annotators' files (docs/s of the files), vs import",
            "value": round(merge_rate, 1), "unit": "docs/s", "baseline": round(import_rate, 1),
            "ratio": round(ratio, 3), "target": TARGET_RATIO, "higher_is_better": True,
            "meets": ratio >= TARGET_RATIO, "detail": m})
    for layer, what in (("entity", "entities, kappa on tokens"),
                        ("claim", "claims, kappa on sentences")):
        seconds = m["agreement_s"][layer]
        target = TARGET_AGREEMENT_100K_S if n_docs >= 100_000 else TARGET_AGREEMENT_S
        rows.append({
            "name": f"agreement over {n_docs:,} shared documents ({what})",
            "value": round(seconds * 1000, 1), "unit": "ms", "baseline": None, "ratio": None,
            "target": target * 1000, "higher_is_better": False,
            "meets": seconds <= target,
            "detail": {"peak_mb": m["agreement_peak_mb"][layer], "merge_s": m["merge_s"],
                       "setup_s": m["setup_s"], "setup_reused": m["setup_reused"]}})
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
    if "docs_per_file" in m:
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
