"""Helpers shared by the reliability tests: a seeded project, snapshots, dumps, counts.

Kept free of pytest so the worker subprocesses can import it too.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from annotator.model import Claim, Span
from annotator.store import Store

ROOT = Path(__file__).resolve().parents[2]

# Words with the characters that break offset code: emoji with skin tones, ZWJ
# sequences, combining marks, right-to-left script, CJK.
WORDS = [
    "Alice", "Baghdad", "said", "the", "ministry", "reported", "153", "attacks", "in", "2024",
    "👍🏽", "👩‍👩‍👧", "Zoë", "e\u0301te\u0301", "بغداد", "שלום", "東京", "<b>x</b>", "inIraq",
    "according", "to", "officials", ",", ".", "“quoted”",
]
ENTITY_LABELS = ["PERSON", "ORG", "GPE", "DATE", "NOT_IN_SCHEME"]


def env_int(name: str, default: int) -> int:
    """A count from the environment (long runs), else the CI-sized default."""
    try:
        return max(1, int(os.environ.get(name, "")))
    except ValueError:
        return default


def make_text(rng: random.Random, words: int = 60) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def seed_project(path: Path, docs: int = 4, seed: int = 0) -> None:
    """A project of ``docs`` documents, each with pending entity suggestions (no two
    overlapping, as spaCy makes them) and a few pending claims."""
    rng = random.Random(seed)
    with Store(path) as store, store.write():
        for n in range(docs):
            text = make_text(rng)
            doc = store.insert_document(text, {"title": f"doc {n}"}, f"hash-{seed}-{n}")
            pos = 0
            while pos < len(text) - 10:
                start = pos + rng.randint(0, 8)
                end = min(len(text), start + rng.randint(1, 12))
                store.insert_span(Span(doc, "entity", start, end, rng.choice(ENTITY_LABELS),
                                       score=round(rng.random(), 3), model="test 1"))
                pos = end + rng.randint(0, 6)
            for _ in range(3):
                start = rng.randrange(0, len(text) - 20)
                store.insert_span(Span(doc, "claim", start, start + rng.randint(5, 20),
                                       "CLAIM", cues=["number"], claim=Claim()))


def span_state(span: Span) -> tuple[Any, ...]:
    """A span's stored state, timestamps left out."""
    return (span.id, span.doc_id, span.layer, span.start, span.end, span.label, span.origin,
            span.decision, span.score, span.model, span.annotator, tuple(span.cues),
            None if span.claim is None else tuple(span.claim.as_dict().items()))


def snapshot(store: Store) -> list[Any]:
    """Every span and document status/note of the project, timestamps left out."""
    spans = [span_state(s) for d in store.iter_documents() for s in store.spans(d.id)]
    docs = [(d.id, d.status, d.note) for d in store.iter_documents()]
    return [docs, spans]


def snapshot_json(store: Store) -> str:
    return json.dumps(snapshot(store), ensure_ascii=False, sort_keys=True)


def dump(path: Path) -> list[str]:
    """A logical dump of a database file (schema and rows) through a plain connection."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


# --- stopping a process at step N (annotator/testhook.py) ----------------------------------

STOP_AT = "ANNOTATOR_TEST_STOP_AT"


def stop_env(spec: str | int) -> dict[str, str]:
    """The environment for a child that stops itself at step ``spec`` (``N``,
    ``KIND:N``) or, with ``count``, prints how many steps it made."""
    return {**os.environ, STOP_AT: str(spec)}


def counted_steps(stderr: str) -> int:
    """The step count a child run with ``stop_env("count")`` printed at exit."""
    found = re.findall(r"annotator-test-steps: (\d+)", stderr)
    assert found, f"no step count in: {stderr[-2000:]}"
    return int(found[-1])


def stopped(proc: subprocess.Popen[Any], block: bool = True) -> bool | None:
    """True once ``proc`` has stopped itself (SIGSTOP at its step), False if it exited
    first (``proc.returncode`` then set), None if neither yet (``block=False``)."""
    pid, status = os.waitpid(proc.pid, os.WUNTRACED | (0 if block else os.WNOHANG))
    if pid == 0:
        return None
    if os.WIFSTOPPED(status):
        return True
    proc.returncode = os.waitstatus_to_exitcode(status)
    return False


def kill_stopped(proc: subprocess.Popen[Any]) -> None:
    """SIGKILL a process that :func:`stopped` found stopped, and reap it."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def stratified(rng: random.Random, trial: int, trials: int, steps: int) -> int:
    """A step in 1..``steps`` for trial ``trial`` of ``trials``: random within the
    trial's own slice of the range, so a few trials still spread over all of it."""
    low = 1 + trial * steps // trials
    return rng.randint(low, max(low, (trial + 1) * steps // trials))
