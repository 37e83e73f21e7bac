"""Rows to objects, and the SQL fragments the queries share."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from ..model import DECISIONS, Claim, Document, Span

TYPE_CHECKING = False  # typing is not imported at run time: see annotator/model.py
if TYPE_CHECKING:
    import json
    from typing import Any

# json is imported where it is used, not to open a project: it was 5.5 million
# instructions (3 ms) of `annotator stats` or `mark` (an import once loaded is 0.1 µs).


def _dumps(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)``, without building an encoder at every
    call."""
    return _encoder().encode(value)


@functools.cache
def _encoder() -> json.JSONEncoder:
    import json

    return json.JSONEncoder(ensure_ascii=False)


def now() -> str:
    """UTC timestamp with milliseconds, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")




_DOC_COLUMNS = "id, text, meta, content_hash, status, note, title, created_at, updated_at"

# A row of the document list: the document and its span counts by decision.
_LIST_COLUMNS = "d.id, d.status, d.title, d.note, " + ", ".join(
    f"(SELECT count(*) FROM spans s WHERE s.doc_id = d.id AND s.annotation_set = ''"
    f" AND s.decision = '{decision}') AS {decision}" for decision in DECISIONS)


def _like_pattern(search: str) -> str:
    """A LIKE pattern matching ``search`` literally anywhere (ESCAPE '\\')."""
    return "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def fts_query(search: str) -> str:
    """An FTS5 query for what a person types: every word, as a prefix (``"erbil"*``),
    all of them; empty when no word is left (punctuation only)."""
    words = [w for w in search.split() if any(ch.isalnum() for ch in w)]
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


# The vocabulary columns (status, layer, origin, decision, checkworthy) are narrowed by
# the schema's CHECK constraints on every write, so a row read back holds one of the
# model's Literals already; checking each again here (annotator.model.as_layer, ...)
# would cost 2.4 µs on top of the 5.9 µs a span row takes (measured), on every read.
def _document(row: tuple[Any, ...]) -> Document:
    import json

    return Document(
        id=row[0], text=row[1], meta=json.loads(row[2] or "{}"), content_hash=row[3],
        status=row[4], note=row[5], title=row[6], created_at=row[7], updated_at=row[8],
    )


def _span(row: tuple[Any, ...]) -> Span:
    import json

    claim = None
    if row[14] is not None:
        claim = Claim(row[15], row[16], row[17], row[18], row[19],
                      None if row[20] is None else bool(row[20]))
    # Positional, in Span's field order: twice as fast as keywords (export reads many).
    return Span(row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
                row[10], [] if row[11] in ("[]", None) else json.loads(row[11]), claim,
                row[0], row[12], row[13], row[21])


def choose_set(own_status: str, set_statuses: dict[str, str]) -> tuple[str | None, str]:
    """The annotation set ``export --set auto`` takes for a document, and its status:
    the project's own (gold) when no annotator's set holds the document or it has been
    reviewed (marked done in the team project); else the one annotator's set marked done;
    ``None`` when two or more are done and not reviewed (left out, and counted)."""
    if not set_statuses or own_status == "done":
        return "", own_status
    done = [name for name, status in set_statuses.items() if status == "done"]
    if len(done) == 1:
        return done[0], "done"
    if len(done) > 1:
        return None, own_status
    return "", own_status
