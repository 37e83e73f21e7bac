"""``annotator doctor``: what in a project file is not as Annotator makes it, and a
repaired copy on request.

The file is only read: its header, ``sqlite_master`` against the expected schema of its
version (:mod:`.trust`), ``PRAGMA quick_check`` and the caps. ``--repair`` writes a
copy without what is foreign (triggers, views, tables and indexes that are not ours),
with missing indexes made again and a schema version that lied set right; the original
stays as it was, so it is the backup. A damaged file, a changed table or a page size or
encoding we don't make is not repaired: the report says so.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import remove_project_files
from .files import StoreError, _check_is_ours, _close, _connect, harden, read_header
from .schema import SCHEMA_VERSION, recount
from .trust import (
    Header,
    check_limits,
    expected_schema,
    header_problems,
    matching_version,
    quick_check,
    read_schema,
    schema_differences,
)


@dataclass
class Report:
    """What :func:`examine` found: ``facts`` (version, pages, encoding), ``problems``
    (each one line), and what a repair would do or why it cannot."""

    path: Path
    facts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    version: int = 0
    actual_version: int | None = None  # the version whose schema the file holds exactly
    damaged: bool = False
    unrepairable: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        head = f"{self.path}: " + (", ".join(self.facts) or "unreadable")
        if self.ok:
            return f"{head}\n  ok: the schema is Annotator's, quick_check ok, within the caps"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


def examine(path: Path) -> Report:
    """Check ``path`` without writing to it (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
    report = Report(path)
    header = Header.parse(read_header(path) or b"")
    if header is None:
        report.problems.append("not an SQLite database")
        report.unrepairable.append("not an SQLite database")
        return report
    report.facts.append(f"{path.stat().st_size:,} bytes, pages of {header.page_size} bytes")
    for problem in header_problems(header, path):
        report.problems.append(f"header: {problem}")
        report.unrepairable.append(problem)
    conn = _connect(path, readonly=True)
    try:
        _examine_schema(conn, report)
    finally:
        _close(conn)
    return report


def _examine_schema(conn: sqlite3.Connection, report: Report) -> None:
    try:
        report.version = _check_is_ours(conn, report.path)
        found = read_schema(conn)
    except (StoreError, sqlite3.DatabaseError) as exc:
        report.damaged = True
        report.problems.append(f"unreadable: {str(exc).removeprefix(f'{report.path}: ')}")
        report.unrepairable.append("unreadable")
        return
    report.facts.insert(0, f"schema {report.version}")
    if report.version > SCHEMA_VERSION:
        report.problems.append(f"made by a newer Annotator (this one reads up to "
                               f"{SCHEMA_VERSION})")
        report.unrepairable.append("newer")
        return
    differences = schema_differences(found, expected_schema(report.version))
    if differences:
        report.actual_version = matching_version(found)
        if report.actual_version is not None:
            report.problems.append(f"it says schema {report.version} but holds the tables "
                                   f"of schema {report.actual_version}")
        else:
            report.problems += [f"schema: {d}" for d in differences]
            report.unrepairable += [f"table {name} is changed" for name in _changed_tables(
                found, expected_schema(report.version))]
    damage = quick_check(conn, limit=20)
    if damage:
        report.damaged = True
        report.problems += [f"damaged: {d}" for d in damage]
        report.unrepairable.append("damaged")
    elif not differences or report.actual_version is not None:
        # the caps read the documents and spans tables: only when they are ours
        report.problems += [f"cap: {p}" for p in check_limits(conn)]


def _changed_tables(found: dict[str, tuple[str, str, str | None]],
                    expected: dict[str, tuple[str, str, str | None]]) -> list[str]:
    return [name for name, want in expected.items() if want[0] == "table"
            and name in found and found[name][0] == "table" and found[name][2] != want[2]]


def repair(path: Path, out: Path) -> list[str]:
    """Write to ``out`` a copy of ``path`` with what is foreign dropped (see the module
    docstring); returns what was done, one phrase each. Refuses (:class:`StoreError`,
    nothing written) what it cannot repair."""
    report = examine(path)
    if report.ok:
        raise StoreError(f"{path}: nothing to repair")
    if report.unrepairable:
        raise StoreError(f"{path}: cannot be repaired here ({'; '.join(report.unrepairable)})"
                         "; nothing was written")
    if out.exists():
        raise StoreError(f"{out}: already exists; nothing was written")
    done: list[str] = []
    source = _connect(path, readonly=True)
    try:
        copy = sqlite3.connect(out, isolation_level=None)
        try:
            harden(copy)
            source.backup(copy)
            copy.execute("PRAGMA foreign_keys = OFF")
            copy.execute("BEGIN IMMEDIATE")
            done = _repair_copy(copy, report)
            copy.execute("COMMIT")
            copy.execute("VACUUM")
        finally:
            copy.close()
    except BaseException:
        remove_project_files(out)
        raise
    finally:
        _close(source)
    after = examine(out)
    if not after.ok:
        remove_project_files(out)
        raise StoreError(f"{path}: the repaired copy was still not right "
                         f"({'; '.join(after.problems[:3])}); nothing was kept")
    return done


def _repair_copy(conn: sqlite3.Connection, report: Report) -> list[str]:
    done: list[str] = []
    version = report.actual_version or report.version
    expected = expected_schema(version)
    order = {"trigger": 0, "view": 1, "index": 2, "table": 3}
    # triggers first: nothing of the file's own SQL runs while the copy is changed
    for name, (kind, table, sql) in sorted(read_schema(conn).items(),
                                           key=lambda x: order.get(x[1][0], 4)):
        want = expected.get(name)
        # on the table it belongs to: a table renamed away takes its triggers with it
        if want is not None and want[0] == kind and want[1] == table and want[2] == sql:
            continue
        if name.startswith("sqlite_autoindex"):
            continue  # goes with its table
        quoted = '"' + name.replace('"', '""') + '"'
        conn.execute(f"DROP {kind.upper()} IF EXISTS {quoted}")
        done.append(f"dropped {kind} {name}")
    if report.actual_version is not None:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
        done.append(f"schema version set to {version}, as its tables are")
    # our objects that are missing (a table a view stood for comes back empty)
    for name, (kind, _table, sql) in sorted(expected.items(), key=lambda x: -order[x[1][0]]):
        if sql is not None and kind in ("table", "index", "trigger") \
                and name not in read_schema(conn):
            conn.execute(sql)
            done.append(f"made {kind} {name} again" + (" (empty)" if kind == "table" else ""))
    if "status_counts" in expected:  # v8: the counters, of the rows kept
        recount(conn)
    return done
