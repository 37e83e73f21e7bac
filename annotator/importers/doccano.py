"""doccano's lines beyond ``label`` triples (read by :func:`.core.read_jsonl`).

- The relation format: ``entities`` (``{"id", "label", "start_offset", "end_offset"}``)
  and ``relations`` (``{"from_id", "to_id", "type"}``): spans, and claimant links where
  a relation joins a claim and an entity (the project's labels tell claims from
  entities: doccano knows no layers).
- The status: ``meta.status`` (where our doccano export and doccano's metadata keep it)
  or a top-level ``status``.
- ``comments`` / ``Comments``: the document's note.
- ``label`` as a list of strings (text classification) and ``cats`` (the combined
  form, intent detection and slot filling, whose spans are ``entities`` triples):
  document labels (:mod:`.doclabels`).
"""

from __future__ import annotations

from typing import Any

from ..model import STATUSES
from .records import ImportFailed, Record, _checked_span


def read_doccano_keys(record: Record, item: dict[str, Any]) -> None:
    """Add what doccano's extra keys say to ``record``."""
    from .doclabels import add_doc_label

    labels = item.get("label")
    annotator = item.get("_annotator_id")
    annotator = annotator if isinstance(annotator, str) else None
    if isinstance(labels, list):
        for label in labels:
            if isinstance(label, str):
                add_doc_label(record, label, annotator=annotator)
    entities = item.get("entities")
    by_id: dict[Any, int] = {}
    if entities is not None:
        if not isinstance(entities, list):
            raise ImportFailed(record.path, record.line, "'entities' must be a list")
        for n, ent in enumerate(entities):
            if isinstance(ent, list) and len(ent) == 3:  # the combined form's triples
                ent = {"id": n, "start_offset": ent[0], "end_offset": ent[1], "label": ent[2]}
            if not isinstance(ent, dict):
                raise ImportFailed(record.path, record.line, f"entity {n} must be an object")
            span = _checked_span(record, ent.get("start_offset"), ent.get("end_offset"),
                                 ent.get("label"), "entity", None)
            by_id[ent.get("id", n)] = len(record.spans)
            record.spans.append(span)
        record.layers_by_scheme = True
    relations = item.get("relations")
    if relations is not None and entities is not None:
        if not isinstance(relations, list):
            raise ImportFailed(record.path, record.line, "'relations' must be a list")
        for rel in relations:
            if not isinstance(rel, dict):
                raise ImportFailed(record.path, record.line, f"relation {rel!r} must be an "
                                   "object")
            a, b = by_id.get(rel.get("from_id")), by_id.get(rel.get("to_id"))
            if a is None or b is None:
                raise ImportFailed(record.path, record.line,
                                   f"relation {rel.get('id')!r} joins an entity id the line "
                                   "does not have")
            label = rel.get("type", rel.get("label", ""))
            record.relations.append((a, b, label if isinstance(label, str) else ""))
    meta_status = record.meta.get("status")
    status = item.get("status") if item.get("status") in STATUSES else meta_status
    if status in STATUSES and "answer" not in item:
        record.status = status
        if meta_status == status:
            record.meta.pop("status")
    comments = item.get("comments", item.get("Comments"))
    if isinstance(comments, list) and comments:
        texts = [str(c.get("comment", c.get("text", ""))) if isinstance(c, dict) else str(c)
                 for c in comments]
        record.note = "\n".join(t for t in texts if t) or None
