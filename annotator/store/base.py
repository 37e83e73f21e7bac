"""What every part of the store shares: the connection and its transactions."""

from __future__ import annotations

import _thread
import contextlib
import functools
import sqlite3
import time
from collections.abc import Callable, Iterator

from ..errors import ReadOnlyError, ReplacedError
from . import files
from .files import _close, _file_key, _set_wal

TYPE_CHECKING = False  # typing is not imported at run time: see annotator/model.py
if TYPE_CHECKING:
    import threading
    import weakref
    from pathlib import Path
    from typing import Any, Self

    import sqlite_utils


class Precedence:
    """Within one process, a person's writes go before background ones.

    A store opened with ``background=True`` (the window's suggester, its tasks) waits,
    before each of its write transactions, while a write of a foreground store (the
    window's decisions) waits for the lock or holds it. With the background work cut
    into short transactions, a decision then waits at most for the one transaction
    already running, never for a queue of them: on this object, woken the moment it
    commits (SQLite's own busy handler would sleep 1, 2, 5, 10, 15, 20 ms... between
    tries, adding up to 30 ms to a wait of 20). Other processes are not affected,
    except those that :meth:`share` a counter: the window and its suggesting process
    (:mod:`annotator.suggest.service`)."""

    def __init__(self) -> None:
        # threading and weakref are imported at the first write, or the first background
        # store: a command that only reads never needs them (3 ms of its start-up)
        self._making = _thread.allocate_lock()
        self._condition: threading.Condition | None = None
        self._foreground: dict[int, int] = {}  # thread id -> its foreground writes
        self.waiting = 0  # background writers waiting for their turn
        self._running: dict[int, int] = {}  # thread id -> background transactions open
        self.foreground_waiting = 0  # foreground writes waiting for one of those
        self._background_open: weakref.WeakSet[object] | None = None
        self._shared: Any = None  # a multiprocessing.Value("i"): see share()

    @property
    def _changed(self) -> threading.Condition:
        """The condition every count here is read and changed under (made on first use)."""
        condition = self._condition
        if condition is None:
            with self._making:
                if self._condition is None:
                    import threading

                    self._condition = threading.Condition()
                condition = self._condition
        return condition

    def share(self, counter: Any) -> None:
        """Across processes: ``counter`` (a ``multiprocessing.Value("i")`` made by the
        window and handed to its suggesting process) counts the foreground writes that
        wait or run in the processes sharing it. A background transaction of any of
        them waits for it to be 0 before it begins, and ends after the row it is
        writing when it is not (:meth:`StoreBase.should_yield`): a decision of the
        window waits for one short transaction at most, as within one process. In the
        window, a background writer then counts as open (it checkpoints the log)."""
        self._shared = counter

    @property
    def shared(self) -> Any:
        """The counter shared with other processes (:meth:`share`), or ``None``."""
        return self._shared

    @property
    def shared_waiting(self) -> bool:
        """Whether a foreground write of a process sharing the counter waits or runs."""
        return self._shared is not None and self._shared.value > 0

    def _count_shared(self, step: int) -> None:
        if self._shared is not None:
            with self._shared.get_lock():
                self._shared.value += step

    def opened(self, store: object) -> None:
        """A background store opened (until it is closed or collected)."""
        with self._changed:
            if self._background_open is None:
                import weakref

                self._background_open = weakref.WeakSet()
            self._background_open.add(store)

    def closed(self, store: object) -> None:
        with self._changed:
            if self._background_open is not None:
                self._background_open.discard(store)

    @property
    def background_open(self) -> bool:
        """Whether a background store is open in the process (or in a process sharing
        its counter)."""
        return bool(self._background_open) or self._shared is not None

    @contextlib.contextmanager
    def first(self, wait_s: float | None = None) -> Iterator[None]:
        """Around a foreground write transaction, from before ``BEGIN`` to its end: no
        background transaction starts meanwhile, and one running (of another thread)
        is waited for here, at most ``wait_s`` seconds (then SQLite's busy wait)."""
        me = _thread.get_ident()
        self._count_shared(1)
        with self._changed:
            self._foreground[me] = self._foreground.get(me, 0) + 1
            self.foreground_waiting += 1
            self._changed.notify_all()
            try:
                self._changed.wait_for(lambda: not (self._running.keys() - {me}), wait_s)
            finally:
                self.foreground_waiting -= 1
        try:
            yield
        finally:
            self._count_shared(-1)
            with self._changed:
                self._foreground[me] -= 1
                if not self._foreground[me]:
                    del self._foreground[me]
                self._changed.notify_all()

    def wait_turn(self) -> None:
        """Before a background write transaction: return once no foreground write (of
        another thread: one of this thread's own would never end) waits or runs."""
        self._wait_turn(_thread.get_ident())

    def _wait_turn(self, me: int) -> None:
        """:meth:`wait_turn`, with the condition's lock held."""

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

    @contextlib.contextmanager
    def background_turn(self) -> Iterator[None]:
        """Around a background write transaction: waits its turn (:meth:`wait_turn`),
        then counts as running until its end (a foreground write waits for that)."""
        me = _thread.get_ident()
        while self.shared_waiting:  # a decision of the window (another process)
            time.sleep(0.0005)
        with self._changed:  # the turn and the count at once: no decision between
            self._wait_turn(me)
            self._running[me] = self._running.get(me, 0) + 1
        try:
            yield
        finally:
            with self._changed:
                self._running[me] -= 1
                if not self._running[me]:
                    del self._running[me]
                self._changed.notify_all()

    def wait_for_waiters(self, n: int, timeout: float | None = None) -> bool:
        """Until ``n`` background writers wait for their turn (for tests and benches)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.waiting >= n, timeout)

    def wait_for_foreground(self, n: int, timeout: float | None = None) -> bool:
        """Until ``n`` foreground writes wait for a background transaction (for tests)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.foreground_waiting >= n, timeout)


#: The process's one :class:`Precedence`.
PRECEDENCE = Precedence()


class StoreBase:
    """The open connection (``conn``) on the project at ``path``, and the transactions
    every write goes through (:meth:`write`, :meth:`bulk`). ``background``: this
    store's writes give way to foreground ones in the process (:class:`Precedence`)."""

    #: The project's file name, as ``str(self.path)``: what the store's own code and
    #: messages use (pathlib is not imported to open a project; see :attr:`path`).
    _file: str
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
                and _file_key(self._file) != self.identity:
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
    def path(self) -> Path:
        """The project file (pathlib is imported here, on first use: it was 8 ms of a
        quick command's start-up)."""
        from pathlib import Path

        return Path(self._file)

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the store's connection, imported on first use: it imports
        numpy, which would double the start-up of a command like ``annotator list``."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` on this connection: a number that changes
        when another connection (another process: the CLI, another window; or this
        process's background stores) commits to the project, and never for this
        connection's own commits. Cheap enough to poll (no table is read)."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

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
            raise ReadOnlyError(f"{self._file}: the project is read-only (opened for "
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
        turn: contextlib.AbstractContextManager[None]
        if self.background:
            turn = PRECEDENCE.background_turn()
        else:
            wait_s = (files.BUSY_TIMEOUT_MS if wait_ms is None else wait_ms) / 1000
            turn = PRECEDENCE.first(wait_s)
            # With a background writer open, it checkpoints the log it fills: a
            # decision's commit never copies thousands of its pages and syncs the file.
            self.conn.execute("PRAGMA wal_autocheckpoint = "
                              f"{0 if PRECEDENCE.background_open else 1000}")
        with contextlib.ExitStack() as stack:
            stack.enter_context(turn)
            # A background transaction stops counting as running before its COMMIT: the
            # WAL checkpoint that a commit may run (this store does them while it is
            # open) took 250 ms once, without the write lock, and a decision waited
            # for it on PRECEDENCE.
            yield from self._transaction(wait_ms, stack.close if self.background else None)

    def _transaction(self, wait_ms: int | None,
                     before_commit: Callable[[], None] | None = None
                     ) -> Iterator[sqlite3.Connection]:
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
        if before_commit is not None:
            before_commit()
        self.conn.execute("COMMIT")

    def _check_identity(self) -> None:
        """Refuse (:class:`ReplacedError`) a write when the path no longer names the file
        this store opened: another program renamed a file over it (``split --force``
        did) or deleted it, and the connection's writes would go into an unlinked file
        (measured before: 3 decisions accepted, none in the new file). One ``stat`` per
        transaction, under the write lock."""
        key = _file_key(self._file)
        if self.identity is None:
            self.identity = key
            return
        if key != self.identity:
            what = "deleted" if key is None else "replaced by another file"
            raise ReplacedError(
                f"{self._file}: the project file was {what} since it was opened (by another "
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

    def wait_turn(self) -> None:
        """A background store: return once no foreground write of the process waits or
        runs (:meth:`Precedence.wait_turn`); at once for a foreground store."""
        if self.background:
            PRECEDENCE.wait_turn()

    def should_yield(self) -> bool:
        """Whether a background store's transaction should end now (after the row it
        is writing): a foreground write of the process waits for it."""
        return self.background and (PRECEDENCE.foreground_waiting > 0
                                    or PRECEDENCE.shared_waiting)

    def has_annotation_sets(self) -> bool:
        """Whether annotators' sets were merged into the project (a team project)."""
        return self.conn.execute("SELECT 1 FROM annotation_sets LIMIT 1").fetchone() \
            is not None
