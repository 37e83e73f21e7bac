"""Two processes annotating one project at once (WAL, busy timeout): both finish, no
write is lost, and the event log of every span is one unbroken chain (each event's
``before`` is the previous event's ``after``), so no decision was made on a stale read.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from annotator.session import ConflictError, Session, StorageError, span_dict
from annotator.store import SCHEMA_VERSION, Store

from ._project import ROOT, env_int, integrity, seed_project

OPS = env_int("RELIABILITY_CONCURRENT_OPS", 300)
RESULTS: dict[str, int] = {}


def _run_pair(db: Path, ops: int) -> list[list[dict]]:
    """Two workers in lock-step rounds over two pipes (see ``--turns`` in
    _session_worker): each operation races the other worker's of the same round."""
    a_to_b, b_to_a = os.pipe(), os.pipe()
    turns = {"alice": (b_to_a[0], a_to_b[1]), "bob": (a_to_b[0], b_to_a[1])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.reliability._session_worker", str(db), str(seed),
             str(ops), name, "--no-undo", "--turns={},{}".format(*turns[name])],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            pass_fds=turns[name],
        )
        for seed, name in ((1, "alice"), (2, "bob"))
    ]
    for fd in (*a_to_b, *b_to_a):  # the workers hold them now: EOF if one of them dies
        os.close(fd)
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    return [[json.loads(line) for line in out.splitlines()][1:] for out, _ in outputs]


def _logged(reports: list[dict]) -> list[bool]:
    """Per round: did this worker's operation log an event (its newest event moved)?"""
    events = [None] + [r["event"] for r in reports]
    return [b is not None and b != a for a, b in zip(events, events[1:], strict=False)]


@pytest.mark.slow
def test_concurrency_two_writers_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "project.db"
    seed_project(db, docs=2)  # few documents: the two writers collide on the same spans
    alice, bob = _run_pair(db, OPS)
    assert len(alice) == len(bob) == OPS
    assert integrity(db) == "ok"
    with Store(db) as store:
        events = store.events()
        by_id = {e["id"]: e for e in events}
        for name, reports in (("alice", alice), ("bob", bob)):
            ids = [r["event"] for r in reports if r["event"] is not None]
            assert ids == sorted(ids)  # an empty accept_all logs nothing, hence not <
            assert all(by_id[i]["annotator"] == name for i in ids)
        # Interleaved, by construction: the rounds are in lock-step, so every round in
        # which both logged an event holds at least one writer switch.
        owners = [e["annotator"] for e in events if e["annotator"] in ("alice", "bob")]
        switches = sum(1 for a, b in zip(owners, owners[1:], strict=False) if a != b)
        both = sum(a and b for a, b in zip(_logged(alice), _logged(bob), strict=True))
        assert switches >= both >= 2, (switches, both)
        # Every span's history is one chain ending in its stored state.
        last: dict[int, object] = {}
        broken = []
        for event in events:
            if event["span_id"] is None:
                continue
            before = json.loads(event["before"]) if event["before"] else None
            after = json.loads(event["after"]) if event["after"] else None
            sid = event["span_id"]
            if sid in last and last[sid] != before:
                broken.append((event["id"], event["action"], sid))
            last[sid] = after
        for sid, state in last.items():
            stored = json.loads(json.dumps(span_dict(store.get_span(sid))))
            if stored != state:
                broken.append(("final", sid))
    RESULTS.update(ops=OPS, events=len(events), switches=switches, broken=len(broken))
    print(f"\nconcurrency: 2 processes x {OPS} operations, {len(events)} events, "
          f"{switches} writer switches, {len(broken)} broken chains")
    assert broken == []


CREATE_SCRIPT = """
import sys

from annotator.store import Store
print("ready", flush=True)
assert sys.stdin.readline().strip() == "go"  # both imported: go together
with Store(sys.argv[1]) as store:
    with store.write():
        if store.count_documents() == 0:
            store.insert_document("Made by " + sys.argv[3], {}, sys.argv[3])
    print(store.schema_version)
"""


@pytest.mark.slow
def test_concurrency_two_windows_create_one_new_project(tmp_path: Path) -> None:
    """Both open a project that does not exist yet at the same moment: one creates it,
    the other opens what it made; neither fails."""
    for trial in range(env_int("RELIABILITY_CREATE_RACES", 4)):
        path = tmp_path / f"new{trial}.db"
        procs = [subprocess.Popen([sys.executable, "-c", CREATE_SCRIPT, str(path), "-",
                                   name], cwd=ROOT, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name in ("a", "b")]
        for proc in procs:  # both started (not a guess at how long that takes)
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            assert out.strip() == str(SCHEMA_VERSION)
        assert integrity(path) == "ok"
        with Store(path) as store:
            assert store.count_documents() == 1


def test_concurrency_waits_for_a_long_write_then_commits(tmp_path: Path) -> None:
    """A decision made while another window holds the write lock (an import, say)
    waits for it (busy timeout) instead of failing, then is committed."""
    db = tmp_path / "project.db"
    seed_project(db, docs=1)
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE documents SET note = 'import running'")
    asked = threading.Event()  # the decision has asked for the write lock
    committing = threading.Event()

    def release() -> None:
        assert asked.wait(120)
        time.sleep(0.2)  # not a premise: the decision waits however long this takes
        committing.set()
        other.execute("COMMIT")

    thread = threading.Thread(target=release)
    thread.start()
    with Store(db) as store:
        span = store.spans(1, "entity")[0]
        assert span.id is not None
        store.conn.set_trace_callback(
            lambda sql: asked.set() if sql.startswith("BEGIN") else None)
        Session(store, "alice").accept(span.id)
        # Its BEGIN came while the other held the lock, and it could not commit before
        # the other's COMMIT: it waited, then committed.
        assert asked.is_set() and committing.is_set()
        store.conn.set_trace_callback(None)
        assert store.get_span(span.id).decision == "accepted"  # type: ignore[union-attr]
        assert store.get_document(1).note == "import running"  # type: ignore[union-attr]
    thread.join()
    other.close()


def test_concurrency_undo_never_overwrites_another_windows_decision(tmp_path: Path) -> None:
    """Window A accepts a span, window B then relabels it; A's undo must not silently
    put back the state from before A's accept (B's decision would be lost). It is
    refused with a conflict; an undo of something nobody touched still works."""
    db = tmp_path / "project.db"
    seed_project(db, docs=1)
    with Store(db) as one, Store(db) as two:
        alice, bob = Session(one, "alice"), Session(two, "bob")
        first, second = [s.id for s in one.spans(1, "entity")][:2]
        assert first is not None and second is not None
        accepted = alice.accept(first)
        untouched = alice.reject(second)
        bob.relabel(first, "ORG")
        with pytest.raises(ConflictError):
            alice.revert(accepted)
        span = one.get_span(first)
        assert span is not None and (span.label, span.annotator) == ("ORG", "bob")
        alice.revert(untouched)  # nobody else touched this one
        assert one.get_span(second).decision == "pending"  # type: ignore[union-attr]
        # The same for documents: bob flags what alice marked done.
        done = alice.set_status(1, "done")
        bob.set_status(1, "flagged", note="names wrong")
        with pytest.raises(ConflictError):
            alice.revert(done)
        assert one.get_document(1).status == "flagged"  # type: ignore[union-attr]


def test_concurrency_busy_project_is_a_clear_refusal(tmp_path: Path) -> None:
    """If another window or an import holds the project longer than the busy timeout,
    the decision is refused with a SessionError that says so (the window shows it as a
    message), and nothing is written."""
    db = tmp_path / "project.db"
    seed_project(db, docs=1)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with Store(db) as store:
        store.conn.execute("PRAGMA busy_timeout = 200")  # not 10 s in a test
        span = store.spans(1, "entity")[0]
        assert span.id is not None
        with pytest.raises(StorageError, match="another window"):
            Session(store, "alice").accept(span.id)
        other.execute("ROLLBACK")
        assert store.get_span(span.id).decision == "pending"  # type: ignore[union-attr]
        assert store.events() == []
        Session(store, "alice").accept(span.id)  # free again: works
    other.close()
