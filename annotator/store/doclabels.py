"""Document labels (issue 25): one row per document, annotation set, category and label,
a suggestion (pending, with its score) or a decision. The decisions themselves, with
their events and undo, are :mod:`annotator.editing.doc_labels`."""

from __future__ import annotations

from ..model import DocLabel, as_decision, as_origin
from .base import StoreBase
from .rows import now

TYPE_CHECKING = False  # typing is not imported at run time: see annotator/model.py
if TYPE_CHECKING:
    from typing import Any

_COLUMNS = ("id, doc_id, category, label, origin, decision, score, model, annotator,"
            " annotation_set, created_at, updated_at")


def _doc_label(row: tuple[Any, ...]) -> DocLabel:
    return DocLabel(row[0], row[1], row[2], row[3], as_origin(row[4]), as_decision(row[5]),
                    row[6], row[7], row[8], row[9], row[10], row[11])


class DocLabelQueries(StoreBase):
    """Document labels: read, write, suggestions, filters and counts."""

    def doc_labels(self, doc_id: int, annotation_set: str = "") -> list[DocLabel]:
        """A document's label rows in one annotation set (every decision), in the
        order of the scheme's categories and labels."""
        return [_doc_label(row) for row in self.conn.execute(
            f"SELECT {_COLUMNS} FROM doc_labels WHERE doc_id = ? AND annotation_set = ?"
            " ORDER BY " + _SCHEME_ORDER, (doc_id, annotation_set))]

    def doc_labels_for(self, doc_ids: list[int], annotation_set: str | None = ""
                       ) -> dict[int, list[DocLabel]]:
        """The label rows of many documents (``annotation_set`` ``None``: of every set),
        by document id; documents without any are left out. In batches of 500 ids."""
        out: dict[int, list[DocLabel]] = {}
        for i in range(0, len(doc_ids), 500):
            chunk = doc_ids[i:i + 500]
            sql = (f"SELECT {_COLUMNS} FROM doc_labels WHERE doc_id IN"
                   f" ({','.join('?' * len(chunk))})")
            params: list[Any] = list(chunk)
            if annotation_set is not None:
                sql += " AND annotation_set = ?"
                params.append(annotation_set)
            for row in self.conn.execute(sql + " ORDER BY doc_id, annotation_set, "
                                         + _SCHEME_ORDER, params):
                label = _doc_label(row)
                out.setdefault(label.doc_id, []).append(label)
        return out

    def get_doc_label(self, doc_label_id: int) -> DocLabel | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM doc_labels WHERE id = ?",
                                (doc_label_id,)).fetchone()
        return None if row is None else _doc_label(row)

    def put_doc_label(self, label: DocLabel) -> int:
        """Insert ``label``, or replace the row of the same document, set, category and
        label (its id and creation time kept); returns the row's id. ``label.id`` is
        kept when it is free (undo puts a removed row back under its id). Call inside
        :meth:`write`."""
        ts = now()
        wanted = label.id
        if wanted is not None:
            row = self.conn.execute("SELECT doc_id, annotation_set, category, label FROM"
                                    " doc_labels WHERE id = ?", (wanted,)).fetchone()
            if row is not None and tuple(row) != (label.doc_id, label.annotation_set,
                                                  label.category, label.label):
                wanted = None
        row = self.conn.execute(
            "INSERT INTO doc_labels (id, doc_id, annotation_set, category, label, origin,"
            " decision, score, model, annotator, created_at, updated_at) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id, annotation_set,"
            " category, label) DO UPDATE SET origin = excluded.origin,"
            " decision = excluded.decision, score = excluded.score, model = excluded.model,"
            " annotator = excluded.annotator, updated_at = excluded.updated_at RETURNING id",
            (wanted, label.doc_id, label.annotation_set, label.category, label.label,
             label.origin, label.decision, label.score, label.model, label.annotator,
             label.created_at or ts, ts)).fetchone()
        return int(row[0])

    def delete_doc_label(self, doc_label_id: int) -> None:
        """Delete one row (call inside :meth:`write`)."""
        self.conn.execute("DELETE FROM doc_labels WHERE id = ?", (doc_label_id,))

    def put_doc_label_suggestions(self, doc_id: int, model: str,
                                  scores: dict[str, dict[str, float]],
                                  threshold: float = 0.5) -> int:
        """Store a model's document-label scores for a document as pending suggestions
        in the project's own set; returns how many rows were written.

        ``scores``: category -> label -> score. The category's earlier pending model
        suggestions are replaced. A label scoring at least ``threshold`` is suggested
        (an exclusive category: only its best label), never over a decision: a label
        already accepted or rejected keeps its row, and an exclusive category with an
        accepted label gets no suggestion. Suggestions are not events (as spans' are
        not). Call inside :meth:`write`."""
        written = 0
        exclusive = {str(name): bool(x) for name, x in self.conn.execute(
            "SELECT name, exclusive FROM label_categories")}
        for category, by_label in scores.items():
            self.conn.execute(
                "DELETE FROM doc_labels WHERE doc_id = ? AND annotation_set = '' AND"
                " category = ? AND decision = 'pending' AND origin = 'model'",
                (doc_id, category))
            decided = {str(label): str(decision) for label, decision in self.conn.execute(
                "SELECT label, decision FROM doc_labels WHERE doc_id = ? AND"
                " annotation_set = '' AND category = ?", (doc_id, category))}
            chosen = [(label, score) for label, score in by_label.items()
                      if score >= threshold]
            if exclusive.get(category, False):
                if "accepted" in decided.values():
                    continue
                chosen = sorted(chosen, key=lambda x: -x[1])[:1]
            for label, score in chosen:
                if label in decided:
                    continue
                self.put_doc_label(DocLabel(None, doc_id, category, label, "model",
                                            "pending", float(score), model))
                written += 1
        return written

    def document_ids_with_doc_label(self, category: str, label: str,
                                    annotation_set: str = "") -> list[int]:
        """Ids of the documents whose set ``annotation_set`` holds ``label`` of
        ``category`` accepted, in id order."""
        return [row[0] for row in self.conn.execute(
            "SELECT doc_id FROM doc_labels WHERE category = ? AND label = ? AND"
            " annotation_set = ? AND decision = 'accepted' ORDER BY doc_id",
            (category, label, annotation_set))]

    def doc_label_counts(self, annotation_set: str = ""
                         ) -> dict[str, dict[str, dict[str, int]]]:
        """Rows of a set by category, label and decision: ``{category: {label:
        {"accepted": n, "rejected": n, "pending": n}}}`` (every decision present)."""
        out: dict[str, dict[str, dict[str, int]]] = {}
        for category, label, decision, n in self.conn.execute(
                "SELECT category, label, decision, count(*) FROM doc_labels WHERE"
                " annotation_set = ? GROUP BY category, label, decision", (annotation_set,)):
            counts = out.setdefault(str(category), {}).setdefault(
                str(label), {"accepted": 0, "rejected": 0, "pending": 0})
            counts[str(decision)] = int(n)
        return out

    def count_doc_label_use(self, name: str, category: str | None = None) -> int:
        """How many rows (of any decision and set) carry the document label ``name``
        (of ``category``, if given)."""
        if category is None:
            return int(self.conn.execute("SELECT count(*) FROM doc_labels WHERE label = ?",
                                         (name,)).fetchone()[0])
        return int(self.conn.execute(
            "SELECT count(*) FROM doc_labels WHERE label = ? AND category = ?",
            (name, category)).fetchone()[0])

    def relabel_doc_labels(self, old: str, new: str, category: str | None = None) -> int:
        """Give every row of the document label ``old`` the label ``new`` (and the
        category ``category``, when given); returns how many rows (call inside
        :meth:`write`). A document that holds both in a set raises
        ``sqlite3.IntegrityError`` (the UNIQUE key), and nothing is changed."""
        if category is None:
            cur = self.conn.execute(
                "UPDATE doc_labels SET label = ?, updated_at = ? WHERE label = ?",
                (new, now(), old))
        else:
            cur = self.conn.execute(
                "UPDATE doc_labels SET label = ?, category = ?, updated_at = ? WHERE"
                " label = ?", (new, category, now(), old))
        return cur.rowcount


#: Rows in the scheme's order: categories by position, labels by position, then by id.
_SCHEME_ORDER = ("coalesce((SELECT position FROM label_categories c WHERE c.name ="
                 " doc_labels.category), 1e9), coalesce((SELECT position FROM labels l"
                 " WHERE l.name = doc_labels.label), 1e9), id")
