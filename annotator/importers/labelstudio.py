"""Label Studio exports: JSON (a list of tasks), JSON-MIN (a list of flat records) and
one task a line; see :mod:`annotator.export.labelstudio` for what our export writes.

- The text is the ``data`` field the labelling config's ``<Text value="$…">`` names (the
  config is read from ``NAME.label_config.xml`` or ``label_config.xml`` beside the
  file), else ``--text-field``, else the task's one string field.
- ``labels`` results become spans. With our config (controls ``label`` and ``claim``)
  the control gives the layer; with any other the project's labels do. Per-region
  ``choices``/``textarea`` named as our claim attributes (``claim_type``,
  ``checkworthy``, ``hedged``, ``via``) set them; ``relation`` results joining a claim
  and an entity give the claimant; ``completed_by`` the annotator; predictions become
  pending suggestions with their score; a cancelled annotation (``was_cancelled``)
  makes the document skipped. ``meta`` and the task ``id`` (``meta.source_id``) stay.
- Document-level ``choices`` (a ``<Choices>`` control that is not per-region) are
  document labels, the control's name their category (:mod:`.doclabels`; a new
  category is exclusive when the config says ``choice="single"``); a prediction's are
  pending suggestions with its score.
- Only one annotation of a task is read (the first not cancelled): the regions of the
  others and result types Annotator has no place for are counted as left out, each
  with its reason.
- Offsets are checked against each region's own ``text`` (:mod:`.offsets`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model import CHECKWORTHY, CLAIM_TYPES, STATUSES, Claim, Layer, Span
from .jsonstream import iter_values
from .offsets import place
from .records import ImportFailed, Record, _check_no_surrogates, _checked_span

OUR_CONTROLS: dict[str, Layer] = {"label": "entity", "claim": "claim"}
ATTRIBUTES = ("claim_type", "checkworthy", "hedged", "via", "claimant")
_TEXT_TAG = re.compile(r"<Text\b[^>]*\bvalue=\"\$([^\"]+)\"")
_CONTROL = re.compile(r"<(\w+)\b([^>]*)\bname=\"([^\"]+)\"([^>]*)>")
MIN_KEYS = {"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time",
            "agreement", "annotators", "drafts", "predictions", "meta"}
TRUE, FALSE = {"yes", "true", "hedged"}, {"no", "false", "not hedged"}


class Config:
    """What the labelling config says: the text field and the controls by name."""

    def __init__(self, xml: str | None):
        match = _TEXT_TAG.search(xml or "")
        self.text_field = match.group(1) if match else None
        found = _CONTROL.findall(xml or "")
        self.controls = {name: tag for tag, _, name, _ in found}
        self.per_region = {name for _, before, name, after in found
                           if 'perRegion="true"' in before + after}
        #: Choices controls that take one choice (``choice="single"``, the default)
        self.single = {name for tag, before, name, after in found if tag == "Choices"
                       and 'choice="multiple"' not in before + after}
        self.ours = self.controls.get("label") == "Labels" and \
            self.controls.get("claim") == "Labels"

    @classmethod
    def beside(cls, path: Path) -> Config:
        """The config beside ``path``: ``NAME.label_config.xml`` for the file's name or
        a shorter one (``a.min.json`` finds ``a.label_config.xml``), else
        ``label_config.xml``."""
        stem = path.stem
        names = []
        while stem:
            names.append(f"{stem}.label_config.xml")
            stem = stem.rpartition(".")[0]
        for name in [*names, "label_config.xml"]:
            candidate = path.with_name(name)
            if candidate.is_file():
                return cls(candidate.read_text(encoding="utf-8"))
        return cls(None)


def read_labelstudio(path: Path, text_field: str = "text", *, as_sets: bool = False
                     ) -> Iterator[Record]:
    """The records of a Label Studio JSON, JSON-MIN or task-a-line file."""
    config = Config.beside(path)
    for item, line in iter_values(path):
        if not isinstance(item, dict):
            raise ImportFailed(path, line, "each task must be a JSON object")
        _check_no_surrogates(item, path, line)
        if isinstance(item.get("data"), dict):
            yield task_record(item, path, line, text_field, config, as_sets=as_sets)
        else:
            yield min_record(item, path, line, text_field, config)


def _text(data: dict[str, Any], path: Path, line: int, text_field: str,
          config: Config | None) -> tuple[str, str]:
    names = [config.text_field] if config and config.text_field else []
    names.append(text_field)
    for name in names:
        if isinstance(data.get(name), str):
            return name, data[name]
    strings = [k for k, v in data.items() if isinstance(v, str)]
    if len(strings) == 1:
        return strings[0], data[strings[0]]
    raise ImportFailed(path, line, f"no text field {names[0]!r} in the task's data (fields: "
                       f"{', '.join(sorted(data))}); use --text-field")


def _annotator(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("email") or value.get("id")
    return None if value is None or isinstance(value, bool) else str(value)


def task_record(item: dict[str, Any], path: Path, line: int, text_field: str,
                config: Config | None, *, as_sets: bool = False) -> Record:
    """The record of one Label Studio task (``data``, ``annotations``, ``predictions``);
    ``as_sets``: each annotation with a ``completed_by`` goes to that annotator's set."""
    config = config or Config(None)
    field, text = _text(item["data"], path, line, text_field, config)
    if not text or text.isspace():
        raise ImportFailed(path, line, f"field {field!r} is empty")
    meta = dict(item["meta"]) if isinstance(item.get("meta"), dict) else {}
    for key, value in item["data"].items():
        if key != field:
            meta.setdefault(key, value)
    if "id" in item:
        meta.setdefault("source_id", item["id"])
    record = Record(text=text, meta=meta, path=path, line=line, drop_overlaps=True)
    annotations = item.get("annotations", item.get("completions")) or []
    if not isinstance(annotations, list):
        raise ImportFailed(path, line, "'annotations' must be a list")
    if as_sets:
        annotations = _to_sets(record, annotations, config)
    chosen = next((a for a in annotations if isinstance(a, dict)
                   and not a.get("was_cancelled")), None)
    if chosen is None and annotations:
        chosen = annotations[0]
    for other in annotations:
        if other is not chosen and isinstance(other, dict):
            record.leave_out("regions of a task's further annotations (one annotation a "
                             "document; the first not cancelled is read)",
                             len(other.get("result") or []))
    if isinstance(chosen, dict):
        record.status = "skipped" if chosen.get("was_cancelled") else "done"
        by = item["data"].get("annotated_by")
        _results(record, chosen.get("result") or [], config,
                 annotator=by if isinstance(by, str) else _annotator(chosen.get("completed_by")))
    status = meta.get("status")
    if status in STATUSES:
        record.status = meta.pop("status")
    for prediction in item.get("predictions") or []:
        if not isinstance(prediction, dict):
            record.leave_out("predictions listed by id only (export them in full: a "
                             "snapshot export with predictions)")
        else:
            score = prediction.get("score")
            _results(record, prediction.get("result") or [], config, prediction=True,
                     score=score if isinstance(score, int | float) else None,
                     model=prediction.get("model_version"))
    return record


def _to_sets(record: Record, annotations: list[Any], config: Config) -> list[Any]:
    """Read each annotation that names its annotator into the annotator's set; return
    the others (read as without ``--as-sets``)."""
    from ..model import check_set_name

    rest = []
    for annotation in annotations:
        name = _annotator(annotation.get("completed_by")) if isinstance(annotation, dict) \
            else None
        if name is None:
            rest.append(annotation)
            continue
        reason = check_set_name(name)
        if reason is not None:
            raise ImportFailed(record.path, record.line, f"completed_by {name!r}: {reason}")
        if name in record.set_statuses:
            record.leave_out("regions of an annotator's further annotations of a task",
                             len(annotation.get("result") or []))
            continue
        first, first_doc = len(record.spans), len(record.doc_labels)
        _results(record, annotation.get("result") or [], config, annotator=name)
        for span in record.spans[first:]:
            span.annotation_set = name
        for label in record.doc_labels[first_doc:]:
            label.annotation_set = name
        record.set_statuses[name] = "skipped" if annotation.get("was_cancelled") else "done"
    return rest


def _layer(control: str, config: Config, record: Record) -> Layer:
    # our control names, with our config or with none beside the file
    if control in OUR_CONTROLS and (config.ours or not config.controls):
        return OUR_CONTROLS[control]
    record.layers_by_scheme = True
    return "entity"


def _results(record: Record, results: list[Any], config: Config, *, annotator: str | None = None,
             prediction: bool = False, score: float | None = None,
             model: Any = None) -> None:
    where = "prediction " if prediction else ""
    by_id: dict[Any, int] = {}
    later: list[dict[str, Any]] = []
    have = {(s.start, s.end, s.label) for s in record.spans}
    for result in results:
        if not isinstance(result, dict) or not (
                isinstance(result.get("value"), dict) or result.get("type") == "relation"):
            raise ImportFailed(record.path, record.line, f"{where}result {result!r} has no "
                               "value")
        kind = result.get("type")
        value = result.get("value") or {}
        if kind != "labels":
            later.append(result)
            continue
        labels = value.get("labels")
        if not isinstance(labels, list) or not labels:
            raise ImportFailed(record.path, record.line, f"{where}region {result.get('id')!r}"
                               " has no labels")
        start, end = value.get("start"), value.get("end")
        if isinstance(start, int) and isinstance(end, int):
            try:
                start, end, how = place(record.text, start, end, value.get("text"))
            except ValueError as exc:
                raise ImportFailed(record.path, record.line,
                                   f"{where}region {result.get('id')!r}: {exc}") from exc
            if how:
                record.repaired[how] += 1
        layer = _layer(str(result.get("from_name")), config, record)
        for label in labels:
            span = _checked_span(record, start, end, label, layer, annotator)
            if prediction:
                if (span.start, span.end, span.label) in have:
                    record.leave_out("predictions repeating a region of the annotation")
                    continue
                s = result.get("score")
                span.origin, span.decision = "model", "pending"
                span.score = float(s) if isinstance(s, int | float) else score
                span.model = str(model) if model else None
            if span.layer == "claim":
                span.claim = Claim()
            by_id.setdefault(result.get("id"), len(record.spans))
            record.spans.append(span)
    for result in later:
        _other(record, result, by_id, prediction, config, annotator=annotator,
               score=score, model=model)


def _doc_choices(record: Record, name: str, value: dict[str, Any], config: Config, *,
                 annotator: str | None, prediction: bool, score: float | None,
                 model: Any) -> None:
    """A document-level ``choices`` result: document labels of category ``name``."""
    from .doclabels import add_doc_label

    choices = value.get("choices")
    if isinstance(choices, str):
        choices = [choices]
    if not isinstance(choices, list):
        raise ImportFailed(record.path, record.line, f"choices '{name}' without a list of "
                           "choices")
    if name in config.controls:
        record.exclusive.setdefault(name, name in config.single)
    for choice in choices:
        if isinstance(choice, list):  # a Taxonomy's path: its last step
            choice = choice[-1] if choice else None
        add_doc_label(record, choice, name, annotator=annotator, prediction=prediction,
                      score=score, model=str(model) if model else None)


def _other(record: Record, result: dict[str, Any], by_id: dict[Any, int],
           prediction: bool, config: Config | None = None, *, annotator: str | None = None,
           score: float | None = None, model: Any = None) -> None:
    kind, value = result.get("type"), result.get("value") or {}
    name = str(result.get("from_name"))
    if kind == "relation":
        a, b = by_id.get(result.get("from_id")), by_id.get(result.get("to_id"))
        if a is None or b is None:
            record.leave_out("relations to regions the annotation does not have")
            return
        labels = result.get("labels") or [""]
        record.relations.append((a, b, str(labels[0])))
        return
    target = by_id.get(result.get("id"))
    if kind == "choices" and target is None and name not in ATTRIBUTES:
        s = result.get("score")
        _doc_choices(record, name, value, config or Config(None), annotator=annotator,
                     prediction=prediction,
                     score=float(s) if isinstance(s, int | float) else score, model=model)
        return
    if prediction:
        record.leave_out(f"prediction {kind} results (suggestions carry no attributes)")
        return
    if kind not in ("choices", "textarea"):
        record.leave_out(f"{kind} results (Annotator has no such annotation)")
        return
    if target is None:
        record.leave_out(f"document {kind} '{name}' (document labels are choices; "
                         "Annotator keeps no document text)")
        return
    span: Span = record.spans[target]
    if span.claim is None and record.layers_by_scheme and name in ATTRIBUTES:
        span.claim = Claim()  # the project's labels say later whether it is a claim
    if span.claim is None or name not in ATTRIBUTES:
        record.leave_out(f"per-region {kind} '{name}' (no claim attribute of that name)")
        return
    values = value.get("choices") if kind == "choices" else value.get("text")
    chosen = values[0] if isinstance(values, list) and values else values
    if not isinstance(chosen, str):
        record.leave_out(f"per-region {kind} '{name}' without a value")
        return
    if name == "claim_type" and chosen in CLAIM_TYPES:
        span.claim.claim_type = chosen
    elif name == "checkworthy" and chosen in CHECKWORTHY:
        span.claim.checkworthy = chosen
    elif name == "hedged" and chosen.lower() in TRUE | FALSE:
        span.claim.hedged = chosen.lower() in TRUE
    elif name == "via":
        span.claim.via = chosen
    elif name == "claimant":
        if span.claim.claimant_text is None:
            span.claim.claimant_text = chosen  # a relation to an entity wins
    else:
        record.leave_out(f"per-region {kind} '{name}' with a value outside the scheme")


def min_record(item: dict[str, Any], path: Path, line: int, text_field: str,
               config: Config) -> Record:
    """The record of one JSON-MIN item: the text, and region lists under control names."""
    field, text = _text({k: v for k, v in item.items() if k not in MIN_KEYS}, path, line,
                        text_field, config)
    if not text or text.isspace():
        raise ImportFailed(path, line, f"field {field!r} is empty")
    meta = dict(item["meta"]) if isinstance(item.get("meta"), dict) else {}
    if "id" in item:
        meta.setdefault("source_id", item["id"])
    record = Record(text=text, meta=meta, path=path, line=line, status="done",
                    drop_overlaps=True)
    by = item.get("annotated_by")
    annotator = by if isinstance(by, str) else _annotator(item.get("annotator"))
    results: list[dict[str, Any]] = []
    for key, value in item.items():
        if key == field or key in MIN_KEYS:
            continue
        regions = value if isinstance(value, list) else None
        if regions and all(isinstance(r, dict) and "start" in r and "end" in r
                           for r in regions):
            for n, region in enumerate(regions):
                kind = "labels" if "labels" in region else next(
                    (k for k in ("choices", "text") if k in region), "unknown")
                results.append({"id": f"{key}-{n}", "from_name": key,
                                "type": "textarea" if kind == "text" else kind,
                                "value": region})
        elif key in config.per_region:
            record.leave_out(f"per-region {config.controls[key]} '{key}' not tied to its "
                             "region (JSON-MIN and CSV exports drop the region ids)",
                             len(value) if isinstance(value, list) else 1)
        elif config.controls.get(key) in ("Choices", "Taxonomy") or (
                isinstance(value, dict) and "choices" in value):
            # JSON-MIN: one choice as a string, several as {"choices": [...]}
            _doc_choices(record, key, value if isinstance(value, dict) else
                         {"choices": value}, config, annotator=annotator,
                         prediction=False, score=None, model=None)
        else:
            meta.setdefault(key, value)
    _results(record, results, config, annotator=annotator)
    return record
