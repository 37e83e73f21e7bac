"""Documents: insert, read, list (with the search index) and navigate."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..errors import UnknownDocument
from ..model import Document
from .base import StoreBase
from .rows import _LIST_COLUMNS, _document, _dumps, _like_pattern, fts_query, now
from .schema import make_title

TYPE_CHECKING = False  # typing is not imported at run time: see annotator/model.py
if TYPE_CHECKING:
    from typing import Any

    from ..model import Status


class DocumentQueries(StoreBase):
    """Documents: insert, read, list (with the search index) and navigate."""

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

    def documents_by_uncertainty(self, threshold: float, statuses: Iterable[Status],
                                 limit: int = -1, offset: int = 0, layer: str = "claim"
                                 ) -> list[tuple[int, float | None]]:
        """``(id, distance)`` of the documents with one of ``statuses``, those whose
        pending ``layer`` suggestion scores nearest ``threshold`` first (``distance``:
        how near), then those without a scored pending suggestion of the layer
        (``None``), by id; ``layer`` ``doc``: the pending document labels. One query;
        ``limit``/``offset`` page it."""
        statuses = list(statuses)
        marks = ",".join("?" * len(statuses))
        # layer "doc": the pending document labels a model suggested (an exclusive
        # category's best label, a multi-label one's labels scoring from one half)
        nearest = (
            "SELECT MIN(ABS(s.score - ?)) FROM doc_labels s WHERE s.doc_id = d.id"
            " AND s.annotation_set = '' AND ? = 'doc' AND s.decision = 'pending'"
            " AND s.score IS NOT NULL" if layer == "doc" else
            "SELECT MIN(ABS(s.score - ?)) FROM spans s WHERE s.doc_id = d.id"
            " AND s.annotation_set = '' AND s.layer = ? AND s.decision = 'pending'"
            " AND s.score IS NOT NULL")
        sql = (
            f"SELECT id, distance FROM (SELECT d.id AS id, ({nearest})"
            f" AS distance FROM documents d WHERE d.status IN ({marks}))"
            " ORDER BY distance IS NULL, distance, id LIMIT ? OFFSET ?")
        return [(int(i), None if dist is None else float(dist)) for i, dist in
                self.conn.execute(sql, (threshold, layer, *statuses, limit, offset))]

    def _hashes_in(self, chunk: list[str]) -> set[str]:
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT content_hash FROM documents WHERE content_hash IN ({marks})"
        return {row[0] for row in self.conn.execute(sql, chunk)}

    def insert_document(
        self, text: str, meta: dict[str, Any], content_hash: str, status: Status = "new",
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

    def document(self, doc_id: int) -> Document:
        """The document ``doc_id``, or :class:`~annotator.errors.UnknownDocument`
        (``no document N in PROJECT``), the refusal every command that takes an id
        gives."""
        doc = self.get_document(doc_id)
        if doc is None:
            raise UnknownDocument(doc_id, self._file)
        return doc

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

    def document_texts(self, ids: list[int]) -> dict[int, str]:
        """The texts of those documents (ids not found are left out), nothing else."""
        found: dict[int, str] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            found.update(self.conn.execute(
                f"SELECT id, text FROM documents WHERE id IN ({','.join('?' * len(chunk))})",
                chunk))
        return found

    def document_ids(self, status: Status | None = None) -> list[int]:
        """Ids of every document (with ``status``, if given), in order."""
        if status:
            rows = self.conn.execute("SELECT id FROM documents WHERE status = ? ORDER BY id",
                                     (status,))
        else:
            rows = self.conn.execute("SELECT id FROM documents ORDER BY id")
        return [row[0] for row in rows]

    def meta_values(self, key: str) -> dict[Any, list[int]]:
        """Every value the documents' meta holds under ``key`` (no ``"`` in it), with
        the ids of the documents holding it, in id order: one pass over the table."""
        found: dict[Any, list[int]] = {}
        sql = ("SELECT id, json_extract(meta, ?) AS v FROM documents WHERE v IS NOT NULL"
               " ORDER BY id")
        for doc_id, value in self.conn.execute(sql, (f'$."{key}"',)):
            found.setdefault(value, []).append(doc_id)
        return found

    def count_documents(self, status: str | None = None) -> int:
        # the counters the triggers keep (schema v8), not a scan of the documents
        if status:
            row = self.conn.execute("SELECT coalesce(sum(n), 0) FROM status_counts"
                                    " WHERE status = ?", (status,)).fetchone()
        else:
            row = self.conn.execute("SELECT coalesce(sum(n), 0) FROM status_counts"
                                    ).fetchone()
        return int(row[0])

    def document_rows(
        self,
        status: str | None = None,
        search: str | None = None,
        offset: int = 0,
        limit: int = 200,
        after_id: int = 0,
        doc_label: tuple[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """One page of the document list: id, status, title and span counts. Pass the
        last loaded id as ``after_id`` for the next page: OFFSET steps over every row it
        skips, so its pages get slower the further down a long list they are.
        ``doc_label``: ``(category, label)``, only documents with it accepted in the
        project's own set (through the document-label index)."""
        if search and fts_query(search) and self.search_indexed_upto():
            return self._found_rows(status, search, offset, limit, after_id, doc_label)
        where, params = self._list_filter(status, search)
        if after_id:
            where = f"{where} AND d.id > ?" if where else "WHERE d.id > ?"
            params.append(after_id)
        if doc_label is not None:
            having = ("d.id IN (SELECT doc_id FROM doc_labels WHERE category = ? AND"
                      " label = ? AND annotation_set = '' AND decision = 'accepted')")
            where = f"{where} AND {having}" if where else f"WHERE {having}"
            params.extend(doc_label)
        sql = (
            f"SELECT {_LIST_COLUMNS}"
            f" FROM documents d {where} ORDER BY d.id LIMIT ? OFFSET ?"
        )
        cur = self.conn.execute(sql, (*params, limit, offset))
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def document_rows_before(self, status: str | None, before_id: int, offset: int = 0,
                             limit: int = 200) -> list[dict[str, Any]]:
        """A page of the unsearched document list read backwards: the ``limit`` rows
        that end ``offset`` rows before ``before_id`` (0: the list's end), in id order.
        The window reads the pages near the list's end this way (keyset, not an OFFSET
        from the top)."""
        where, params = self._list_filter(status, None)
        if before_id:
            where = f"{where} AND d.id < ?" if where else "WHERE d.id < ?"
            params.append(before_id)
        cur = self.conn.execute(f"SELECT {_LIST_COLUMNS} FROM documents d {where}"
                                " ORDER BY d.id DESC LIMIT ? OFFSET ?", (*params, limit, offset))
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in reversed(cur.fetchall())]

    def id_range(self) -> tuple[int, int]:
        """The smallest and largest document id (0, 0 without documents): two steps of
        the table's b-tree, not a scan (which one ``SELECT min(id), max(id)`` is)."""
        row = self.conn.execute("SELECT (SELECT min(id) FROM documents),"
                                " (SELECT max(id) FROM documents)").fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def position(self, status: str | None, doc_id: int) -> int:
        """How many documents (with ``status``, if given) come before ``doc_id`` in id
        order: its row in the unsearched document list. Counts the ids before it (the
        status index with a status), so it costs as many steps as the row number."""
        if status:
            sql = ("SELECT count(*) FROM documents d INDEXED BY idx_documents_status"
                   " WHERE d.status = ? AND d.id < ?")
            return int(self.conn.execute(sql, (status, doc_id)).fetchone()[0])
        return int(self.conn.execute("SELECT count(*) FROM documents WHERE id < ?",
                                     (doc_id,)).fetchone()[0])

    def _found_rows(self, status: str | None, search: str, offset: int, limit: int,
                    after_id: int, doc_label: tuple[str, str] | None
                    ) -> list[dict[str, Any]]:
        """A page of a search while the full-text index holds documents up to ``upto``:
        those by a walk of the index in id order, then the later ones by LIKE, in id order
        too, each stopped at the page's end. (One ``id IN (index UNION LIKE)`` read every
        text not indexed yet before its first row: seconds at 1,000,000 documents while
        the window's indexer was on its way.)"""
        upto = self.search_indexed_upto()
        want = offset + limit
        rows: list[dict[str, Any]] = []
        extra = ""
        params: list[Any] = []
        if status:
            extra += " AND d.status = ?"
            params.append(status)
        if doc_label is not None:
            extra += (" AND d.id IN (SELECT doc_id FROM doc_labels WHERE category = ? AND"
                      " label = ? AND annotation_set = '' AND decision = 'accepted')")
            params.extend(doc_label)
        number = int(search) if search.strip().isdecimal() else None
        if after_id < upto:
            cur = self.conn.execute(
                f"SELECT {_LIST_COLUMNS} FROM documents d WHERE d.id IN ("
                " SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
                " AND rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?"
                f") {extra} ORDER BY d.id",
                [fts_query(search), after_id, upto, want if not extra else -1, *params])
            rows = _dicts(cur, want)
        if number is not None and number <= upto and number > after_id and \
                all(r["id"] != number for r in rows):  # the document whose id it is
            cur = self.conn.execute(f"SELECT {_LIST_COLUMNS} FROM documents d"
                                    f" WHERE d.id = ?{extra}", [number, *params])
            rows = sorted([*rows, *_dicts(cur, 1)], key=lambda r: int(r["id"]))[:want]
        if len(rows) < want:
            like = _like_pattern(search)
            clause = "d.title LIKE ? ESCAPE '\\' OR d.text LIKE ? ESCAPE '\\'"
            like_params: list[Any] = [like, like]
            if number is not None:
                clause += " OR d.id = ?"
                like_params.append(number)
            cur = self.conn.execute(
                f"SELECT {_LIST_COLUMNS} FROM documents d WHERE d.id > ? AND ({clause})"
                f"{extra} ORDER BY d.id LIMIT ?",
                [max(after_id, upto), *like_params, *params, want - len(rows)])
            rows += _dicts(cur, want - len(rows))
        return rows[offset:want]

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
        if not search:
            return self.count_documents(status)
        where, params = self._list_filter(status, search)
        return int(self.conn.execute(f"SELECT count(*) FROM documents d {where}", params)
                   .fetchone()[0])

    # -- search

    def count_unindexed(self) -> int:
        """How many documents the full-text index does not hold yet: exact, unless some
        after the index's watermark were deleted (then at most that many more). From the
        counters and the last id, not a count of the rows (which read every document
        not indexed: 14 s at 1,000,000, on the window's first idle moment)."""
        upto = self.search_indexed_upto()
        total = self.count_documents()
        if not upto:
            return total
        last = self.conn.execute("SELECT max(id) FROM documents").fetchone()[0] or 0
        return max(0, min(total, int(last) - upto))

    def search_indexed_upto(self) -> int:
        """Documents up to this id are in the full-text index; later ones are searched
        with LIKE until :meth:`update_search_index` reaches them."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'fts_upto'").fetchone()
        return int(row[0]) if row else 0

    def update_search_index(self, max_docs: int = 500, wait_ms: int | None = None,
                            durable: bool = True) -> int:
        """Add up to ``max_docs`` documents not yet in the full-text index (one short
        write transaction; about 0.13 ms a document of 3,000 characters); returns how
        many. Documents never change after import, so an id watermark is all the index
        needs to know. Call it repeatedly when idle; 0 means it is complete. ``wait_ms``:
        how long to wait for another writer (see :meth:`write`). ``durable=False``:
        commit without syncing the disk (``synchronous = NORMAL``): the index can be
        made again, and the next synced commit (a decision) syncs it too; a power cut
        may lose the last batches, never a decision, and the watermark goes with them."""
        upto = self.search_indexed_upto()
        synced = None if durable or self.conn.in_transaction else \
            int(self.conn.execute("PRAGMA synchronous").fetchone()[0])
        if synced is not None:
            self.conn.execute("PRAGMA synchronous = NORMAL")
        try:
            with self.write(wait_ms):
                rows = self.conn.execute(
                    "SELECT id FROM documents WHERE id > ? ORDER BY id LIMIT ?",
                    (upto, max_docs)).fetchall()
                if not rows:
                    return 0
                last = rows[-1][0]
                self.conn.execute(
                    "INSERT INTO documents_fts (rowid, title, text) SELECT id, title, text"
                    " FROM documents WHERE id > ? AND id <= ?", (upto, last))
                self.conn.execute("UPDATE meta SET value = ? WHERE key = 'fts_upto'",
                                  (str(last),))
        finally:
            if synced is not None:
                self.conn.execute(f"PRAGMA synchronous = {synced}")
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

    def next_document(self, after_id: int, statuses: tuple[Status, ...] = ("new", "in_progress")
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

    def set_document_meta(self, values: Iterable[tuple[int, str, Any]]) -> None:
        """Set ``meta[key] = value`` for ``(doc_id, key, value)`` rows (call inside
        :meth:`write`); the rest of each document's meta is kept."""
        self.conn.executemany(
            "UPDATE documents SET meta = json_set(meta, '$.' || ?, json(?)) WHERE id = ?",
            [(key, _dumps(value), doc_id) for doc_id, key, value in values])

    def has_model_spans(self, doc_id: int) -> bool:
        """Whether the project's own set has suggestions for the document, all of them
        (not a run's first transactions of a long one, see ``mark_suggesting``)."""
        sql = ("SELECT 1 FROM spans WHERE doc_id = ? AND annotation_set = '' AND"
               " origin = 'model' AND NOT EXISTS (SELECT 1 FROM meta WHERE key = ?)"
               " LIMIT 1")
        return self.conn.execute(sql, (doc_id, f"suggesting:{doc_id}")).fetchone() \
            is not None

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


def _dicts(cur: Any, at_most: int) -> list[dict[str, Any]]:
    """Up to ``at_most`` rows of ``cur`` as dicts by column name."""
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchmany(at_most)]
