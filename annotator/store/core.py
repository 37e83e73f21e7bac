"""The open project: :class:`Store` opens, creates and migrates it and runs every write
in one transaction; its queries come from the classes it gathers."""

from __future__ import annotations

import os
import sqlite3

from ..model import Label, LabelCategory, LabelScheme
from .base import PRECEDENCE
from .doclabels import DocLabelQueries
from .documents import DocumentQueries
from .files import (
    StoreError,
    _backup,
    _check_is_ours,
    _close,
    _connect,
    _disk_full,
    _file_key,
    _is_busy,
    _os_reason,
    _parent,
    _remove_empty,
    _set_wal,
    _writable,
    describe_busy,
    describe_sqlite_error,
    path_text,
    read_header,
)
from .rows import _dumps, now
from .schema import _SCHEMA_V1, APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from .sets import SetQueries
from .trust import Header, check_header, check_schema

TYPE_CHECKING = False  # typing is not imported at run time: see annotator/model.py
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from .files import StrPath


class Store(DocumentQueries, SetQueries, DocLabelQueries):
    """An open project database.

    ``readonly``: never write (read commands ask for it). A project that cannot be
    written (a read-only file, folder or mount) opens read-only whatever was asked;
    :attr:`readonly` says so and :meth:`write` refuses with :class:`ReadOnlyError`.
    ``background``: its writes give way to the process's foreground ones (a window's
    worker; see :class:`~.base.Precedence`)."""

    def __init__(self, path: StrPath, *, create: bool = True, migrate: bool = True,
                 readonly: bool = False, background: bool = False):
        self._file = where = path_text(path)  # the project's name in every message
        self.background = background
        self.backup_path: Path | None = None
        # stat() only: opening the file outside SQLite would drop the process's locks
        # on it when closed (see _connect).
        is_dir = os.path.isdir(where)
        try:
            exists = not is_dir and os.stat(where).st_size > 0
            created = False
        except OSError:
            exists, created = False, True
        if is_dir:
            raise StoreError(f"{where}: cannot be read (a folder); not changed")
        if not exists and (not create or readonly):
            raise StoreError(f"{where}: no such project database")
        self.readonly = exists and (readonly or not _writable(where))
        if not exists:
            try:
                os.makedirs(_parent(where), exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{where}: cannot create the project "
                                 f"({_os_reason(exc)}); nothing was written") from exc
        if exists:  # a page size, encoding or page count we don't make: refused unread
            check_header(Header.parse(read_header(where) or b""), where)
        self.conn = _connect(where, self.readonly)
        self.identity = _file_key(where) if exists else None
        try:
            version = _check_is_ours(self.conn, where) if exists else 0
            if version > 0:  # the schema is ours, or nothing is read or written
                check_schema(self.conn, where, version)
            if exists and version == 0:  # an empty SQLite file (creation cut short)
                if not create or self.readonly:
                    raise StoreError(f"{where}: an empty project database")
                exists = False
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{where}: made by a newer Annotator (schema {version}, "
                    f"this one reads up to {SCHEMA_VERSION}); not opened, not changed")
            if 0 < version < SCHEMA_VERSION:
                if not migrate or self.readonly:
                    why = "read-only" if self.readonly else "not allowed here"
                    raise StoreError(f"{where}: schema {version} needs migrating to "
                                     f"{SCHEMA_VERSION}, which is {why}; not changed")
                self.backup_path = _backup(self.conn, where, version)
            if self.readonly:
                return
            try:
                _set_wal(self.conn)
            except sqlite3.OperationalError as exc:
                if _is_busy(exc) and not _disk_full(where):
                    raise StoreError(describe_busy(where, exc)) from exc
                raise
            # FULL: a committed decision survives a power cut too, not only an app crash
            # (measured: about 0.25 ms more per decision than NORMAL). A background
            # store writes what can be made again (suggestions; a document cut short
            # stays marked for suggesting): NORMAL, no fsync at each commit, so a
            # decision waiting for its transaction never waits for a busy disk too.
            self.conn.execute(f"PRAGMA synchronous = {'NORMAL' if background else 'FULL'}")
            if not exists:
                self._create()
            elif version < SCHEMA_VERSION:
                with self.write():
                    self._run_migrations(version)
        except BaseException as exc:
            _close(self.conn)
            if created:
                _remove_empty(where)
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"{where}: {describe_sqlite_error(exc, where)}; "
                                 "not changed") from exc
            raise
        if background:
            PRECEDENCE.opened(self)

    # -- lifecycle

    def _create(self) -> None:
        with self.write():
            # Another window (or `annotator import`) may have created it since we looked;
            # BEGIN IMMEDIATE serialises the two, and the second finds it made.
            if self.conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
                return
            for statement in _SCHEMA_V1.split(";"):
                if statement.strip():
                    self.conn.execute(statement)
            self.conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
            self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._run_migrations(1)

    def _run_migrations(self, version: int) -> None:
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](self.conn)
            version += 1
        self.conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),)
        )

    def _ordered_doc_label_counts(self) -> dict[str, dict[str, dict[str, int]]]:
        """:meth:`doc_label_counts` of the own set, categories and labels in the scheme's
        order (those outside it last)."""
        counts = self.doc_label_counts()
        scheme = self.label_scheme()
        order = {x.name: i for i, x in enumerate(scheme.labels)}
        cats = {c.name: i for i, c in enumerate(scheme.categories)}
        return {cat: {label: counts[cat][label]
                      for label in sorted(counts[cat], key=lambda x: (order.get(x, 1e9), x))}
                for cat in sorted(counts, key=lambda c: (cats.get(c, 1e9), c))}

    # -- labels

    def label_scheme(self) -> LabelScheme:
        """The project's labels and document-label categories, in their order (see
        :mod:`annotator.labels`)."""
        return LabelScheme(
            [Label(*row) for row in self.conn.execute(
                "SELECT name, layer, color, key, description, category FROM labels"
                " ORDER BY position")],
            [LabelCategory(name, bool(exclusive), bool(required), description)
             for name, exclusive, required, description in self.conn.execute(
                 "SELECT name, exclusive, required, description FROM label_categories"
                 " ORDER BY position")])

    def put_label(self, label: Label, replacing: str | None = None) -> None:
        """Add ``label`` at the end, or put it in the place of ``replacing`` (call inside
        :meth:`write`; :mod:`annotator.labels` checks it first)."""
        if replacing is not None:
            self.conn.execute(
                "UPDATE labels SET name = ?, layer = ?, color = ?, key = ?, description = ?,"
                " category = ? WHERE name = ?", (label.name, label.layer, label.color,
                                                 label.key, label.description,
                                                 label.category, replacing))
            return
        self.conn.execute(
            "INSERT INTO labels VALUES (?, ?, ?, ?, ?,"
            " (SELECT coalesce(max(position), -1) + 1 FROM labels), ?)",
            (label.name, label.layer, label.color, label.key, label.description,
             label.category))

    def put_category(self, category: LabelCategory, position: int | None = None) -> None:
        """Add a document-label category at the end (or at ``position``), or change the
        one of that name in its place (call inside :meth:`write`)."""
        self.conn.execute(
            "INSERT INTO label_categories VALUES (?, ?, ?, ?, coalesce(?, (SELECT position"
            " FROM label_categories WHERE name = ?), (SELECT coalesce(max(position), -1) + 1"
            " FROM label_categories))) ON CONFLICT (name) DO UPDATE SET"
            " exclusive = excluded.exclusive, required = excluded.required,"
            " description = excluded.description, position = excluded.position",
            (category.name, int(category.exclusive), int(category.required),
             category.description, position, category.name))

    def delete_category(self, name: str) -> None:
        """Remove a category from the scheme (its labels stay until removed; call inside
        :meth:`write`; :mod:`annotator.labels` removes them together)."""
        self.conn.execute("DELETE FROM label_categories WHERE name = ?", (name,))

    def delete_label(self, name: str) -> None:
        self.conn.execute("DELETE FROM labels WHERE name = ?", (name,))
        self.conn.execute("DELETE FROM label_map WHERE label = ?", (name,))

    def count_label_use(self, name: str) -> int:
        """How many spans (of any decision) carry the label."""
        return int(self.conn.execute("SELECT count(*) FROM spans WHERE label = ?",
                                     (name,)).fetchone()[0])

    def label_use_counts(self) -> dict[str, int]:
        """How many spans (of any decision) carry each label, in one pass."""
        return {str(label): int(n) for label, n in self.conn.execute(
            "SELECT label, count(*) FROM spans GROUP BY label")}

    def labels_outside_scheme(self) -> dict[str, dict[str, int]]:
        """Labels that spans carry but the scheme lacks (left by an older version, or a
        file from elsewhere): label -> layer -> how many spans."""
        out: dict[str, dict[str, int]] = {}
        for label, layer, n in self.conn.execute(
                "SELECT label, layer, count(*) FROM spans WHERE label NOT IN"
                " (SELECT name FROM labels) GROUP BY label, layer ORDER BY label, layer"):
            out.setdefault(str(label), {})[str(layer)] = int(n)
        return out

    def relabel_all(self, old: str, new: str) -> int:
        """Give every span labelled ``old`` the label ``new`` (and move map entries);
        returns how many spans (call inside :meth:`write`)."""
        cur = self.conn.execute("UPDATE spans SET label = ?, updated_at = ? WHERE label = ?",
                                (new, now(), old))
        self.conn.execute("UPDATE label_map SET label = ? WHERE label = ?", (new, old))
        return cur.rowcount

    def label_map(self) -> dict[str, str]:
        """Model label -> project label."""
        return dict(self.conn.execute("SELECT model_label, label FROM label_map"))

    def set_label_map(self, model_label: str, label: str | None) -> None:
        if label is None:
            self.conn.execute("DELETE FROM label_map WHERE model_label = ?", (model_label,))
        else:
            self.conn.execute("INSERT OR REPLACE INTO label_map VALUES (?, ?)",
                              (model_label, label))

    # -- events

    def log_event(
        self,
        action: str,
        annotator: str | None,
        doc_id: int | None = None,
        span_id: int | None = None,
        before: Any = None,
        after: Any = None,
        annotation_set: str = "",
    ) -> None:
        """Append one decision to the audit log (call inside the decision's transaction)."""
        self.conn.execute(
            "INSERT INTO events (ts, annotator, action, doc_id, span_id, before, after,"
            " annotation_set) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (now(), annotator, action, doc_id, span_id,
             None if before is None else _dumps(before),
             None if after is None else _dumps(after), annotation_set),
        )

    def log_status_event(self, action: str, annotator: str | None, doc_id: int,
                         before: dict[str, Any], after: dict[str, Any],
                         annotation_set: str = "") -> None:
        """:meth:`log_event` for a change of a document's status: ``before`` and
        ``after`` are ``{"status": ..., "note": ...}``, and SQLite writes them as JSON
        (``json_quote``), the same text as :meth:`log_event` (tests/test_store.py). So
        ``annotator mark`` does not import json, which with re was 8 ms of its start-up
        (issue 28 §3)."""
        self.conn.execute(
            "INSERT INTO events (ts, annotator, action, doc_id, span_id, before, after,"
            " annotation_set) VALUES (?, ?, ?, ?, NULL,"
            " '{\"status\": ' || json_quote(?) || ', \"note\": ' || json_quote(?) || '}',"
            " '{\"status\": ' || json_quote(?) || ', \"note\": ' || json_quote(?) || '}', ?)",
            (now(), annotator, action, doc_id, before["status"], before["note"],
             after["status"], after["note"], annotation_set),
        )

    def last_event(self) -> dict[str, Any] | None:
        """The latest event of the log (id, ts, annotator, action, doc_id, span_id,
        before and after decoded), or None."""
        import json

        cur = self.conn.execute("SELECT * FROM events ORDER BY id DESC LIMIT 1")
        row = cur.fetchone()
        if row is None:
            return None
        event = dict(zip([c[0] for c in cur.description], row, strict=True))
        for key in ("before", "after"):
            event[key] = None if event[key] is None else json.loads(event[key])
        return event

    def extend_event(self, event_id: int, after: Any) -> None:
        """Rewrite an event's ``after`` and timestamp: the decision it records went on to
        ``after`` (call inside the transaction that made it so; see
        :meth:`annotator.session.Session.resize`)."""
        self.conn.execute("UPDATE events SET ts = ?, after = ? WHERE id = ?",
                          (now(), _dumps(after), event_id))

    def events(self, doc_id: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM events" + (" WHERE doc_id = ?" if doc_id is not None else "")
        cur = self.conn.execute(sql + " ORDER BY id", (doc_id,) if doc_id is not None else ())
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    # -- statistics

    def stats(self) -> dict[str, Any]:
        """Documents by status, spans by layer, label and decision, and document labels
        by category, label and decision (the project's own set); in a team project also
        each annotator's set (with its accepted document labels) and the review's
        progress."""
        # the counters the triggers keep (schema v8): a few rows, whatever the size
        by_status = dict(self.conn.execute(
            "SELECT status, n FROM status_counts WHERE n > 0 ORDER BY status"))
        spans: dict[str, dict[str, dict[str, int]]] = {}
        for layer, label, decision, n in self.conn.execute(
            "SELECT layer, label, decision, n FROM span_counts WHERE annotation_set = ''"
            " AND n > 0 ORDER BY layer, label, decision"
        ):
            spans.setdefault(layer, {}).setdefault(label, {})[decision] = n
        out: dict[str, Any] = {
            "documents": {"total": sum(by_status.values()), "by_status": by_status},
            "spans": spans,
            # {category: {label: {accepted, rejected, pending}}}, the scheme's order
            "doc_labels": self._ordered_doc_label_counts(),
        }
        if self.has_annotation_sets():  # a team project: each annotator's set
            sets: dict[str, dict[str, Any]] = {}
            for name, status, n in self.conn.execute(
                    "SELECT annotation_set, status, count(*) FROM set_documents"
                    " GROUP BY annotation_set, status ORDER BY annotation_set, status"):
                sets.setdefault(name, {"by_status": {}, "accepted_spans": 0})
                sets[name]["by_status"][status] = n
            for name, n in self.conn.execute(
                    "SELECT annotation_set, sum(n) FROM span_counts WHERE annotation_set"
                    " != '' AND decision = 'accepted' GROUP BY annotation_set"):
                sets.setdefault(name, {"by_status": {}, "accepted_spans": 0})
                sets[name]["accepted_spans"] = n
            for name, n in self.conn.execute(
                    "SELECT annotation_set, count(*) FROM doc_labels WHERE"
                    " annotation_set != '' AND decision = 'accepted' GROUP BY annotation_set"):
                sets.setdefault(name, {"by_status": {}, "accepted_spans": 0})
                sets[name]["accepted_doc_labels"] = n
            out["annotation_sets"] = sets
            out["review"] = {"to_review": len(self.review_document_ids()),
                             "shared": len(self.review_document_ids(reviewed=True))}
        return out

