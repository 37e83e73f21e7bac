"""The open document's token boundaries for span editing: the project tokenizer's own
(:class:`annotator.tokens.TokenBounds`), so that a span the window stores falls on the
tokens every export writes. There is no second tokenizer here.

The boundaries come from the project's token cache where it holds them (read on the GUI
thread: one row, no spaCy), else from :func:`annotator.tokens.tokenize` in a thread of
their own. They are asked for on the first key or click in the article (and then for
every document opened), never on the way to the first document on screen: opening the
window does not import spaCy. An edit that needs them before they arrive (a selection
to snap, a span to grow by a token, a caret move by a token) waits for them and is
done when they come, in the order the keys came; nothing is stored on a boundary the
project tokenizer lacks. The thread's tokens are written to the cache (best effort,
from the thread, on a connection of its own) for the next time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from annotator.editing.boundaries import (
    LONG_TEXT,
    cache_tokens,
    word_bounds,
    word_bounds_apart,
)
from annotator.store import Store
from annotator.tokens import TokenBounds, cached_bounds

KEEP = 8  # documents whose tokens are kept in memory (the ones gone back and forth to)


class TokenThread(QThread):
    """Tokenises one text with the project tokenizer (importing spaCy on first use);
    ``made((doc_id, TokenBounds))``, then caches the tokens in ``db_path`` if given."""

    made = Signal(object)
    failed = Signal(str)

    def __init__(self, doc_id: int, text: str, db_path: Path | None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.doc_id = doc_id
        self.text = text
        self.db_path = db_path
        self.result: TokenBounds | None = None

    def run(self) -> None:
        apart = len(self.text) >= LONG_TEXT  # tokenised, and cached, by another process
        try:
            if apart:
                self.result, bounds = word_bounds_apart(self.text, self.db_path,
                                                        self.doc_id)
            else:
                self.result, bounds = word_bounds(self.text)
            self.made.emit((self.doc_id, self.result))
        except Exception as exc:  # shown to the user, the thread ends cleanly
            self.failed.emit(f"token boundaries of document {self.doc_id}: {exc}")
            return
        if self.db_path is not None and not apart:  # best effort: else tokenised again
            cache_tokens(self.db_path, self.doc_id, self.text, bounds)


class WindowTokens(QObject):
    """The open document's :class:`TokenBounds`, and the edits waiting for them.

    ``waiting(message)``: an edit waits for the boundaries ("" once they came);
    ``failed(message)``: they could not be made (the waiting edits are dropped)."""

    waiting = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.store: Store | None = None
        self.doc_id: int | None = None
        self.text = ""
        self.wanted = False  # asked for once: then fetched for every document opened
        self._known: OrderedDict[int, TokenBounds] = OrderedDict()
        # edits in the order of their keys, each with its document: (doc_id, edit)
        self._queue: list[tuple[int | None, Callable[[TokenBounds], None]]] = []
        self._thread: TokenThread | None = None
        self._threads: list[TokenThread] = []
        self._stopping = False

    def set_store(self, store: Store) -> None:
        """Another project: nothing known, nothing waiting."""
        self.store = store
        self._known.clear()
        self._drop_queue()

    def set_document(self, doc_id: int | None, text: str) -> None:
        """The document now open; its boundaries are fetched if they were wanted before.
        Edits waiting for another document's boundaries still get them (each edit holds
        its document's id)."""
        if (doc_id, text) == (self.doc_id, self.text):
            return
        self.doc_id, self.text = doc_id, text
        if self.wanted:
            self.want()

    @property
    def bounds(self) -> TokenBounds | None:
        """The open document's boundaries, if they are here."""
        if self.doc_id is None:
            return TokenBounds(self.text, [], [])
        found = self._known.get(self.doc_id)
        return found if found is not None and found.text == self.text else None

    @property
    def ready(self) -> bool:
        return self.bounds is not None

    @property
    def waiting_edits(self) -> int:
        """How many edits wait for the boundaries."""
        return len(self._queue)

    def want(self) -> None:
        """Fetch the open document's boundaries (from the cache now, else in a thread)
        unless they are here or on their way."""
        self.wanted = True
        if self.doc_id is None or self.ready:
            return
        self._fetch(self.doc_id, self.text)

    def _fetch(self, doc_id: int, text: str | None = None) -> None:
        """Read ``doc_id``'s boundaries from the cache, else start a thread making them."""
        if any(t.doc_id == doc_id for t in self._threads):
            return
        if text is None:  # a document no longer open that an edit waits for
            doc = self.store.get_document(doc_id) if self.store is not None else None
            if doc is None:
                self._queue = [(d, e) for d, e in self._queue if d != doc_id]
                return
            text = doc.text
        if self.store is not None:
            try:
                found = cached_bounds(self.store, doc_id, text)
            except Exception:  # the cache is an optimisation; tokenise instead
                found = None
            if found is not None:
                self._arrived((doc_id, found))
                return
        if self._stopping:
            return
        thread = TokenThread(doc_id, text,
                             self.store.path if self.store is not None else None, self)
        thread.made.connect(self._on_made)
        thread.failed.connect(self._on_failed)
        thread.finished.connect(self._on_finished)
        self._thread = thread
        self._threads.append(thread)
        thread.start()

    def when_ready(self, edit: Callable[[TokenBounds], None]) -> None:
        """Run ``edit(bounds)`` now if the boundaries are here, else when they come."""
        bounds = self.bounds
        if bounds is not None and not self._queue:
            edit(bounds)
            return
        self._queue.append((self.doc_id, edit))
        self.waiting.emit("Reading the token boundaries of this document…")
        self.want()
        self._drain()

    def after_waiting(self, action: Callable[[], None]) -> None:
        """Run ``action`` (a decision key) now, or after the edits waiting for boundaries
        if there are any, so that decisions are made in the order of their keys (an undo
        after a label key undoes that label; a document marked done after it is marked
        after it)."""
        if not self._queue:
            action()
            return
        self._queue.append((None, lambda _bounds: action()))

    def _on_made(self, made: tuple[int, TokenBounds]) -> None:
        self._arrived(made)

    def _arrived(self, made: tuple[int, TokenBounds]) -> None:
        doc_id, bounds = made
        self._known[doc_id] = bounds
        self._known.move_to_end(doc_id)
        while len(self._known) > KEEP:
            self._known.popitem(last=False)
        self._drain()

    def _drain(self) -> None:
        """Run the waiting edits, in order, as far as their documents' boundaries are
        here."""
        while self._queue:
            doc_id, edit = self._queue[0]
            bounds = self._known.get(doc_id) if doc_id is not None \
                else TokenBounds("", [], [])
            if bounds is None:
                if doc_id is not None and doc_id != self.doc_id:  # a document now closed
                    self._fetch(doc_id)
                return
            self._queue.pop(0)
            edit(bounds)
            if not self._queue:
                self.waiting.emit("")

    def _on_failed(self, message: str) -> None:
        self._drop_queue()
        self.failed.emit(message)

    def _on_finished(self) -> None:
        thread = self.sender()
        if thread is self._thread:
            self._thread = None
        if isinstance(thread, TokenThread) and thread in self._threads:
            self._threads.remove(thread)
            thread.deleteLater()
        if self.wanted and not self.ready and self.doc_id is not None and self._thread is None:
            self.want()  # the document changed while another one was tokenised
        self._drain()

    def _drop_queue(self) -> None:
        if self._queue:
            self._queue.clear()
            self.waiting.emit("")
            self.failed.emit("Edits waiting for the token boundaries were not made: the "
                             "project changed, or the boundaries could not be made")

    def stop(self) -> None:
        """Wait for the threads (at close: tokenising one article takes milliseconds,
        importing spaCy about a second), then make the edits that waited for them, so
        that a label key pressed just before closing is not lost."""
        threads, self._threads, self._thread = list(self._threads), [], None
        for thread in threads:
            thread.wait()
        for thread in threads:
            if thread.result is not None:
                self._known[thread.doc_id] = thread.result
        self._stopping = True  # the cache may still serve; no thread is started
        try:
            self._drain()
        finally:
            self._stopping = False
        self._drop_queue()
