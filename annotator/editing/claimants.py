"""Who may have said a claim: the document's entity mentions as claimant choices, each
with where it is (so the exact mention is linked), and the organisations ``via``
completes to."""

from __future__ import annotations

import re

from annotator.model import Span
from annotator.tokens import unglue

from .reveal import has_hidden, reveal

#: Labels that can say something: the default claimant is one of these.
SPEAKERS = ("PERSON", "ORG", "NORP", "GPE")


#: Words before a mention that make it the reported source ("according to a Wall Street
#: Journal report", "citing the SDF", "reported by Reuters").
SOURCE_BEFORE = re.compile(r"\b(according\s+to|citing|reported\s+by|quoted\s+by)\s+"
                           r"(an?\s+|the\s+)?$", re.IGNORECASE)
#: Words after a mention that make it the reported source ("X reported", "X said",
#: "X's report", "X officials told").
SOURCE_AFTER = re.compile(r"^(['’]s)?\s+(\w+\s+)?(report(ed|s)?|sa(id|ys)|told|stated|"
                          r"announced|confirmed|claimed|quoted)\b", re.IGNORECASE)
#: How far before a claim a reported source may stand ("X said that <claim>").
SOURCE_REACH = 80
_SENTENCE_END = re.compile(r"[.!?]\s")
_TRAILING = re.compile(r"[\s,\"”’']*(the\s+)?", re.IGNORECASE)


def is_reported_source(span: Span, text: str) -> bool:
    """``span`` is named as the source of what is said: "according to X", "X reported",
    "X said" (and a few more, :data:`SOURCE_BEFORE`, :data:`SOURCE_AFTER`)."""
    return bool(SOURCE_BEFORE.search(text[max(span.start - 30, 0):span.start])
                or SOURCE_AFTER.match(text[span.end:span.end + 40]))


def claimant_choices(claim: Span, spans: list[Span], text: str
                     ) -> list[tuple[int, str]]:
    """(entity span id, what the list shows) for every live entity of the document:
    those inside the claim first (the first speaker leading), then those before it,
    nearest first, then those after it; but a speaker named as the reported source
    (:func:`is_reported_source`) inside the claim or just before it comes first of
    all, before the grammatical subject. Each says where the mention is."""
    inside, before, after = [], [], []
    for span in spans:
        if span.layer != "entity" or span.decision == "rejected" or span.id is None:
            continue
        if span.start >= claim.start and span.end <= claim.end:
            inside.append(span)
        elif span.end <= claim.start:
            before.append(span)
        else:
            after.append(span)
    inside.sort(key=lambda s: (s.label not in SPEAKERS, s.start))
    before.sort(key=lambda s: (s.label not in SPEAKERS, -s.end))
    after.sort(key=lambda s: s.start)
    sources = _sources(claim, (("in claim", inside), ("before", before), ("after", after)),
                       text)
    groups = [("in claim", inside), ("before", before), ("after", after)]
    if sources:  # the reported source leads its group, and its group leads
        where, source = sources[0]
        index = next(i for i, (name, _) in enumerate(groups) if name == where)
        group = groups.pop(index)[1]
        group.remove(source)
        group.insert(0, source)
        groups.insert(0, (where, group))
    choices = []
    for where, group in groups:
        for span in group:
            assert span.id is not None
            choices.append((span.id, _choice_text(span, text, where)))
    if choices and has_hidden(text):
        choices = [(span_id, reveal(choice)) for span_id, choice in choices]
    return choices


def _sources(claim: Span, groups: tuple[tuple[str, list[Span]], ...], text: str
             ) -> list[tuple[str, Span]]:
    return [(where, s) for where, group in groups for s in group
            if s.label in SPEAKERS and is_reported_source(s, text)
            and _same_sentence(claim, s, text)]


def names_a_source(claim: Span, spans: list[Span], text: str) -> bool:
    """A live speaker in or next to ``claim`` is named as its reported source."""
    live = [s for s in spans if s.layer == "entity" and s.decision != "rejected"]
    return bool(_sources(claim, (("", live),), text))


def _same_sentence(claim: Span, span: Span, text: str) -> bool:
    """``span`` is inside ``claim``, or near it with no sentence end between them."""
    if span.start >= claim.start and span.end <= claim.end:
        return True
    if span.end <= claim.start:
        gap = text[span.end:claim.start]
        return len(gap) <= SOURCE_REACH and not _SENTENCE_END.search(gap)
    gap = text[claim.end:span.start]  # after: "<claim>, according to X", "<claim>, X said"
    return len(gap) <= SOURCE_REACH and not _SENTENCE_END.search(gap) and bool(
        SOURCE_BEFORE.search(gap[-30:]) or _TRAILING.fullmatch(gap))


def outlets(claim: Span, spans: list[Span], text: str) -> list[str]:
    """The organisations the article names, each once and as words ("Wall
    StreetJournal" is "Wall Street Journal"), nearest to the claim first: what ``via``
    completes to."""
    found = [s for s in spans if s.layer == "entity" and s.label == "ORG"
             and s.decision != "rejected"]
    found.sort(key=lambda s: abs(s.start - claim.start))
    names = (reveal(unglue(" ".join(text[s.start:s.end].split()))) for s in found)
    return list(dict.fromkeys(n.removeprefix("the ") for n in names if n))


def _choice_text(span: Span, text: str, where: str) -> str:
    mention = " ".join(text[span.start:span.end].split())[:40]
    before, after = text[max(span.start - 40, 0):span.start], text[span.end:span.end + 40]
    left = " ".join(before.split()[-3:]) + (" " if before[-1:].isspace() else "")
    right = (" " if after[:1].isspace() else "") + " ".join(after.split()[:3])
    return f"{mention} ({span.label}) @{span.start} {where}: …{left}{mention}{right}…"
