"""The window's idle-time indexer keeps its batches as large as its tick's budget allows
(issue 28 §1: how long the full-text index takes at 1,000,000 documents). Its clock is the
test's: each call of the store costs what a commit and its documents cost on a disk that
syncs, so the batch sizes (documents per commit) are counted, not timed."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest
from annotator.gui import indexer as indexer_module
from annotator.gui.indexer import SearchIndexer

from annotator.importers import content_hash
from annotator.store import Store

COMMIT_MS = 4.0  # a commit's own cost (its fsync): more than a third of half the budget
PER_DOC_MS = 0.05
SLOW_FIRST_MS = 100.0  # a slow moment (another program on the disk) on the first call


@pytest.fixture
def store(tmp_path: Path) -> Any:
    texts = [f"Report {i} on the council budget and the harbour works." for i in range(3_000)]
    with Store(tmp_path / "p.db") as made, made.write():
        made.insert_documents([(t, {}, content_hash(t), "new") for t in texts])
    with Store(tmp_path / "p.db") as opened:
        yield opened


def test_indexer_batches_recover_after_a_slow_commit(qtbot: Any, store: Store,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monkeypatch.setattr(indexer_module, "time", types.SimpleNamespace(
        monotonic=lambda: now[0], perf_counter=lambda: now[0]))
    calls: list[int] = []
    update = store.update_search_index

    def costed(max_docs: int = 500, **kwargs: Any) -> int:
        added = update(max_docs, **kwargs)
        now[0] += ((SLOW_FIRST_MS if not calls else COMMIT_MS) + PER_DOC_MS * added) / 1000
        calls.append(added)
        return added

    monkeypatch.setattr(store, "update_search_index", costed)
    indexer = SearchIndexer()
    indexer.start(store)
    indexer.stop()  # its ticks are called here, on the test's clock
    indexer.store = store
    for _ in range(30):
        indexer.tick()
        now[0] += indexer_module.TICK_MS / 1000
    later = calls[-10:]
    # Before: the slow first call made it 1 document a call, and a 4 ms commit kept it
    # there (6 ms of budget / 4 ms a document): 1 document per commit, 2 per tick.
    assert min(later) >= 20, calls
    assert store.search_indexed_upto() == sum(calls)


def test_indexer_batch_follows_the_time_a_call_took() -> None:
    budget = indexer_module.BUDGET_MS
    assert indexer_module.next_batch(10, budget / 4) == 20  # room left: twice as many
    assert indexer_module.next_batch(10, budget * 2) == 5  # over the budget: half
    assert indexer_module.next_batch(10, budget * 0.75) == 10
    assert indexer_module.next_batch(1, budget * 50) == 1
    assert indexer_module.next_batch(indexer_module.MAX_BATCH, 0.1) == indexer_module.MAX_BATCH


def test_store_search_index_batch_without_sync_restores_the_setting(store: Store) -> None:
    before = store.conn.execute("PRAGMA synchronous").fetchone()[0]
    assert store.update_search_index(100, durable=False) == 100
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == before == 2  # FULL
    assert store.document_rows(search="harbour", limit=5)  # found through the index
    assert store.search_indexed_upto() == 100
