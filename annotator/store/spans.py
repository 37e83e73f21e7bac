"""Spans and claims: read, write, suggestions and the export's stream."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..model import (
    CLAIM_ATTRIBUTES,
    Claim,
    Document,
    Span,
    as_status,
)
from .base import StoreBase
from .rows import _DOC_COLUMNS, _document, _span, choose_set, now

TYPE_CHECKING = False  # typing is not imported at run time: see annotator/model.py
if TYPE_CHECKING:
    from typing import Any

    from ..model import Decision, Layer, Origin


class SpanQueries(StoreBase):
    """Spans and claims: read, write, suggestions and the export's stream."""

    # -- spans

    def spans(
        self, doc_id: int, layer: Layer | None = None,
        decisions: Iterable[Decision] | None = None,
        annotation_set: str | None = "",
    ) -> list[Span]:
        """The spans of a document in one annotation set (default the project's own;
        ``None``: every set) ordered by start, with claim attributes attached."""
        where: list[str] = ["s.doc_id = ?"]
        params: list[Any] = [doc_id]
        if annotation_set is not None:
            where.append("s.annotation_set = ?")
            params.append(annotation_set)
        if layer:
            where.append("s.layer = ?")
            params.append(layer)
        if decisions is not None:
            decisions = list(decisions)
            where.append(f"s.decision IN ({','.join('?' * len(decisions))})")
            params.extend(decisions)
        return self._query_spans(" AND ".join(where), params)

    def document_ids_with_label(self, label: str, annotation_set: str = "") -> list[int]:
        """Ids of the documents with a span (not rejected) labelled ``label`` in one
        annotation set, in order."""
        rows = self.conn.execute(
            "SELECT DISTINCT doc_id FROM spans WHERE label = ? AND annotation_set = ?"
            " AND decision != 'rejected' ORDER BY doc_id", (label, annotation_set))
        return [int(row[0]) for row in rows]

    def pending_span_ids(self, doc_id: int | None = None, layer: Layer | None = None,
                         label: str | None = None, min_score: float | None = None,
                         annotation_set: str = "", max_score: float | None = None,
                         decisions: tuple[Decision, ...] = ("pending",)) -> list[int]:
        """Ids of pending suggestions (or spans of other ``decisions``) of one annotation
        set matching the filters, by document and start."""
        where: list[str] = [f"decision IN ({','.join('?' * len(decisions))})",
                            "annotation_set = ?"]
        params: list[Any] = [*decisions, annotation_set]
        for column, value in (("doc_id", doc_id), ("layer", layer), ("label", label)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if min_score is not None:
            where.append("score >= ?")
            params.append(min_score)
        if max_score is not None:
            where.append("score <= ?")
            params.append(max_score)
        sql = f"SELECT id FROM spans WHERE {' AND '.join(where)} ORDER BY doc_id, start"
        return [row[0] for row in self.conn.execute(sql, params)]

    def overlapping_entity_ids(self, doc_id: int, start: int, end: int,
                               decisions: Iterable[str], annotation_set: str = "") -> list[int]:
        """Ids of entity spans of one annotation set with one of ``decisions``
        overlapping ``[start, end)``, in :meth:`spans` order: one range query on the
        (doc_id, annotation_set, layer, start) index (reading every span of a 3,000-span
        document cost more than the decision itself)."""
        decisions = list(decisions)
        marks = ",".join("?" * len(decisions))
        return [row[0] for row in self.conn.execute(
            "SELECT id FROM spans WHERE doc_id = ? AND annotation_set = ? AND layer = 'entity'"
            f' AND start < ? AND "end" > ? AND decision IN ({marks})'
            ' ORDER BY start, "end" DESC, id',
            (doc_id, annotation_set, end, start, *decisions))]

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
            " c.checkworthy, c.hedged, s.annotation_set"
            " FROM spans s LEFT JOIN claims c ON c.span_id = s.id"
            f" WHERE {where} ORDER BY s.start, s.\"end\" DESC, s.id"
        )
        return [_span(row) for row in self.conn.execute(sql, params)]

    def insert_span(self, span: Span) -> int:
        """Insert a span (and its claim attributes); call inside :meth:`write`."""
        import json

        ts = now()
        created = span.created_at or ts
        cur = self.conn.execute(
            'INSERT INTO spans (id, doc_id, layer, start, "end", label, origin, decision, score,'
            " model, annotator, cues, created_at, updated_at, annotation_set)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (span.id, span.doc_id, span.layer, span.start, span.end, span.label, span.origin,
             span.decision, span.score, span.model, span.annotator, json.dumps(span.cues),
             created, span.updated_at or ts, span.annotation_set),
        )
        span_id = int(cur.lastrowid or 0)
        if span.layer == "claim":
            self.set_claim(span_id, span.claim or Claim())
        return span_id

    def update_span(self, span_id: int, *, start: int | None = None, end: int | None = None,
                    label: str | None = None, decision: Decision | None = None,
                    annotator: str | None = None, origin: Origin | None = None,
                    score: float | None = None, cues: list[str] | None = None) -> None:
        """Update the given columns of a span (None: leave the column as it is; to write
        a span back whole, NULLs included, use :meth:`restore_span`)."""
        import json

        given: dict[str, object] = {
            "start": start, "end": end, "label": label, "decision": decision,
            "annotator": annotator, "origin": origin, "score": score,
            "cues": None if cues is None else json.dumps(cues)}
        fields = {name: value for name, value in given.items() if value is not None}
        if not fields:
            raise ValueError("update_span: no column given")
        # the names are the fixed keys of ``given`` above, never the caller's
        sets = ", ".join(f'"{name}" = ?' for name in fields)
        self.conn.execute(
            f"UPDATE spans SET {sets}, updated_at = ? WHERE id = ?",
            (*fields.values(), now(), span_id),
        )

    def restore_span(self, span: Span) -> None:
        """Write ``span`` back exactly as given (update in place, or insert it again)."""
        import json

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

    # -- suggestions

    def document_ids_for_suggest(self, redo: bool = False) -> list[int]:
        """Ids of documents without model suggestions, or whose suggestions were begun
        and not finished (see :meth:`mark_suggesting`); all documents with ``redo``."""
        if redo:
            sql = "SELECT id FROM documents ORDER BY id"
        else:
            sql = ("SELECT d.id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM spans s"
                   " WHERE s.doc_id = d.id AND s.annotation_set = '' AND s.origin = 'model')"
                   " OR EXISTS (SELECT 1 FROM meta WHERE key = 'suggesting:' || d.id)"
                   " ORDER BY d.id")
        return [int(row[0]) for row in self.conn.execute(sql)]

    def mark_suggesting(self, doc_id: int, begun: bool) -> None:
        """Note (``begun``) or clear that a document's suggestions are being written in
        several transactions (call inside :meth:`write`): until cleared, the document
        counts as one without suggestions (:meth:`document_ids_for_suggest`,
        ``has_model_spans``), so a run cut short midway is finished by the next one."""
        if begun:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')",
                              (f"suggesting:{doc_id}",))
        else:
            self.conn.execute("DELETE FROM meta WHERE key = ?", (f"suggesting:{doc_id}",))

    def span_ranges(self, doc_id: int, layer: Layer) -> list[tuple[int, int, int, str]]:
        """``(id, start, end, decision)`` of a document's spans of one layer in the
        project's own set, in :meth:`spans` order: what the overlap rule of suggestions
        needs, without building spans."""
        return self.conn.execute(
            'SELECT id, start, "end", decision FROM spans WHERE doc_id = ?'
            " AND annotation_set = '' AND layer = ? ORDER BY start, \"end\" DESC, id",
            (doc_id, layer)).fetchall()

    def span_digest(self, doc_id: int) -> tuple[int, ...]:
        """A digest of what :meth:`span_ranges` returns for both layers of a document
        (ids, ranges, layers, which are rejected), from one indexed scan in SQLite: it
        changes when any of those change. 2 ms for 15,000 spans, where reading them
        into Python and indexing them took 20 ms (a suggester checks it after another
        connection's commit, which is nearly always a decision on another document)."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(id), 0),"
            ' coalesce(sum(start * 1000003 + "end"), 0),'
            " coalesce(sum(CASE WHEN layer = 'entity' THEN id * 7 + start ELSE 0 END), 0),"
            " coalesce(sum(CASE WHEN decision = 'rejected' THEN id ELSE 0 END), 0)"
            " FROM spans WHERE doc_id = ? AND annotation_set = ''"
            " AND layer IN ('entity', 'claim')", (doc_id,)).fetchone()
        return tuple(int(x) for x in row)

    def data_version(self) -> int:
        """SQLite's ``data_version``: it changes when another connection commits."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def suggesting_models(self) -> dict[str, int]:
        """How many documents have model suggestions (of any decision) in the project's
        own set, by the model that made them."""
        return {str(model or "an unnamed model"): int(n) for model, n in self.conn.execute(
            "SELECT model, count(DISTINCT doc_id) FROM spans WHERE annotation_set = ''"
            " AND origin = 'model' GROUP BY model ORDER BY model")}

    def delete_pending_model_spans(self, doc_id: int) -> int:
        """Delete a document's pending model suggestions in the project's own set (call
        inside :meth:`write`), keeping any entity that a decided claim names as claimant;
        returns how many."""
        cur = self.conn.execute(
            "DELETE FROM spans WHERE doc_id = ? AND annotation_set = '' AND origin = 'model'"
            " AND decision = 'pending'"
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

    def get_token_starts(self, doc_ids: list[int], tokenizer: str) -> dict[int, bytes]:
        """The cached token starts blob of those documents that have one for
        ``tokenizer``: the tokens JSON blob after it in the row is not read (its
        overflow pages are 0.8 of the cache's bytes)."""
        found: dict[int, bytes] = {}
        for i in range(0, len(doc_ids), 500):
            chunk = doc_ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.conn.execute(
                f"SELECT doc_id, starts FROM tokens WHERE doc_id IN ({marks})"
                " AND tokenizer = ?", (*chunk, tokenizer)))
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
        """Stream ``(document, its spans in the project's own set)`` in id order, two
        queries per batch of ``batch_size`` documents (memory stays flat), for export:
        spans are ordered as :meth:`spans` orders them and carry their claim attributes,
        but not what no export writes (``cues``, ``score``, ``model``, ``created_at`` are
        left empty)."""
        for doc, spans, _ in self._iter_own(status, batch_size):
            yield doc, spans

    def iter_set_documents(
        self, status: str | None = None, annotation_set: str | None = None,
        batch_size: int = 500,
    ) -> Iterator[tuple[Document, list[Span] | None, str]]:
        """Stream ``(document, its spans in the chosen set, that set)`` for export, as
        :meth:`iter_documents_with_spans` does, from one annotation set: ``""`` the
        project's own (gold), an annotator's name (their documents, with their status),
        or ``None`` for *auto*, the set :func:`choose_set` picks for each document.
        ``status`` filters on the status of the chosen set. A document auto cannot
        choose for (two or more unreviewed sets) comes with ``None`` spans."""
        if annotation_set == "" or (annotation_set is None and not self.has_annotation_sets()):
            yield from self._iter_own(status, batch_size)
            return
        last = 0
        cols = ", ".join(f"d.{c}" for c in _DOC_COLUMNS.split(", "))
        while True:
            if annotation_set is not None:
                where = "sd.annotation_set = ? AND d.id > ?" + (" AND sd.status = ?"
                                                                 if status else "")
                rows = self.conn.execute(
                    f"SELECT {cols}, sd.status, sd.note FROM set_documents sd JOIN documents d"
                    f" ON d.id = sd.doc_id WHERE {where} ORDER BY d.id LIMIT ?",
                    (annotation_set, last, *([status] if status else []), batch_size),
                ).fetchall()
                if not rows:
                    return
                chosen: dict[int, tuple[str | None, str, str | None]] = {
                    row[0]: (annotation_set, row[9], row[10]) for row in rows}
            else:
                rows = self.conn.execute(
                    f"SELECT {_DOC_COLUMNS} FROM documents WHERE id > ? ORDER BY id LIMIT ?",
                    (last, batch_size)).fetchall()
                if not rows:
                    return
                ids = [row[0] for row in rows]
                sets: dict[int, dict[str, str]] = {}
                for doc_id, name, set_status in self.conn.execute(
                        "SELECT doc_id, annotation_set, status FROM set_documents WHERE"
                        f" doc_id IN ({','.join('?' * len(ids))})", ids):
                    sets.setdefault(doc_id, {})[name] = set_status
                chosen = {}
                for row in rows:
                    name, doc_status = choose_set(row[4], sets.get(row[0], {}))
                    chosen[row[0]] = (name, doc_status, row[5])
            spans = self._export_spans(list(chosen), None if annotation_set is None
                                       else annotation_set)
            for row in rows:
                name, doc_status, note = chosen[row[0]]
                if status and name is not None and doc_status != status:
                    continue
                doc = _document(row)
                doc.status, doc.note = as_status(doc_status), note
                if name is None:
                    yield doc, None, ""
                else:
                    yield doc, spans.get((row[0], name), []), name
            last = rows[-1][0]

    def _iter_own(self, status: str | None, batch_size: int
                  ) -> Iterator[tuple[Document, list[Span], str]]:
        last = 0
        while True:
            where = "id > ?"
            params: list[Any] = [last]
            if status:
                where += " AND status = ?"
                params.append(status)
            rows = self.conn.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE {where} ORDER BY id LIMIT ?",
                (*params, batch_size),
            ).fetchall()
            if not rows:
                return
            spans = self._export_spans([row[0] for row in rows], "")
            for row in rows:
                yield _document(row), spans.get((row[0], ""), []), ""
            last = rows[-1][0]

    def _export_spans(self, ids: list[int], annotation_set: str | None
                      ) -> dict[tuple[int, str], list[Span]]:
        """The spans of documents ``ids`` by (document, set), in one query, without what
        no export writes (cues, score, model, created_at)."""
        found: dict[tuple[int, str], list[Span]] = {}
        marks = ",".join("?" * len(ids))
        where = f"s.doc_id IN ({marks})"
        params: list[Any] = list(ids)
        if annotation_set is not None:
            where += " AND s.annotation_set = ?"
            params.append(annotation_set)
        sql = (
            'SELECT s.id, s.doc_id, s.layer, s.start, s."end", s.label, s.origin,'
            " s.decision, NULL, NULL, s.annotator, '[]', NULL,"
            " s.updated_at, c.span_id, c.claim_type, c.claimant_span_id,"
            " c.claimant_text, c.via, c.checkworthy, c.hedged, s.annotation_set"
            " FROM spans s LEFT JOIN claims c ON c.span_id = s.id"
            f' WHERE {where} ORDER BY s.doc_id, s.start, s."end" DESC, s.id'
        )
        for row in self.conn.execute(sql, params):
            key = (row[1], row[21])
            spans = found.get(key)
            if spans is None:
                spans = found[key] = []
            spans.append(_span(row))
        return found
