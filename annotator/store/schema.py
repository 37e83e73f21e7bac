"""The project's schema: the tables of a new project and the migration from every
earlier version (each one transaction, after a backup; see :class:`~.core.Store`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ..model import LabelScheme

TYPE_CHECKING = False  # typing is not imported at run time: see annotator/model.py
if TYPE_CHECKING:
    from typing import Any

SCHEMA_VERSION = 8
APPLICATION_ID = 0x414E4E4F  # "ANNO", written to the SQLite header


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
    import json

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
    _label_tables(conn)
    scheme = LabelScheme.load()
    rows = [(x.name, x.layer, x.color, x.key, x.description, i)
            for i, x in enumerate(scheme.span_labels())]  # doc labels: v7
    known = {x.name for x in scheme.labels}
    for label, layer in conn.execute("SELECT DISTINCT label, layer FROM spans ORDER BY label"):
        if label not in known:
            rows.append((label, layer, "#868e96", "", "used in the project before labels "
                         "were stored in it", len(rows)))
            known.add(label)
    conn.executemany("INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?)", rows)


def _label_tables(conn: sqlite3.Connection) -> None:
    """The tables of v5 without their rows (what :data:`SCHEMA_STEPS` runs)."""
    conn.execute(
        "CREATE TABLE labels (name TEXT PRIMARY KEY, layer TEXT NOT NULL"
        " CHECK (layer IN ('entity', 'claim')), color TEXT NOT NULL,"
        " key TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',"
        " position INTEGER NOT NULL)")
    conn.execute("CREATE TABLE label_map (model_label TEXT PRIMARY KEY, label TEXT NOT NULL)")


def _migrate_5_to_6(conn: sqlite3.Connection) -> None:
    """v6: annotation sets (teams). Every span and event belongs to one set, named by a
    column rather than kept in a table of its own per set: the set is one more key of
    the same queries (the overlap rule, the document's spans, the export), a person
    working alone has all of them in the set ``''`` and sees no difference, and the
    column is added without rewriting the table (``ALTER TABLE ADD COLUMN`` with a
    constant default only changes the schema; the two span indexes are rebuilt with the
    set in them).

    - ``''``: the project's own set: a single person's work and, in a team project
      (made by ``annotator merge``), the *gold* set the review makes. Its document
      status is ``documents.status``.
    - a named set: one annotator's decisions merged from their own project file
      (``annotation_sets``: which file, up to which of its events), with that
      annotator's status of each of their documents (``set_documents``).

    Each project gets a random ``project_id`` (meta): a merge knows a file it merged
    before by it, whatever the file is called now."""
    import uuid  # here only: uuid (with platform) was 10 M instructions at every start

    # Each step checks what is there: a file a test (or a hand) set back to v5 keeps it.
    for table in ("spans", "events"):
        if "annotation_set" not in {row[1] for row in conn.execute(
                f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN annotation_set TEXT NOT NULL"
                         " DEFAULT ''")
    conn.execute("DROP INDEX IF EXISTS idx_spans_doc")
    conn.execute("CREATE INDEX idx_spans_doc ON spans(doc_id, annotation_set, layer, start)")
    conn.execute("DROP INDEX IF EXISTS idx_spans_doc_decision")
    conn.execute("CREATE INDEX idx_spans_doc_decision ON spans(doc_id, annotation_set,"
                 " decision)")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS annotation_sets (name TEXT PRIMARY KEY,"
        " project_id TEXT NOT NULL, path TEXT NOT NULL, events_upto INTEGER NOT NULL DEFAULT 0,"
        " merged_at TEXT NOT NULL)")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS set_documents (doc_id INTEGER NOT NULL REFERENCES"
        " documents(id)"
        " ON DELETE CASCADE, annotation_set TEXT NOT NULL, status TEXT NOT NULL"
        " CHECK (status IN ('new', 'in_progress', 'done', 'skipped', 'flagged')),"
        " note TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (doc_id, annotation_set))"
        " WITHOUT ROWID")
    conn.execute("CREATE INDEX IF NOT EXISTS idx_set_documents_set ON set_documents("
                 "annotation_set, status, doc_id)")
    conn.execute("INSERT OR IGNORE INTO meta VALUES ('project_id', ?)", (uuid.uuid4().hex,))


def _migrate_6_to_7(conn: sqlite3.Connection) -> None:
    """v7: document labels (issue 25), with the shipped scheme's categories and document
    labels (those whose name the project does not use already)."""
    _doc_label_tables(conn)
    scheme = LabelScheme.load()
    used = {row[0] for row in conn.execute("SELECT name FROM labels")}
    have = {row[0] for row in conn.execute("SELECT name FROM label_categories")}
    conn.executemany(
        "INSERT INTO label_categories VALUES (?, ?, ?, ?, (SELECT coalesce(max(position),"
        " -1) + 1 FROM label_categories))",
        [(c.name, int(c.exclusive), int(c.required), c.description)
         for c in scheme.categories if c.name not in have])
    conn.executemany(
        "INSERT INTO labels VALUES (?, 'doc', ?, ?, ?, (SELECT coalesce(max(position), -1)"
        " + 1 FROM labels), ?)",
        [(x.name, x.color, x.key, x.description, x.category)
         for x in scheme.doc_labels() if x.name not in used])


def _doc_label_tables(conn: sqlite3.Connection) -> None:
    """The tables of v7 without the shipped rows (what :data:`SCHEMA_STEPS` runs).

    - ``labels`` gains ``category`` and the layer ``doc``: SQLite cannot change a CHECK,
      so the table is made anew and its rows copied (positions kept).
    - ``label_categories``: the document labels' categories, in order.
    - ``doc_labels``: one row per document, annotation set, category and label: a
      suggestion (pending, with its score) or a decision, as spans are."""
    conn.execute("ALTER TABLE labels RENAME TO labels_v6")
    conn.execute(
        "CREATE TABLE labels (name TEXT PRIMARY KEY, layer TEXT NOT NULL"
        " CHECK (layer IN ('entity', 'claim', 'doc')), color TEXT NOT NULL,"
        " key TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',"
        " position INTEGER NOT NULL, category TEXT NOT NULL DEFAULT '')")
    conn.execute("INSERT INTO labels (name, layer, color, key, description, position)"
                 " SELECT name, layer, color, key, description, position FROM labels_v6")
    conn.execute("DROP TABLE labels_v6")
    conn.execute(
        "CREATE TABLE label_categories (name TEXT PRIMARY KEY, exclusive INTEGER NOT NULL,"
        " required INTEGER NOT NULL DEFAULT 0, description TEXT NOT NULL DEFAULT '',"
        " position INTEGER NOT NULL)")
    conn.execute(
        "CREATE TABLE doc_labels (id INTEGER PRIMARY KEY,"
        " doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
        " annotation_set TEXT NOT NULL DEFAULT '', category TEXT NOT NULL,"
        " label TEXT NOT NULL,"
        " origin TEXT NOT NULL CHECK (origin IN ('model', 'human')),"
        " decision TEXT NOT NULL CHECK (decision IN ('pending', 'accepted', 'rejected')),"
        " score REAL, model TEXT, annotator TEXT, created_at TEXT NOT NULL,"
        " updated_at TEXT NOT NULL, UNIQUE (doc_id, annotation_set, category, label))")
    conn.execute("CREATE INDEX idx_doc_labels_label ON doc_labels(category, label,"
                 " annotation_set, decision)")


def _migrate_7_to_8(conn: sqlite3.Connection) -> None:
    """v8: counters of documents by status and of spans by set, layer, label and
    decision, kept by triggers in the transaction of each change, so that ``stats`` and
    the window's counts read a few rows instead of scanning a million (issue 28)."""
    _counter_tables(conn)
    recount(conn)


def recount(conn: sqlite3.Connection) -> None:
    """The counters of v8 counted again from the rows (a migration, a repaired copy)."""
    conn.execute("DELETE FROM status_counts")
    conn.execute("INSERT INTO status_counts SELECT status, count(*) FROM documents"
                 " GROUP BY status")
    conn.execute("DELETE FROM span_counts")
    conn.execute("INSERT INTO span_counts SELECT annotation_set, layer, label, decision,"
                 " count(*) FROM spans GROUP BY annotation_set, layer, label, decision")


_COUNT_STATUS = ("INSERT INTO status_counts VALUES (new.status, 1)"
                 " ON CONFLICT (status) DO UPDATE SET n = n + 1;")
_UNCOUNT_STATUS = "UPDATE status_counts SET n = n - 1 WHERE status = old.status;"
_COUNT_SPAN = ("INSERT INTO span_counts VALUES (new.annotation_set, new.layer, new.label,"
               " new.decision, 1) ON CONFLICT (annotation_set, layer, label, decision)"
               " DO UPDATE SET n = n + 1;")
_UNCOUNT_SPAN = ("UPDATE span_counts SET n = n - 1 WHERE annotation_set = old.annotation_set"
                 " AND layer = old.layer AND label = old.label AND decision = old.decision;")


def _counter_tables(conn: sqlite3.Connection) -> None:
    """The tables and triggers of v8, empty (what :data:`SCHEMA_STEPS` runs). A row
    whose count fell to 0 stays (readers skip it): fewer writes than deleting it."""
    conn.execute("CREATE TABLE status_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL)"
                 " WITHOUT ROWID")
    conn.execute("CREATE TABLE span_counts (annotation_set TEXT NOT NULL, layer TEXT NOT"
                 " NULL, label TEXT NOT NULL, decision TEXT NOT NULL, n INTEGER NOT NULL,"
                 " PRIMARY KEY (annotation_set, layer, label, decision)) WITHOUT ROWID")
    conn.execute(f"CREATE TRIGGER count_document AFTER INSERT ON documents BEGIN"
                 f" {_COUNT_STATUS} END")
    conn.execute(f"CREATE TRIGGER uncount_document AFTER DELETE ON documents BEGIN"
                 f" {_UNCOUNT_STATUS} END")
    conn.execute(f"CREATE TRIGGER recount_document AFTER UPDATE OF status ON documents"
                 f" WHEN old.status IS NOT new.status BEGIN {_UNCOUNT_STATUS}"
                 f" {_COUNT_STATUS} END")
    conn.execute(f"CREATE TRIGGER count_span AFTER INSERT ON spans BEGIN {_COUNT_SPAN} END")
    conn.execute(f"CREATE TRIGGER uncount_span AFTER DELETE ON spans BEGIN {_UNCOUNT_SPAN}"
                 f" END")
    conn.execute(f"CREATE TRIGGER recount_span AFTER UPDATE OF annotation_set, layer,"
                 f" label, decision ON spans WHEN old.annotation_set IS NOT"
                 f" new.annotation_set OR old.layer IS NOT new.layer OR old.label IS NOT"
                 f" new.label OR old.decision IS NOT new.decision BEGIN {_UNCOUNT_SPAN}"
                 f" {_COUNT_SPAN} END")


# Migration N upgrades a version-N file to version N+1, inside one transaction.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _migrate_1_to_2, 2: _migrate_2_to_3, 3: _migrate_3_to_4, 4: _migrate_4_to_5,
    5: _migrate_5_to_6, 6: _migrate_6_to_7, 7: _migrate_7_to_8}
#: The migrations as far as the schema goes, for the expected schema of each version
#: (:func:`.trust.expected_schema`): v5's and v7's without reading labels.toml (90 ms
#: of imports at every open otherwise).
SCHEMA_STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {
    **MIGRATIONS, 4: _label_tables, 6: _doc_label_tables, 7: _counter_tables}


def make_title(text: str, meta: dict[str, Any], words: int = 12) -> str:
    """The list title: ``meta['title']`` or the first words of the text, without the
    outlet's name when the text opens with ``meta['source']`` ("Shafaq News/ The ...":
    every article of an outlet would start alike in the list)."""
    title = meta.get("title")
    if isinstance(title, str) and title.strip():
        return " ".join(title.split())[:200]
    head = text[:400]
    source = meta.get("source")
    if isinstance(source, str) and source.strip():
        head = _without_outlet(head, source.strip())
    return " ".join(head.split()[:words])[:200]


#: Compiled on first use (by re's cache): only an import makes titles, and re with
#: its compiler was 6 ms of a quick command's start-up.
_OUTLET_SEPARATOR = r"\s*[/:|\-\u2013\u2014]\s*"


def _without_outlet(head: str, source: str) -> str:
    """``head`` without a leading ``source`` and its separator ("/", ":", "-", ...)."""
    opening = head.lstrip()
    if opening[:len(source)].casefold() != source.casefold():
        return head
    rest = opening[len(source):]
    import re  # here only: re (with enum) is 10 M instructions of `annotator stats`

    separator = re.match(_OUTLET_SEPARATOR, rest)
    if separator is None or not rest[separator.end():].strip():
        return head
    return rest[separator.end():]
