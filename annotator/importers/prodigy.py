"""Prodigy's lines beyond ``spans`` and ``answer`` (read by :func:`.core.read_jsonl`):
``relations`` (``head_span``/``child_span``) become claimant links where they join a
claim and an entity. ``options`` with ``accept`` (choice answers) are document labels,
read by :mod:`.doclabels`. ``answer: "reject"`` (the teach format: the
spans shown are wrong) and ``"ignore"`` (skipped) are read by :mod:`.core`."""

from __future__ import annotations

from typing import Any

from .records import ImportFailed, Record

OUTSIDE = "relations whose spans are not among the line's spans"


def read_prodigy_keys(record: Record, item: dict[str, Any]) -> None:
    """Add what Prodigy's extra keys say to ``record``."""
    relations = item.get("relations")
    if relations is None or "entities" in item:  # doccano's relations: .doccano
        return
    if not isinstance(relations, list):
        raise ImportFailed(record.path, record.line, "'relations' must be a list")
    index = {(s.start, s.end): n for n, s in enumerate(record.spans)}
    for rel in relations:
        if not isinstance(rel, dict):
            raise ImportFailed(record.path, record.line, f"relation {rel!r} must be an object")
        ends: list[int | None] = []
        for key in ("head_span", "child_span"):
            span = rel.get(key)
            offsets = (span.get("start"), span.get("end")) if isinstance(span, dict) else None
            ends.append(index.get(offsets) if offsets else None)  # type: ignore[arg-type]
        if ends[0] is None or ends[1] is None:
            record.leave_out(OUTSIDE)
            continue
        label = rel.get("label")
        record.relations.append((ends[0], ends[1], label if isinstance(label, str) else ""))
