"""Training examples from the project's done documents.

- **Entities**: one example per document, tokenised by the pipeline being trained.
  Accepted entity spans are the annotation; every other token is outside an entity (a
  done document was read through), or unknown with ``partial`` (binary accept/reject
  data such as Prodigy's ``ner.teach``, where only the spans shown were judged).
  Rejected model suggestions go to ``doc.spans["incorrect_spans"]``, which the NER
  reads as known-wrong (``incorrect_spans_key``). A span that does not fall on token
  boundaries is moved to the tokens it covers, or left out when it covers none
  (counted either way).
- **Claims**: sentence-level check-worthiness. The claim rules cut each done document
  into units and name their cues (:func:`annotator.suggest.claims.claim_candidates`);
  a unit is positive when an accepted claim not marked check-worthy "no" counts for it
  (it covers at least half of the unit, or at least half of the claim lies in the
  unit: the protocol of ``bench/quality.py``), negative otherwise (a rejected claim, or
  a sentence no accepted claim covers).

Documents are split into training and held-out sets at random (seeded), or by the value
of a ``meta`` key (``split_by``) so that no group (a debate, a source) is on both sides.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model import Document, Span
from ..store import Store

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.training import Example

INCORRECT_KEY = "incorrect_spans"
#: Longer documents are not trained on (a spaCy Doc costs about 60 bytes a character,
#: the NER's memory grows with the longest document of a batch); counted.
MAX_CHARS = 100_000


@dataclass
class Labelled:
    """A done document with the spans that teach: accepted and rejected."""

    doc: Document
    spans: list[Span]

    def accepted(self, layer: str) -> list[Span]:
        return [s for s in self.spans if s.layer == layer and s.decision == "accepted"]

    def rejected(self, layer: str) -> list[Span]:
        return [s for s in self.spans if s.layer == layer and s.decision == "rejected"]


@dataclass
class EntityCounts:
    documents: int = 0
    spans: int = 0
    rejected: int = 0
    moved: int = 0  # not on token boundaries: moved to the tokens they cover
    dropped: int = 0  # covering no token, or overlapping another once moved
    too_long: int = 0
    labels: dict[str, int] = field(default_factory=dict)


@dataclass
class ClaimUnit:
    """One unit of a done document, as the claim classifier learns it."""

    doc_id: int
    start: int
    end: int
    features: list[str]
    positive: bool
    rule_score: float
    cues: list[str]


def done_documents(store: Store, annotation_set: str = "gold",
                   layers: Iterable[str] = ("entity", "claim"),
                   skip: Callable[[str], None] | None = None,
                   sets: Counter[str] | None = None) -> Iterator[Labelled]:
    """The done documents of the set ``annotation_set`` chooses (``export --set``'s
    meaning: ``gold``, ``auto`` or an annotator's; one person's project has only its
    own, gold) with their accepted and rejected spans, in id order. What the choice leaves out
    goes through ``skip(reason)``; ``sets`` counts the documents taken from each set
    (``gold`` for the project's own)."""
    from ..export.base import chosen_documents

    for doc, spans, name in chosen_documents(store, annotation_set, layers,
                                             skip or (lambda reason: None)):
        if sets is not None:
            sets[name or "gold"] += 1
        yield Labelled(doc, [s for s in spans if s.decision in ("accepted", "rejected")])


def split(docs: Sequence[Labelled], dev_fraction: float, seed: int,
          split_by: str | None = None) -> tuple[list[Labelled], list[Labelled]]:
    """(train, dev): about ``dev_fraction`` of the documents held out, drawn with
    ``seed``; with ``split_by``, whole groups of documents sharing that ``meta`` value.
    Held out only when at least two documents (groups) remain for training."""
    if dev_fraction <= 0 or len(docs) < 2:
        return list(docs), []
    rng = random.Random(seed)
    if split_by is None:
        order = list(range(len(docs)))
        rng.shuffle(order)
        n_dev = min(max(1, round(len(docs) * dev_fraction)), len(docs) - 1)
        dev = set(order[:n_dev])
        return ([d for k, d in enumerate(docs) if k not in dev],
                [d for k, d in enumerate(docs) if k in dev])
    key = group_keys(docs, split_by)
    sizes: dict[str, int] = {}
    for k in key:
        sizes[k] = sizes.get(k, 0) + 1
    groups = sorted(sizes)
    rng.shuffle(groups)
    target = len(docs) * dev_fraction
    held: set[str] = set()
    count = 0
    # Whole groups, in a seeded order, each taken when it brings the held-out count
    # nearer the target (a big group that would overshoot is passed over): at least
    # one group (the smallest, if none fits), never all.
    for g in groups:
        if len(held) >= len(groups) - 1:
            break
        if abs(count + sizes[g] - target) < abs(count - target):
            held.add(g)
            count += sizes[g]
    if not held and len(groups) > 1:
        held.add(min(groups, key=lambda g: sizes[g]))
    return ([d for d, k in zip(docs, key, strict=True) if k not in held],
            [d for d, k in zip(docs, key, strict=True) if k in held])


def group_keys(docs: Sequence[Labelled], split_by: str) -> list[str]:
    """The group of each document for ``split_by``: its ``meta`` value, or (no value)
    a group of its own."""
    out = []
    for d in docs:
        value = d.doc.meta.get(split_by)
        out.append(f"\0doc {d.doc.id}" if value is None or value == "" else
                   f"={value}" if isinstance(value, str) else f"={value!r}")
    return out


def entity_examples(nlp: Language, docs: Iterable[Labelled], partial: bool = False,
                    counts: EntityCounts | None = None) -> list[Example]:
    """NER examples (see the module docstring) in ``nlp``'s tokenisation."""
    from spacy.training import Example
    from spacy.util import filter_spans

    counts = counts if counts is not None else EntityCounts()
    out = []
    for item in docs:
        text = item.doc.text
        if len(text) > MAX_CHARS:
            counts.too_long += 1
            continue
        predicted = nlp.make_doc(text)
        reference = nlp.make_doc(text)
        ents = []
        for s in item.accepted("entity"):
            span = _token_span(reference, s, counts)
            if span is not None:
                ents.append(span)
                counts.spans += 1
                counts.labels[s.label] = counts.labels.get(s.label, 0) + 1
        kept = filter_spans(ents)
        counts.dropped += len(ents) - len(kept)
        reference.set_ents(kept, default="missing" if partial else "outside")
        wrong = [x for x in (_token_span(reference, s, None) for s in item.rejected("entity"))
                 if x is not None]
        reference.spans[INCORRECT_KEY] = wrong
        counts.rejected += len(wrong)
        counts.documents += 1
        out.append(Example(predicted, reference))
    return out


def _token_span(doc: Any, s: Span, counts: EntityCounts | None) -> Any:
    span = doc.char_span(s.start, s.end, label=s.label)
    if span is not None:
        return span
    span = doc.char_span(s.start, s.end, label=s.label, alignment_mode="expand")
    if span is None or not len(span):
        if counts is not None:
            counts.dropped += 1
        return None
    if counts is not None:
        counts.moved += 1
    return span


def claim_units(docs: Sequence[Labelled], parsed: Iterable[Any]) -> Iterator[ClaimUnit]:
    """The claim units of ``docs`` (``parsed``: their spaCy ``Doc`` objects, in order),
    labelled (see the module docstring)."""
    from ..suggest.claims import claim_candidates
    from ..suggest.entities import suggest_entities

    for item, doc in zip(docs, parsed, strict=True):
        positives = [(s.start, s.end) for s in item.accepted("claim")
                     if s.claim is None or s.claim.checkworthy != "no"]
        for c in claim_candidates(doc, suggest_entities(doc)):
            claim = c.claim
            yield ClaimUnit(item.doc.id, claim.start, claim.end, c.features,
                            any(counts_for(a, b, claim.start, claim.end) for a, b in positives),
                            claim.score, list(claim.cues))


def counts_for(a: int, b: int, start: int, end: int) -> bool:
    """Whether the claim ``[a, b)`` counts for the unit ``[start, end)``: it covers at
    least half of the unit, or at least half of it lies inside the unit."""
    inside = min(b, end) - max(a, start)
    return inside > 0 and (2 * inside >= end - start or 2 * inside >= b - a)


def sample_words(examples: list[Example], words: int, seed: int) -> list[Example]:
    """A seeded sample of whole ``examples`` of about ``words`` words at most (at least
    one), in their order; all of them when ``words`` is 0 or they are fewer."""
    total = sum(len(eg.predicted) for eg in examples)
    if not words or total <= words:
        return examples
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    chosen: list[int] = []
    taken = 0
    for i in order:
        n = len(examples[i].predicted)
        if chosen and taken + n > words:
            continue
        chosen.append(i)
        taken += n
    return [examples[i] for i in sorted(chosen)]
