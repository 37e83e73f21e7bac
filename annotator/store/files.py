"""Opening the project file, and saying in words what went wrong with it.

The one place that connects to a project file (see the note on POSIX locks below)."""

from __future__ import annotations

import _thread
import contextlib
import errno
import functools
import os
import sqlite3
import sys
import time
from collections import Counter

from .. import testhook
from ..errors import ReadOnlyError as ReadOnlyError
from ..errors import ReplacedError as ReplacedError
from ..errors import StoreError as StoreError
from .schema import APPLICATION_ID

TYPE_CHECKING = False  # typing is not imported at run time: see annotator/model.py
if TYPE_CHECKING:
    from pathlib import Path

    StrPath = str | os.PathLike[str]

BUSY_TIMEOUT_MS = 10_000


def path_text(path: StrPath) -> str:
    """``path`` spelled as ``str(pathlib.Path(path))`` spells it (no ``.`` parts, no
    repeated or trailing ``/``), importing pathlib only where a name is not so spelled
    already: pathlib (with urllib.parse and ipaddress) was 8 ms of a quick command's
    start-up (issue 28 §3)."""
    text = os.fspath(path)
    parts = text.split("/")
    if os.sep == "/" and (text == "." or (text and "" not in parts[1:] and "." not in parts)):
        return text  # (on Windows, pathlib also turns "/" into "\\")
    from pathlib import Path

    return str(Path(text))


def _parent(path: StrPath) -> str:
    """The folder of ``path`` (``.`` for a bare name), as ``Path.parent`` gives it."""
    return os.path.dirname(path_text(path)) or "."


# --- helpers --------------------------------------------------------------------------


def _set_wal(conn: sqlite3.Connection) -> None:
    """``PRAGMA journal_mode = WAL``, waiting like the busy timeout would: switching a new
    file to WAL needs an exclusive lock and SQLite does not call the busy handler for it,
    so a second window opening a project being created failed with "database is locked"."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            # main: an attached project (Store.attach) keeps its own mode
            conn.execute("PRAGMA main.journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _backup(conn: sqlite3.Connection, path: StrPath, version: int) -> Path:
    """Copy a project aside (consistently, WAL included) before migrating it, through
    its own connection (no second descriptor on the project, see _connect)."""
    from pathlib import Path

    project = Path(path)
    backup = project.with_name(f"{project.name}.v{version}.bak")
    dst = sqlite3.connect(backup)
    harden(dst)
    try:
        conn.backup(dst)
    finally:
        dst.close()
    return backup


# --- opening the file ----------------------------------------------------------------
#
# POSIX advisory locks belong to the process: closing *any* descriptor of the project file
# drops every lock the process holds on it, those of other open connections included.
# Another process then believes it is the last user, deletes the -wal file, and every
# later commit of this process goes into a deleted file (measured before this rule: 74 of
# 248 decisions lost). So the project file is opened only through SQLite connections:
# SQLite tracks its own descriptors per file and defers closing one while another
# connection of the process holds a lock. Nothing here calls open() on the project, its
# -wal, -shm or -journal while a connection of this process has it open (read_header
# reads the header only before); paths are only stat()ed.

# Normal (locking) connections of this process, by (device, inode): an immutable one
# must not be opened beside them (see _connect). _KEYS: connection id -> its file.
_LOCKING: Counter[tuple[int, int] | None] = Counter()
_KEYS: dict[int, tuple[int, int]] = {}
# Projects attached to a store's connection (Store.attach): (connection id, alias) -> file.
_ATTACHED: dict[tuple[int, str], tuple[int, int] | None] = {}
# Held while a connection is made and counted, and while read_header reads: a header
# read never overlaps the start of another thread's connection to the same file.
_OPENING = _thread.allocate_lock()  # threading.Lock, without importing threading


@functools.cache
def _attach_uri() -> bool:
    """Whether this SQLite reads a URI in ATTACH (it does when built with USE_URI)."""
    conn = sqlite3.connect(":memory:")
    try:
        return any(row[0] == "USE_URI" for row in conn.execute("PRAGMA compile_options"))
    finally:
        conn.close()


def _file_key(path: StrPath) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _connect(path: StrPath, readonly: bool) -> sqlite3.Connection:
    """The store's connection. Writable projects, even opened for reading, get a normal
    connection (``query_only`` when reading): it removes the -wal and -shm files when it
    closes last, where a ``mode=ro`` one leaves them behind with the project's mode (a
    0444 -shm keeps a project read-only after ``chmod 644``).

    A project that cannot be written is read with ``mode=ro`` while its -wal exists, and
    otherwise as immutable: the only way SQLite reads a WAL-mode file whose -shm it may
    not create (a read-only folder or mount). With no -wal file every commit is in the
    file itself. An immutable connection takes no locks and its close() closes its
    descriptor at once, dropping the process's other locks on the file; so it is used
    only when no locking connection of this process has the file open (``_LOCKING``),
    and never for a project this process could write."""
    with _OPENING:
        return _connect_counted(path, readonly)


def _connect_counted(path: StrPath, readonly: bool) -> sqlite3.Connection:
    immutable = False
    if readonly and not _writable(path):
        immutable = not os.path.exists(f"{path}-wal") and not _LOCKING[_file_key(path)]
        query = "mode=ro&immutable=1" if immutable else "mode=ro"
        conn = sqlite3.connect(_uri(path, query), uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None, check_same_thread=False)
    harden(conn)
    testhook.watch(conn)  # TEST-ONLY: nothing unless ANNOTATOR_TEST_STOP_AT is set
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    if not immutable:
        key = _file_key(path)
        if key is not None:
            _LOCKING[key] += 1
            _KEYS[id(conn)] = key
    return conn


#: Whether this Python can switch on SQLite's defensive mode (``Connection.setconfig``,
#: Python 3.12+). On 3.11 it cannot: a file's SQL could still write to FTS shadow tables
#: or use ``PRAGMA writable_schema`` through our connection, which no SQL of ours does;
#: the schema check (:mod:`.trust`) refuses a file with SQL of its own (triggers, views).
DEFENSIVE = hasattr(sqlite3.Connection, "setconfig") \
    and hasattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE")


def harden(conn: sqlite3.Connection) -> None:
    """What every connection of the project runs first (SQLite's "Defense Against The
    Dark Arts"): ``trusted_schema=OFF``, so SQL stored in a file (a view, a trigger, an
    index or CHECK expression) cannot call functions with side effects or use virtual
    tables; and, on Python 3.12+, ``SQLITE_DBCONFIG_DEFENSIVE``, which refuses SQL that
    could corrupt the file on purpose (``writable_schema``, writes to shadow tables,
    ``journal_mode=OFF``)."""
    conn.execute("PRAGMA trusted_schema = OFF")
    if sys.version_info >= (3, 12) and DEFENSIVE:
        conn.setconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE, True)


def read_header(path: StrPath) -> bytes | None:
    """The first 100 bytes of an SQLite file (page size, encoding, page count), read
    before SQLite opens it; ``None`` while a connection of this process has the file
    open: closing our descriptor would drop that connection's POSIX locks (see above).
    That is the state in which the file was checked already, by the first opening."""
    with _OPENING:  # no connection of this process is made meanwhile (_connect)
        if _LOCKING[_file_key(path)]:
            return None
        try:
            with open(path, "rb") as fh:  # lock-safe: no connection of ours has it open
                return fh.read(100)
        except OSError:
            return None


def _close(conn: sqlite3.Connection) -> None:
    """Close a connection made by :func:`_connect` and forget its lock count."""
    key = _KEYS.pop(id(conn), None)
    conn.close()
    if key is not None:
        _LOCKING[key] -= 1
        if _LOCKING[key] <= 0:
            del _LOCKING[key]


def readonly_reason(path: StrPath) -> str | None:
    """Why this process cannot write the project (``None`` if it can)."""
    if not os.access(path, os.W_OK):
        with contextlib.suppress(OSError):
            if os.statvfs(path).f_flag & os.ST_RDONLY:
                return "the disk is mounted read-only"
        return "the file is read-only"
    if not os.access(_parent(path), os.W_OK):
        return "its folder is read-only"
    for suffix in ("-wal", "-shm"):
        side = f"{path}{suffix}"
        if os.path.exists(side) and not os.access(side, os.W_OK):
            return (f"{os.path.basename(side)} is read-only (delete it when no program "
                    "has the project open)")
    return None


def _writable(path: StrPath) -> bool:
    return readonly_reason(path) is None


def _remove_empty(path: StrPath) -> None:
    """After a failed creation: remove the project file if it is still empty (a 0-byte
    file left on a full disk would look like a project), unless another program is
    making it at the same moment (it has a journal beside it)."""
    with contextlib.suppress(OSError):
        if os.stat(path).st_size == 0 and not os.path.exists(f"{path}-wal") \
                and not os.path.exists(f"{path}-journal"):
            os.unlink(path)


def _check_is_ours(conn: sqlite3.Connection, path: StrPath, schema: str = "main") -> int:
    """The schema version of an Annotator project, read through the store's own
    connection (no second descriptor; see above); refuses, without writing, anything
    else. A rollback journal left by a killed bulk import is rolled back, as SQLite does
    on the first read. ``schema``: an attached database instead of the main one."""
    try:
        app_id = conn.execute(f"PRAGMA {schema}.application_id").fetchone()[0]
        tables = {r[0] for r in conn.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type='table'")}
        if not tables and app_id == 0:
            return 0  # an empty database: our own creation, cut short before its commit
        if app_id != APPLICATION_ID and not {"meta", "documents", "spans"} <= tables:
            raise StoreError(f"{path}: an SQLite file, but not an Annotator project; "
                             "not changed")
        row = conn.execute(
            f"SELECT value FROM {schema}.meta WHERE key = 'schema_version'").fetchone()
        return int(row[0])
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise StoreError(f"{path}: not an SQLite database, so not an Annotator "
                             "project") from exc
        if _is_busy(exc):
            raise StoreError(describe_busy(path, exc)) from exc
        if _disk_full(path):
            raise StoreError(f"{path}: cannot be opened: the disk is full (SQLite needs a "
                             "little room beside the project even to read it)") from exc
        raise StoreError(f"{path}: unreadable Annotator project "
                         f"({describe_sqlite_error(exc, path)}); not changed") from exc
    except (TypeError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable Annotator project ({exc}); not changed") from exc


# --- telling what went wrong ---------------------------------------------------------


def _is_busy(exc: BaseException) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def storage_reason(exc: BaseException, path: StrPath | None = None) -> str | None:
    """A short reason for an SQLite or OS failure of the storage (``None`` for one that is
    not the storage's fault, i.e. a bug). With the project's ``path``, an I/O error on a
    disk with no space left is called what it is: SQLite reports a -shm it could not
    create as "disk I/O error"."""
    message = str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "full" in message:
        return "the disk is full"
    if "disk I/O" in message and path is not None and _disk_full(path):
        return "the disk is full"
    if "readonly" in message or "read-only" in message:
        return "the project is read-only"
    if _is_busy(exc):
        return ("the project is busy: another window or program is writing to it; "
                "try again in a moment")
    if "malformed" in message or "corrupt" in message:
        return f"the file is damaged ({message}; `annotator doctor` on it says where)"
    if "disk I/O" in message:
        return ("the disk reported an I/O error (a removable or network drive gone, or "
                "the project's -wal file deleted by another program)")
    if "unable to open" in message:
        return "the file cannot be opened (no permission, or its folder is gone)"
    if isinstance(exc, OSError):
        return _os_reason(exc)
    return None


def describe_sqlite_error(exc: BaseException, path: StrPath | None = None) -> str:
    return storage_reason(exc, path) or str(exc)


def _disk_full(path: StrPath) -> bool:
    try:
        st = os.statvfs(path if os.path.isdir(path) else _parent(path))
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"{exc.strerror or 'not allowed'}"
    return exc.strerror or str(exc)


def lock_holders(path: StrPath) -> list[str]:
    """Other processes holding a lock on ``path`` (Linux ``/proc/locks``), as
    ``"pid 123 (annotator import big.jsonl)"``; empty where that cannot be read."""
    key = _file_key(path)
    if key is None:
        return []
    dev, ino = key
    wanted = f"{os.major(dev):02x}:{os.minor(dev):02x}:{ino}"
    found: list[str] = []
    with contextlib.suppress(OSError):
        with open("/proc/locks", encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
        for line in lines:
            fields = line.split()
            # "1: POSIX  ADVISORY  WRITE 1234 fd:00:5678 0 EOF" (a "->" marks a waiter)
            if "->" in fields:
                continue
            if len(fields) >= 6 and fields[5] == wanted and fields[4].isdigit():
                pid = int(fields[4])
                if pid == os.getpid():
                    name = "this program (another of its windows or tasks)"
                    if name not in found:
                        found.append(name)
                    continue
                name = f"pid {pid}"
                with contextlib.suppress(OSError):
                    with open(f"/proc/{pid}/cmdline", "rb") as fh:
                        cmd = fh.read().split(b"\0")
                    words = [os.path.basename(w.decode(errors="replace")) if i == 0 else
                             w.decode(errors="replace") for i, w in enumerate(cmd) if w]
                    if words and words[0].startswith("python") and len(words) > 1:
                        words = words[1:]
                    name += f" ({' '.join(words)[:80]})"
                if name not in found:
                    found.append(name)
    return found


def describe_busy(path: StrPath, exc: BaseException | None = None) -> str:
    """The message for a project another process keeps locked, naming that process."""
    holders = lock_holders(path)
    who = ", ".join(holders) if holders else "another program (a large import?)"
    return (f"{path}: busy: {who} is writing to it and holds it locked; try again when "
            "it is done")


def _uri(path: StrPath, query: str) -> str:
    """An SQLite URI for ``path``: percent-encoded, so "#", "?" and "%" in a folder name
    do not cut the path short."""
    from pathlib import Path

    return f"{Path(path).resolve().as_uri()}?{query}"
