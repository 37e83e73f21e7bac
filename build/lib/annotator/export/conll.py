"""CoNLL IOB2: ``-DOCSTART- -X- O O`` before each document, then one ``token TAG``
line per token and a blank line after each sentence (spaCy's rule-based sentencizer).

Tokens are those of ``spacy.blank("en")``; whitespace tokens (newlines, double spaces)
are left out. Entities that do not fall on token boundaries follow the ``align`` policy
(see :mod:`annotator.export.spacy_docbin`). Claims overlap each other and cannot be
written as IOB tags: they, and rejected spans, are counted as skipped."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .base import DocRecord, ExportOptions, ExportSummary, atomic_file, check_free
from .spacy_docbin import aligned_entities

DOCSTART = "-DOCSTART- -X- O O"


def outputs(out: Path, opts: ExportOptions) -> list[Path]:
    return [out]


def write(records: Iterable[DocRecord], out: Path, opts: ExportOptions,
          summary: ExportSummary, force: bool) -> None:
    check_free(outputs(out, opts), force)
    from ..tokens import blank_nlp

    nlp = blank_nlp(sentences=True)
    with atomic_file(out) as fh:
        for rec in records:
            doc = nlp(rec.doc.text)
            doc.ents = aligned_entities(doc, rec.entities, opts.align, summary)
            for ent in doc.ents:
                summary.spans_by_label[ent.label_] += 1
            if rec.claims:
                summary.skip("claims (overlapping spans have no IOB tags)", len(rec.claims))
            if rec.rejected:
                summary.skip("rejected spans (no negatives in CoNLL)", len(rec.rejected))
            fh.write(DOCSTART + "\n\n")
            for sent in doc.sents:
                lines = [f"{t.text} {t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ != "O"
                         else f"{t.text} O" for t in sent if not t.is_space]
                if lines:
                    fh.write("\n".join(lines) + "\n\n")
    summary.files.append(out)
