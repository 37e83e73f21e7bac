"""What every part of the store shares: the connection and its transactions."""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Self

from ..errors import ReadOnlyError, ReplacedError
from . import files
from .files import _close, _file_key, _set_wal

if TYPE_CHECKING:
    import sqlite_utils


class Precedence:
    """Within one process, a person's writes go before background ones.

    A store opened with ``background=True`` (the window's suggester, its tasks) waits,
    before each of its write transactions, while a write of a foreground store (the
    window's decisions) waits for the lock or holds it. With the background work cut
    into short transactions, a decision then waits at most for the one transaction
    already running, never for a queue of them. Other processes are not affected."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._foreground: dict[int, int] = {}  # thread id -> its foreground writes
        self.waiting = 0  # background writers waiting for their turn
        self._background_open: weakref.WeakSet[object] = weakref.WeakSet()

    def opened(self, store: object) -> None:
        """A background store opened (until it is closed or collected)."""
        with self._changed:
            self._background_open.add(store)

    def closed(self, store: object) -> None:
        with self._changed:
            self._background_open.discard(store)

    @property
    def background_open(self) -> bool:
        """Whether a background store is open in the process."""
        return len(self._background_open) > 0

    @contextlib.contextmanager
    def first(self) -> Iterator[None]:
        """Around a foreground write transaction, from before ``BEGIN`` to its end."""
        me = threading.get_ident()
        with self._changed:
            self._foreground[me] = self._foreground.get(me, 0) + 1
        try:
            yield
        finally:
            with self._changed:
                self._foreground[me] -= 1
                if not self._foreground[me]:
                    del self._foreground[me]
                self._changed.notify_all()

    def wait_turn(self) -> None:
        """Before a background write transaction: return once no foreground write (of
        another thread: one of this thread's own would never end) waits or runs."""
        me = threading.get_ident()

        def clear() -> bool:
            return not (self._foreground.keys() - {me})

        with self._changed:
            if clear():
                return
            self.waiting += 1
            self._changed.notify_all()
            try:
                self._changed.wait_for(clear)
            finally:
                self.waiting -= 1
                self._changed.notify_all()

    def wait_for_waiters(self, n: int, timeout: float | None = None) -> bool:
        """Until ``n`` background writers wait for their turn (for tests and benches)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.waiting >= n, timeout)


#: The process's one :class:`Precedence`.
PRECEDENCE = Precedence()


class StoreBase:
    """The open connection (``conn``) on the project at ``path``, and the transactions
    every write goes through (:meth:`write`, :meth:`bulk`). ``background``: this
    store's writes give way to foreground ones in the process (:class:`Precedence`)."""

    path: Path
    conn: sqlite3.Connection
    readonly: bool
    background: bool = False
    #: (st_dev, st_ino) of the project file when the store opened it (``None``: not
    #: known yet, a file being created): :meth:`write` compares the path's with it.
    identity: tuple[int, int] | None = None

    def close(self) -> None:
        if self.background:
            PRECEDENCE.closed(self)
        if not self.readonly and self.identity is not None \
                and _file_key(self.path) != self.identity:
            self._empty_moved_wal()
        _close(self.conn)

    def _empty_moved_wal(self) -> None:
        """The file was replaced under us: SQLite leaves this connection's -wal behind
        (the database "has moved"), and the file now at the path would read its frames
        as its own when next opened (measured: a decision made before the replace
        showed up in the new file). Move them into our unlinked file, empty the log."""
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the store's connection, imported on first use: it imports
        numpy, which would double the start-up of a command like ``annotator list``."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @property
    def schema_version(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0])

    @contextlib.contextmanager
    def write(self, wait_ms: int | None = None) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``); nested calls join the outer one.
        Raises :class:`ReadOnlyError` at once on a read-only project. ``wait_ms``: how
        long to wait for another writer (default: the busy timeout, 10 s)."""
        if self.readonly:
            raise ReadOnlyError(f"{self.path}: the project is read-only (opened for "
                                "reading, or the file, folder or disk is read-only)")
        if self.conn.in_transaction:
            self.conn.execute("SAVEPOINT nested")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK TO nested")
                self.conn.execute("RELEASE nested")
                raise
            self.conn.execute("RELEASE nested")
            return
        if self.background:
            PRECEDENCE.wait_turn()
            turn: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
        else:
            turn = PRECEDENCE.first()
            # With a background writer open, it checkpoints the log it fills: a
            # decision's commit never copies thousands of its pages and syncs the file.
            self.conn.execute("PRAGMA wal_autocheckpoint = "
                              f"{0 if PRECEDENCE.background_open else 1000}")
        with turn:
            yield from self._transaction(wait_ms)

    def _transaction(self, wait_ms: int | None) -> Iterator[sqlite3.Connection]:
        if wait_ms is None:
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            finally:
                self.conn.execute(f"PRAGMA busy_timeout = {files.BUSY_TIMEOUT_MS}")
        try:
            self._check_identity()
            yield self.conn
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, ReplacedError):
                self._empty_moved_wal()
            raise
        self.conn.execute("COMMIT")

    def _check_identity(self) -> None:
        """Refuse (:class:`ReplacedError`) a write when the path no longer names the file
        this store opened: another program renamed a file over it (``split --force``
        did) or deleted it, and the connection's writes would go into an unlinked file
        (measured before: 3 decisions accepted, none in the new file). One ``stat`` per
        transaction, under the write lock."""
        key = _file_key(self.path)
        if self.identity is None:
            self.identity = key
            return
        if key != self.identity:
            what = "deleted" if key is None else "replaced by another file"
            raise ReplacedError(
                f"{self.path}: the project file was {what} since it was opened (by another "
                "program); nothing was saved to it. Open the project again to work on the "
                "file that is there now")

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """Around one large write transaction (an import): when no other connection has
        the project open, switch it from WAL to the rollback journal for the duration,
        which writes each new page once where WAL writes it twice (to the log, then at
        the checkpoint): a 100,000-document import takes 30% less time. Atomicity and
        crash safety are the same in both modes. With another window or process on the
        project the switch is refused at once and the transaction runs in WAL as usual."""
        switched = False
        if not self.conn.in_transaction:
            self.conn.execute("PRAGMA busy_timeout = 0")
            try:
                mode = self.conn.execute("PRAGMA main.journal_mode = DELETE").fetchone()[0]
                switched = str(mode).lower() == "delete"
            except sqlite3.OperationalError:  # another connection: stay in WAL
                switched = False
            finally:
                self.conn.execute(f"PRAGMA busy_timeout = {files.BUSY_TIMEOUT_MS}")
        try:
            yield
        finally:
            if switched:
                _set_wal(self.conn)

    def has_annotation_sets(self) -> bool:
        """Whether annotators' sets were merged into the project (a team project)."""
        return self.conn.execute("SELECT 1 FROM annotation_sets LIMIT 1").fetchone() \
            is not None
