"""Entity suggestions: the pipeline's ``doc.ents``, as character spans."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..tokens import TITLE_ABBREVIATIONS, trim_to_glue

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span


_TITLES = frozenset(TITLE_ABBREVIATIONS) | {a.rstrip(".") for a in TITLE_ABBREVIATIONS}


@dataclass
class EntitySuggestion:
    """One entity the pipeline found: ``text[start:end]`` with its label.

    ``score`` stays ``None`` by default: the greedy NER of the small pipelines gives no
    confidence, and we do not invent one (docs/architecture.md, Suggestions). With
    :func:`beam_scores` it is the beam's probability of this entity (what
    ``suggest --entity-scores`` stores, for the uncertainty queue)."""

    start: int
    end: int
    label: str
    score: float | None = None
    cues: list[str] = field(default_factory=lambda: ["ner"])


#: ``(token start, token end, label)`` of an entity -> the beam's probability of it
EntityScores = Mapping[tuple[int, int, str], float]


def beam_scores(ner: object, doc: Doc, beam_width: int) -> EntityScores:
    """The probability of each entity ``ner`` (spaCy's ``EntityRecognizer``) could
    find in ``doc``: the share of its beam parses (``beam_width`` of them) that hold the
    entity, the greedy model's own numbers (spaCy's ``beam_parse`` and ``scored_ents``;
    empty if the component has none). One beam per sentence: over a whole article the
    beam's mass falls on one parse and every entity scores 1. Run it inside the
    pipeline, before the tensor a listening component needs is gone."""
    parse = getattr(ner, "beam_parse", None)
    scored = getattr(ner, "scored_ents", None)
    if parse is None or scored is None or not len(doc):
        return {}
    parts = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    out: dict[tuple[int, int, str], float] = {}
    for part, found in zip(parts, scored(parse([p.as_doc() for p in parts],
                                               beam_width=beam_width)), strict=True):
        for (a, b, label), p in found.items():
            out[(int(a) + part.start, int(b) + part.start, str(label))] = min(float(p), 1.0)
    return out


def suggest_entities(doc: Doc, scores: EntityScores | None = None
                     ) -> list[EntitySuggestion]:
    """The entities of a parsed ``doc``, in text order, non-overlapping; each with its
    score in ``scores`` (:func:`beam_scores`), if given.

    An entity that starts or ends inside a glued word is cut at the case change
    (:func:`~annotator.suggest.tokenizer.trim_to_glue`) and gets the cue ``glue_trimmed``;
    its character offsets then no longer fall on token boundaries, which the exporters
    report as usual."""
    text = doc.text
    out: list[EntitySuggestion] = []
    for ent, label, start, end, whole in _byline_split(doc):
        score = None if scores is None else scores.get((whole[0], whole[1], label), 0.0)
        # A trailing "." that is its own token is sentence punctuation, not the name.
        while end > start and text[end - 1] in ".,;:/ " and ent[-1].is_punct:
            end -= 1
        trimmed = trim_to_glue(text, start, end)
        cues = ["ner"]
        if trimmed != (start, end):
            start, end = trimmed
            cues.append("glue_trimmed")
        # A title abbreviation alone ("Brig." as GPE) is never a name.
        if end > start and text[start:end] not in _TITLES:
            out.append(EntitySuggestion(start, end, label, score, cues))
    return out


def _byline_split(doc: Doc) -> Iterator[tuple[Span, str, int, int, tuple[int, int]]]:
    """The entities with their character offsets, each cut at a standalone "/" followed
    by white space: a byline ("Gulf Markets Review/ The Central Bank ...") separates an
    outlet from the headline, and the NER merged the two into one name once the project
    tokenizer split the slash off the word."""
    for ent in doc.ents:
        cuts = [t.i for t in ent[1:-1] if t.text == "/" and t.whitespace_]
        bounds = [ent.start, *[c for cut in cuts for c in (cut, cut + 1)], ent.end]
        for a, b in zip(bounds[::2], bounds[1::2], strict=True):
            if b > a:
                part = doc[a:b]
                yield part, ent.label_, part.start_char, part.end_char, (ent.start, ent.end)
