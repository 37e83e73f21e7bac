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
"""

from __future__ import annotations

import argparse
import json
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


def build(path: Path, n_docs: int) -> None:
    """A project of ``n_docs`` done documents with accepted spans, written fast."""
    from annotator.store import Store, now

    rng = random.Random(SEED)
    ts = now()
    with Store(path) as store, store.write() as conn:
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


# Peak memory is the child's own VmHWM: ``ru_maxrss`` of a child on Linux also counts
# what the forked parent (this process, holding the built project's rows) had resident.
HWM = ("import atexit, sys\n"
       "def _hwm():\n"
       "    status = open('/proc/self/status').read()\n"
       "    sys.stderr.write('VmHWM_KB=' + status.split('VmHWM:')[1].split()[0] + '\\n')\n"
       "atexit.register(_hwm)\n")


def measure(code: str, args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of ``python -c code args``."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", HWM + code, *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"{args} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    kib = int(proc.stderr.rsplit("VmHWM_KB=", 1)[1].split()[0])
    return elapsed, kib / 1024


def row(name: str, value: float, unit: str, baseline: float | None, target: float | None,
        higher_is_better: bool) -> dict[str, Any]:
    """One result row; ``target`` ``None`` for a figure shown for information."""
    ratio = value / baseline if baseline else None
    measure_ = ratio if unit == "docs/s" else value
    meets = None if target is None else measure_ is not None and (
        measure_ >= target if higher_is_better else measure_ < target)
    return {"name": name, "value": round(value, 1), "unit": unit,
            "baseline": None if baseline is None else round(baseline, 1),
            "ratio": None if ratio is None else round(ratio, 3), "target": target,
            "higher_is_better": higher_is_better, "meets": meets}


def run(n_docs: int) -> list[dict[str, Any]]:
    """Build the project, time the three exports, return the result rows."""
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        root = Path(tmp)
        db = root / "bench.db"
        build(db, n_docs)
        cli_code = "from annotator.cli import main; main()"
        cli = ["export", "--db", str(db), "--format", "jsonl", "--force"]
        out = root / "out.jsonl"
        # The first export tokenises every document and caches its tokens (the
        # suggestion runner does that for documents it parsed); the second reads them.
        cold_s, cold_mb = measure(cli_code, [*cli, "--out", str(out)])
        cold = out.read_bytes()
        full_s, full_mb = measure(cli_code, [*cli, "--out", str(out)])
        assert out.read_bytes() == cold
        lines = cold.count(b"\n")
        assert lines == n_docs, (lines, n_docs)
        lean_s, lean_mb = measure(cli_code, [*cli, "--out", str(out), "--no-tokens"])
        tbase_s, tbase_mb = measure(BASELINE, [str(db), str(out), "tokens"])
        base_s, base_mb = measure(BASELINE, [str(db), str(out), "no-tokens"])
    rate, trate = n_docs / base_s, n_docs / tbase_s
    return [
        row("export jsonl, tokens cached: documents/s", n_docs / full_s, "docs/s", trate,
            TARGET_RATIO, True),
        row("export jsonl --no-tokens: documents/s", n_docs / lean_s, "docs/s", rate,
            None, True),
        row("export jsonl, tokenising (first export, not suggested): documents/s",
            n_docs / cold_s, "docs/s", trate, None, True),
        row("export jsonl, tokens cached: peak memory", full_mb, "MB", tbase_mb, TARGET_MB,
            False),
        row("export jsonl, tokenising: peak memory", cold_mb, "MB", tbase_mb, TARGET_MB,
            False),
        row("export jsonl --no-tokens: peak memory", lean_mb, "MB", base_mb, TARGET_MB, False),
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
