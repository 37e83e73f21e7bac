"""The project database: one SQLite file per project, through sqlite-utils.

Tables (see DESIGN.md, Data model): ``documents``, ``spans``, ``claims`` (attributes of
claim spans), ``events`` (append-only decision log), ``meta`` (schema version) and
``tokens`` (a cache of token boundaries for export; derived, safe to empty).
The connection runs in WAL mode with foreign keys on and a busy timeout; every write
goes through :meth:`Store.write`, one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import CLAIM_ATTRIBUTES, DECISIONS, Claim, Document, Label, LabelScheme, Span

if TYPE_CHECKING:
    import sqlite_utils

SCHEMA_VERSION = 5
APPLICATION_ID = 0x414E4E4F  # "ANNO", written to the SQLite header
BUSY_TIMEOUT_MS = 10_000
# json.dumps(value, ensure_ascii=False), without building an encoder at every call
_dumps = json.JSONEncoder(ensure_ascii=False).encode


class StoreError(Exception):
    """The file cannot be used as an Annotator project (not ours, or too new)."""


class ReadOnlyError(StoreError):
    """A write asked of a project opened read-only."""


def now() -> str:
    """UTC timestamp with milliseconds, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- schema -------------------------------------------------------------------------

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'in_progress', 'done', 'skipped', 'flagged')),
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE spans (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    layer TEXT NOT NULL CHECK (layer IN ('entity', 'claim')),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    label TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('model', 'human')),
    decision TEXT NOT NULL CHECK (decision IN ('pending', 'accepted', 'rejected')),
    score REAL,
    model TEXT,
    annotator TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (0 <= start AND start < "end")
);
CREATE TABLE claims (
    span_id INTEGER PRIMARY KEY REFERENCES spans(id) ON DELETE CASCADE,
    claim_type TEXT,
    claimant_span_id INTEGER REFERENCES spans(id) ON DELETE SET NULL,
    claimant_text TEXT,
    via TEXT,
    checkworthy TEXT CHECK (checkworthy IS NULL OR checkworthy IN ('yes', 'no', 'unsure')),
    hedged INTEGER
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    annotator TEXT,
    action TEXT NOT NULL,
    doc_id INTEGER,
    span_id INTEGER,
    before TEXT,
    after TEXT
);
CREATE INDEX idx_documents_status ON documents(status, id);
CREATE INDEX idx_spans_doc ON spans(doc_id, layer, start);
CREATE INDEX idx_spans_doc_decision ON spans(doc_id, decision);
CREATE INDEX idx_events_doc ON events(doc_id);
"""


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    """v2: suggestion cues (why a span was suggested) and a stored list title."""
    conn.execute("ALTER TABLE spans ADD COLUMN cues TEXT NOT NULL DEFAULT '[]'")
    conn.execute("ALTER TABLE documents ADD COLUMN title TEXT NOT NULL DEFAULT ''")
    rows = conn.execute("SELECT id, text, meta FROM documents").fetchall()
    for doc_id, text, meta in rows:
        conn.execute(
            "UPDATE documents SET title = ? WHERE id = ?",
            (make_title(text, json.loads(meta or "{}")), doc_id),
        )
    conn.execute("CREATE INDEX idx_spans_label ON spans(layer, label, decision)")


def _migrate_2_to_3(conn: sqlite3.Connection) -> None:
    """v3: a cache of each document's token boundaries for export (derived data: an
    empty table is correct, only slower to export)."""
    conn.execute(
        "CREATE TABLE tokens (doc_id INTEGER PRIMARY KEY REFERENCES documents(id)"
        " ON DELETE CASCADE, tokenizer TEXT NOT NULL, starts BLOB NOT NULL,"
        " json BLOB NOT NULL)"
    )


def _migrate_3_to_4(conn: sqlite3.Connection) -> None:
    """v4: a full-text index of titles and texts for the document list's search (FTS5
    over the documents table; derived data, filled in the background, see
    :meth:`Store.update_search_index`). Made with our own SQL rather than sqlite-utils'
    ``enable_fts``: that runs ``executescript``, which commits the open transaction (a
    migration must be all or nothing), and fills the whole index at once."""
    conn.execute(
        "CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents',"
        " content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('fts_upto', '0')")


def _migrate_4_to_5(conn: sqlite3.Connection) -> None:
    """v5: the label scheme lives in the project (``labels``), with a map from model
    labels to project labels (``label_map``); filled from the shipped ``labels.toml``
    plus any label the project's spans use that it lacks (so none becomes invisible)."""
    conn.execute(
        "CREATE TABLE labels (name TEXT PRIMARY KEY, layer TEXT NOT NULL"
        " CHECK (layer IN ('entity', 'claim')), color TEXT NOT NULL,"
        " key TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',"
        " position INTEGER NOT NULL)")
    conn.execute("CREATE TABLE label_map (model_label TEXT PRIMARY KEY, label TEXT NOT NULL)")
    scheme = LabelScheme.load()
    rows = [(x.name, x.layer, x.color, x.key, x.description, i)
            for i, x in enumerate(scheme.labels)]
    known = {x.name for x in scheme.labels}
    for label, layer in conn.execute("SELECT DISTINCT label, layer FROM spans ORDER BY label"):
        if label not in known:
            rows.append((label, layer, "#868e96", "", "used in the project before labels "
                         "were stored in it", len(rows)))
            known.add(label)
    conn.executemany("INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?)", rows)


# Migration N upgrades a version-N file to version N+1, inside one transaction.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _migrate_1_to_2, 2: _migrate_2_to_3, 3: _migrate_3_to_4, 4: _migrate_4_to_5}


def make_title(text: str, meta: dict[str, Any], words: int = 12) -> str:
    """The list title: ``meta['title']`` or the first words of the text."""
    title = meta.get("title")
    if isinstance(title, str) and title.strip():
        return " ".join(title.split())[:200]
    return " ".join(text[:400].split()[:words])[:200]


# --- the store ----------------------------------------------------------------------


class Store:
    """An open project database.

    ``readonly``: never write (read commands ask for it). A project that cannot be
    written (a read-only file, folder or mount) opens read-only whatever was asked;
    :attr:`readonly` says so and :meth:`write` refuses with :class:`ReadOnlyError`."""

    def __init__(self, path: str | Path, *, create: bool = True, migrate: bool = True,
                 readonly: bool = False):
        self.path = Path(path)
        self.backup_path: Path | None = None
        # stat() only: opening the file outside SQLite would drop the process's locks
        # on it when closed (see _connect).
        exists = self.path.exists() and not self.path.is_dir() \
            and self.path.stat().st_size > 0
        if self.path.is_dir():
            raise StoreError(f"{self.path}: cannot be read (a folder); not changed")
        if not exists and (not create or readonly):
            raise StoreError(f"{self.path}: no such project database")
        self.readonly = exists and (readonly or not _writable(self.path))
        created = not self.path.exists()
        if not exists:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot create the project "
                                 f"({_os_reason(exc)}); nothing was written") from exc
        self.conn = _connect(self.path, self.readonly)
        try:
            version = _check_is_ours(self.conn, self.path) if exists else 0
            if exists and version == 0:  # an empty SQLite file (creation cut short)
                if not create or self.readonly:
                    raise StoreError(f"{self.path}: an empty project database")
                exists = False
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: made by a newer Annotator (schema {version}, "
                    f"this one reads up to {SCHEMA_VERSION}); not opened, not changed")
            if 0 < version < SCHEMA_VERSION:
                if not migrate or self.readonly:
                    why = "read-only" if self.readonly else "not allowed here"
                    raise StoreError(f"{self.path}: schema {version} needs migrating to "
                                     f"{SCHEMA_VERSION}, which is {why}; not changed")
                self.backup_path = _backup(self.conn, self.path, version)
            if self.readonly:
                return
            try:
                _set_wal(self.conn)
            except sqlite3.OperationalError as exc:
                if _is_busy(exc) and not _disk_full(self.path):
                    raise StoreError(describe_busy(self.path, exc)) from exc
                raise
            # FULL: a committed decision survives a power cut too, not only an app crash
            # (measured: about 0.25 ms more per decision than NORMAL).
            self.conn.execute("PRAGMA synchronous = FULL")
            if not exists:
                self._create()
            elif version < SCHEMA_VERSION:
                with self.write():
                    self._run_migrations(version)
        except BaseException as exc:
            _close(self.conn)
            if created:
                _remove_empty(self.path)
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"{self.path}: {describe_sqlite_error(exc, self.path)}; "
                                 "not changed") from exc
            raise

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

    def close(self) -> None:
        _close(self.conn)

    def __enter__(self) -> Store:
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
        if wait_ms is None:
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            finally:
                self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

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
                mode = self.conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
                switched = str(mode).lower() == "delete"
            except sqlite3.OperationalError:  # another connection: stay in WAL
                switched = False
            finally:
                self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            yield
        finally:
            if switched:
                _set_wal(self.conn)

    # -- documents

    def find_hashes(self, hashes: Iterable[str]) -> set[str]:
        """Which of these content hashes are already in the project."""
        found: set[str] = set()
        chunk: list[str] = []
        for h in hashes:
            chunk.append(h)
            if len(chunk) == 500:
                found |= self._hashes_in(chunk)
                chunk = []
        if chunk:
            found |= self._hashes_in(chunk)
        return found

    def document_ids_by_hash(self, hashes: Iterable[str]) -> dict[str, int]:
        """The ids of the documents with these content hashes (those in the project)."""
        found: dict[str, int] = {}
        wanted = list(dict.fromkeys(hashes))
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            marks = ",".join("?" * len(chunk))
            found.update((h, doc_id) for doc_id, h in self.conn.execute(
                f"SELECT id, content_hash FROM documents WHERE content_hash IN ({marks})",
                chunk))
        return found

    def _hashes_in(self, chunk: list[str]) -> set[str]:
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT content_hash FROM documents WHERE content_hash IN ({marks})"
        return {row[0] for row in self.conn.execute(sql, chunk)}

    def insert_document(
        self, text: str, meta: dict[str, Any], content_hash: str, status: str = "new",
        ts: str | None = None,
    ) -> int:
        """Insert one document (call inside :meth:`write`); returns its id. ``ts``: the
        creation time (default now; an import passes one for all its documents)."""
        ts = ts or now()
        cur = self.conn.execute(
            "INSERT INTO documents (text, meta, content_hash, status, created_at, updated_at,"
            " title) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (text, _dumps(meta), content_hash, status, ts, ts,
             make_title(text, meta)),
        )
        return int(cur.lastrowid or 0)

    def insert_documents(
        self, docs: list[tuple[str, dict[str, Any], str, str]], ts: str | None = None
    ) -> list[int]:
        """Insert ``(text, meta, content_hash, status)`` rows with one statement (call
        inside :meth:`write`); returns their ids in order."""
        if not docs:
            return []
        ts = ts or now()
        self.conn.executemany(
            "INSERT INTO documents (text, meta, content_hash, status, created_at, updated_at,"
            " title) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(text, _dumps(meta), digest, status, ts, ts,
              make_title(text, meta)) for text, meta, digest, status in docs])
        hashes = [digest for _, _, digest, _ in docs]
        ids: dict[str, int] = {}
        for i in range(0, len(hashes), 500):
            chunk = hashes[i:i + 500]
            marks = ",".join("?" * len(chunk))
            ids.update((h, doc_id) for doc_id, h in self.conn.execute(
                f"SELECT id, content_hash FROM documents WHERE content_hash IN ({marks})",
                chunk))
        return [ids[digest] for digest in hashes]

    def get_document(self, doc_id: int) -> Document | None:
        row = self.conn.execute(
            "SELECT id, text, meta, content_hash, status, note, title, created_at, updated_at"
            " FROM documents WHERE id = ?",
            (doc_id,),
        ).fetchone()
        return _document(row) if row else None

    def iter_documents(
        self, status: str | None = None, batch_size: int = 500, ids: list[int] | None = None
    ) -> Iterator[Document]:
        """Stream documents in id order, ``batch_size`` rows at a time (memory stays flat)."""
        last = 0
        cols = "id, text, meta, content_hash, status, note, title, created_at, updated_at"
        while True:
            where: list[str] = ["id > ?"]
            params: list[Any] = [last]
            if status:
                where.append("status = ?")
                params.append(status)
            if ids is not None:
                where.append(f"id IN ({','.join('?' * len(ids))})")
                params.extend(ids)
            rows = self.conn.execute(
                f"SELECT {cols} FROM documents WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
                (*params, batch_size),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _document(row)
            last = rows[-1][0]

    def document_ids(self, status: str | None = None) -> list[int]:
        """Ids of every document (with ``status``, if given), in order."""
        if status:
            rows = self.conn.execute("SELECT id FROM documents WHERE status = ? ORDER BY id",
                                     (status,))
        else:
            rows = self.conn.execute("SELECT id FROM documents ORDER BY id")
        return [row[0] for row in rows]

    def count_documents(self, status: str | None = None) -> int:
        if status:
            row = self.conn.execute("SELECT count(*) FROM documents WHERE status = ?",
                                    (status,)).fetchone()
        else:
            row = self.conn.execute("SELECT count(*) FROM documents").fetchone()
        return int(row[0])

    def document_rows(
        self,
        status: str | None = None,
        search: str | None = None,
        offset: int = 0,
        limit: int = 200,
        after_id: int = 0,
    ) -> list[dict[str, Any]]:
        """One page of the document list: id, status, title and span counts. Pass the
        last loaded id as ``after_id`` for the next page: OFFSET steps over every row it
        skips, so its pages get slower the further down a long list they are."""
        where, params = self._list_filter(status, search)
        if after_id:
            where = f"{where} AND d.id > ?" if where else "WHERE d.id > ?"
            params.append(after_id)
        sql = (
            f"SELECT {_LIST_COLUMNS}"
            f" FROM documents d {where} ORDER BY d.id LIMIT ? OFFSET ?"
        )
        cur = self.conn.execute(sql, (*params, limit, offset))
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def count_rows(self, status: str | None = None, search: str | None = None) -> int:
        """How many rows the document list has with this filter. A search is counted
        on the ids alone (every id it finds is a document), or through the status index:
        looking 13,000 matches up in the documents table took 68 ms at 20,000 documents,
        against 2 ms and 11 ms."""
        found = self._search_ids(search) if search else None
        if found is not None:
            ids, params = found
            if not status:
                sql = f"SELECT count(*) FROM ({ids})"
            else:
                sql = ("SELECT count(*) FROM documents d INDEXED BY idx_documents_status"
                       f" WHERE d.status = ? AND d.id IN ({ids})")
                params = [status, *params]
            return int(self.conn.execute(sql, params).fetchone()[0])
        where, params = self._list_filter(status, search)
        return int(self.conn.execute(f"SELECT count(*) FROM documents d {where}", params)
                   .fetchone()[0])

    # -- search

    def search_indexed_upto(self) -> int:
        """Documents up to this id are in the full-text index; later ones are searched
        with LIKE until :meth:`update_search_index` reaches them."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'fts_upto'").fetchone()
        return int(row[0]) if row else 0

    def update_search_index(self, max_docs: int = 500) -> int:
        """Add up to ``max_docs`` documents not yet in the full-text index (one short
        write transaction; about 0.13 ms a document of 3,000 characters); returns how
        many. Documents never change after import, so an id watermark is all the index
        needs to know. Call it repeatedly when idle; 0 means it is complete."""
        upto = self.search_indexed_upto()
        with self.write():
            rows = self.conn.execute(
                "SELECT id FROM documents WHERE id > ? ORDER BY id LIMIT ?",
                (upto, max_docs)).fetchall()
            if not rows:
                return 0
            last = rows[-1][0]
            self.conn.execute(
                "INSERT INTO documents_fts (rowid, title, text) SELECT id, title, text"
                " FROM documents WHERE id > ? AND id <= ?", (upto, last))
            self.conn.execute("UPDATE meta SET value = ? WHERE key = 'fts_upto'", (str(last),))
        return len(rows)

    def _list_filter(self, status: str | None, search: str | None
                     ) -> tuple[str, list[Any]]:
        """The WHERE clause of the document list: a status and a search (through
        :meth:`_search_ids` once the index has documents, else a plain LIKE)."""
        where: list[str] = []
        params: list[Any] = []
        if status:
            where.append("d.status = ?")
            params.append(status)
        if search:
            found = self._search_ids(search)
            if found is not None:
                where.append(f"d.id IN ({found[0]})")
                params += found[1]
            else:
                like = _like_pattern(search)
                clause = "d.title LIKE ? ESCAPE '\\' OR d.text LIKE ? ESCAPE '\\'"
                params += [like, like]
                if search.strip().isdecimal():  # not isdigit(): int() refuses "²"
                    clause += " OR d.id = ?"
                    params.append(int(search))
                where.append(f"({clause})")
        return ("WHERE " + " AND ".join(where)) if where else "", params

    def _search_ids(self, search: str) -> tuple[str, list[Any]] | None:
        """A SELECT of the ids a search finds, once the full-text index has documents
        (``None`` before): whole words by prefix in the indexed documents (any case,
        any accents; one lookup in the index), substrings (LIKE) in those not indexed
        yet, and the document whose id it is."""
        query = fts_query(search)
        upto = self.search_indexed_upto() if query else 0
        if not upto:
            return None
        like = _like_pattern(search)
        sql = ("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? UNION ALL"
               " SELECT id FROM documents WHERE id > ?"
               " AND (title LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\')")
        params: list[Any] = [query, upto, like, like]
        if search.strip().isdecimal():
            sql += " UNION SELECT id FROM documents WHERE id = ?"
            params.append(int(search))
        return sql, params

    def next_document(self, after_id: int, statuses: tuple[str, ...] = ("new", "in_progress")
                      ) -> int | None:
        """The next document (by id, wrapping round) whose status is one of ``statuses``."""
        marks = ",".join("?" * len(statuses))
        for sql in (
            f"SELECT id FROM documents WHERE id > ? AND status IN ({marks}) ORDER BY id LIMIT 1",
            f"SELECT id FROM documents WHERE id < ? AND status IN ({marks}) ORDER BY id LIMIT 1",
        ):
            row = self.conn.execute(sql, (after_id, *statuses)).fetchone()
            if row:
                return int(row[0])
        return None

    def set_document_fields(self, doc_id: int, **fields: Any) -> None:
        """Update ``status`` and/or ``note`` (call inside :meth:`write`)."""
        allowed = {"status", "note"}
        if not fields or set(fields) - allowed:
            raise ValueError(f"can only set {allowed}")
        sets = ", ".join(f"{name} = ?" for name in fields)
        self.conn.execute(
            f"UPDATE documents SET {sets}, updated_at = ? WHERE id = ?",
            (*fields.values(), now(), doc_id),
        )

    def has_model_spans(self, doc_id: int) -> bool:
        sql = "SELECT 1 FROM spans WHERE doc_id = ? AND origin = 'model' LIMIT 1"
        return self.conn.execute(sql, (doc_id,)).fetchone() is not None

    # -- spans

    def spans(
        self, doc_id: int, layer: str | None = None, decisions: Iterable[str] | None = None
    ) -> list[Span]:
        """All spans of a document ordered by start, with claim attributes attached."""
        where: list[str] = ["s.doc_id = ?"]
        params: list[Any] = [doc_id]
        if layer:
            where.append("s.layer = ?")
            params.append(layer)
        if decisions is not None:
            decisions = list(decisions)
            where.append(f"s.decision IN ({','.join('?' * len(decisions))})")
            params.extend(decisions)
        return self._query_spans(" AND ".join(where), params)

    def pending_span_ids(self, doc_id: int | None = None, layer: str | None = None,
                         label: str | None = None, min_score: float | None = None
                         ) -> list[int]:
        """Ids of pending suggestions matching the filters, by document and start."""
        where: list[str] = ["decision = 'pending'"]
        params: list[Any] = []
        for column, value in (("doc_id", doc_id), ("layer", layer), ("label", label)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if min_score is not None:
            where.append("score >= ?")
            params.append(min_score)
        sql = f"SELECT id FROM spans WHERE {' AND '.join(where)} ORDER BY doc_id, start"
        return [row[0] for row in self.conn.execute(sql, params)]

    def overlapping_entity_ids(self, doc_id: int, start: int, end: int,
                               decisions: Iterable[str]) -> list[int]:
        """Ids of entity spans with one of ``decisions`` overlapping ``[start, end)``, in
        :meth:`spans` order: one range query on the (doc_id, layer, start) index (reading
        every span of a 3,000-span document cost more than the decision itself)."""
        decisions = list(decisions)
        marks = ",".join("?" * len(decisions))
        return [row[0] for row in self.conn.execute(
            "SELECT id FROM spans WHERE doc_id = ? AND layer = 'entity' AND start < ?"
            f' AND "end" > ? AND decision IN ({marks}) ORDER BY start, "end" DESC, id',
            (doc_id, end, start, *decisions))]

    def claims_citing(self, span_ids: list[int]) -> list[int]:
        """Ids of the claims whose claimant is one of ``span_ids``."""
        marks = ",".join("?" * len(span_ids))
        return [row[0] for row in self.conn.execute(
            f"SELECT span_id FROM claims WHERE claimant_span_id IN ({marks})"
            " ORDER BY span_id", span_ids)]

    def get_span(self, span_id: int) -> Span | None:
        found = self._query_spans("s.id = ?", [span_id])
        return found[0] if found else None

    def _query_spans(self, where: str, params: list[Any]) -> list[Span]:
        sql = (
            'SELECT s.id, s.doc_id, s.layer, s.start, s."end", s.label, s.origin, s.decision,'
            " s.score, s.model, s.annotator, s.cues, s.created_at, s.updated_at,"
            " c.span_id, c.claim_type, c.claimant_span_id, c.claimant_text, c.via,"
            " c.checkworthy, c.hedged"
            " FROM spans s LEFT JOIN claims c ON c.span_id = s.id"
            f" WHERE {where} ORDER BY s.start, s.\"end\" DESC, s.id"
        )
        return [_span(row) for row in self.conn.execute(sql, params)]

    def insert_span(self, span: Span) -> int:
        """Insert a span (and its claim attributes); call inside :meth:`write`."""
        ts = now()
        created = span.created_at or ts
        cur = self.conn.execute(
            'INSERT INTO spans (id, doc_id, layer, start, "end", label, origin, decision, score,'
            " model, annotator, cues, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (span.id, span.doc_id, span.layer, span.start, span.end, span.label, span.origin,
             span.decision, span.score, span.model, span.annotator, json.dumps(span.cues),
             created, span.updated_at or ts),
        )
        span_id = int(cur.lastrowid or 0)
        if span.layer == "claim":
            self.set_claim(span_id, span.claim or Claim())
        return span_id

    def update_span(self, span_id: int, **fields: Any) -> None:
        """Update span columns (start, end, label, decision, annotator, ...)."""
        allowed = {"start", "end", "label", "decision", "annotator", "origin", "score", "cues"}
        if not fields or set(fields) - allowed:
            raise ValueError(f"unknown span fields: {set(fields) - allowed}")
        if "cues" in fields:
            fields["cues"] = json.dumps(fields["cues"])
        sets = ", ".join(f'"{name}" = ?' for name in fields)
        self.conn.execute(
            f"UPDATE spans SET {sets}, updated_at = ? WHERE id = ?",
            (*fields.values(), now(), span_id),
        )

    def restore_span(self, span: Span) -> None:
        """Write ``span`` back exactly as given (update in place, or insert it again)."""
        assert span.id is not None
        if self.conn.execute("SELECT 1 FROM spans WHERE id = ?", (span.id,)).fetchone() is None:
            self.insert_span(span)
            return
        self.conn.execute(
            'UPDATE spans SET start = ?, "end" = ?, label = ?, origin = ?, decision = ?,'
            " score = ?, annotator = ?, cues = ?, updated_at = ? WHERE id = ?",
            (span.start, span.end, span.label, span.origin, span.decision, span.score,
             span.annotator, json.dumps(span.cues), now(), span.id),
        )
        if span.layer == "claim":
            self.set_claim(span.id, span.claim or Claim())

    def delete_span(self, span_id: int) -> None:
        self.conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))

    def set_claim(self, span_id: int, claim: Claim) -> None:
        """Write all attributes of a claim span (insert or replace)."""
        values = claim.as_dict()
        if values["hedged"] is not None:
            values["hedged"] = int(bool(values["hedged"]))
        cols = ", ".join(CLAIM_ATTRIBUTES)
        marks = ", ".join("?" * len(CLAIM_ATTRIBUTES))
        self.conn.execute(
            f"INSERT OR REPLACE INTO claims (span_id, {cols}) VALUES (?, {marks})",
            (span_id, *values.values()),
        )

    # -- labels

    def label_scheme(self) -> LabelScheme:
        """The project's labels, in their order (see :mod:`annotator.labels`)."""
        return LabelScheme([Label(*row) for row in self.conn.execute(
            "SELECT name, layer, color, key, description FROM labels ORDER BY position")])

    def put_label(self, label: Label, replacing: str | None = None) -> None:
        """Add ``label`` at the end, or put it in the place of ``replacing`` (call inside
        :meth:`write`; :mod:`annotator.labels` checks it first)."""
        if replacing is not None:
            self.conn.execute(
                "UPDATE labels SET name = ?, layer = ?, color = ?, key = ?, description = ?"
                " WHERE name = ?", (label.name, label.layer, label.color, label.key,
                                    label.description, replacing))
            return
        self.conn.execute(
            "INSERT INTO labels VALUES (?, ?, ?, ?, ?,"
            " (SELECT coalesce(max(position), -1) + 1 FROM labels))",
            (label.name, label.layer, label.color, label.key, label.description))

    def delete_label(self, name: str) -> None:
        self.conn.execute("DELETE FROM labels WHERE name = ?", (name,))
        self.conn.execute("DELETE FROM label_map WHERE label = ?", (name,))

    def count_label_use(self, name: str) -> int:
        """How many spans (of any decision) carry the label."""
        return int(self.conn.execute("SELECT count(*) FROM spans WHERE label = ?",
                                     (name,)).fetchone()[0])

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
    ) -> None:
        """Append one decision to the audit log (call inside the decision's transaction)."""
        self.conn.execute(
            "INSERT INTO events (ts, annotator, action, doc_id, span_id, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (now(), annotator, action, doc_id, span_id,
             None if before is None else _dumps(before),
             None if after is None else _dumps(after)),
        )

    def events(self, doc_id: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM events" + (" WHERE doc_id = ?" if doc_id is not None else "")
        cur = self.conn.execute(sql + " ORDER BY id", (doc_id,) if doc_id is not None else ())
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    # -- statistics

    def stats(self) -> dict[str, Any]:
        """Documents by status and spans by layer, label and decision."""
        by_status = dict(self.conn.execute(
            "SELECT status, count(*) FROM documents GROUP BY status ORDER BY status"))
        spans: dict[str, dict[str, dict[str, int]]] = {}
        for layer, label, decision, n in self.conn.execute(
            "SELECT layer, label, decision, count(*) FROM spans"
            " GROUP BY layer, label, decision ORDER BY layer, label, decision"
        ):
            spans.setdefault(layer, {}).setdefault(label, {})[decision] = n
        return {
            "documents": {"total": sum(by_status.values()), "by_status": by_status},
            "spans": spans,
        }

    # -- gui

    def document_row(self, doc_id: int) -> dict[str, Any] | None:
        """One row of the document list (as :meth:`document_rows` gives it), by id."""
        sql = (
            f"SELECT {_LIST_COLUMNS}"
            " FROM documents d WHERE d.id = ?"
        )
        cur = self.conn.execute(sql, (doc_id,))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cur.description], row, strict=True))

    def previous_document(self, before_id: int) -> int | None:
        """The id of the document just before ``before_id`` (any status), if any."""
        row = self.conn.execute(
            "SELECT id FROM documents WHERE id < ? ORDER BY id DESC LIMIT 1", (before_id,)
        ).fetchone()
        return int(row[0]) if row else None

    def following_document(self, after_id: int) -> int | None:
        """The id of the document just after ``after_id`` (any status), if any."""
        row = self.conn.execute(
            "SELECT id FROM documents WHERE id > ? ORDER BY id LIMIT 1", (after_id,)
        ).fetchone()
        return int(row[0]) if row else None

    # -- suggestions

    def document_ids_for_suggest(self, redo: bool = False) -> list[int]:
        """Ids of documents without model suggestions (all documents with ``redo``)."""
        if redo:
            sql = "SELECT id FROM documents ORDER BY id"
        else:
            sql = ("SELECT d.id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM spans s"
                   " WHERE s.doc_id = d.id AND s.origin = 'model') ORDER BY d.id")
        return [int(row[0]) for row in self.conn.execute(sql)]

    def documents_by_uncertainty(self, threshold: float, statuses: Iterable[str],
                                 limit: int = -1, offset: int = 0
                                 ) -> list[tuple[int, float | None]]:
        """``(id, distance)`` of the documents with one of ``statuses``, those whose
        pending claim suggestion scores nearest ``threshold`` first (``distance``: how
        near), then those without a scored pending claim (``None``), by id. One query;
        ``limit``/``offset`` page it."""
        statuses = list(statuses)
        marks = ",".join("?" * len(statuses))
        sql = (
            "SELECT id, distance FROM (SELECT d.id AS id, (SELECT MIN(ABS(s.score - ?))"
            " FROM spans s WHERE s.doc_id = d.id AND s.layer = 'claim'"
            " AND s.decision = 'pending' AND s.score IS NOT NULL) AS distance"
            f" FROM documents d WHERE d.status IN ({marks}))"
            " ORDER BY distance IS NULL, distance, id LIMIT ? OFFSET ?")
        return [(int(i), None if dist is None else float(dist)) for i, dist in
                self.conn.execute(sql, (threshold, *statuses, limit, offset))]

    def delete_pending_model_spans(self, doc_id: int) -> int:
        """Delete a document's pending model suggestions (call inside :meth:`write`),
        keeping any entity that a decided claim names as claimant; returns how many."""
        cur = self.conn.execute(
            "DELETE FROM spans WHERE doc_id = ? AND origin = 'model' AND decision = 'pending'"
            " AND id NOT IN (SELECT c.claimant_span_id FROM claims c"
            " JOIN spans s ON s.id = c.span_id WHERE s.doc_id = ? AND s.decision != 'pending'"
            " AND c.claimant_span_id IS NOT NULL)",
            (doc_id, doc_id),
        )
        return cur.rowcount

    # -- export

    def get_tokens(self, doc_ids: list[int], tokenizer: str
                   ) -> dict[int, tuple[bytes, bytes]]:
        """Cached tokens (``starts``, ``json`` blobs; see :mod:`annotator.export.tokens`)
        of those documents that have them for ``tokenizer``."""
        found: dict[int, tuple[bytes, bytes]] = {}
        for i in range(0, len(doc_ids), 500):
            chunk = doc_ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for doc_id, starts, encoded in self.conn.execute(
                    f"SELECT doc_id, starts, json FROM tokens WHERE doc_id IN ({marks})"
                    " AND tokenizer = ?", (*chunk, tokenizer)):
                found[doc_id] = (starts, encoded)
        return found

    def put_tokens(self, rows: Iterable[tuple[int, str, bytes, bytes]]) -> None:
        """Cache ``(doc_id, tokenizer, starts, json)`` rows, replacing older entries.
        Call inside :meth:`write`."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO tokens (doc_id, tokenizer, starts, json)"
            " VALUES (?, ?, ?, ?)", rows)

    def iter_documents_with_spans(
        self, status: str | None = None, batch_size: int = 500
    ) -> Iterator[tuple[Document, list[Span]]]:
        """Stream ``(document, all its spans)`` in id order, two queries per batch of
        ``batch_size`` documents (memory stays flat), for export: spans are ordered as
        :meth:`spans` orders them and carry their claim attributes, but not what no
        export writes (``cues``, ``score``, ``model``, ``created_at`` are left empty)."""
        last = 0
        cols = "id, text, meta, content_hash, status, note, title, created_at, updated_at"
        while True:
            where = "id > ?"
            params: list[Any] = [last]
            if status:
                where += " AND status = ?"
                params.append(status)
            rows = self.conn.execute(
                f"SELECT {cols} FROM documents WHERE {where} ORDER BY id LIMIT ?",
                (*params, batch_size),
            ).fetchall()
            if not rows:
                return
            ids = [row[0] for row in rows]
            spans: dict[int, list[Span]] = {doc_id: [] for doc_id in ids}
            marks = ",".join("?" * len(ids))
            # What no export writes is not read: cues, score, model, created_at.
            sql = (
                'SELECT s.id, s.doc_id, s.layer, s.start, s."end", s.label, s.origin,'
                " s.decision, NULL, NULL, s.annotator, '[]', NULL,"
                " s.updated_at, c.span_id, c.claim_type, c.claimant_span_id,"
                " c.claimant_text, c.via, c.checkworthy, c.hedged"
                " FROM spans s LEFT JOIN claims c ON c.span_id = s.id"
                f' WHERE s.doc_id IN ({marks}) ORDER BY s.doc_id, s.start, s."end" DESC, s.id'
            )
            for row in self.conn.execute(sql, ids):
                spans[row[1]].append(_span(row))
            for row in rows:
                yield _document(row), spans[row[0]]
            last = ids[-1]


# --- helpers --------------------------------------------------------------------------


def _set_wal(conn: sqlite3.Connection) -> None:
    """``PRAGMA journal_mode = WAL``, waiting like the busy timeout would: switching a new
    file to WAL needs an exclusive lock and SQLite does not call the busy handler for it,
    so a second window opening a project being created failed with "database is locked"."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy a project aside (consistently, WAL included) before migrating it, through
    its own connection (no second descriptor on the project, see _connect)."""
    backup = path.with_name(f"{path.name}.v{version}.bak")
    dst = sqlite3.connect(backup)
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
# -wal, -shm or -journal; paths are only stat()ed.

# Normal (locking) connections of this process, by (device, inode): an immutable one
# must not be opened beside them (see _connect). _KEYS: connection id -> its file.
_LOCKING: Counter[tuple[int, int] | None] = Counter()
_KEYS: dict[int, tuple[int, int]] = {}


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
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
    immutable = False
    if readonly and not _writable(path):
        immutable = not Path(f"{path}-wal").exists() and not _LOCKING[_file_key(path)]
        query = "mode=ro&immutable=1" if immutable else "mode=ro"
        conn = sqlite3.connect(_uri(path, query), uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None, check_same_thread=False)
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


def _close(conn: sqlite3.Connection) -> None:
    """Close a connection made by :func:`_connect` and forget its lock count."""
    key = _KEYS.pop(id(conn), None)
    conn.close()
    if key is not None:
        _LOCKING[key] -= 1
        if _LOCKING[key] <= 0:
            del _LOCKING[key]


def readonly_reason(path: Path) -> str | None:
    """Why this process cannot write the project (``None`` if it can)."""
    if not os.access(path, os.W_OK):
        with contextlib.suppress(OSError):
            if os.statvfs(path).f_flag & os.ST_RDONLY:
                return "the disk is mounted read-only"
        return "the file is read-only"
    if not os.access(path.parent, os.W_OK):
        return "its folder is read-only"
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists() and not os.access(side, os.W_OK):
            return (f"{side.name} is read-only (delete it when no program has the project "
                    "open)")
    return None


def _writable(path: Path) -> bool:
    return readonly_reason(path) is None


def _remove_empty(path: Path) -> None:
    """After a failed creation: remove the project file if it is still empty (a 0-byte
    file left on a full disk would look like a project), unless another program is
    making it at the same moment (it has a journal beside it)."""
    with contextlib.suppress(OSError):
        if path.stat().st_size == 0 and not Path(f"{path}-wal").exists() \
                and not Path(f"{path}-journal").exists():
            path.unlink()


def _check_is_ours(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version of an Annotator project, read through the store's own
    connection (no second descriptor; see above); refuses, without writing, anything
    else. A rollback journal left by a killed bulk import is rolled back, as SQLite does
    on the first read."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables and app_id == 0:
            return 0  # an empty database: our own creation, cut short before its commit
        if app_id != APPLICATION_ID and not {"meta", "documents", "spans"} <= tables:
            raise StoreError(f"{path}: an SQLite file, but not an Annotator project; "
                             "not changed")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
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


def storage_reason(exc: BaseException, path: Path | None = None) -> str | None:
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
    if "disk I/O" in message:
        return ("the disk reported an I/O error (a removable or network drive gone, or "
                "the project's -wal file deleted by another program)")
    if "unable to open" in message:
        return "the file cannot be opened (no permission, or its folder is gone)"
    if isinstance(exc, OSError):
        return _os_reason(exc)
    return None


def describe_sqlite_error(exc: BaseException, path: Path | None = None) -> str:
    return storage_reason(exc, path) or str(exc)


def _disk_full(path: Path) -> bool:
    try:
        st = os.statvfs(path if path.is_dir() else path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"{exc.strerror or 'not allowed'}"
    return exc.strerror or str(exc)


def lock_holders(path: Path) -> list[str]:
    """Other processes holding a lock on ``path`` (Linux ``/proc/locks``), as
    ``"pid 123 (annotator import big.jsonl)"``; empty where that cannot be read."""
    key = _file_key(path)
    if key is None:
        return []
    dev, ino = key
    wanted = f"{os.major(dev):02x}:{os.minor(dev):02x}:{ino}"
    found: list[str] = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/locks").read_text().splitlines():
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
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                    words = [os.path.basename(w.decode(errors="replace")) if i == 0 else
                             w.decode(errors="replace") for i, w in enumerate(cmd) if w]
                    if words and words[0].startswith("python") and len(words) > 1:
                        words = words[1:]
                    name += f" ({' '.join(words)[:80]})"
                if name not in found:
                    found.append(name)
    return found


def describe_busy(path: Path, exc: BaseException | None = None) -> str:
    """The message for a project another process keeps locked, naming that process."""
    holders = lock_holders(path)
    who = ", ".join(holders) if holders else "another program (a large import?)"
    return (f"{path}: busy: {who} is writing to it and holds it locked; try again when "
            "it is done")


def _uri(path: Path, query: str) -> str:
    """An SQLite URI for ``path``: percent-encoded, so "#", "?" and "%" in a folder name
    do not cut the path short."""
    return f"{path.resolve().as_uri()}?{query}"


# A row of the document list: the document and its span counts by decision.
_LIST_COLUMNS = "d.id, d.status, d.title, d.note, " + ", ".join(
    f"(SELECT count(*) FROM spans s WHERE s.doc_id = d.id AND s.decision = '{decision}')"
    f" AS {decision}" for decision in DECISIONS)


def _like_pattern(search: str) -> str:
    """A LIKE pattern matching ``search`` literally anywhere (ESCAPE '\\')."""
    return "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def fts_query(search: str) -> str:
    """An FTS5 query for what a person types: every word, as a prefix (``"erbil"*``),
    all of them; empty when no word is left (punctuation only)."""
    words = [w for w in search.split() if any(ch.isalnum() for ch in w)]
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


def _document(row: tuple[Any, ...]) -> Document:
    return Document(
        id=row[0], text=row[1], meta=json.loads(row[2] or "{}"), content_hash=row[3],
        status=row[4], note=row[5], title=row[6], created_at=row[7], updated_at=row[8],
    )


def _span(row: tuple[Any, ...]) -> Span:
    claim = None
    if row[14] is not None:
        claim = Claim(row[15], row[16], row[17], row[18], row[19],
                      None if row[20] is None else bool(row[20]))
    # Positional, in Span's field order: twice as fast as keywords (export reads many).
    return Span(row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
                row[10], [] if row[11] in ("[]", None) else json.loads(row[11]), claim,
                row[0], row[12], row[13])
