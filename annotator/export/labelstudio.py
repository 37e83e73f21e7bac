"""Label Studio JSON: a list of tasks (``data.text``, ``meta``, and one annotation
whose ``result`` regions carry ``value.start``/``end``/``text``/``labels``), plus the
labelling config the regions refer to (``<out stem>.label_config.xml``).

Offsets are code points, as Label Studio's Text tag stores them. Entities come from the
``label`` control, claims from ``claim``; a claim's type and check-worthiness are
per-region ``Choices`` results on the same region id. Every exported span was accepted
by a person, so every region is the person's (``origin: "manual"``), suggestion or not;
only a pending suggestion would be a ``prediction``. Rejected spans have no place in an
annotation and are counted as skipped. Label Studio imports ``.json`` (a list of tasks):
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
    ExportError,
    ExportOptions,
    ExportSummary,
    OutputFiles,
    atomic_file,
    count_spans,
)

ENTITY_CONTROL, CLAIM_CONTROL, TEXT_OBJECT = "label", "claim", "text"
TYPE_CONTROL, CHECK_CONTROL = "claim_type", "checkworthy"


def config_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.label_config.xml")


def outputs(out: Path, opts: ExportOptions) -> list[Path]:
    if out.suffix.lower() == ".jsonl":
        raise ExportError(f"{out}: Label Studio imports a JSON list of tasks (.json), not "
                          f"JSONL; name the file {out.with_suffix('.json').name}")
    return [out, config_path(out)]


def _region(rec: DocRecord, span: Any, control: str) -> dict[str, Any]:
    return {
        "id": f"s{span.id}", "from_name": control, "to_name": TEXT_OBJECT, "type": "labels",
        # accepted by a person: the person's annotation, whoever proposed it
        "origin": "manual" if span.decision == "accepted" else "prediction",
        "value": {"start": span.start, "end": span.end,
                  "text": rec.doc.text[span.start:span.end], "labels": [span.label]},
    }


def _choice(rec: DocRecord, span: Any, control: str, value: str) -> dict[str, Any]:
    return {
        "id": f"s{span.id}", "from_name": control, "to_name": TEXT_OBJECT, "type": "choices",
        "origin": "manual",
        "value": {"start": span.start, "end": span.end,
                  "text": rec.doc.text[span.start:span.end], "choices": [value]},
    }


def task(rec: DocRecord) -> dict[str, Any]:
    """The Label Studio task of one document."""
    result = [_region(rec, s, ENTITY_CONTROL) for s in rec.entities]
    for s in rec.claims:
        result.append(_region(rec, s, CLAIM_CONTROL))
        if s.claim and s.claim.claim_type:
            result.append(_choice(rec, s, TYPE_CONTROL, s.claim.claim_type))
        if s.claim and s.claim.checkworthy:
            result.append(_choice(rec, s, CHECK_CONTROL, s.claim.checkworthy))
    return {
        "data": {TEXT_OBJECT: rec.doc.text, "doc_id": rec.doc.id},
        "meta": rec.doc.meta,
        "annotations": [{"result": result, "was_cancelled": rec.doc.status == "skipped",
                         "ground_truth": False}],
    }


def label_config(entity_labels: Iterable[str], claim_labels: Iterable[str]) -> str:
    """The ``<View>`` the tasks' regions refer to."""
    from xml.sax.saxutils import quoteattr  # imports urllib and more: only when used

    def labels(name: str, values: Iterable[str]) -> str:
        inner = "".join(f"\n    <Label value={quoteattr(v)}/>" for v in values)
        return f'  <Labels name="{name}" toName="{TEXT_OBJECT}">{inner}\n  </Labels>\n'

    def choices(name: str, values: Iterable[str]) -> str:
        inner = "".join(f"\n    <Choice value={quoteattr(v)}/>" for v in values)
        return (f'  <Choices name="{name}" toName="{TEXT_OBJECT}" perRegion="true" '
                f'choice="single">{inner}\n  </Choices>\n')

    return ("<View>\n" + labels(ENTITY_CONTROL, entity_labels)
            + labels(CLAIM_CONTROL, claim_labels)
            + f'  <Text name="{TEXT_OBJECT}" value="$text"/>\n'
            + choices(TYPE_CONTROL, CLAIM_TYPES) + choices(CHECK_CONTROL, CHECKWORTHY)
            + "</View>\n")


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
            fh.write(json.dumps(task(rec), ensure_ascii=False))
            count_spans(summary, rec, rejected=False)
            entity_labels.update((s.label, None) for s in rec.entities)
            claim_labels.update((s.label, None) for s in rec.claims)
            if rec.rejected:
                summary.skip("rejected spans (no negatives in a Label Studio annotation)",
                             len(rec.rejected))
        fh.write("\n]\n")
        with atomic_file(files, config_path(out)) as cfg:
            cfg.write(label_config(entity_labels, claim_labels))
    summary.files += [out, config_path(out)]
