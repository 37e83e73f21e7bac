"""The window's decisions go before its suggesting process's writes, across the two
processes (annotator.store.base.Precedence.share): a background transaction of the other
process ends as soon as a decision waits, instead of running its course."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

from annotator.store import Store
from annotator.store.base import PRECEDENCE


def _background_writer(db: str, counter: Any, inside: Any, result: Any) -> None:
    """In another process: a background transaction that runs until it should yield
    (at most 20 s), then commits; ``result`` gets 1 if it was told to yield."""
    PRECEDENCE.share(counter)
    with Store(db, background=True) as store, store.write() as conn:
        conn.execute("INSERT INTO meta VALUES ('bg', 'x')")
        inside.set()
        deadline = time.monotonic() + 20
        while not store.should_yield() and time.monotonic() < deadline:
            time.sleep(0.001)
        result.value = int(store.should_yield())


@pytest.mark.slow
def test_a_decision_makes_the_other_process_background_write_yield(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    Store(db).close()
    context = multiprocessing.get_context("spawn")
    counter, inside, result = context.Value("i", 0), context.Event(), context.Value("i", -1)
    PRECEDENCE.share(counter)
    try:
        child = context.Process(target=_background_writer,
                                args=(str(db), counter, inside, result))
        child.start()
        assert inside.wait(60)
        started = time.monotonic()
        with Store(db) as store, store.write() as conn:  # waits for the child's commit
            conn.execute("INSERT INTO meta VALUES ('fg', 'y')")
        waited = time.monotonic() - started
        child.join(30)
    finally:
        PRECEDENCE.share(None)
    assert child.exitcode == 0 and result.value == 1
    assert waited < 15  # told to yield, not run to its 20 s deadline
    with Store(db) as store:
        assert store.meta_value("bg") == "x" and store.meta_value("fg") == "y"
