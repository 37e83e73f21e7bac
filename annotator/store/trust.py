"""Files from others are checked before they are trusted.

Teams exchange project files (split, merge, review), so a project file may come from
anyone. SQLite's guidance for files from untrusted sources ("Defense Against The Dark
Arts") is followed:

- every connection runs with ``trusted_schema=OFF`` (and ``SQLITE_DBCONFIG_DEFENSIVE``
  where Python offers it; see :func:`~.files.harden`);
- the schema is ours or the file is refused (:func:`check_schema`): the tables, indexes,
  triggers and views of ``sqlite_master``, by name and SQL (whitespace normalised),
  against the schema this version creates, or the one of the file's own older version
  (it is migrated afterwards). A trigger, a view in place of a table, an extra table or
  index, a changed column: each is named in the refusal, before anything is read into
  the project or written to it;
- the file's header: a page size or text encoding we don't make, and a page count the
  file cannot hold (:func:`check_header`);
- before a merge, ``PRAGMA quick_check`` (:func:`quick_check`) and the caps on text per
  document and spans per document (:func:`check_limits`).

The expected schema is made once per process and version, in memory, by the same code
that creates and migrates projects (:func:`expected_schema`); that of the current version
is also recorded (:func:`recorded_schema`), so that a project as this version makes it is
checked without building anything: reading ``sqlite_master`` (some 40 rows) and comparing
costs well under a millisecond, so it runs at every open.
"""

from __future__ import annotations

import functools
import os
import sqlite3

from .files import StoreError, describe_sqlite_error
from .schema import _SCHEMA_V1, SCHEMA_STEPS, SCHEMA_VERSION

#: (type, table it belongs to, SQL with whitespace normalised; None for autoindexes)
SchemaObject = tuple[str, str, str | None]

#: Defaults of the caps; each is raised by its environment variable.
MAX_TEXT_CHARS = 100_000_000
MAX_SPANS_PER_DOCUMENT = 100_000
#: The page size SQLite gives a new file (CPython's bundled and the common system
#: libraries: 4096). Others are refused unless listed in ANNOTATOR_PAGE_SIZES.
DEFAULT_PAGE_SIZE = 4096
ENCODINGS = {1: "UTF-8", 2: "UTF-16le", 3: "UTF-16be"}


def _env_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def max_text_chars() -> int:
    """The longest document text imported or merged (``ANNOTATOR_MAX_TEXT_CHARS``)."""
    return _env_int("ANNOTATOR_MAX_TEXT_CHARS", MAX_TEXT_CHARS)


def max_spans_per_document() -> int:
    """The most spans a merged file may hold in one document
    (``ANNOTATOR_MAX_SPANS_PER_DOCUMENT``)."""
    return _env_int("ANNOTATOR_MAX_SPANS_PER_DOCUMENT", MAX_SPANS_PER_DOCUMENT)


def page_sizes() -> set[int]:
    """The page sizes a project may have: ours, and those in ``ANNOTATOR_PAGE_SIZES``
    (comma-separated bytes)."""
    sizes = {DEFAULT_PAGE_SIZE}
    for word in os.environ.get("ANNOTATOR_PAGE_SIZES", "").split(","):
        if word.strip().isdigit():
            sizes.add(int(word))
    return sizes


# --- the schema ----------------------------------------------------------------------


def _normalise(sql: str | None) -> str | None:
    return None if sql is None else " ".join(sql.split())


@functools.cache
def expected_schema(version: int = SCHEMA_VERSION) -> dict[str, SchemaObject]:
    """The schema objects of a project at ``version`` as this code makes it (a new one,
    or an older one migrated), by lower-case name: built in memory by the same SQL."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute("BEGIN")
        for statement in _SCHEMA_V1.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        for v in range(1, version):
            SCHEMA_STEPS[v](conn)
        conn.execute("COMMIT")
        return read_schema(conn)
    finally:
        conn.close()


def recorded_schema() -> dict[str, SchemaObject] | None:
    """The schema objects of the current version as recorded in
    :mod:`.schema_objects` (``python -m tools.gen_schema``), or None if that file is of
    another version. Equal to ``expected_schema(SCHEMA_VERSION)`` (a test keeps them
    so); comparing with them spares a command building the schema in memory, some
    20 million instructions, a fifth of a quick command's own work (issue 28 §3). A
    file that does not match them is compared with the schema built in memory."""
    from .schema_objects import SCHEMA_OBJECTS, VERSION

    return SCHEMA_OBJECTS if VERSION == SCHEMA_VERSION else None


def read_schema(conn: sqlite3.Connection, schema: str = "main") -> dict[str, SchemaObject]:
    """A database's schema objects by lower-case name (``schema``: main or an attached
    database's checked alias)."""
    return {str(name).lower(): (str(kind), str(table), _normalise(sql))
            for kind, name, table, sql in conn.execute(
                f"SELECT type, name, tbl_name, sql FROM {schema}.sqlite_master")}


def _short(sql: str | None, width: int = 90) -> str:
    text = sql or ""
    return text if len(text) <= width else text[:width - 1] + "…"


def schema_differences(found: dict[str, SchemaObject],
                       expected: dict[str, SchemaObject]) -> list[str]:
    """What ``found`` has that ``expected`` lacks or holds otherwise, one phrase each,
    what cannot be ours first (triggers, views, extra objects)."""
    foreign, changed, missing = [], [], []
    for name, (kind, table, sql) in found.items():
        want = expected.get(name)
        on = f" on {table}" if kind in ("index", "trigger") else ""
        if want is None:
            foreign.append(f"an extra {kind} {name}{on}" + (f": {_short(sql)}" if sql else ""))
        elif want[0] != kind:
            foreign.append(f"a {kind} {name} in place of the {want[0]}: {_short(sql)}")
        elif want[2] != sql:
            changed.append(f"{kind} {name} is not as Annotator makes it: {_short(sql)}")
    for name, (kind, _table, _sql) in expected.items():
        if name not in found:
            missing.append(f"no {kind} {name}")
    order = {"trigger": 0, "view": 1}
    foreign.sort(key=lambda d: order.get(d.split()[1], 2))
    return foreign + changed + missing


def matching_version(found: dict[str, SchemaObject]) -> int | None:
    """The schema version whose objects ``found`` holds exactly, if any."""
    for version in range(SCHEMA_VERSION, 0, -1):
        if found == expected_schema(version):
            return version
    return None


def describe_schema(conn: sqlite3.Connection, version: int, schema: str = "main"
                    ) -> list[str]:
    """Why the schema of a file that says it is at ``version`` is not ours (empty when
    it is)."""
    found = read_schema(conn, schema)
    if version > SCHEMA_VERSION:
        return []  # a newer Annotator's: refused for that, with its own message
    if version == SCHEMA_VERSION and found == recorded_schema():
        return []  # as this version makes it: nothing to build (a command's start-up)
    differences = schema_differences(found, expected_schema(version))
    if differences:
        actual = matching_version(found)
        if actual is not None:
            differences.insert(0, f"it says schema {version} but holds the tables of "
                                  f"schema {actual}")
    return differences


def check_schema(conn: sqlite3.Connection, path: StrPath, version: int,
                 schema: str = "main") -> None:
    """Refuse (:class:`StoreError`) a file whose schema is not the one this version makes
    for ``version``; the message names what was found."""
    try:
        differences = describe_schema(conn, version, schema)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: unreadable Annotator project "
                         f"({describe_sqlite_error(exc, path)}); not changed") from exc
    if differences:
        raise StoreError(refusal(path, differences))


def refusal(path: StrPath, differences: list[str]) -> str:
    if differences[0].startswith("it says schema"):
        differences = differences[:1]  # a version lie: the rest follows from it
    shown = "; ".join(differences[:3])
    more = f" and {len(differences) - 3} more" if len(differences) > 3 else ""
    return (f"{path}: refused: not an Annotator project as Annotator makes it ({shown}"
            f"{more}); nothing was read from it or written to it ({doctor_hint(path)} "
            "lists every difference)")


def doctor_hint(path: StrPath) -> str:
    """The command that checks ``path``, quoted for a shell, in backquotes."""
    import shlex

    return f"`annotator doctor {shlex.quote(str(path))}`"


# --- the header ----------------------------------------------------------------------


TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    from .files import StrPath

    class _HeaderFields(NamedTuple):
        page_size: int
        encoding: int
        pages: int  # the in-header database size, valid when ``size_valid``
        size_valid: bool
else:  # the same named tuple without importing typing (16 M instructions at each start)
    from collections import namedtuple

    _HeaderFields = namedtuple("_HeaderFields", ["page_size", "encoding", "pages",
                                                 "size_valid"])


class Header(_HeaderFields):
    """What the first 100 bytes of an SQLite file say (https://sqlite.org/fileformat.html):
    ``page_size``, ``encoding``, ``pages`` (the in-header database size, valid when
    ``size_valid``), ``size_valid``. A named tuple, not a frozen dataclass: every command
    reads a header, and making that class cost 3 million instructions at each start."""

    __slots__ = ()

    @classmethod
    def parse(cls, data: bytes) -> Header | None:
        if len(data) < 100 or not data.startswith(b"SQLite format 3\0"):
            return None
        page_size = int.from_bytes(data[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = int.from_bytes(data[28:32], "big")
        valid = data[24:28] == data[92:96] and pages > 0
        return cls(page_size, int.from_bytes(data[56:60], "big"), pages, valid)


def header_problems(header: Header, path: StrPath) -> list[str]:
    """What in a file's header Annotator does not make or the file cannot hold."""
    problems = []
    if header.page_size not in page_sizes():
        problems.append(
            f"a page size of {header.page_size} bytes (Annotator makes "
            f"{DEFAULT_PAGE_SIZE}; ANNOTATOR_PAGE_SIZES={header.page_size} allows it)")
    if header.encoding not in (0, 1):
        problems.append(f"text encoded as {ENCODINGS.get(header.encoding, header.encoding)}"
                        " (Annotator makes UTF-8)")
    journal = f"{path}-journal"
    # A hot rollback journal (a bulk import killed midway) means the file is between two
    # states, its header possibly ahead of its pages: SQLite rolls it back on open.
    hot = os.path.exists(journal) and os.stat(journal).st_size > 0
    if header.size_valid and not hot:
        try:
            held = os.stat(path).st_size
            wal = f"{path}-wal"
            held += os.stat(wal).st_size if os.path.exists(wal) else 0
        except OSError:
            held = None
        claimed = header.pages * header.page_size
        if held is not None and claimed > held + header.page_size:
            problems.append(
                f"a header that claims {header.pages:,} pages ({claimed / 1e6:,.1f} MB) "
                f"in a file of {held / 1e6:,.1f} MB")
    return problems


def check_header(header: Header | None, path: StrPath) -> None:
    """Refuse a file whose header Annotator does not make (see :func:`header_problems`)."""
    if header is None:
        return
    problems = header_problems(header, path)
    if problems:
        raise StoreError(f"{path}: refused: {'; '.join(problems)}; nothing was read from "
                         "it or written to it")


# --- before a merge ------------------------------------------------------------------


def quick_check(conn: sqlite3.Connection, schema: str = "main", limit: int = 5
                ) -> list[str]:
    """SQLite's ``quick_check`` of a database: its first ``limit`` problems (empty when
    it is sound). A damaged file that SQLite cannot even walk is one problem."""
    try:
        rows = [str(r[0]) for r in conn.execute(f"PRAGMA {schema}.quick_check({int(limit)})")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def check_limits(conn: sqlite3.Connection, schema: str = "main") -> list[str]:
    """The caps against files made to exhaust the machine: text per document and spans
    per document; one phrase per cap exceeded, naming the first document over it."""
    problems = []
    cap = max_text_chars()
    row = conn.execute(f"SELECT id, length(text) FROM {schema}.documents WHERE"
                       " length(text) > ? LIMIT 1", (cap,)).fetchone()
    if row is not None:
        problems.append(f"document {row[0]} has {row[1]:,} characters, over the cap of "
                        f"{cap:,} (ANNOTATOR_MAX_TEXT_CHARS raises it)")
    cap = max_spans_per_document()
    row = conn.execute(f"SELECT doc_id, count(*) FROM {schema}.spans GROUP BY doc_id"
                       " HAVING count(*) > ? LIMIT 1", (cap,)).fetchone()
    if row is not None:
        problems.append(f"document {row[0]} has {row[1]:,} spans, over the cap of {cap:,}"
                        " (ANNOTATOR_MAX_SPANS_PER_DOCUMENT raises it)")
    return problems
