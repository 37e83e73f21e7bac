"""spaCy training data: ``train.spacy`` and ``dev.spacy`` (``DocBin``) and a
``config.cfg`` for ``python -m spacy train``, in the folder ``out``.

Entities are ``doc.ents``; claims are ``doc.spans["claims"]`` (their attributes in
``doc.user_data["claims"]``); rejected entity spans, when asked for, are
``doc.spans["incorrect_spans"]``, which the NER component reads as known-wrong
(``incorrect_spans_key``). Each document goes to dev with probability
``dev_fraction``, drawn from a generator seeded with ``seed``.

Spans that do not fall on token boundaries follow the ``align`` policy: ``strict``
leaves them out, ``expand`` grows them to the tokens they touch, ``contract`` shrinks
them to the tokens inside them. Every span left out (misaligned, or overlapping another
entity once aligned) is counted in the summary with its reason.

Documents longer than ``MAX_TOKENIZED_CHARS`` are left out with their spans, counted.
``config.cfg`` names the data relative to the working directory (spaCy resolves
``[paths]`` so), so the summary prints the exact command, with absolute paths, that
trains on the export from any folder. Its tokenizer is the project's
(``annotator.Tokenizer.v1``), defined in ``annotator_tokenizer.py`` beside it, a
standalone file that the command passes with ``--code``: the pipeline trained tokenises
as the ``DocBin`` does, so ``spacy debug data`` finds no misaligned tokens.

Memory stays flat: documents are written in shards of ``SHARD_DOCS``; a split of one
shard becomes the file ``train.spacy``, a larger one the folder ``train.spacy/`` of
shards, which ``spacy train`` reads the same way (``DocBin`` reads one shard).
"""

from __future__ import annotations

import os
import random
import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..tokenizer_code import NAME
from ..tokens import tokenizer_source
from .base import (
    MAX_TOKENIZED_CHARS,
    DocRecord,
    ExportOptions,
    ExportSummary,
    OutputFiles,
    claim_dict,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

SHARD_DOCS = 2000
CODE_FILE = "annotator_tokenizer.py"  # the project tokenizer for `spacy train --code`
CLAIMS_KEY = "claims"
INCORRECT_KEY = "incorrect_spans"
SPLITS = ("train", "dev")


def outputs(out: Path, opts: ExportOptions) -> list[Path]:
    return [out / "train.spacy", out / "dev.spacy", out / "config.cfg", out / CODE_FILE]


def _aligned(doc: Doc, start: int, end: int, label: str, align: str,
             summary: ExportSummary, layer: str) -> SpacySpan | None:
    mode = "strict" if align == "strict" else align
    span = doc.char_span(start, end, label=label, alignment_mode=mode)
    if span is None or len(span) == 0:
        summary.skip(f"{layer} spans not on token boundaries (align={align})")
        return None
    if (span.start_char, span.end_char) != (start, end):
        summary.adjusted[f"{layer} spans moved to token boundaries (align={align})"] += 1
    return span


def aligned_entities(doc: Doc, entities: Iterable[Any], align: str,
                     summary: ExportSummary) -> list[SpacySpan]:
    """The entities as spaCy spans under the ``align`` policy, without overlaps."""
    out: list[SpacySpan] = []
    for s in sorted(entities, key=lambda s: (s.start, s.end)):
        span = _aligned(doc, s.start, s.end, s.label, align, summary, "entity")
        if span is None:
            continue
        if out and span.start < out[-1].end:
            summary.skip(f"entity spans overlapping another once aligned (align={align})")
            continue
        out.append(span)
    return out


def make_doc(rec: DocRecord, opts: ExportOptions, summary: ExportSummary) -> Doc:
    """A tokenised ``Doc`` with the record's entities, claims and negatives."""
    from ..tokens import blank_nlp

    doc = blank_nlp().make_doc(rec.doc.text)
    doc.ents = aligned_entities(doc, rec.entities, opts.align, summary)
    claims, attrs = [], []
    for s in rec.claims:
        span = _aligned(doc, s.start, s.end, s.label, opts.align, summary, "claim")
        if span is None:
            continue
        claims.append(span)
        attrs.append(claim_dict(rec, s))
    doc.spans[CLAIMS_KEY] = claims
    if opts.include_rejected:
        negatives = []
        for s in rec.rejected:
            if s.layer != "entity":
                summary.skip("rejected claims (spaCy takes negatives for entities only)")
                continue
            span = _aligned(doc, s.start, s.end, s.label, opts.align, summary, "rejected")
            if span is not None:
                negatives.append(span)
                summary.rejected_by_label[s.label] += 1
        doc.spans[INCORRECT_KEY] = negatives
    doc.user_data["doc_id"] = rec.doc.id
    doc.user_data["claims"] = attrs
    for span in doc.ents:
        summary.spans_by_label[span.label_] += 1
    for span in claims:
        summary.spans_by_label[span.label_] += 1
    return doc


TOO_LONG = f"documents over {MAX_TOKENIZED_CHARS:,} characters (too long to tokenise)"


def train_command(out: Path) -> str:
    """``python -m spacy train`` on the export, runnable from any folder."""
    folder = Path(os.path.abspath(out))
    args = ["python", "-m", "spacy", "train", str(folder / "config.cfg"),
            "--code", str(folder / CODE_FILE),
            "--paths.train", str(folder / "train.spacy"),
            "--paths.dev", str(folder / "dev.spacy"), "--output", str(folder / "model")]
    return shlex.join(args)


def write(records: Iterable[DocRecord], out: Path, opts: ExportOptions,
          summary: ExportSummary, files: OutputFiles) -> None:
    from spacy.tokens import DocBin

    rng = random.Random(opts.seed)
    counts = dict.fromkeys(SPLITS, 0)
    shards: dict[str, list[Path]] = {name: [] for name in SPLITS}
    labels: dict[str, set[str]] = {"ner": set(), "claims": set()}
    tmp = files.temp_dir(out)
    bins = {name: DocBin(store_user_data=True) for name in SPLITS}

    def flush(name: str) -> None:
        path = tmp / f"{name}-{len(shards[name]):04d}.spacy"
        bins[name].to_disk(path)
        shards[name].append(path)
        bins[name] = DocBin(store_user_data=True)

    for rec in records:
        if rec.too_long:
            rec.skip_document(summary, TOO_LONG)
            continue
        doc = make_doc(rec, opts, summary)
        labels["ner"].update(e.label_ for e in doc.ents)
        labels["claims"].update(s.label_ for s in doc.spans[CLAIMS_KEY])
        name = "dev" if rng.random() < opts.dev_fraction else "train"
        bins[name].add(doc)
        counts[name] += 1
        if len(bins[name]) >= SHARD_DOCS:
            flush(name)
    for name in SPLITS:
        if len(bins[name]) or not shards[name]:
            flush(name)
    config = make_config(opts, has_claims=bool(labels["claims"]))
    config.to_disk(tmp / "config.cfg")
    (tmp / CODE_FILE).write_text(tokenizer_source(), encoding="utf-8")
    for name in SPLITS:
        target = out / f"{name}.spacy"
        if len(shards[name]) == 1:
            files.place(shards[name][0], target)
        else:
            folder = tmp / f"{name}.dir"
            folder.mkdir()
            for shard in shards[name]:
                shard.rename(folder / shard.name)
            files.place(folder, target)
        summary.files.append(target)
    for name in ("config.cfg", CODE_FILE):
        files.place(tmp / name, out / name)
        summary.files.append(out / name)
    summary.splits = counts
    summary.command = f"train with: {train_command(out)}"


def make_config(opts: ExportOptions, has_claims: bool) -> Any:
    """A ``config.cfg`` training NER (and, with ``spancat``, claim spans) on the export."""
    from spacy.cli.init_config import init_config

    spancat = opts.spancat and has_claims
    pipeline = ["ner", "spancat"] if spancat else ["ner"]
    config = init_config(lang="en", pipeline=pipeline, optimize="efficiency", gpu=False,
                         pretraining=False, silent=True)
    config["paths"]["train"] = "train.spacy"
    config["paths"]["dev"] = "dev.spacy"
    # The DocBin's tokens are the project tokenizer's: so must the trained pipeline's be
    # (spaCy's own tokenizer keeps "inIraq" whole, misaligning it with the data).
    config["nlp"]["tokenizer"] = {"@tokenizers": NAME}
    if opts.include_rejected:
        config["components"]["ner"]["incorrect_spans_key"] = INCORRECT_KEY
    if spancat:
        config["components"]["spancat"]["spans_key"] = CLAIMS_KEY
        # Claims are clauses and sentences: candidate spans up to 40 tokens long.
        config["components"]["spancat"]["suggester"] = {
            "@misc": "spacy.ngram_range_suggester.v1", "min_size": 3, "max_size": 40}
        config["training"]["score_weights"] = {
            "ents_f": 0.5, "ents_p": 0.0, "ents_r": 0.0, f"spans_{CLAIMS_KEY}_f": 0.5,
            f"spans_{CLAIMS_KEY}_p": 0.0, f"spans_{CLAIMS_KEY}_r": 0.0}
    return config
