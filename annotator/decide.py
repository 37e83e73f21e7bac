"""Decisions from a file: JSON lines applied through a :class:`~.session.Session`.

Each line is one decision, the ``do`` field its verb::

    {"do": "accept", "doc": 3, "span": 17}
    {"do": "relabel", "meta": {"url": "https://..."}, "start": 0, "end": 5,
     "layer": "entity", "label": "ORG"}
    {"do": "add", "doc": 3, "start": 40, "end": 52, "label": "MONEY"}
    {"do": "resize", "doc": 3, "span": 18, "start": 40, "end": 50}
    {"do": "set", "doc": 3, "span": 21, "claim_type": "statistic", "claimant": 17}
    {"do": "mark", "doc": 3, "status": "done"}
    {"do": "note", "doc": 3, "text": "ask the editor"}
    {"do": "doc-label", "doc": 3, "category": "stance", "label": "for",
     "decision": "accept"}

:func:`apply_decisions` runs a whole file in one transaction (:meth:`Session.batch`):
a line that cannot apply stops it with ``FILE:LINE: reason`` and nothing is written,
unless ``skip_invalid``, where such lines are counted, listed, and the rest applied.
Each decision is the window's own operation, logged as its events. The ``reject``,
``relabel`` and ``add`` commands build the same lines (:func:`apply_decisions` with
dicts), so they validate and log exactly as ``decide`` does. See ``docs/cli-decide.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .editing import doc_labels
from .editing.doc_labels import DocLabelChange
from .errors import DecisionError as DecisionError
from .errors import DecisionsRefused as DecisionsRefused
from .errors import LabelError
from .model import LAYERS, STATUSES, LabelScheme, Layer, Span, as_layer, as_status
from .session import Change, Session, SessionError, StorageError

VERBS = ("accept", "reject", "relabel", "add", "resize", "delete", "set", "mark", "note",
         "doc-label")
#: ``doc-label`` lines' decisions: accept (an exclusive category replaces its choice),
#: reject, remove (the row goes, whatever it was).
DOC_LABEL_DECISIONS = ("accept", "reject", "remove")
#: What a line changed: spans and document fields, or a document's labels.
Decided = Change | DocLabelChange
CLAIM_FIELDS = ("claim_type", "claimant", "via", "checkworthy", "hedged")
#: every field a line may carry (another is refused: a misspelt field must not vanish)
FIELDS = frozenset({"do", "doc", "meta", "span", "start", "end", "layer", "label", "status",
                    "note", "text", "category", "decision", *CLAIM_FIELDS})


@dataclass
class DecideResult:
    """What a file of decisions did (or would do, on a dry run)."""

    source: str
    annotator: str
    dry_run: bool = False
    #: lines that changed something
    applied: int = 0
    #: (where, change) of every change made, in order (a line may make several)
    changes: list[tuple[str, Decided]] = field(default_factory=list)
    #: lines that were already so (nothing to log)
    unchanged: int = 0
    #: (where, reason) of every line refused and skipped (``skip_invalid``)
    refused: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would apply" if self.dry_run else "applied"
        lines = [f"{verb} {self.applied} decision(s) from {self.source} as "
                 f"{self.annotator}; {self.unchanged} already so"
                 + (f"; skipped {len(self.refused)} invalid line(s):" if self.refused else "")]
        lines += [f"  {where}: {reason}" for where, reason in self.refused]
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return "\n".join(lines)


class Lookups:
    """What the lines of one file look up and do not change, read once: the label
    scheme, and the documents by meta value (a scan per key, not per line)."""

    def __init__(self, session: Session):
        self.store = session.store
        self._scheme: LabelScheme | None = None
        self._meta: dict[str, dict[Any, list[int]]] = {}

    @property
    def scheme(self) -> LabelScheme:
        if self._scheme is None:
            self._scheme = self.store.label_scheme()
        return self._scheme

    def documents(self, meta: dict[str, Any]) -> list[int]:
        """Ids of the documents whose meta has every key of ``meta`` with its value."""
        ids: set[int] | None = None
        for key, value in meta.items():
            if key not in self._meta:
                self._meta[key] = self.store.meta_values(key)
            found = set(self._meta[key].get(value, []))
            ids = found if ids is None else ids & found
        return sorted(ids or ())


class _DryRun(Exception):
    """Raised at the end of a dry run to roll the transaction back."""


def apply_decisions(session: Session, entries: Iterable[tuple[str, str | dict[str, Any]]],
                    source: str, skip_invalid: bool = False, dry_run: bool = False
                    ) -> DecideResult:
    """Apply ``entries`` (where, JSON line or dict) in one transaction; blank lines are
    ignored. Raises :class:`DecisionsRefused` (nothing written) at the first line that
    cannot apply, unless ``skip_invalid``. ``dry_run``: do everything, report it, and
    roll it all back."""
    result = DecideResult(source, session.annotator, dry_run)
    lookups = Lookups(session)
    try:
        with session.batch():
            for where, entry in entries:
                if isinstance(entry, str) and not entry.strip():
                    continue
                try:
                    with session.batch():  # a savepoint: a refused line leaves no trace
                        changes = apply_line(session, entry, lookups)
                except StorageError:
                    raise
                except SessionError as exc:
                    if not skip_invalid:
                        raise DecisionsRefused(where, str(exc)) from exc
                    result.refused.append((where, str(exc)))
                    continue
                done = [c for c in changes if not c.empty]
                result.changes.extend((where, c) for c in done)
                result.applied += bool(done)
                result.unchanged += not done
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def parse_line(line: str) -> dict[str, Any]:
    """A line's JSON object, or :class:`DecisionError`."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DecisionError(f"invalid JSON ({exc.msg}, column {exc.colno})") from exc
    if not isinstance(item, dict):
        raise DecisionError("a line must be a JSON object")
    return item


def apply_line(session: Session, entry: str | dict[str, Any],
               lookups: Lookups | None = None) -> Sequence[Decided]:
    """Apply one decision; returns the changes it made (in the caller's transaction).
    ``lookups``: shared by the lines of one file (else read for this line)."""
    lookups = lookups or Lookups(session)
    item = parse_line(entry) if isinstance(entry, str) else entry
    unknown = sorted(set(item) - FIELDS)
    if unknown:
        raise DecisionError(f"unknown field(s) {', '.join(map(repr, unknown))}")
    verb = item.get("do")
    if verb not in VERBS:
        raise DecisionError(f'"do" must be one of {", ".join(VERBS)} (got {verb!r})')
    doc_id = _document(session, item, lookups)
    if verb == "doc-label":
        return [_doc_label(session, doc_id, item)]
    if verb == "add":
        return _add(session, doc_id, item, lookups)
    if verb == "mark":
        try:
            status = as_status(item.get("status"))
        except ValueError:
            raise DecisionError(f'"status" must be one of {", ".join(STATUSES)}') from None
        return [session.set_status(doc_id, status, _maybe_text(item, "note"))]
    if verb == "note":
        found = session.store.document_status(doc_id, session.annotation_set)
        if found is None:
            raise DecisionError(f"no document {doc_id} in this set")
        return [session.set_status(doc_id, found[0], _text(item, "text"))]
    span = _span(session, doc_id, item, by_position=verb != "resize")
    assert span.id is not None
    if verb == "accept":
        return [session.accept(span.id)]
    if verb == "reject":
        return [session.reject(span.id)]
    if verb == "delete":
        return [session.delete(span.id)]
    if verb == "relabel":
        return [session.relabel(span.id, _label(lookups, item, span.layer))]
    if verb == "resize":
        return [session.resize(span.id, _int(item, "start"), _int(item, "end"))]
    return _set_claim(session, span.id, item, required=True)


def _add(session: Session, doc_id: int, item: dict[str, Any], lookups: Lookups
         ) -> list[Change]:
    label = _text(item, "label")
    found = lookups.scheme.get(label)
    if found is None:
        raise DecisionError(f"unknown label {label!r}")
    if item.get("layer") not in (None, found.layer):
        raise DecisionError(f"label {label} is of the {found.layer} layer, not "
                            f"{item['layer']}")
    if found.layer == "doc":
        raise DecisionError(f"label {label} is a document label (category "
                            f"{found.category}): decide it with a doc-label line")
    if "span" in item:
        raise DecisionError('"add" makes a span: give "start" and "end", not "span"')
    claim_fields = [name for name in CLAIM_FIELDS if name in item]
    if claim_fields and found.layer != "claim":
        raise DecisionError(f"{', '.join(claim_fields)}: only a claim has these")
    change = session.add(doc_id, as_layer(found.layer), _int(item, "start"),
                         _int(item, "end"), label)
    assert change.span is not None and change.span.id is not None
    return [change, *_set_claim(session, change.span.id, item, required=False)]


def _doc_label(session: Session, doc_id: int, item: dict[str, Any]) -> DocLabelChange:
    """A ``doc-label`` line: ``category``, ``label`` and ``decision`` (accept, reject or
    remove), through :mod:`annotator.editing.doc_labels` as the window's bar decides."""
    for name in ("start", "end", "span", "layer", "status", "text", "note", *CLAIM_FIELDS):
        if name in item:
            raise DecisionError(f'"{name}": a doc-label line takes "category", "label" and '
                                '"decision"')
    category, label = _text(item, "category"), _text(item, "label")
    decision = item.get("decision")
    if decision not in DOC_LABEL_DECISIONS:
        raise DecisionError(f'"decision" must be one of {", ".join(DOC_LABEL_DECISIONS)}'
                            + ("" if "decision" in item else " (missing)"))
    op = {"accept": doc_labels.accept, "reject": doc_labels.reject,
          "remove": doc_labels.remove}[decision]
    try:
        return op(session.store, doc_id, category, label, annotator=session.annotator,
                  annotation_set=session.annotation_set)
    except LabelError as exc:
        raise DecisionError(str(exc)) from None


def _set_claim(session: Session, span_id: int, item: dict[str, Any], required: bool
               ) -> list[Change]:
    names = [name for name in CLAIM_FIELDS if name in item]
    if required and not names:
        raise DecisionError(f'"set" needs one of {", ".join(CLAIM_FIELDS)}')
    changes = []
    for name in names:
        value = item[name]
        if name == "hedged" and value is not None and not isinstance(value, bool):
            raise DecisionError('"hedged" must be true, false or null')
        if name == "claimant" and not (value is None or isinstance(value, str)
                                       or (isinstance(value, int) and not isinstance(value,
                                                                                     bool))):
            raise DecisionError('"claimant" must be an entity span id or a text')
        if name in ("claim_type", "checkworthy", "via") and not (
                value is None or isinstance(value, str)):
            raise DecisionError(f'"{name}" must be a string or null')
        changes.append(session.set_claim_attribute(span_id, name, value))
    return changes


def _document(session: Session, item: dict[str, Any], lookups: Lookups) -> int:
    """The id of the line's document (``doc`` id or ``meta`` match, exactly one)."""
    if ("doc" in item) == ("meta" in item):
        raise DecisionError('name the document with "doc" (its id) or "meta", one of them')
    if "doc" in item:
        doc_id = _int(item, "doc")
        if session.store.document_status(doc_id, session.annotation_set) is None:
            raise DecisionError(f"no document {doc_id}")
        return doc_id
    meta = item["meta"]
    if not isinstance(meta, dict) or not meta or any('"' in key for key in meta) \
            or not all(isinstance(v, str | int | float) for v in meta.values()):
        raise DecisionError('"meta" must be an object of keys (without ") to text or numbers')
    found = lookups.documents(meta)
    if len(found) != 1:
        raise DecisionError(("no document" if not found else "more than one document")
                            + f" with meta {json.dumps(meta, ensure_ascii=False)}")
    return found[0]


def _span(session: Session, doc_id: int, item: dict[str, Any], by_position: bool) -> Span:
    """The line's span: ``span`` (an id, or an object of start, end, layer), or the
    line's own ``start``, ``end``, ``layer`` (not for a resize: those are the new edges)."""
    where = item.get("span")
    if where is None and by_position:
        where = {k: item[k] for k in ("start", "end", "layer") if k in item}
    if isinstance(where, int) and not isinstance(where, bool):
        span = session.store.get_span(where)
        if span is None or span.doc_id != doc_id:
            raise DecisionError(f"no span {where} in document {doc_id}")
        if span.annotation_set != session.annotation_set:
            raise DecisionError(f"span {where} is not in the set being edited")
        return span
    if not isinstance(where, dict) or not where:
        raise DecisionError('name the span with "span" (its id)'
                            + (' or "start", "end" and "layer"' if by_position else
                               ' or "span": {"start", "end", "layer"}'))
    start, end, layer = _int(where, "start"), _int(where, "end"), _layer(where)
    found = [s for s in session.store.spans(doc_id, layer=layer,
                                            annotation_set=session.annotation_set)
             if (s.start, s.end) == (start, end)]
    if len(found) > 1:
        found = [s for s in found if s.decision != "rejected"]
    if len(found) != 1:
        raise DecisionError(("no" if not found else "more than one") + f" {layer} span at "
                            f"[{start}, {end}) in document {doc_id}"
                            + (": give its id" if found else ""))
    return found[0]


def _label(lookups: Lookups, item: dict[str, Any], layer: str) -> str:
    label = _text(item, "label")
    found = lookups.scheme.get(label)
    if found is None:
        raise DecisionError(f"unknown label {label!r}")
    if found.layer != layer:
        raise DecisionError(f"label {label} is of the {found.layer} layer; the span is "
                            f"of the {layer} layer")
    return label


def _int(item: dict[str, Any], key: str) -> int:
    value = item.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise DecisionError(f'"{key}" must be an integer' + ("" if key in item else
                                                             " (missing)"))
    return value


def _maybe_text(item: dict[str, Any], key: str) -> str | None:
    return None if item.get(key) is None else _text(item, key)


def _layer(item: dict[str, Any]) -> Layer:
    try:
        return as_layer(_text(item, "layer"))
    except ValueError:
        raise DecisionError(f'"layer" must be one of {", ".join(LAYERS)}') from None


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise DecisionError(f'"{key}" must be a string' + ("" if key in item else
                                                           " (missing)"))
    return value


def describe(where: str, change: Decided) -> str:
    """One line for what ``change`` did (a dry run's listing)."""
    if isinstance(change, DocLabelChange):
        before = {(r.category, r.label): r.decision for r in change.before}
        after = {(r.category, r.label): r.decision for r in change.after}
        rows = [f"{c}={lab}: {before.get((c, lab), 'none')} -> {after.get((c, lab), 'none')}"
                for c, lab in dict.fromkeys([*before, *after])
                if before.get((c, lab)) != after.get((c, lab))]
        return f"{where}: doc-label doc {change.doc_id}: " + "; ".join(rows)
    parts = [f"span {span_id}: {_state(change.before.get(span_id))} -> "
             f"{_state(change.after.get(span_id))}"
             for span_id in dict.fromkeys([*change.before, *change.after])]
    if change.doc_after:
        parts.append(f"document: {change.doc_before} -> {change.doc_after}")
    return f"{where}: {change.action} doc {change.doc_id}: " + "; ".join(parts)


def _state(span: Span | None) -> str:
    if span is None:
        return "none"
    out = f"{span.label} [{span.start}, {span.end}) {span.decision}"
    if span.claim is not None:
        out += " " + json.dumps({k: v for k, v in span.claim.as_dict().items()
                                 if v is not None}, ensure_ascii=False)
    return out
