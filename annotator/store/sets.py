"""Annotation sets (teams): each annotator's set, merging and splitting projects."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator

from ..model import Span, as_status
from .files import (
    _ATTACHED,
    _LOCKING,
    StoreError,
    _attach_uri,
    _check_is_ours,
    _file_key,
    _uri,
    describe_sqlite_error,
    read_header,
)
from .rows import now
from .schema import SCHEMA_VERSION
from .spans import SpanQueries
from .trust import (
    Header,
    check_header,
    check_limits,
    check_schema,
    doctor_hint,
    quick_check,
)

TYPE_CHECKING = False  # typing is not imported at run time: see annotator/model.py
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from ..model import Status


class SetQueries(SpanQueries):
    """Annotation sets (teams): each annotator's set, merging and splitting projects."""

    # -- annotation sets (teams; see annotator/teams.py)

    def meta_value(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Set a ``meta`` entry (call inside :meth:`write`)."""
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def meta_prefixed(self, prefix: str) -> dict[str, str]:
        """The ``meta`` entries whose key starts with ``prefix``, by key (the records a
        team project keeps of batches dealt and files merged: ``assign:N``,
        ``set_file:PROJECT_ID``)."""
        return {str(k): str(v) for k, v in self.conn.execute(
            "SELECT key, value FROM meta WHERE substr(key, 1, ?) = ? ORDER BY key",
            (len(prefix), prefix))}

    def given_document_ids(self) -> set[int]:
        """Documents some annotator's set holds (merged from their file)."""
        return {row[0] for row in self.conn.execute(
            "SELECT DISTINCT doc_id FROM set_documents")}

    @property
    def project_id(self) -> str:
        """This project's random id (schema v6): a merge knows a file by it."""
        return self.meta_value("project_id") or ""

    def annotation_sets(self) -> list[dict[str, Any]]:
        """The annotators' sets merged into the project, by name: the file each came
        from, its project id, the last of its events merged, when."""
        cur = self.conn.execute("SELECT name, project_id, path, events_upto, merged_at"
                                " FROM annotation_sets ORDER BY name")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    def document_sets(self, doc_id: int) -> dict[str, str]:
        """The annotators' sets that hold a document: name -> their status of it."""
        return dict(self.conn.execute(
            "SELECT annotation_set, status FROM set_documents WHERE doc_id = ?"
            " ORDER BY annotation_set", (doc_id,)))

    def set_documents(self, annotation_set: str, status: str | None = "done") -> list[int]:
        """Ids of the documents of an annotator's set (with that status, if given)."""
        if status is None:
            rows = self.conn.execute("SELECT doc_id FROM set_documents WHERE annotation_set"
                                     " = ? ORDER BY doc_id", (annotation_set,))
        else:
            rows = self.conn.execute("SELECT doc_id FROM set_documents WHERE annotation_set"
                                     " = ? AND status = ? ORDER BY doc_id",
                                     (annotation_set, status))
        return [row[0] for row in rows]

    def document_status(self, doc_id: int, annotation_set: str = ""
                        ) -> tuple[Status, str | None] | None:
        """A document's status and note in a set (the project's own: the document's)."""
        if annotation_set == "":
            row = self.conn.execute("SELECT status, note FROM documents WHERE id = ?",
                                    (doc_id,)).fetchone()
        else:
            row = self.conn.execute(
                "SELECT status, note FROM set_documents WHERE doc_id = ? AND"
                " annotation_set = ?", (doc_id, annotation_set)).fetchone()
        return None if row is None else (as_status(row[0]), row[1])

    def put_set_status(self, doc_id: int, annotation_set: str, status: Status,
                       note: str | None) -> None:
        """Set a document's status in an annotator's set (call inside :meth:`write`)."""
        self.conn.execute("INSERT OR REPLACE INTO set_documents VALUES (?, ?, ?, ?, ?)",
                          (doc_id, annotation_set, status, note, now()))

    def review_document_ids(self, after_id: int = 0, reviewed: bool = False,
                            limit: int | None = None) -> list[int]:
        """Documents that two or more annotators marked done, after ``after_id``, in id
        order: those not reviewed yet (not done in the project), or with ``reviewed``
        all of them."""
        sql = ("SELECT sd.doc_id FROM set_documents sd JOIN documents d ON d.id = sd.doc_id"
               " WHERE sd.status = 'done' AND sd.doc_id > ?"
               + ("" if reviewed else " AND d.status != 'done'") +
               " GROUP BY sd.doc_id HAVING count(*) >= 2 ORDER BY sd.doc_id")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [row[0] for row in self.conn.execute(sql, (after_id,))]

    def shared_done(self) -> dict[int, list[str]]:
        """Documents two or more annotators marked done: id -> their sets, by name."""
        found: dict[int, list[str]] = {}
        for doc_id, name in self.conn.execute(
                "SELECT doc_id, annotation_set FROM set_documents WHERE status = 'done' AND"
                " doc_id IN (SELECT doc_id FROM set_documents WHERE status = 'done'"
                " GROUP BY doc_id HAVING count(*) >= 2) ORDER BY doc_id, annotation_set"):
            found.setdefault(doc_id, []).append(name)
        return found

    def sets_with_spans(self, doc_ids: list[int], layers: tuple[str, ...] | None = None
                        ) -> dict[int, set[str]]:
        """Which sets (``""``: the project's own, gold) hold accepted spans (of
        ``layers``) in each of ``doc_ids``; documents with none are left out."""
        found: dict[int, set[str]] = {}
        for i in range(0, len(doc_ids), 500):
            chunk = doc_ids[i:i + 500]
            sql = (f"SELECT DISTINCT doc_id, annotation_set FROM spans WHERE doc_id IN"
                   f" ({','.join('?' * len(chunk))}) AND decision = 'accepted'")
            params: list[Any] = list(chunk)
            if layers is not None:
                marks = ",".join("?" * len(layers))
                sql += f" AND layer IN ({marks})"
                params += list(layers)
            for doc_id, name in self.conn.execute(sql, params):
                found.setdefault(doc_id, set()).add(name)
        return found

    def emptied_documents(self, doc_ids: list[int], annotation_set: str = "",
                          layers: tuple[str, ...] | None = None) -> dict[int, list[str]]:
        """Of ``doc_ids``, those whose set ``annotation_set`` holds no accepted span (of
        ``layers``) while other sets of the document do: id -> those sets, by name
        (``""``: gold). Marking such a document reviewed, or exporting that set of it,
        would say "nothing here" where an annotator found something (issue 21)."""
        out = {}
        for doc_id, names in self.sets_with_spans(doc_ids, layers).items():
            if annotation_set not in names:
                out[doc_id] = sorted(names)
        return out

    def decided_spans(self, doc_ids: list[int], layer: str | None = None,
                      span_ids: Collection[int] | None = None
                      ) -> Iterator[tuple[int, str, Span]]:
        """``(doc_id, set, span)`` of the accepted spans of the annotators' sets in those
        documents (claims with their attributes; claimant spans looked up by the caller),
        in batches of 500 documents; of ``layer`` only, and of the spans ``span_ids``
        only, if given (a few thousand at most: one SQL parameter each)."""
        for i in range(0, len(doc_ids), 500):
            chunk = doc_ids[i:i + 500]
            where = (f"s.doc_id IN ({','.join('?' * len(chunk))}) AND s.annotation_set != ''"
                     " AND s.decision = 'accepted'")
            params: list[Any] = list(chunk)
            if layer is not None:
                # `+`: not by the layer's index (idx_spans_label), which the planner
                # takes without statistics and which reads the layer's spans of every
                # document, for each batch (4x the VM steps at 10,000 documents)
                where += " AND +s.layer = ?"
                params.append(layer)
            if span_ids is not None:
                where += f" AND s.id IN ({','.join('?' * len(span_ids))})"
                params.extend(span_ids)
            for span in self._query_spans(where, params):
                yield span.doc_id, span.annotation_set, span

    def decided_span_bounds(self, doc_ids: list[int], layer: str
                            ) -> Iterator[tuple[int, str, int, int, str]]:
        """``(doc_id, set, start, end, label)`` of the spans :meth:`decided_spans` gives
        for ``layer``, in its order, and nothing else of them: agreement reads
        hundreds of thousands, and a :class:`Span` each was a third of its reading."""
        for i in range(0, len(doc_ids), 500):
            chunk = doc_ids[i:i + 500]
            yield from self.conn.execute(
                'SELECT doc_id, annotation_set, start, "end", label FROM spans s'
                f" WHERE s.doc_id IN ({','.join('?' * len(chunk))}) AND"
                " s.annotation_set != '' AND s.decision = 'accepted' AND +s.layer = ?"
                ' ORDER BY s.start, s."end" DESC, s.id', (*chunk, layer))

    # -- merging and splitting: another project read through this connection

    def attach(self, path: Path, alias: str, *, verify: bool = False) -> int:
        """Attach another project, read-only, to this store's connection as ``alias``
        and return its schema version; refuses (:class:`StoreError`, nothing attached)
        a file that is not an Annotator project (its header and schema as ours, see
        :mod:`.trust`), and this project itself. ``verify`` (a file from someone else,
        to merge): also SQLite's ``quick_check`` and the caps on text and spans per
        document.

        Why ATTACH and not a second :class:`Store`: the other file is read inside this
        store's write transaction, one snapshot, by ``INSERT ... SELECT`` with no rows
        through Python (a merge runs at the import's speed), and it is never migrated or
        written. It keeps the lock rule (see _connect) as a second Store would: the
        attached file's descriptor is SQLite's, which keeps one lock record per file for
        all the connections of this process and defers closing a descriptor (at DETACH)
        while another of them holds a lock on the file, so a window of this process with
        that project open keeps its locks. The attached file counts in ``_LOCKING``
        while attached, so no immutable connection is opened beside it. Nothing here
        calls open() on it."""
        import re
        from pathlib import Path

        if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", alias) or alias in ("main", "temp"):
            raise ValueError(f"not a name to attach a database as: {alias!r}")
        path = Path(path)
        if not path.is_file() or path.stat().st_size == 0:
            raise StoreError(f"{path}: no such project database")
        if _file_key(path) == _file_key(self._file):
            raise StoreError(f"{path}: is the project being written itself")
        if self.conn.in_transaction:
            raise RuntimeError("attach before the write transaction (SQLite refuses it in one)")
        check_header(Header.parse(read_header(path) or b""), path)
        # mode=ro where SQLite reads URIs in ATTACH (built with USE_URI, as CPython's
        # bundled and the common system libraries are): never a write, not even the
        # checkpoint a last read-write connection makes when it closes. Elsewhere the
        # plain path, which we only read.
        target = _uri(path, "mode=ro") if _attach_uri() else str(path)
        try:
            self.conn.execute("ATTACH DATABASE ? AS " + alias, (target,))
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                raise StoreError(f"{path}: not an SQLite database, so not an Annotator "
                                 "project") from exc
            if "encoding" in str(exc):
                raise StoreError(f"{path}: refused: its text is not encoded as UTF-8, as "
                                 "Annotator makes it") from exc
            raise StoreError(f"{path}: cannot be read ({describe_sqlite_error(exc, path)})"
                             ) from exc
        key = _file_key(path)
        _LOCKING[key] += 1
        _ATTACHED[(id(self.conn), alias)] = key
        try:
            version = _check_is_ours(self.conn, path, alias)
            if version == 0:
                raise StoreError(f"{path}: an empty project database")
            check_schema(self.conn, path, version, alias)
            if verify:
                self._verify_attached(path, alias)
        except BaseException:
            self.detach(alias)
            raise
        return version

    def _verify_attached(self, path: Path, alias: str) -> None:
        """Refuse an attached file that is damaged (``quick_check``) or over a cap."""
        damage = quick_check(self.conn, alias)
        if damage:
            raise StoreError(f"{path}: damaged ({'; '.join(damage[:2])}); refused, nothing "
                             f"was read from it ({doctor_hint(path)} says more)")
        try:
            over = check_limits(self.conn, alias)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: damaged ({exc}); refused, nothing was read from it"
                             ) from exc
        if over:
            raise StoreError(f"{path}: refused: {'; '.join(over)}")

    def detach(self, alias: str) -> None:
        self.conn.execute(f"DETACH DATABASE {alias}")
        key = _ATTACHED.pop((id(self.conn), alias), None)
        if key is not None:
            _LOCKING[key] -= 1
            if _LOCKING[key] <= 0:
                del _LOCKING[key]

    def attached_scheme(self, alias: str) -> list[tuple[str, str]]:
        """The attached project's labels as sorted (name, layer) pairs."""
        return sorted(self.conn.execute(f"SELECT name, layer FROM {alias}.labels"))

    def attached_labels(self, alias: str) -> list[str]:
        """Every label name the attached project holds: its scheme's, its map's and its
        spans' (the spans' through the label index)."""
        return [str(row[0]) for row in self.conn.execute(
            f"SELECT name FROM {alias}.labels UNION SELECT label FROM {alias}.label_map"
            f" UNION SELECT DISTINCT label FROM {alias}.spans")]

    def scheme_names(self) -> list[tuple[str, str]]:
        return sorted(self.conn.execute("SELECT name, layer FROM labels"))

    def attached_value(self, alias: str, sql: str, params: tuple[Any, ...] = ()) -> Any:
        """The first column of the first row of a query on the attached project (its
        tables written as ``{src}.name``), or ``None``."""
        row = self.conn.execute(sql.format(src=alias), params).fetchone()
        return None if row is None else row[0]

    def attached_annotators(self, alias: str) -> list[str]:
        """Who made the decisions in the attached project's own set."""
        return [row[0] for row in self.conn.execute(
            f"SELECT DISTINCT annotator FROM {alias}.spans WHERE annotation_set = ''"
            " AND decision != 'pending' AND annotator IS NOT NULL UNION SELECT DISTINCT"
            f" annotator FROM {alias}.events WHERE annotation_set = '' AND annotator IS NOT"
            " NULL AND action NOT LIKE 'label%' ORDER BY 1")]

    def adopt_scheme(self, alias: str) -> None:
        """Take the attached project's label scheme and label map (a new team project
        starts with the scheme its annotators' files hold; call inside :meth:`write`)."""
        self.conn.execute("DELETE FROM labels")
        self.conn.execute(f"INSERT INTO labels SELECT * FROM {alias}.labels")
        self.conn.execute("DELETE FROM label_map")
        self.conn.execute(f"INSERT INTO label_map SELECT * FROM {alias}.label_map")
        self.conn.execute("DELETE FROM label_categories")
        self.conn.execute(f"INSERT INTO label_categories SELECT * FROM {alias}.label_categories")

    def merge_set(self, alias: str, name: str, events_upto: int | None) -> dict[str, int]:
        """Copy the attached project's own set into this one as the annotation set
        ``name`` (call inside :meth:`write`; see :func:`annotator.teams.merge`).

        Documents are matched by content hash (new ones are added, status ``new``); the
        set's decided spans (and the pending ones a decided claim names as claimant) with
        their claim attributes; its decided document labels; the annotator's status of
        each document; their events (after ``events_upto``, the last one merged before;
        ``None``: never merged), each with its annotator and time; cached tokens of the
        new documents. The first merge copies every document; a later one only those the
        newer events name (and any the set lacks), replacing what the set held of them.
        Returns counts of what changed."""
        c = self.conn
        ts = now()
        # rowcount, not total_changes: that also counts the rows the triggers of the
        # counters (schema v8) change
        counts: dict[str, int] = {"documents_added": 0}
        # A new document keeps its id where that id is free (files split from one project
        # share its ids, so document 17 is 17 everywhere), else takes the next one.
        new = (f"FROM {alias}.documents s WHERE NOT EXISTS (SELECT 1 FROM main.documents d"
               " WHERE d.content_hash = s.content_hash)")
        taken = "EXISTS (SELECT 1 FROM main.documents x WHERE x.id = s.id)"
        for keep in (True, False):
            counts["documents_added"] += c.execute(
                "INSERT INTO main.documents (id, text, meta, content_hash, status, created_at,"
                f" updated_at, title) SELECT {'s.id' if keep else 'NULL'}, text, meta,"
                f" content_hash, 'new', created_at, ?, title {new}"
                f" AND {'NOT ' if keep else ''}{taken} ORDER BY s.id", (ts,)).rowcount
        for table, columns in (("merge_docs", "src_id INTEGER PRIMARY KEY, team_id INTEGER"),
                               ("merge_todo", "src_id INTEGER PRIMARY KEY"),
                               ("merge_spans", "src_id INTEGER PRIMARY KEY, team_id INTEGER")):
            c.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({columns})")
            c.execute(f"DELETE FROM temp.{table}")
        c.execute(f"INSERT INTO temp.merge_docs SELECT s.id, d.id FROM {alias}.documents s"
                  " JOIN main.documents d ON d.content_hash = s.content_hash")
        if events_upto is None:
            c.execute("INSERT INTO temp.merge_todo SELECT src_id FROM temp.merge_docs")
        else:
            c.execute("INSERT OR IGNORE INTO temp.merge_todo SELECT DISTINCT doc_id FROM"
                      f" {alias}.events WHERE id > ? AND doc_id IS NOT NULL AND"
                      " annotation_set = ''", (events_upto,))
            c.execute("INSERT OR IGNORE INTO temp.merge_todo SELECT m.src_id FROM"
                      " temp.merge_docs m WHERE NOT EXISTS (SELECT 1 FROM main.set_documents x"
                      " WHERE x.doc_id = m.team_id AND x.annotation_set = ?)", (name,))
        removed = c.execute(
            "DELETE FROM main.spans WHERE annotation_set = ? AND doc_id IN (SELECT"
            " m.team_id FROM temp.merge_docs m JOIN temp.merge_todo t USING (src_id))",
            (name,)).rowcount
        base = c.execute("SELECT coalesce(max(id), 0) FROM main.spans").fetchone()[0]
        c.execute(
            "INSERT INTO temp.merge_spans SELECT s.id, ? + row_number() OVER (ORDER BY s.id)"
            f" FROM {alias}.spans s JOIN temp.merge_todo t ON t.src_id = s.doc_id"
            " WHERE s.annotation_set = '' AND (s.decision != 'pending' OR s.id IN (SELECT"
            f" c.claimant_span_id FROM {alias}.claims c JOIN {alias}.spans cs ON cs.id ="
            " c.span_id WHERE cs.decision != 'pending'))", (base,))
        counts["spans"] = c.execute(
            'INSERT INTO main.spans (id, doc_id, layer, start, "end", label, origin, decision,'
            " score, model, annotator, cues, created_at, updated_at, annotation_set)"
            ' SELECT m.team_id, d.team_id, s.layer, s.start, s."end", s.label, s.origin,'
            " s.decision, s.score, s.model, s.annotator, s.cues, s.created_at, s.updated_at, ?"
            f" FROM temp.merge_spans m JOIN {alias}.spans s ON s.id = m.src_id"
            " JOIN temp.merge_docs d ON d.src_id = s.doc_id ORDER BY m.team_id",
            (name,)).rowcount
        c.execute(
            "INSERT INTO main.claims (span_id, claim_type, claimant_span_id, claimant_text,"
            " via, checkworthy, hedged) SELECT m.team_id, c.claim_type, cm.team_id,"
            " c.claimant_text, c.via, c.checkworthy, c.hedged FROM temp.merge_spans m"
            f" JOIN {alias}.claims c ON c.span_id = m.src_id"
            " LEFT JOIN temp.merge_spans cm ON cm.src_id = c.claimant_span_id")
        counts["spans_removed"] = removed
        counts.update(self._merge_doc_labels(alias, name))
        before = c.total_changes
        # The events' span ids and the ids in before/after are the annotator's file's:
        # the set's spans get new ids here (and again when a later merge replaces them),
        # so span_id is left empty rather than pointing at another span.
        c.execute(
            "INSERT INTO main.events (ts, annotator, action, doc_id, span_id, before, after,"
            " annotation_set) SELECT e.ts, e.annotator, e.action, d.team_id, NULL, e.before,"
            f" e.after, ? FROM {alias}.events e LEFT JOIN temp.merge_docs d ON"
            " d.src_id = e.doc_id WHERE e.id > ? AND e.annotation_set = '' ORDER BY e.id",
            (name, events_upto or 0))
        counts["events"] = c.total_changes - before
        before = c.total_changes
        c.execute(
            "INSERT OR REPLACE INTO main.set_documents (doc_id, annotation_set, status, note,"
            f" updated_at) SELECT d.team_id, ?, s.status, s.note, s.updated_at FROM"
            f" {alias}.documents s JOIN temp.merge_docs d ON d.src_id = s.id WHERE NOT EXISTS"
            " (SELECT 1 FROM main.set_documents x WHERE x.doc_id = d.team_id AND"
            " x.annotation_set = ? AND x.status = s.status AND x.note IS s.note)",
            (name, name))
        counts["statuses"] = c.total_changes - before
        c.execute(
            f"INSERT INTO main.tokens SELECT d.team_id, t.tokenizer, t.starts, t.json FROM"
            f" {alias}.tokens t JOIN temp.merge_docs d ON d.src_id = t.doc_id WHERE NOT EXISTS"
            " (SELECT 1 FROM main.tokens x WHERE x.doc_id = d.team_id)")
        counts["documents"] = c.execute("SELECT count(*) FROM temp.merge_docs").fetchone()[0]
        return counts

    def _merge_doc_labels(self, alias: str, name: str) -> dict[str, int]:
        """:meth:`merge_set`'s document labels: the decided ones of the documents to do
        (``temp.merge_todo``), replacing what the set held of them."""
        c = self.conn
        before = c.total_changes
        c.execute("DELETE FROM main.doc_labels WHERE annotation_set = ? AND doc_id IN"
                  " (SELECT m.team_id FROM temp.merge_docs m JOIN temp.merge_todo t USING"
                  " (src_id))", (name,))
        removed = c.total_changes - before
        before = c.total_changes
        c.execute(
            "INSERT INTO main.doc_labels (doc_id, annotation_set, category, label, origin,"
            " decision, score, model, annotator, created_at, updated_at) SELECT d.team_id,"
            " ?, s.category, s.label, s.origin, s.decision, s.score, s.model, s.annotator,"
            f" s.created_at, s.updated_at FROM {alias}.doc_labels s JOIN temp.merge_todo t"
            " ON t.src_id = s.doc_id JOIN temp.merge_docs d ON d.src_id = s.doc_id"
            " WHERE s.annotation_set = '' AND s.decision != 'pending' ORDER BY s.id", (name,))
        return {"doc_labels": c.total_changes - before, "doc_labels_removed": removed}

    def put_annotation_set(self, name: str, project_id: str, path: str,
                           events_upto: int) -> None:
        self.conn.execute("INSERT OR REPLACE INTO annotation_sets VALUES (?, ?, ?, ?, ?)",
                          (name, project_id, path, events_upto, now()))

    def copy_for_split(self, alias: str, doc_ids: list[int]) -> dict[str, int]:
        """Fill this (new) project with documents ``doc_ids`` of the attached one, status
        ``new``, with their pending suggestions (claim attributes included; a claimant
        that is not among them is dropped), cached tokens, and the attached project's
        label scheme (document-label categories included) and label map; its pending
        document-label suggestions too (call inside :meth:`write`)."""
        c = self.conn
        self.adopt_scheme(alias)
        for table, columns in (("split_docs", "src_id INTEGER PRIMARY KEY"),
                               ("split_spans", "src_id INTEGER PRIMARY KEY, new_id INTEGER")):
            c.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({columns})")
            c.execute(f"DELETE FROM temp.{table}")
        c.executemany("INSERT INTO temp.split_docs VALUES (?)", [(i,) for i in doc_ids])
        ts = now()
        c.execute(
            "INSERT INTO main.documents (id, text, meta, content_hash, status, created_at,"
            f" updated_at, title) SELECT s.id, s.text, s.meta, s.content_hash, 'new', ?, ?,"
            f" s.title FROM {alias}.documents s JOIN temp.split_docs t ON t.src_id = s.id"
            " ORDER BY s.id", (ts, ts))
        c.execute(
            "INSERT INTO temp.split_spans SELECT s.id, row_number() OVER (ORDER BY s.id)"
            f" FROM {alias}.spans s JOIN temp.split_docs t ON t.src_id = s.doc_id"
            " WHERE s.annotation_set = '' AND s.decision = 'pending'")
        c.execute(
            'INSERT INTO main.spans (id, doc_id, layer, start, "end", label, origin, decision,'
            " score, model, annotator, cues, created_at, updated_at)"
            ' SELECT m.new_id, s.doc_id, s.layer, s.start, s."end", s.label, s.origin,'
            " s.decision, s.score, s.model, s.annotator, s.cues, s.created_at, s.updated_at"
            f" FROM temp.split_spans m JOIN {alias}.spans s ON s.id = m.src_id"
            " ORDER BY m.new_id")
        c.execute(
            "INSERT INTO main.claims (span_id, claim_type, claimant_span_id, claimant_text,"
            " via, checkworthy, hedged) SELECT m.new_id, c.claim_type, cm.new_id,"
            " c.claimant_text, c.via, c.checkworthy, c.hedged FROM temp.split_spans m"
            f" JOIN {alias}.claims c ON c.span_id = m.src_id"
            " LEFT JOIN temp.split_spans cm ON cm.src_id = c.claimant_span_id")
        c.execute(f"INSERT INTO main.tokens SELECT t.* FROM {alias}.tokens t"
                  " JOIN temp.split_docs d ON d.src_id = t.doc_id")
        before = c.total_changes
        c.execute(
            "INSERT INTO main.doc_labels (doc_id, annotation_set, category, label, origin,"
            " decision, score, model, annotator, created_at, updated_at) SELECT s.doc_id,"
            " '', s.category, s.label, s.origin, s.decision, s.score, s.model, s.annotator,"
            f" s.created_at, s.updated_at FROM {alias}.doc_labels s JOIN temp.split_docs t"
            " ON t.src_id = s.doc_id WHERE s.annotation_set = '' AND s.decision = 'pending'"
            " ORDER BY s.id")
        doc_suggestions = c.total_changes - before
        # a file that goes to someone else leaves with our schema and nothing else
        check_schema(c, self._file, SCHEMA_VERSION)
        return {"documents": len(doc_ids),
                "suggestions": c.execute("SELECT count(*) FROM temp.split_spans").fetchone()[0],
                "doc_label_suggestions": doc_suggestions}
