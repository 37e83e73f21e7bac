"""The window's suggesting process (annotator/suggest/service.py), without a window: it
answers over its pipe, writes to the project from its own process, keeps serving after a
failure, and ends when asked or when the window's end closes."""

from __future__ import annotations

from typing import Any

import pytest

from annotator.store import Store
from annotator.suggest.service import start

NEWS = ("Officials in Baghdad said on Tuesday that 12 people were killed, according to "
        "the Interior Ministry.")


def _answer(conn: Any, timeout: float = 120) -> list[tuple[Any, ...]]:
    """The messages up to the first that is not ``busy``."""
    said = []
    while True:
        assert conn.poll(timeout), f"no answer in {timeout} s after {said}"
        message = conn.recv()
        said.append(message)
        if message[0] != "busy":
            return said


@pytest.mark.slow
def test_the_suggesting_process_serves_the_window(store: Store) -> None:
    with store.write():
        doc = store.insert_document(NEWS, {}, "n")
    process, conn = start(str(store.path))
    try:
        conn.send(("suggest", doc))
        said = _answer(conn)
        assert ("busy", "loading the spaCy pipeline…") in said
        assert said[-1] == ("done", doc, True)
        spans = store.spans(doc)
        assert "Baghdad" in {NEWS[s.start:s.end] for s in spans if s.layer == "entity"}
        assert {s.origin for s in spans} == {"model"}
        conn.send(("suggest", doc))  # suggested already: nothing to do
        assert _answer(conn) == [("done", doc, False)]
        conn.send(("suggest", 999))  # no such document (deleted meanwhile): nothing
        assert _answer(conn) == [("done", 999, False)]
        with store.write():
            other = store.insert_document(NEWS + " Again.", {}, "m")
        conn.send(("model", "/no/such/model"))  # a failure, said in one line ...
        conn.send(("suggest", other))
        kind, doc_id, message = _answer(conn)[-1]
        assert (kind, doc_id) == ("failed", other) and "/no/such/model" in message
        assert "\n" not in message and "Traceback" not in message
        conn.send(("model", ""))  # ... and the process goes on serving
        conn.send(("suggest", other))
        assert _answer(conn)[-1] == ("done", other, True)
        conn.send(("stop",))
        process.join(30)
        assert process.exitcode == 0
    finally:
        if process.is_alive():
            process.kill()
        conn.close()


@pytest.mark.slow
def test_the_suggesting_process_ends_with_the_window(store: Store) -> None:
    process, conn = start(str(store.path))
    conn.close()  # the window is gone, without a word
    process.join(60)
    assert process.exitcode == 0
