"""Claim suggestions: our own rules over the pipeline's parse of the same ``Doc``.

After published rule systems: attribution by dependency parse (textacy's
``direct_quotations``, the Gender Gap Tracker's quote extractor), claim types after
Full Fact's taxonomy, check-worthiness cues after ClaimBuster (numbers weigh most).

1. **Units.** Sentences, repaired where scraped text misleads the parser: a closing
   quote the parser put at the start of the next sentence goes back to its sentence; a
   quotation running over several sentences joins them to the sentence that attributes
   it; a lone title abbreviation ("Brig.") joins the next sentence. A sentence whose
   main clause has a coordinated clause with a subject of its own ("Prices rose 5%, and
   unemployment fell") is split into two units.
2. **Exclusions.** Boilerplate (``resources/boilerplate.txt``: disclaimers, bylines,
   "The views expressed in this article ..."), questions, first-person opinion ("I
   think", "we must") and fragments without a verb are never claims.
3. **Cues.** Each rule that fires is recorded by name (:data:`CUE_WEIGHTS`).
4. **Score.** A noisy-OR of the weights of the cues that fired,
   ``1 - prod(1 - w)``: any one strong cue (a number, an attribution, a quotation)
   gives about 0.5, each further cue raises it towards 1. Units scoring below
   :data:`MIN_SCORE` are not suggested. The score orders suggestions and feeds
   ``--min-score``; it is a rule confidence, not a calibrated probability.
5. **Attributes.** ``claim_type`` by the strongest kind of cue (quote, prediction,
   statistic, causal, reported, event, other); ``claimant`` is the reporting verb's
   subject or the object of "according to", linked to the entity suggestion it
   overlaps (``he``/``she`` resolve to the last PERSON before them), else its text; a
   quotation without a subject goes to the nearest PERSON (then ORG) before the verb;
   the addressee of "told" (or "said to", "in an interview with") is the medium, stored
   as ``via``; ``hedged`` from ``resources/hedges.txt``; ``checkworthy`` is "yes" only
   for an attributed statistic, else left for the human.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..paths import load_lexicon
from ..tokens import unglue
from .entities import EntitySuggestion

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

CLAIM_LABEL = "CLAIM"
# Weight of each cue in the noisy-OR score (see the module docstring).
CUE_WEIGHTS: dict[str, float] = {
    "reporting_verb": 0.5,
    "according_to": 0.5,
    "passive_reporting": 0.4,
    "direct_quote": 0.45,
    "number": 0.45,
    "prediction": 0.3,
    "causal": 0.3,
    "comparative": 0.2,
    "event": 0.2,
    "date": 0.15,
    "hedge": 0.0,  # recorded so the UI can show it; says nothing about claim-ness
}
MIN_SCORE = 0.3
NUMERIC_LABELS = {"CARDINAL", "PERCENT", "MONEY", "QUANTITY"}
NAMED_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "EVENT", "PRODUCT", "LAW"}
CLAIMANT_PREFERENCE = ("PERSON", "ORG", "NORP", "GPE")
MODALS = {"will", "would", "shall", "might", "may", "could", "'ll", "’ll", "wo"}
PREDICTION_LEMMAS = {"expect", "predict", "forecast", "project", "anticipate"}
OPINION_LEMMAS = {"think", "believe", "feel", "hope", "guess", "suppose", "reckon", "wish",
                  "doubt", "prefer", "love", "hate", "like"}
FIRST_PERSON = {"i", "we"}
OPINION_PHRASES = re.compile(
    r"\b(in my (opinion|view)|i think|personally|if you ask me|to my mind)\b", re.IGNORECASE)
NORMATIVE_MODALS = {"should", "must", "ought"}
QUOTE_OPEN = "“„«"
QUOTE_CLOSE = "”»"
QUOTE_CHARS = re.compile(r'["“”„«»]|\n[ \t]*\n')
ABBREVIATION_UNIT = re.compile(r"^[A-Z][A-Za-z]{0,5}\.$")
SUBJECT_DEPS = {"nsubj"}
PRONOUN_PERSON = {"he", "she", "him", "her"}
# Nouns for what a source publishes: "a Reuters report" is attributed to Reuters, but "a
# US officer" is not attributed to the US.
SOURCE_NOUNS = {"report", "statement", "study", "survey", "analysis", "poll", "data",
                "figure", "release", "article", "investigation", "document", "letter",
                "post", "tweet", "filing", "story", "reporting", "source", "estimate",
                "assessment", "bulletin", "communique", "broadcast", "interview", "paper"}


@dataclass
class ClaimSuggestion:
    """One suggested claim: ``text[start:end]`` with its cues, score and attributes.

    ``claimant_entity`` is an index into the entity suggestions it was built with."""

    start: int
    end: int
    score: float
    cues: list[str] = field(default_factory=list)
    claim_type: str = "other"
    claimant_entity: int | None = None
    claimant_text: str | None = None
    via: str | None = None
    hedged: bool = False
    checkworthy: str | None = None
    label: str = CLAIM_LABEL


@dataclass(frozen=True)
class Lexicons:
    """The word lists in ``resources/`` the rules use."""

    reporting: frozenset[str]
    hedges: frozenset[str]
    numeric_hedges: frozenset[str]
    causal: tuple[tuple[str, ...], ...]
    causal_first: frozenset[str]
    boilerplate: tuple[re.Pattern[str], ...]


@functools.cache
def lexicons() -> Lexicons:
    """Read (once) the lexicon files."""
    hedges, numeric, target = set(), set(), None
    target = hedges
    for line in load_lexicon("hedges.txt"):
        if line == "[numeric]":
            target = numeric
            continue
        target.add(line.lower())
    causal = sorted({tuple(line.lower().split()) for line in load_lexicon("causal_markers.txt")},
                    key=len, reverse=True)
    return Lexicons(
        reporting=frozenset(w.lower() for w in load_lexicon("reporting_verbs.txt")),
        hedges=frozenset(hedges),
        numeric_hedges=frozenset(numeric),
        causal=tuple(causal),
        causal_first=frozenset(marker[0] for marker in causal),
        boilerplate=tuple(re.compile(p, re.IGNORECASE)
                          for p in load_lexicon("boilerplate.txt")),
    )


def score_cues(cues: list[str]) -> float:
    """Noisy-OR of the cue weights, rounded to 3 places."""
    miss = 1.0
    for cue in cues:
        miss *= 1.0 - CUE_WEIGHTS.get(cue, 0.0)
    return round(1.0 - miss, 3)


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges of direct quotations, quote marks included.

    Curly and guillemet quotes pair as opener/closer, straight ones alternate; a
    quotation still open at a paragraph break ends there (news style re-opens it)."""
    regions: list[tuple[int, int]] = []
    open_at: int | None = None
    for m in QUOTE_CHARS.finditer(text):
        ch = m.group()
        if ch[0] == "\n":
            if open_at is not None:
                regions.append((open_at, m.start()))
                open_at = None
        elif open_at is None:
            if ch not in QUOTE_CLOSE:
                open_at = m.start()
        elif ch not in QUOTE_OPEN:
            regions.append((open_at, m.end()))
            open_at = None
    if open_at is not None:
        regions.append((open_at, len(text)))
    return regions


def suggest_claims(doc: Doc, entities: list[EntitySuggestion]) -> list[ClaimSuggestion]:
    """Claim suggestions for a parsed ``doc``, given its entity suggestions."""
    if not (doc.has_annotation("DEP") or doc.has_annotation("SENT_START")):
        return []  # no parse (a blank pipeline): nothing to reason over
    lex = lexicons()
    full = doc.text  # Doc.text joins every token: read it once
    regions = quote_regions(full)
    out: list[ClaimSuggestion] = []
    for a, b in _units(doc, regions):
        claim = _analyse(doc, full, a, b, entities, regions, lex)
        if claim is not None:
            out.append(claim)
    return out


# --- units --------------------------------------------------------------------------


def _units(doc: Doc, regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token ranges ``[a, b)`` of candidate units (see the module docstring, 1)."""
    closers = {end - 1 for _, end in regions}
    units: list[list[int]] = []
    for a, b in _sentences(doc):
        while a < b and (doc[a].is_space or doc[a].idx in closers):
            if doc[a].idx in closers and units:
                units[-1][1] = a + 1
            a += 1
        while b > a and doc[b - 1].is_space:
            b -= 1
        if a < b:
            units.append([a, b])
    merged: list[list[int]] = []
    i = 0
    while i < len(units):
        a, b = units[i]
        i += 1
        while i < len(units):
            end_char = _end_char(doc, b)
            open_quote = next((qe for qs, qe in regions if qs < end_char < qe), None)
            inside_quote = open_quote is not None and doc[units[i][0]].idx < open_quote
            if not (inside_quote or ABBREVIATION_UNIT.match(doc[a:b].text)):
                break
            b = units[i][1]
            i += 1
        merged.append([a, b])
    out: list[tuple[int, int]] = []
    for a, b in merged:
        out.extend(_split_clauses(doc, a, b, regions))
    return out


def _sentences(doc: Doc) -> Iterator[tuple[int, int]]:
    """The parser's sentences, cut again at line breaks (a paragraph never continues a
    sentence, whatever the parser thinks)."""
    for sent in doc.sents:
        a = sent.start
        for tok in sent:
            if tok.is_space and "\n" in tok.text and tok.i > a:
                yield a, tok.i
                a = tok.i + 1
        if a < sent.end:
            yield a, sent.end


def _end_char(doc: Doc, b: int) -> int:
    tok = doc[b - 1]
    return tok.idx + len(tok)


def _split_clauses(doc: Doc, a: int, b: int, regions: list[tuple[int, int]]
                   ) -> list[tuple[int, int]]:
    """Split at coordinated main clauses that have their own subject."""
    start_char, end_char = doc[a].idx, _end_char(doc, b)
    if any(qs < end_char and start_char < qe for qs, qe in regions):
        return [(a, b)]
    lex = lexicons()
    cuts: list[int] = []
    for tok in doc[a:b]:
        if tok.head.i != tok.i and a <= tok.head.i < b:
            continue
        if tok.lemma_ in lex.reporting:
            continue
        for conj in tok.children:
            if conj.dep_ != "conj" or conj.pos_ not in ("VERB", "AUX"):
                continue
            if any(c.dep_ in ("nsubj", "nsubjpass") for c in conj.children):
                cut = conj.left_edge.i
                if cut - a >= 3 and b - cut >= 3:
                    cuts.append(cut)
    if not cuts:
        return [(a, b)]
    out, start = [], a
    for cut in sorted(cuts):
        end = cut
        while end > start and (doc[end - 1].is_punct or doc[end - 1].dep_ == "cc"
                               or doc[end - 1].is_space):
            end -= 1
        if end > start:
            out.append((start, end))
        start = cut
    out.append((start, b))
    return out


# --- analysis -----------------------------------------------------------------------


def _analyse(doc: Doc, full: str, a: int, b: int, entities: list[EntitySuggestion],
             regions: list[tuple[int, int]], lex: Lexicons) -> ClaimSuggestion | None:
    span = doc[a:b]
    start, end = span.start_char, span.end_char
    text = full[start:end]
    squeezed = "".join(text.split())
    if any(p.search(squeezed) for p in lex.boilerplate):
        return None
    inner = [(qs, qe) for qs, qe in regions if qs < end and start < qe]

    def quoted(tok: Token) -> bool:
        return any(qs <= tok.idx < qe for qs, qe in inner)

    last = next((t for t in reversed(span) if not (t.is_quote or t.is_space)), None)
    if last is not None and last.text == "?":
        return None
    if not any(t.pos_ in ("VERB", "AUX") for t in span):
        return None
    if _is_opinion(span, text, quoted, inner):
        return None

    cues: list[str] = []
    reporter: Token | None = None
    for tok in span:
        if tok.lemma_.lower() not in lex.reporting or tok.pos_ != "VERB" or quoted(tok):
            continue
        deps = {c.dep_ for c in tok.children}
        if "auxpass" in deps and "agent" not in deps:
            cues.append("passive_reporting")
            continue
        if deps & {"ccomp", "parataxis"} or inner:
            reporter = reporter or tok
            if "reporting_verb" not in cues:
                cues.append("reporting_verb")
    according = _according_to(span)
    if according is not None:
        cues.append("according_to")
    if any(_quote_words(full[qs:qe]) >= 3 for qs, qe in inner):
        cues.append("direct_quote")
    ents_here = [(k, e) for k, e in enumerate(entities) if e.start < end and start < e.end]
    if _has_number(span, full, ents_here):
        cues.append("number")
    if any(e.label == "DATE" for _, e in ents_here):
        cues.append("date")
    if _is_prediction(span):
        cues.append("prediction")
    if _has_causal(span, lex):
        cues.append("causal")
    if any(t.tag_ in ("JJR", "JJS", "RBR", "RBS") for t in span):
        cues.append("comparative")
    if _is_event(span, ents_here):
        cues.append("event")
    hedged = _is_hedged(span, lex)
    if hedged:
        cues.append("hedge")
    score = score_cues(cues)
    if score < MIN_SCORE:
        return None

    claim = ClaimSuggestion(start, end, score, cues, _claim_type(cues), hedged=hedged)
    if reporter is not None:
        _attribute(claim, doc, full, reporter, entities, quoted)
    if claim.claimant_entity is None and claim.claimant_text is None and according is not None:
        claim.claimant_entity, claim.claimant_text = _phrase_claimant(full, according, entities)
    if "number" in cues and {"reporting_verb", "according_to", "passive_reporting"} & set(cues):
        claim.checkworthy = "yes"
    return claim


def _claim_type(cues: list[str]) -> str:
    for cue, kind in (("direct_quote", "quote"), ("prediction", "prediction"),
                      ("number", "statistic"), ("causal", "causal"),
                      ("reporting_verb", "reported"), ("according_to", "reported"),
                      ("passive_reporting", "reported"), ("event", "event")):
        if cue in cues:
            return kind
    return "other"


def _quote_words(quote: str) -> int:
    return len(quote.strip("\"“”„«» \n").split())


def _is_opinion(span, text: str, quoted, inner: list[tuple[int, int]]) -> bool:
    outside = text if not inner else "".join(
        t.text_with_ws for t in span if not quoted(t))
    if OPINION_PHRASES.search(outside):
        return True
    for tok in span:
        if quoted(tok):
            continue
        subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
        if subj is None or subj.lower_ not in FIRST_PERSON:
            continue
        if tok.lemma_.lower() in OPINION_LEMMAS:
            return True
        if any(c.dep_ == "aux" and c.lower_ in NORMATIVE_MODALS for c in tok.children):
            return True
    return False


def _according_to(span) -> Token | None:
    """The object of "according to" in ``span``, if any."""
    for tok in span:
        if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) \
                and tok.doc[tok.i + 1].lower_ == "to":
            prep = tok.doc[tok.i + 1]
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if obj is None:
                obj = next((c for c in tok.children if c.dep_ == "pobj"), None)
            if obj is not None:
                return obj
    return None


def _has_number(span, text: str, ents_here: list[tuple[int, EntitySuggestion]]) -> bool:
    for _, e in ents_here:
        if e.label in NUMERIC_LABELS and text[e.start:e.end].lower() not in ("one", "a", "an"):
            return True
    covered = [(e.start, e.end) for _, e in ents_here]
    for tok in span:
        if tok.like_num and tok.lower_ != "one" and not any(
                s <= tok.idx < e for s, e in covered):
            return True
    return False


def _is_prediction(span) -> bool:
    for tok in span:
        if tok.tag_ == "MD" and tok.lower_ in MODALS:
            return True
        if tok.lemma_.lower() in PREDICTION_LEMMAS and tok.pos_ == "VERB":
            return True
        if tok.lower_ == "going" and tok.i + 2 < len(tok.doc) \
                and tok.doc[tok.i + 1].lower_ == "to" and tok.doc[tok.i + 2].pos_ == "VERB":
            return True
    return False


def _has_causal(span, lex: Lexicons) -> bool:
    words = [t.lower_ for t in span]
    for i, word in enumerate(words):
        if word not in lex.causal_first:
            continue
        for marker in lex.causal:
            if tuple(words[i:i + len(marker)]) == marker:
                return True
    return False


def _is_event(span, ents_here: list[tuple[int, EntitySuggestion]]) -> bool:
    if not any(e.label in NAMED_LABELS for _, e in ents_here):
        return False
    for tok in span:
        if tok.dep_ == "ROOT" and tok.pos_ == "VERB" and (
                tok.tag_ == "VBD"
                or any(c.dep_ == "aux" and c.lemma_ == "have" for c in tok.children)):
            return True
    return False


def _is_hedged(span, lex: Lexicons) -> bool:
    doc = span.doc
    for tok in span:
        low = tok.lower_
        if low in lex.hedges:
            return True
        if low in lex.numeric_hedges:
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if (nxt is not None and nxt.like_num) or tok.head.like_num:
                return True
        if low == "up" and tok.i + 2 < len(doc) and doc[tok.i + 1].lower_ == "to" \
                and doc[tok.i + 2].like_num and "up to" in lex.numeric_hedges:
            return True
    return False


# --- attribution --------------------------------------------------------------------


def _attribute(claim: ClaimSuggestion, doc: Doc, full: str, verb: Token,
               entities: list[EntitySuggestion], quoted) -> None:
    """Fill claimant and via from the reporting verb ``verb``."""
    subj = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS), None)
    if subj is not None and subj.lower_ in PRONOUN_PERSON:
        person = _last_entity_before(entities, subj.idx, ("PERSON",), 0)
        if person is not None:
            claim.claimant_entity = person
        else:
            claim.claimant_text = subj.text
    elif subj is not None and subj.pos_ != "PRON":
        claim.claimant_entity, claim.claimant_text = _phrase_claimant(full, subj, entities)
    elif subj is None:
        sent_start = claim.start  # not verb.sent: that walks every sentence of the doc
        for labels in (("PERSON",), ("ORG",)):
            found = _last_entity_before(entities, verb.idx, labels, sent_start,
                                        exclude=quoted, doc=doc)
            if found is not None:
                claim.claimant_entity = found
                break
    addressee = None
    if verb.lemma_ == "tell":
        addressee = next((c for c in verb.children if c.dep_ in ("dobj", "dative")), None)
    if addressee is None:
        addressee = _medium(verb)
    if addressee is not None and not quoted(addressee):
        k, text = _phrase_claimant(full, addressee, entities)
        if k is not None:
            e = entities[k]
            text = full[e.start:e.end]
        claim.via = unglue(text) if text else None


def _medium(verb: Token) -> Token | None:
    """"said to X", "in an interview with X": the medium X."""
    for prep in verb.children:
        if prep.dep_ != "prep":
            continue
        obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
        if obj is None:
            continue
        if prep.lower_ == "to" and verb.lemma_ in ("say", "speak", "talk", "explain"):
            return obj
        if prep.lower_ == "in" and obj.lemma_ in ("interview", "statement"):
            inner = next((c for c in obj.children if c.dep_ == "prep"
                          and c.lower_ in ("with", "to")), None)
            if inner is not None:
                return next((c for c in inner.children if c.dep_ == "pobj"), None)
    return None


def _phrase_claimant(full: str, head: Token, entities: list[EntitySuggestion]
                     ) -> tuple[int | None, str | None]:
    """The entity a noun phrase names (index), else the phrase's text (unglued)."""
    a, b = head.left_edge.idx, head.idx + len(head)
    overlapping = [k for k, e in enumerate(entities) if e.start < b and a < e.end]
    at_head = [k for k in overlapping
               if entities[k].start <= head.idx < entities[k].end
               and entities[k].label in NAMED_LABELS]
    if at_head:
        return at_head[0], None
    if head.lemma_.lower() in SOURCE_NOUNS:  # "a Wall Street Journal report": the outlet
        for label in CLAIMANT_PREFERENCE:
            found = [k for k in overlapping if entities[k].label == label]
            if found:
                return found[0], None
    return None, unglue(full[a:b]) or None


def _last_entity_before(entities: list[EntitySuggestion], pos: int, labels: tuple[str, ...],
                        floor: int, exclude=None, doc: Doc | None = None) -> int | None:
    best = None
    for k, e in enumerate(entities):
        if e.end > pos or e.start < floor or e.label not in labels:
            continue
        if exclude is not None and doc is not None:
            tok = doc.char_span(e.start, e.end, alignment_mode="expand")
            if tok is not None and exclude(tok[0]):
                continue
        best = k
    return best
