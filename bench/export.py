"""Benchmark: ``annotator export --format jsonl`` against a minimal sqlite3 + json loop.

Run as ``python -m bench.export [--docs N]``. Builds a project of N news-like documents
(seeded), each marked done with four accepted entities and one claim (raw
``executemany`` inside one ``store.write()``), then runs, each in a fresh subprocess so
that peak memory (``ru_maxrss``) is its own: (1) the real command
``annotator export --format jsonl`` twice: first with no cached tokens (it tokenises
each document and caches the boundaries, as the suggestion runner does for the documents
it parses), then again (reading them); (2) the same with ``--no-tokens``; (3) a minimal
loop that reads the same rows (documents, spans, claim attributes) with ``sqlite3`` and
writes one ``json.dumps`` line per document. Targets: throughput at least 0.5 of the
loop's (the default command, tokens included, against the loop reading the same rows,
the cached tokens included), peak memory under 200 MB; the first, tokenising export and
``--no-tokens`` (against the loop without the tokens table) are shown for information.

Every export's row also carries its wall and CPU seconds (the process and the worker
processes it waited for, ``wait4``), its peak memory and the load average when it ended.
Peak memory is the export process's own high-water mark (``VmHWM``, what ``ru_maxrss``
of the process reports, without the parent's pages that a forked child inherits in it);
the tokenising export's worker processes have their own.

At 1,000,000 (``make bench-full``: 100,000 and 1,000,000, so that the table's cost growth
shows whether memory stays flat) the setup is the long part, so: the project is built
with its indexes and counter triggers dropped and made again afterwards from their own
SQL, the counters counted once (:func:`annotator.store.schema.recount`), all in one
transaction; the cache is filled by the product itself (the first export, its worker
processes), and before any cached export is timed, :data:`VERIFY` random documents'
cached tokens are compared byte for byte with the tokenizer's (:func:`check_cache`): the
bench refuses to measure if one differs or a document has none. ``BENCH_EXPORT_DIR=FOLDER``
keeps the project with its filled cache in ``FOLDER/N`` and uses it again at the same N
(the first export's row is then carried from the run that filled it, with its date).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 0.5
TARGET_MB = 200.0
SEED = 20240813
KEEP = "BENCH_EXPORT_DIR"  # a folder: the built project (and its cache) kept there
VERIFY = 2_000  # documents whose cached tokens are checked against the tokenizer's

NAMES = ["Alice Smith", "Ali al-Hassan", "Maria López", "Chen Wei", "Fatima Zahra",
         "Olena Kovalenko", "محمد علي", "Zoe\u0301 Lefe\u0300vre"]
PLACES = ["Baghdad", "Kyiv", "Lagos", "São Paulo", "Basra", "بغداد", "Jakarta", "Ohio"]
ORGS = ["the United Nations", "Reuters", "the Ministry of Health", "the IMF", "Shell"]
FILLER = ("Officials said the situation remained tense as talks continued through the "
          "night, and residents described long queues for fuel and bread 😀. ")

BASELINE = r'''
import json, sqlite3, sys, zlib
db, out, with_tokens = sys.argv[1], sys.argv[2], sys.argv[3] == "tokens"
conn = sqlite3.connect(db)
spans = conn.execute(
    'SELECT s.doc_id, s.layer, s.start, s."end", s.label, s.annotator, c.claim_type,'
    ' c.claimant_span_id, c.claimant_text, c.via, c.checkworthy, c.hedged FROM spans s'
    " LEFT JOIN claims c ON c.span_id = s.id WHERE s.decision = 'accepted'"
    ' ORDER BY s.doc_id, s.start')
pending = next(spans, None)
docs = ("SELECT d.id, d.text, d.meta, d.status, t.json FROM documents d LEFT JOIN tokens t"
        " ON t.doc_id = d.id WHERE d.status = 'done' ORDER BY d.id") if with_tokens else (
        "SELECT id, text, meta, status, NULL FROM documents WHERE status = 'done' ORDER BY id")
with open(out, "w", encoding="utf-8") as fh:
    for doc_id, text, meta, status, tokens in conn.execute(docs):
        mine = []
        while pending is not None and pending[0] == doc_id:
            mine.append(pending)
            pending = next(spans, None)
        item = {"text": text, "meta": json.loads(meta), "status": status,
                "spans": [{"start": s[2], "end": s[3], "label": s[4], "text": text[s[2]:s[3]]}
                          for s in mine if s[1] == "entity"],
                "claims": [{"start": s[2], "end": s[3], "label": s[4], "claim_type": s[6],
                            "claimant": s[8], "via": s[9], "checkworthy": s[10],
                            "hedged": s[11]} for s in mine if s[1] == "claim"]}
        if tokens is not None:  # the cached tokens as they are stored, as one string
            item["tokens"] = zlib.decompress(tokens).decode("utf-8")
        fh.write(json.dumps(item, ensure_ascii=False) + "\n")
'''


def make_text(rng: random.Random) -> tuple[str, list[tuple[str, int, int, str]]]:
    """An article of ~500 characters and its entity and claim spans."""
    person, place, org = rng.choice(NAMES), rng.choice(PLACES), rng.choice(ORGS)
    n = rng.randint(2, 9999)
    claim = f"{person} told {org} that {n} families had left {place} since March."
    text = f"{place} — {claim} {FILLER}{FILLER}Reported by {rng.choice(NAMES)}."
    spans = []
    for part, label in ((place, "GPE"), (person, "PERSON"), (org, "ORG"), (str(n), "CARDINAL")):
        start = text.index(part, 1 if label != "GPE" else 0)
        spans.append(("entity", start, start + len(part), label))
    start = text.index(claim)
    spans.append(("claim", start, start + len(claim), "CLAIM"))
    return text, spans


def build(path: Path, n_docs: int, fast: bool = True) -> None:
    """A project of ``n_docs`` done documents with accepted spans, written fast: in one
    transaction, the indexes and triggers of the tables written (the counters' triggers)
    are dropped, the rows inserted, the same indexes and triggers made again from their
    own SQL and the counters counted once (at 100,000 under load, the inserts took 62 of
    78 s with them in place). ``fast=False`` keeps them in place, for
    ``tests/bench/test_bench_export.py``, which compares the two projects."""
    from annotator.store import Store, now
    from annotator.store.schema import recount

    rng = random.Random(SEED)
    ts = now()
    with Store(path) as store, store.write() as conn:
        saved = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
            " AND tbl_name IN ('documents', 'spans', 'claims') AND sql IS NOT NULL"
            " ORDER BY type, name").fetchall() if fast else []
        for kind, name, _ in saved:
            conn.execute(f'DROP {kind.upper()} "{name}"')
        doc_rows, span_rows, claim_rows = [], [], []
        span_id = 0
        for doc_id in range(1, n_docs + 1):
            text, spans = make_text(rng)
            text = f"{text} #{doc_id}"
            meta = json.dumps({"source": "bench", "n": doc_id})
            doc_rows.append((doc_id, text, meta, f"h{doc_id}", "done", ts, ts, f"Doc {doc_id}"))
            person_id = None
            for layer, start, end, label in spans:
                span_id += 1
                span_rows.append((span_id, doc_id, layer, start, end, label, "human",
                                  "accepted", "bench", ts, ts))
                if label == "PERSON":
                    person_id = span_id
                if layer == "claim":
                    claim_rows.append((span_id, "statistic", person_id, None, None, "yes", 0))
            if len(doc_rows) >= 5000 or doc_id == n_docs:
                conn.executemany(
                    "INSERT INTO documents (id, text, meta, content_hash, status, created_at,"
                    " updated_at, title) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", doc_rows)
                conn.executemany(
                    'INSERT INTO spans (id, doc_id, layer, start, "end", label, origin,'
                    " decision, annotator, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", span_rows)
                conn.executemany(
                    "INSERT INTO claims (span_id, claim_type, claimant_span_id, claimant_text,"
                    " via, checkworthy, hedged) VALUES (?, ?, ?, ?, ?, ?, ?)", claim_rows)
                doc_rows, span_rows, claim_rows = [], [], []
        for _, _, sql in saved:
            conn.execute(sql)
        if fast:
            recount(conn)


# Peak memory is the child's own VmHWM: ``ru_maxrss`` of a child on Linux also counts
# what the forked parent (this process, holding the built project's rows) had resident.
HWM = ("import atexit, sys\n"
       "def _hwm():\n"
       "    status = open('/proc/self/status').read()\n"
       "    sys.stderr.write('VmHWM_KB=' + status.split('VmHWM:')[1].split()[0] + '\\n')\n"
       "atexit.register(_hwm)\n")


def measure(code: str, args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of ``python -c code args``."""
    got = timed(code, args)
    return got["wall_s"], got["peak_mb"]


def timed(code: str, args: list[str]) -> dict[str, Any]:
    """``python -c code args`` in its own process: wall and CPU seconds (its own and its
    waited-for children's, from ``wait4``), peak resident memory (MB, its own VmHWM) and
    the load average when it ended."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", HWM + code, *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()  # read before waiting: a full pipe would block the child
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"{args} failed ({proc.returncode}): {err[-2000:]}")
    kib = int(err.rsplit("VmHWM_KB=", 1)[1].split()[0])
    return {"wall_s": round(elapsed, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mb": round(kib / 1024, 1), "load": load()}


def load() -> str:
    """The load averages (1, 5, 15 minutes), as ``uptime`` says them."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def digest(path: Path) -> tuple[str, int]:
    """SHA-256 and line count of a file, read in pieces (an export of 1M documents with
    tokens is about 7 GB)."""
    sha, lines = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while piece := fh.read(1 << 24):
            sha.update(piece)
            lines += piece.count(b"\n")
    return sha.hexdigest(), lines


def check_cache(db: Path, n_docs: int, sample: int = VERIFY) -> dict[str, Any]:
    """Refuse (``RuntimeError``) a project whose token cache is not what the product
    caches: every done document must have an entry for this tokenizer, and ``sample``
    random ones must hold, byte for byte, what :func:`annotator.tokens.compute` and
    :func:`~annotator.tokens.pack` make of their text now."""
    from annotator.store import Store
    from annotator.tokens import compute, pack, tokenizer_id

    tag = tokenizer_id()
    with Store(db, readonly=True) as store:
        conn = store.conn
        cached = conn.execute("SELECT count(*) FROM tokens t JOIN documents d ON d.id ="
                              " t.doc_id WHERE d.status = 'done' AND t.tokenizer = ?",
                              (tag,)).fetchone()[0]
        if cached != n_docs:
            raise RuntimeError(f"{db}: {cached:,} of {n_docs:,} documents have tokens cached"
                               f" by {tag}; not measuring")
        ids = random.Random(SEED).sample(range(1, n_docs + 1), min(sample, n_docs))
        differ = []
        for doc_id in ids:
            text, starts, blob = conn.execute(
                "SELECT d.text, t.starts, t.json FROM documents d JOIN tokens t ON"
                " t.doc_id = d.id WHERE d.id = ? AND t.tokenizer = ?", (doc_id, tag)).fetchone()
            if pack(*compute(text)) != (starts, blob):
                differ.append(doc_id)
    if differ:
        raise RuntimeError(f"{db}: the cached tokens of {len(differ)} of {len(ids)} sampled"
                           f" documents differ from the tokenizer's (first: {differ[:5]});"
                           " not measuring")
    return {"documents_cached": cached, "sample_checked": len(ids), "tokenizer": tag}


def row(name: str, value: float, unit: str, baseline: float | None, target: float | None,
        higher_is_better: bool, detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """One result row; ``target`` ``None`` for a figure shown for information."""
    ratio = value / baseline if baseline else None
    measure_ = ratio if unit == "docs/s" else value
    meets = None if target is None else measure_ is not None and (
        measure_ >= target if higher_is_better else measure_ < target)
    return {"name": name, "value": round(value, 1), "unit": unit,
            "baseline": None if baseline is None else round(baseline, 1),
            "ratio": None if ratio is None else round(ratio, 3), "target": target,
            "higher_is_better": higher_is_better, "meets": meets, "detail": detail or {}}


def first_export(root: Path, db: Path, n_docs: int) -> dict[str, Any]:
    """The project built and its cache filled by the first export (the product's own
    tokenising path, its worker processes), or both kept from an earlier run
    (``first.json`` in a kept folder): that export's figures and its output's digest."""
    from annotator.paths import remove_project_files
    from annotator.store import Store

    marker = root / "first.json"
    if marker.exists():
        first = json.loads(marker.read_text("utf-8"))
        if first.get("n_docs") == n_docs:
            return {**first, "carried_from": first["date"]}
    built = root / "built.json"
    if not (built.exists() and json.loads(built.read_text("utf-8")).get("n_docs") == n_docs):
        remove_project_files(db)
        started = time.perf_counter()
        build(db, n_docs)
        built.write_text(json.dumps({"n_docs": n_docs,
                                     "build_s": round(time.perf_counter() - started, 1)}))
    else:  # built, but the first export did not finish: its tokens go, it runs again
        with Store(db) as store, store.write():
            store.conn.execute("DELETE FROM tokens")
    out = root / "out.jsonl"
    out.unlink(missing_ok=True)
    got = timed(CLI, [*export_args(db, out)])
    print(f"export at {n_docs:,}: first {got}", file=sys.stderr, flush=True)
    sha, lines = digest(out)
    out.unlink()
    assert lines == n_docs, (lines, n_docs)
    first = {**got, "n_docs": n_docs, "sha256": sha,
             "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
             "build_s": json.loads(built.read_text("utf-8")).get("build_s")}
    marker.write_text(json.dumps(first), "utf-8")
    return first


CLI = "from annotator.cli import main; main()"


def export_args(db: Path, out: Path, *extra: str) -> list[str]:
    """``annotator export`` of the project to JSON lines."""
    return ["export", "--db", str(db), "--format", "jsonl", "--force", "--out", str(out),
            *extra]


def run(n_docs: int) -> list[dict[str, Any]]:
    """Build the project (or use the kept one), time the exports, return the rows."""
    keep = os.environ.get(KEEP)
    with (contextlib.nullcontext(keep) if keep
          else tempfile.TemporaryDirectory(prefix="bench-export-")) as name:
        root = Path(name) / str(n_docs) if keep else Path(name)
        root.mkdir(parents=True, exist_ok=True)
        db = root / "bench.db"
        out = root / "out.jsonl"
        # The first export tokenises every document and caches its tokens (the
        # suggestion runner does that for documents it parsed); the next ones read them.
        first = first_export(root, db, n_docs)
        checked = check_cache(db, n_docs)
        runs: dict[str, dict[str, Any]] = {}
        for what, code, args in (
                ("full", CLI, export_args(db, out)),
                ("lean", CLI, export_args(db, out, "--no-tokens")),
                ("tbase", BASELINE, [str(db), str(out), "tokens"]),
                ("base", BASELINE, [str(db), str(out), "no-tokens"])):
            out.unlink(missing_ok=True)  # two 7 GB files at 1M otherwise, for a moment
            runs[what] = timed(code, args)
            # a long run's figures as they come (``python -m bench.export`` shows them)
            print(f"export at {n_docs:,}: {what} {runs[what]}", file=sys.stderr, flush=True)
            if what == "full":
                sha, lines = digest(out)
                assert (sha, lines) == (first["sha256"], n_docs), "cached export differs"
            out.unlink()
    full, lean, tbase, base = (runs[k] for k in ("full", "lean", "tbase", "base"))
    rate, trate = n_docs / base["wall_s"], n_docs / tbase["wall_s"]
    cold = {k: first[k] for k in ("wall_s", "cpu_s", "peak_mb", "load", "build_s",
                                   "carried_from") if k in first}

    def info(run_: dict[str, Any], against: dict[str, Any], **more: Any) -> dict[str, Any]:
        return {**run_, "baseline_wall_s": against["wall_s"],
                "baseline_cpu_s": against["cpu_s"], "baseline_peak_mb": against["peak_mb"],
                **more}

    return [
        row("export jsonl, tokens cached: documents/s", n_docs / full["wall_s"], "docs/s",
            trate, TARGET_RATIO, True, info(full, tbase, cache=checked)),
        row("export jsonl --no-tokens: documents/s", n_docs / lean["wall_s"], "docs/s", rate,
            None, True, info(lean, base)),
        row("export jsonl, tokenising (first export, not suggested): documents/s",
            n_docs / first["wall_s"], "docs/s", trate, None, True, info(cold, tbase)),
        row("export jsonl, tokens cached: peak memory", full["peak_mb"], "MB",
            tbase["peak_mb"], TARGET_MB, False, info(full, tbase)),
        row("export jsonl, tokenising: peak memory", first["peak_mb"], "MB", tbase["peak_mb"],
            TARGET_MB, False, info(cold, tbase)),
        row("export jsonl --no-tokens: peak memory", lean["peak_mb"], "MB", base["peak_mb"],
            TARGET_MB, False, info(lean, base)),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    args = parser.parse_args(argv)
    for r in run(args.docs):
        ratio = "" if r["ratio"] is None else f"  ratio {r['ratio']:.2f}"
        verdict = {None: "", True: "meets", False: "MISSES"}[r["meets"]]
        print(f"{r['name']:<66} {r['value']:>10} {r['unit']:<7} baseline {r['baseline']}"
              f"{ratio}  target {r['target']}  {verdict}")


if __name__ == "__main__":
    main()
