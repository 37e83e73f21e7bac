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

Document labels are ``doc.cats`` (``{label: 1.0 or 0.0}``): every label of a multi-label
category (a done document without one of them: none applies), and the labels of an
exclusive category where the document has one (spaCy's exclusive ``textcat`` has no
"none of these"). ``config.cfg`` gets one component per category the export holds:
``textcat_multilabel`` for a multi-label category, ``textcat`` for an exclusive one, or,
beside other categories, ``annotator_category_textcat`` (spaCy's ``textcat`` checking
only its own labels, see :mod:`annotator.textcat_code`, written into the code file too),
each named ``textcat_<category>`` with its labels in ``[initialize.components]``.

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

from ..textcat_code import FACTORY
from ..textcat_code import source as textcat_source
from ..tokenizer_code import NAME
from ..tokens import tokenizer_source
from .base import (
    MAX_TOKENIZED_CHARS,
    DocRecord,
    DocScheme,
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
    if opts.doc_scheme is not None:
        doc.cats = doc_cats(rec, opts.doc_scheme)
        summary.doc_labels_by_label.update(x.label for x in rec.doc_labels)
    doc.user_data["doc_id"] = rec.doc.id
    doc.user_data["claims"] = attrs
    for span in doc.ents:
        summary.spans_by_label[span.label_] += 1
    for span in claims:
        summary.spans_by_label[span.label_] += 1
    return doc


def doc_cats(rec: DocRecord, scheme: DocScheme) -> dict[str, float]:
    """``doc.cats``: 1.0 for the record's labels, 0.0 for the other labels of each
    multi-label category and of each exclusive category the document has a label of."""
    cats: dict[str, float] = {}
    for category in scheme.categories:
        chosen = scheme.chosen(rec)[category.name]
        if category.exclusive and not chosen:
            continue
        cats.update({label: float(label in chosen) for label in scheme.labels[category.name]})
    return cats


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
    labels: dict[str, set[str]] = {"ner": set(), "claims": set(), "cats": set()}
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
        labels["cats"].update(x.label for x in rec.doc_labels)
        name = "dev" if rng.random() < opts.dev_fraction else "train"
        bins[name].add(doc)
        counts[name] += 1
        if len(bins[name]) >= SHARD_DOCS:
            flush(name)
    for name in SPLITS:
        if len(bins[name]) or not shards[name]:
            flush(name)
    categories = textcat_categories(opts.doc_scheme, labels["cats"])
    config = make_config(opts, has_claims=bool(labels["claims"]), categories=categories,
                         has_entities=bool(labels["ner"]))
    config.to_disk(tmp / "config.cfg")
    code = tokenizer_source()
    if any(factory == FACTORY for _, factory, _ in categories):
        code += "\n\n# --- document labels: see annotator/textcat_code.py ---\n" + textcat_source()
    (tmp / CODE_FILE).write_text(code, encoding="utf-8")
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


def textcat_categories(scheme: DocScheme | None, used: set[str]
                       ) -> list[tuple[str, str, list[str]]]:
    """``(component name, factory, labels)`` per category with a label in the export:
    ``textcat_multilabel`` for a multi-label category (or one of a single label: spaCy's
    ``textcat`` needs two), ``textcat`` for an exclusive one alone, and
    :data:`~annotator.textcat_code.FACTORY` for an exclusive one beside others."""
    if scheme is None:
        return []
    present = [c for c in scheme.categories if used & set(scheme.labels[c.name])]
    out = []
    for c in present:
        labels = list(scheme.labels[c.name])
        if not c.exclusive or len(labels) < 2:
            factory = "textcat_multilabel"
        else:
            factory = "textcat" if len(present) == 1 else FACTORY
        out.append((f"textcat_{c.name}", factory, labels))
    return out


def make_config(opts: ExportOptions, has_claims: bool,
                categories: list[tuple[str, str, list[str]]] | None = None,
                has_entities: bool = True) -> Any:
    """A ``config.cfg`` training NER (and, with ``spancat``, claim spans; with
    ``categories``, one text classifier per document-label category) on the export."""
    from spacy.cli.init_config import init_config

    categories = categories or []
    spancat = opts.spancat and has_claims
    pipeline = ["ner", "spancat"] if spancat else ["ner"]
    if categories and not has_entities:
        pipeline.remove("ner")  # nothing to learn: spaCy's NER refuses to train on it
    # the model blocks of spaCy's own textcat components, copied per category
    extra = sorted({"textcat_multilabel" if f == "textcat_multilabel" else "textcat"
                    for _, f, _ in categories})
    config = init_config(lang="en", pipeline=pipeline + extra, optimize="efficiency",
                         gpu=False, pretraining=False, silent=True)
    if categories:
        _textcat_components(config, pipeline, categories)
    config["paths"]["train"] = "train.spacy"
    config["paths"]["dev"] = "dev.spacy"
    # The DocBin's tokens are the project tokenizer's: so must the trained pipeline's be
    # (spaCy's own tokenizer keeps "inIraq" whole, misaligning it with the data).
    config["nlp"]["tokenizer"] = {"@tokenizers": NAME}
    if opts.include_rejected and "ner" in pipeline:
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


def _textcat_components(config: Any, pipeline: list[str],
                        categories: list[tuple[str, str, list[str]]]) -> None:
    """Replace spaCy's one ``textcat``/``textcat_multilabel`` block by one component per
    category, each initialised with its own labels (spaCy would otherwise give every
    component every label in ``doc.cats``)."""
    import copy

    blocks = {name: config["components"].pop(name)
              for name in ("textcat", "textcat_multilabel") if name in config["components"]}
    for name, factory, labels in categories:
        block = copy.deepcopy(blocks["textcat_multilabel" if factory == "textcat_multilabel"
                                     else "textcat"])
        block["factory"] = factory
        config["components"][name] = block
        config["initialize"]["components"][name] = {"labels": labels}
    # spaCy's own order (a shared tok2vec first, when components listen to one)
    config["nlp"]["pipeline"] = [name for name in config["nlp"]["pipeline"]
                                 if name not in blocks] + [name for name, _, _ in categories]
    weights = {k: v for k, v in config["training"]["score_weights"].items()
               if not k.startswith("cats_")}
    # every text classifier scores under spaCy's one "cats_" prefix: one weight
    weights["cats_macro_f"] = 1.0 / (len(pipeline) + 1)
    config["training"]["score_weights"] = weights
