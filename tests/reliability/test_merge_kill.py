"""A merge killed with SIGKILL at a random step (stopped there by the test-only hook of
annotator/testhook.py, not at a wall-clock moment) leaves the team project as it was or
fully merged (one transaction), and passes integrity_check.

``RELIABILITY_MERGE_KILLS`` sets the number of trials (default 20)."""

from __future__ import annotations

import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from annotator.model import Span
from annotator.session import Session
from annotator.store import Store
from annotator.teams import merge, split

from ._project import (
    ROOT,
    counted_steps,
    env_int,
    integrity,
    kill_stopped,
    stop_env,
    stopped,
    stratified,
)

KILLS = env_int("RELIABILITY_MERGE_KILLS", 20)
DOCS = 3_000
RESULTS: dict[str, int] = {}

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL"),
              pytest.mark.slow]


def build_files(folder: Path) -> dict[str, Path]:
    """A project of DOCS documents with two suggestions each, split among three
    annotators with overlap 0.5; each accepts everything (bob relabels) and marks done."""
    source = folder / "news.db"
    with Store(source) as store, store.bulk(), store.write():
        for n in range(DOCS):
            text = f"Report {n}: Ali Hassan told Reuters in Baghdad that {n} people left."
            doc = store.insert_document(text, {}, f"hash-{n}")
            store.insert_span(Span(doc, "entity", 10, 20, "PERSON", model="m"))
            store.insert_span(Span(doc, "entity", text.index("Baghdad"),
                                   text.index("Baghdad") + 7, "GPE", model="m"))
    with Store(source) as store:
        split(store, ["alice", "bob", "carol"], folder / "out", overlap=0.5, seed=2)
    files = {}
    for name in ("alice", "bob", "carol"):
        path = files[name] = folder / "out" / f"{name}.db"
        with Store(path) as store:
            session = Session(store, name)
            session.accept_all()
            if name == "bob":
                with store.write():
                    for doc_id in store.document_ids()[:200]:
                        span = store.spans(doc_id)[0]
                        assert span.id is not None
                        session.relabel(span.id, "ORG")
            session.set_statuses(None, "done")
    return files


def content(path: Path) -> list[Any]:
    """What a merge changes, without the times it stamps (its own event, merged_at)."""
    conn = sqlite3.connect(path)
    try:
        return [
            *conn.execute("SELECT id, content_hash, status FROM documents ORDER BY id"),
            *conn.execute('SELECT id, doc_id, annotation_set, layer, start, "end", label,'
                          " decision, annotator, updated_at FROM spans ORDER BY id"),
            *conn.execute("SELECT span_id, claim_type, claimant_span_id FROM claims"
                          " ORDER BY span_id"),
            *conn.execute("SELECT ts, annotator, action, doc_id, annotation_set FROM events"
                          " WHERE action != 'merge' ORDER BY id"),
            *conn.execute("SELECT count(*) FROM events WHERE action = 'merge'"),
            *conn.execute("SELECT * FROM set_documents ORDER BY doc_id, annotation_set"),
            *conn.execute("SELECT name, project_id, events_upto FROM annotation_sets"
                          " ORDER BY name"),
            *conn.execute("SELECT doc_id FROM tokens ORDER BY doc_id"),
        ]
    finally:
        conn.close()


def run_merge(into: Path, files: list[Path], stop_at: int | None) -> bool:
    """The ``merge`` command in its own process, stopped at its step ``stop_at``
    (annotator/testhook.py: SQL work, each file, the rename) and killed there; True if
    the kill caught it with a transaction open (a journal left behind) or a new team
    project not yet in place. ``stop_at`` past the last step: the merge completes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "merge", *map(str, files), "--into",
         str(into)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=stop_env(stop_at))
    if not stopped(proc):
        assert proc.returncode == 0
        return False
    kill_stopped(proc)
    return any(Path(f"{into}{s}").exists() for s in ("-journal", "-wal")) or any(
        p.name.startswith(f".{into.name}.merge-tmp") for p in into.parent.iterdir())


def count_merge_steps(into: Path, files: list[Path]) -> int:
    """Merge, counting the steps a kill can stop at."""
    done = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "merge", *map(str, files), "--into",
         str(into)], cwd=ROOT, capture_output=True, text=True, env=stop_env("count"),
        timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return counted_steps(done.stderr)


@pytest.mark.slow
def test_merge_killed_at_random_leaves_the_team_as_before_or_fully_merged(
        tmp_path: Path) -> None:
    files = build_files(tmp_path)
    template = tmp_path / "template.db"
    merge(template, [(files["alice"], None)], "lead")  # the team before: alice merged
    before = content(template)
    sources = [files["bob"], files["carol"], files["alice"]]
    reference = tmp_path / "reference.db"
    shutil.copy(template, reference)
    steps = count_merge_steps(reference, sources)
    after = content(reference)
    assert after != before
    rng = random.Random(16)
    outcomes = {"before": 0, "merged": 0, "caught mid-merge": 0}
    for trial in range(KILLS):
        # every fifth trial merges into a team project that does not exist yet
        fresh = trial % 5 == 4
        path = tmp_path / f"team{trial}.db"
        if not fresh:
            shutil.copy(template, path)
        # A step anywhere in the merge or past its end, one in each slice of the range
        # (seeded): the process stops itself there and is killed, whatever the clock.
        stop_at = stratified(rng, trial, KILLS, steps + steps // 7)
        caught = run_merge(path, sources if not fresh else [files["alice"], *sources[:2]],
                           stop_at)
        outcomes["caught mid-merge"] += caught
        if fresh:
            if not path.exists():
                outcomes["before"] += 1
                continue
            with Store(path) as store:  # renamed into place only when complete
                assert store.count_documents() == DOCS
            outcomes["merged"] += 1
            continue
        with Store(path) as store:  # recovers the journal the kill left, if any
            assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert integrity(path) == "ok"
        now = content(path)
        assert now in (before, after), f"trial {trial} (step {stop_at}): half merged"
        outcomes["before" if now == before else "merged"] += 1
    RESULTS.update(trials=KILLS, **{k.replace(" ", "_"): v for k, v in outcomes.items()},
                   steps=steps)
    print(f"\nmerge kills: {outcomes} (a merge makes {steps} steps)")
    assert outcomes["before"] + outcomes["merged"] == KILLS
    assert outcomes["caught mid-merge"] > 0 and outcomes["merged"] > 0  # both ends covered
