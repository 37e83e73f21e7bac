"""Label Studio JSON: a list of tasks (``data.text``, ``meta``, and one annotation
whose ``result`` regions carry ``value.start``/``end``/``text``/``labels``), plus the
labelling config the regions refer to (``<out stem>.label_config.xml``).

Offsets are code points, as Label Studio's Text tag stores them. Entities come from the
``label`` control, claims from ``claim``. A claim's attributes are per-region results on
the claim's region id: ``Choices`` for its type, check-worthiness and ``hedged``
(``yes``/``no``), ``TextArea`` for ``via`` and for a claimant given as free text. A
claimant that is an exported entity span is a ``relation`` result (labelled
``claimant``) from the claim's region to the entity's; one whose entity span is not in
the export (pending, rejected, another layer) goes out as claimant text, counted as
adjusted. Whose labels these are goes into ``data.annotated_by`` (the annotator's set in a
team project, else the names on the spans): Label Studio keeps ``data`` in every export
format, while ``completed_by`` must name a user of the Label Studio server, which would
refuse the whole import for an unknown one; the document's note, if any, into
``data.note``. Every exported span was accepted by a
person, so every region is the person's (``origin: "manual"``), suggestion or not; only
a pending suggestion would be a ``prediction``. Rejected spans have no place in an
annotation and are counted as skipped. Document labels are document-level ``choices``
results of one ``<Choices>`` control per category, named as the category
(``choice="multiple"`` for a multi-label one). Label Studio imports ``.json`` (a list of tasks):
an ``out`` ending in ``.jsonl`` is refused. Label names never need escaping
(:func:`annotator.model.check_label_name`); XML-escaped all the same."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..model import CHECKWORTHY, CLAIM_TYPES, LabelScheme
from .base import (
    DocRecord,
    DocScheme,
    ExportError,
    ExportOptions,
    ExportSummary,
    OutputFiles,
    atomic_file,
    count_spans,
)

ENTITY_CONTROL, CLAIM_CONTROL, TEXT_OBJECT = "label", "claim", "text"
TYPE_CONTROL, CHECK_CONTROL = "claim_type", "checkworthy"
HEDGED_CONTROL, VIA_CONTROL, CLAIMANT_CONTROL = "hedged", "via", "claimant"
CLAIMANT_RELATION = "claimant"
HEDGED_CHOICES = ("yes", "no")
#: The ``data`` key of whose labels these are: not ``annotator``, which Label Studio's
#: JSON-MIN and CSV exports fill with the ``completed_by`` user's email
ANNOTATOR_FIELD = "annotated_by"
NOTE_FIELD = "note"  # the document's note, where it has one
#: Why a claimant went out as text though it names an entity span (summary.adjusted)
CLAIMANT_AS_TEXT = ("claimants whose entity span is not in the export (pending, rejected "
                    "or another layer), written as claimant text, not as a relation")


#: The config's own names, which a document-label category (a ``Choices`` control of
#: its own name) cannot take.
RESERVED = (ENTITY_CONTROL, CLAIM_CONTROL, TEXT_OBJECT, TYPE_CONTROL, CHECK_CONTROL,
            HEDGED_CONTROL, VIA_CONTROL, CLAIMANT_CONTROL)


def config_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.label_config.xml")


def outputs(out: Path, opts: ExportOptions) -> list[Path]:
    if out.suffix.lower() == ".jsonl":
        raise ExportError(f"{out}: Label Studio imports a JSON list of tasks (.json), not "
                          f"JSONL; name the file {out.with_suffix('.json').name}")
    clash = sorted({c.name for c in opts.doc_scheme.categories} & set(RESERVED)
                   if opts.doc_scheme else ())
    if clash:
        raise ExportError(f"a document-label category is named {', '.join(clash)}, as a "
                          "control of the Label Studio config is; rename the category")
    return [out, config_path(out)]


def _region(rec: DocRecord, span: Any, control: str) -> dict[str, Any]:
    return {
        "id": f"s{span.id}", "from_name": control, "to_name": TEXT_OBJECT, "type": "labels",
        # accepted by a person: the person's annotation, whoever proposed it
        "origin": "manual" if span.decision == "accepted" else "prediction",
        "value": {"start": span.start, "end": span.end,
                  "text": rec.doc.text[span.start:span.end], "labels": [span.label]},
    }


def _per_region(rec: DocRecord, span: Any, control: str, kind: str,
                value: Any) -> dict[str, Any]:
    """A per-region result (``choices`` or ``textarea``) on the span's region. A
    ``textarea`` value's ``text`` is the list of strings entered, as Label Studio writes it."""
    body: dict[str, Any] = {"start": span.start, "end": span.end}
    if kind == "choices":
        body["text"] = rec.doc.text[span.start:span.end]
        body["choices"] = [value]
    else:
        body["text"] = [value]
    return {"id": f"s{span.id}", "from_name": control, "to_name": TEXT_OBJECT, "type": kind,
            "origin": "manual", "value": body}


def annotator_name(rec: DocRecord) -> str | None:
    """Whose labels these are: the annotator's set in a team project, else the names on
    the exported spans and document labels (comma-separated, sorted), else ``None``."""
    if rec.annotator_id:
        return rec.annotator_id
    names = sorted({s.annotator for s in rec.entities + rec.claims if s.annotator}
                   | {x.annotator for x in rec.doc_labels if x.annotator})
    return ",".join(names) or None


def doc_choices(rec: DocRecord, scheme: DocScheme) -> list[dict[str, Any]]:
    """The document labels as document-level ``choices`` results, one per category
    that has any (the control is the category's ``<Choices>``)."""
    return [{"id": f"doc-{category}", "from_name": category, "to_name": TEXT_OBJECT,
             "type": "choices", "origin": "manual", "value": {"choices": labels}}
            for category, labels in scheme.chosen(rec).items() if labels]


def task(rec: DocRecord, summary: ExportSummary | None = None,
         scheme: DocScheme | None = None) -> dict[str, Any]:
    """The Label Studio task of one document (with ``summary``, claimants that go out
    as text though they name an entity span are counted there; with ``scheme``, the
    document labels are ``choices`` results of each category's control)."""
    result = [_region(rec, s, ENTITY_CONTROL) for s in rec.entities]
    exported = {s.id for s in rec.entities}
    relations = []
    for s in rec.claims:
        result.append(_region(rec, s, CLAIM_CONTROL))
        c = s.claim
        if c is None:
            continue
        if c.claim_type:
            result.append(_per_region(rec, s, TYPE_CONTROL, "choices", c.claim_type))
        if c.checkworthy:
            result.append(_per_region(rec, s, CHECK_CONTROL, "choices", c.checkworthy))
        if c.hedged is not None:
            result.append(_per_region(rec, s, HEDGED_CONTROL, "choices",
                                      HEDGED_CHOICES[0 if c.hedged else 1]))
        if c.via:
            result.append(_per_region(rec, s, VIA_CONTROL, "textarea", c.via))
        target = rec.by_id.get(c.claimant_span_id) if c.claimant_span_id else None
        if target is not None and target.id in exported:
            relations.append({"from_id": f"s{s.id}", "to_id": f"s{target.id}",
                              "type": "relation", "direction": "right",
                              "labels": [CLAIMANT_RELATION]})
        elif target is not None:
            result.append(_per_region(rec, s, CLAIMANT_CONTROL, "textarea",
                                      rec.doc.text[target.start:target.end]))
            if summary is not None:
                summary.adjusted[CLAIMANT_AS_TEXT] += 1
        elif c.claimant_text:
            result.append(_per_region(rec, s, CLAIMANT_CONTROL, "textarea", c.claimant_text))
    if scheme is not None:
        result += doc_choices(rec, scheme)
        if summary is not None:
            summary.doc_labels_by_label.update(x.label for x in rec.doc_labels)
    data: dict[str, Any] = {TEXT_OBJECT: rec.doc.text, "doc_id": rec.doc.id}
    name = annotator_name(rec)
    if name is not None:
        data[ANNOTATOR_FIELD] = name
    if rec.doc.note:
        data[NOTE_FIELD] = rec.doc.note
    return {
        "data": data,
        "meta": rec.doc.meta,
        "annotations": [{"result": result + relations,
                         "was_cancelled": rec.doc.status == "skipped",
                         "ground_truth": False}],
    }


def label_config(entity_labels: Iterable[str], claim_labels: Iterable[str],
                 scheme: DocScheme | None = None) -> str:
    """The ``<View>`` the tasks' regions refer to: the two label sets, the text, the
    claimant relation, one document-level ``<Choices>`` per document-label category of
    ``scheme`` (``choice="single"`` for an exclusive one, ``"multiple"`` otherwise), and
    the per-region claim attributes (shown when a region is selected)."""
    from xml.sax.saxutils import quoteattr  # imports urllib and more: only when used

    def labels(name: str, values: Iterable[str]) -> str:
        inner = "".join(f"\n    <Label value={quoteattr(v)}/>" for v in values)
        return f'  <Labels name="{name}" toName="{TEXT_OBJECT}">{inner}\n  </Labels>\n'

    def choices(name: str, values: Iterable[str]) -> str:
        inner = "".join(f"\n      <Choice value={quoteattr(v)}/>" for v in values)
        return (f'    <Header value="{name}"/>\n'
                f'    <Choices name="{name}" toName="{TEXT_OBJECT}" perRegion="true" '
                f'choice="single">{inner}\n    </Choices>\n')

    def category(name: str, exclusive: bool, values: Iterable[str]) -> str:
        inner = "".join(f"\n    <Choice value={quoteattr(v)}/>" for v in values)
        return (f"  <Header value={quoteattr(name)}/>\n"
                f"  <Choices name={quoteattr(name)} toName=\"{TEXT_OBJECT}\" "
                f"choice=\"{'single' if exclusive else 'multiple'}\" showInline=\"true\">"
                f"{inner}\n  </Choices>\n")

    categories = "".join(category(c.name, c.exclusive, scheme.labels[c.name])
                         for c in scheme.categories) if scheme else ""

    def textarea(name: str) -> str:
        return (f'    <Header value="{name}"/>\n'
                f'    <TextArea name="{name}" toName="{TEXT_OBJECT}" perRegion="true" '
                'maxSubmissions="1" editable="true"/>\n')

    return ("<View>\n" + labels(ENTITY_CONTROL, entity_labels)
            + labels(CLAIM_CONTROL, claim_labels)
            + f'  <Text name="{TEXT_OBJECT}" value="$text"/>\n'
            + f'  <Relations>\n    <Relation value="{CLAIMANT_RELATION}"/>\n  </Relations>\n'
            + categories
            + '  <View visibleWhen="region-selected">\n'
            + choices(TYPE_CONTROL, CLAIM_TYPES) + choices(CHECK_CONTROL, CHECKWORTHY)
            + choices(HEDGED_CONTROL, HEDGED_CHOICES)
            + textarea(VIA_CONTROL) + textarea(CLAIMANT_CONTROL)
            + "  </View>\n</View>\n")


def write(records: Iterable[DocRecord], out: Path, opts: ExportOptions,
          summary: ExportSummary, files: OutputFiles) -> None:
    scheme = LabelScheme.load()
    entity_labels = {x.name: None for x in scheme.for_layer("entity")}
    claim_labels = {x.name: None for x in scheme.for_layer("claim")}
    with atomic_file(files, out) as fh:
        fh.write("[")
        first = True
        for rec in records:
            fh.write("\n" if first else ",\n")
            first = False
            fh.write(json.dumps(task(rec, summary, opts.doc_scheme), ensure_ascii=False))
            count_spans(summary, rec, rejected=False)
            entity_labels.update((s.label, None) for s in rec.entities)
            claim_labels.update((s.label, None) for s in rec.claims)
            if rec.rejected:
                summary.skip("rejected spans (no negatives in a Label Studio annotation)",
                             len(rec.rejected))
        fh.write("\n]\n")
        with atomic_file(files, config_path(out)) as cfg:
            cfg.write(label_config(entity_labels, claim_labels, opts.doc_scheme))
    summary.files += [out, config_path(out)]
