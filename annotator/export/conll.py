"""CoNLL IOB2: ``-DOCSTART- -X- O O`` before each document, then one ``token TAG``
line per token and a blank line after each sentence (spaCy's rule-based sentencizer).

Tokens are the project tokenizer's (:func:`annotator.tokens.blank_nlp`); whitespace
tokens (newlines, double spaces) are left out, and a control character inside a token
is written as a ``\\uXXXX`` escape, so every line is exactly ``token TAG``. Label names
never hold whitespace (:func:`annotator.model.check_label_name`). Entities that do not
fall on token boundaries follow the ``align`` policy (see
:mod:`annotator.export.spacy_docbin`). Claims overlap each other and cannot be written
as IOB tags: they, and rejected spans, are counted as skipped, as are documents too
long to tokenise (``MAX_TOKENIZED_CHARS``) with their spans."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .base import (
    MAX_TOKENIZED_CHARS,
    DocRecord,
    ExportOptions,
    ExportSummary,
    OutputFiles,
    atomic_file,
)
from .spacy_docbin import aligned_entities

DOCSTART = "-DOCSTART- -X- O O"
# What would break a "token TAG" line: control characters and line or paragraph
# separators (whitespace-only tokens are left out; spaCy never puts whitespace inside a
# token).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]")
TOO_LONG = f"documents over {MAX_TOKENIZED_CHARS:,} characters (too long to tokenise)"


def token_text(text: str) -> str:
    """A token as CoNLL writes it: control characters as ``\\uXXXX`` escapes."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def outputs(out: Path, opts: ExportOptions) -> list[Path]:
    return [out]


def write(records: Iterable[DocRecord], out: Path, opts: ExportOptions,
          summary: ExportSummary, files: OutputFiles) -> None:
    from ..tokens import blank_nlp

    nlp = blank_nlp(sentences=True)
    with atomic_file(files, out) as fh:
        for rec in records:
            if rec.too_long:
                rec.skip_document(summary, TOO_LONG)
                continue
            doc = nlp(rec.doc.text)
            doc.ents = aligned_entities(doc, rec.entities, opts.align, summary)
            for ent in doc.ents:
                summary.spans_by_label[ent.label_] += 1
            if rec.claims:
                summary.skip("claims (overlapping spans have no IOB tags)", len(rec.claims))
            if rec.rejected:
                summary.skip("rejected spans (no negatives in CoNLL)", len(rec.rejected))
            if rec.doc_labels:
                summary.skip("document labels (CoNLL has no place for them)",
                             len(rec.doc_labels))
            fh.write(DOCSTART + "\n\n")
            for sent in doc.sents:
                lines = [f"{token_text(t.text)} {t.ent_iob_}-{t.ent_type_}"
                         if t.ent_iob_ != "O" else f"{token_text(t.text)} O"
                         for t in sent if not t.is_space]
                if lines:
                    fh.write("\n".join(lines) + "\n\n")
    summary.files.append(out)
