"""The unsearched document list by position: its length from the counters, its rows read
a page at a time where the view looks, and only :data:`KEEP` pages kept (no Qt here)."""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from typing import Any

from annotator.editing.reveal import reveal
from annotator.store import Store

PAGE = 200
KEEP = 20  # pages held: 4,000 rows, whatever the project's size

Row = dict[str, Any]


def shown(rows: list[Row]) -> list[Row]:
    """Rows with their title and note as shown (:func:`reveal`); made once per page,
    not in data(), which runs for every painted cell."""
    for row in rows:
        row["title"] = reveal(row["title"] or "")
        if row.get("note"):
            row["note"] = reveal(row["note"])
    return rows


class Pages:
    """Row ``i`` of the list of documents with ``status`` (None: all), in id order.

    Page ``k`` holds rows ``k * PAGE`` to ``k * PAGE + PAGE - 1``. Without a status and
    with ids that have no gaps (``max - min + 1 == total``) row ``i`` is document
    ``min + i``: one keyset read. Otherwise a page is read by keyset from the nearest
    page held (forwards after its last id, backwards before its first), or from the
    list's start or end, skipping only the rows between (an OFFSET over the id order, or
    over the status index with a status)."""

    def __init__(self, store: Store, status: str | None, total: int, keep: int = KEEP):
        self.store, self.status, self.total, self.keep = store, status, total, keep
        self.cache: OrderedDict[int, list[Row]] = OrderedDict()
        low, high = store.id_range()
        self.first_id = low
        self.dense = status is None and total > 0 and high - low + 1 == total

    @property
    def held(self) -> int:
        """Rows in memory."""
        return sum(len(rows) for rows in self.cache.values())

    def row(self, i: int) -> Row | None:
        if not 0 <= i < self.total:
            return None
        rows = self.page(i // PAGE)
        j = i % PAGE
        return rows[j] if j < len(rows) else None

    def page(self, k: int) -> list[Row]:
        rows = self.cache.get(k)
        if rows is not None:
            self.cache.move_to_end(k)
            return rows
        rows = shown(self._read(k))
        self.cache[k] = rows
        while len(self.cache) > self.keep:
            self.cache.popitem(last=False)
        return rows

    def _read(self, k: int) -> list[Row]:
        start = k * PAGE
        n = min(PAGE, self.total - start)
        if n <= 0:
            return []
        if self.dense:
            return self.store.document_rows(None, None, 0, n, after_id=self.first_id + start - 1)
        # (rows skipped, forwards?, the id bound): from the start, the end, or a page held
        best = min((start, True, 0), (self.total - start - n, False, 0))
        for j, rows in self.cache.items():
            if rows and j < k:
                best = min(best, (start - j * PAGE - len(rows), True, rows[-1]["id"]))
            elif rows and j > k:
                best = min(best, (j * PAGE - start - n, False, rows[0]["id"]))
        skip, forwards, bound = best
        if forwards:
            return self.store.document_rows(self.status, None, skip, n, after_id=bound)
        return self.store.document_rows_before(self.status, bound, skip, n)

    def cached_row(self, doc_id: int) -> int | None:
        """The row of ``doc_id`` if a page held has it."""
        for k, rows in self.cache.items():
            if rows and rows[0]["id"] <= doc_id <= rows[-1]["id"]:
                j = bisect_left([r["id"] for r in rows], doc_id)
                if j < len(rows) and rows[j]["id"] == doc_id:
                    return k * PAGE + j
        return None

    def row_of(self, doc_id: int) -> int | None:
        """The row of ``doc_id`` (None: not in this list): from a page held, the id
        itself when the ids have no gaps, else by counting the ids before it."""
        found = self.cached_row(doc_id)
        if found is not None:
            return found
        below = [(rows[-1]["id"], k) for k, rows in self.cache.items()
                 if rows and rows[-1]["id"] < doc_id]
        if below and not self.dense:  # the next document: the page after the nearest
            k = max(below)[1] + 1
            if k not in self.cache and k * PAGE < self.total:
                after = self.page(k)  # by keyset from page k - 1
                if after and after[-1]["id"] >= doc_id:
                    return self.cached_row(doc_id)
        if self.dense:
            i = doc_id - self.first_id
        else:
            i = self.store.position(self.status, doc_id)
        row = self.row(i)
        return i if row is not None and row["id"] == doc_id else None

    def replace(self, doc_id: int, new: Row) -> int | None:
        """Put ``new`` in place of a held row of ``doc_id``; its row, or None."""
        i = self.cached_row(doc_id)
        if i is not None:
            self.cache[i // PAGE][i % PAGE] = shown([new])[0]
        return i

    def reread(self, total: int) -> tuple[Pages, list[int] | None]:
        """The list again after another program wrote, with ``total`` rows: the pages
        held read anew, and the rows that changed; None when the rows held moved (a
        document deleted or re-filed before them): the list must be reset."""
        fresh = Pages(self.store, self.status, total, self.keep)
        changed: list[int] = []
        for k in sorted(self.cache):
            old, new = self.cache[k], fresh.page(k)
            if [r["id"] for r in new[:len(old)]] != [r["id"] for r in old]:
                return fresh, None
            changed += [k * PAGE + j for j, (a, b) in enumerate(zip(old, new, strict=False))
                        if a != b]
        return fresh, changed
