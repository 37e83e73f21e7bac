"""Entity suggestions: the pipeline's ``doc.ents``, as character spans."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..tokens import TITLE_ABBREVIATIONS, trim_to_glue

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span


_TITLES = frozenset(TITLE_ABBREVIATIONS) | {a.rstrip(".") for a in TITLE_ABBREVIATIONS}


@dataclass
class EntitySuggestion:
    """One entity the pipeline found: ``text[start:end]`` with its label.

    ``score`` stays ``None``: the greedy NER of the small pipelines gives no confidence,
    and we do not invent one (docs/architecture.md, Suggestions)."""

    start: int
    end: int
    label: str
    score: float | None = None
    cues: list[str] = field(default_factory=lambda: ["ner"])


def suggest_entities(doc: Doc) -> list[EntitySuggestion]:
    """The entities of a parsed ``doc``, in text order, non-overlapping.

    An entity that starts or ends inside a glued word is cut at the case change
    (:func:`~annotator.suggest.tokenizer.trim_to_glue`) and gets the cue ``glue_trimmed``;
    its character offsets then no longer fall on token boundaries, which the exporters
    report as usual."""
    text = doc.text
    out: list[EntitySuggestion] = []
    for ent, label, start, end in _byline_split(doc):
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
            out.append(EntitySuggestion(start, end, label, None, cues))
    return out


def _byline_split(doc: Doc) -> Iterator[tuple[Span, str, int, int]]:
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
                yield part, ent.label_, part.start_char, part.end_char
