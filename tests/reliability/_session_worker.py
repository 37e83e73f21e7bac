"""A scripted annotator: random session operations on a project, each reported on
stdout (flushed) only after the Session call returned.

Run as ``python -m tests.reliability._session_worker DB SEED OPS ANNOTATOR [--no-undo]
[--snapshots] [--second-stores] [--turns=IN,OUT]``. With ``--second-stores`` the process
also keeps a second :class:`Store` open on the project and now and then opens and closes more (read
and read-only), as the window's workers and tasks do: none of it may drop the locks of
the connection that writes the decisions (POSIX locks belong to the process).
With ``--turns=IN,OUT`` (two inherited pipe descriptors) it writes a token on OUT and
waits for the other worker's on IN before each operation: two workers go in lock-step
rounds, each operation racing the other's of the same round, and neither starts round
i+1 before the other has finished round i.
Each report line is JSON: ``{"i", "action", "event", "snapshot"}`` where ``event`` is
the id of the last event this annotator has in the log and ``snapshot`` (only when
``--snapshots``) the whole project state after the operation.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path
from typing import Any

from annotator.model import CHECKWORTHY, CLAIM_TYPES
from annotator.session import Change, Session, SessionError
from annotator.store import Store

from ._project import ENTITY_LABELS, snapshot


def pick_op(rng: random.Random, session: Session, undo: list[Change], redo: list[Change],
            allow_undo: bool) -> tuple[str, Any]:
    """Choose one operation and run it; returns (action, change or None)."""
    store = session.store
    doc_ids = [d.id for d in store.iter_documents()]
    doc_id = rng.choice(doc_ids)
    doc = store.get_document(doc_id)
    assert doc is not None
    spans = store.spans(doc_id)
    roll = rng.random()
    if allow_undo and roll < 0.08 and undo:
        change = undo.pop()
        session.revert(change)
        redo.append(change)
        return "undo", None
    if allow_undo and roll < 0.12 and redo:
        change = redo.pop()
        session.reapply(change)
        undo.append(change)
        return "redo", None
    if roll < 0.14:
        return "accept_all", session.accept_all(doc_id)
    if roll < 0.17:
        return "status", session.set_status(doc_id, rng.choice(["in_progress", "done", "flagged"]),
                                            note=rng.choice([None, "check <b>names</b>"]))
    if roll < 0.30 or not spans:
        layer = rng.choice(["entity", "entity", "claim"])
        start = rng.randrange(0, len(doc.text) - 1)
        end = min(len(doc.text), start + rng.randint(1, 15))
        label = rng.choice(ENTITY_LABELS) if layer == "entity" else "CLAIM"
        return "add", session.add(doc_id, layer, start, end, label)
    span = rng.choice(spans)
    assert span.id is not None
    if span.layer == "claim" and roll < 0.55:
        name = rng.choice(["claim_type", "claimant", "via", "checkworthy", "hedged"])
        ents = [s.id for s in spans if s.layer == "entity"]
        value: Any = {
            "claim_type": rng.choice([*CLAIM_TYPES, None]),
            "claimant": rng.choice([*(ents[:3] or ["author"]), "author", "a US officer"]),
            "via": rng.choice(["Reuters", None, "<script>x</script>"]),
            "checkworthy": rng.choice([*CHECKWORTHY, None]),
            "hedged": rng.choice([True, False, None]),
        }[name]
        return f"set_{name}", session.set_claim_attribute(span.id, name, value)
    kind = rng.choice(["accept", "accept", "reject", "reject", "relabel", "resize", "delete"])
    if kind == "accept":
        return kind, session.accept(span.id)
    if kind == "reject":
        return kind, session.reject(span.id)
    if kind == "relabel":
        label = rng.choice(ENTITY_LABELS) if span.layer == "entity" else "CLAIM"
        return kind, session.relabel(span.id, label)
    if kind == "delete":
        return kind, session.delete(span.id)
    start = max(0, span.start + rng.randint(-3, 3))
    end = min(len(doc.text), max(start + 1, span.end + rng.randint(-3, 3)))
    return kind, session.resize(span.id, start, end)


def main(argv: list[str]) -> int:
    db, seed, ops, annotator = Path(argv[0]), int(argv[1]), int(argv[2]), argv[3]
    allow_undo = "--no-undo" not in argv
    with_snapshots = "--snapshots" in argv
    second_stores = "--second-stores" in argv
    rng = random.Random(seed)
    store = Store(db)
    session = Session(store, annotator)
    beside = Store(db) if second_stores else None  # a worker's long-lived store
    undo: list[Change] = []
    redo: list[Change] = []
    print(json.dumps({"ready": True}), flush=True)
    turns = next((tuple(map(int, a.split("=", 1)[1].split(","))) for a in argv
                  if a.startswith("--turns=")), None)
    round_of = -1
    done = 0
    while done < ops:
        if turns is not None and round_of != done:  # a refused operation keeps its turn
            os.write(turns[1], b".")
            if os.read(turns[0], 1) != b".":
                raise SystemExit("the other worker is gone")
            round_of = done
        try:
            action, change = pick_op(rng, session, undo, redo, allow_undo)
        except SessionError:
            continue  # refused (overlap, bad range): not a decision
        if change is not None:
            undo.append(change)
            redo.clear()
        if beside is not None:
            beside.count_documents()
            if rng.random() < 0.15:  # a task's store, opened and closed
                with Store(db, readonly=rng.random() < 0.5) as task:
                    task.count_documents()
        row = store.conn.execute(
            "SELECT max(id) FROM events WHERE annotator = ?", (annotator,)).fetchone()
        report: dict[str, Any] = {"i": done, "action": action, "event": row[0]}
        if with_snapshots:
            report["snapshot"] = snapshot(store)
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        done += 1
    if beside is not None:
        beside.close()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
