"""Claim suggestions: our own rules over the pipeline's parse of the same ``Doc``.

After published rule systems: attribution by dependency parse (textacy's
``direct_quotations``, the Gender Gap Tracker's quote extractor), claim types after
Full Fact's taxonomy, check-worthiness cues after ClaimBuster (numbers weigh most,
opinions, promises and questions least).

1. **Units.** Sentences, repaired where scraped text misleads the parser: a closing
   quote the parser put at the start of the next sentence goes back to its sentence; a
   quotation running over several sentences joins them to the sentence that attributes
   it; a lone title abbreviation ("Brig.") joins the next sentence. A sentence whose
   main clause has a coordinated clause with a subject of its own ("Prices rose 5%, and
   unemployment fell") is split into two units. Nothing crosses a line break, and a
   quotation whose closing mark is lost ends with its sentence
   (:mod:`~annotator.suggest.quotes`): no claim is longer than its paragraph.
2. **Exclusions.** Boilerplate (``resources/boilerplate.txt``: disclaimers, bylines),
   the writer's declared opinion ("in my opinion"), fragments without a verb unless they
   state a figure, and questions that carry no figure are never claims.
3. **Cues.** Each rule that fires is recorded by name (:data:`CUE_WEIGHTS`); the word
   lists are in ``resources/claim_words.txt``. Content: numbers (exact figures more),
   statistics, dates, named institutions and places, named subjects, past actions and
   actions on record ("voted", "vetoed"), trends (more when the sentence is about the
   change: "smoking is down"), comparisons, superlatives, universal statements and
   exceptionless negations ("not a single"), measured quantities, causes, statements
   about a third party. Attribution (:mod:`~annotator.suggest.attribution`): reporting
   verbs, "according to", quotations, "reportedly". Against: promises, plans and
   intentions of the speaker ("I will", "we're going to", "we may not"), first-person
   opinion, "should/must/need to", conditions, imperatives, judging adjectives, the
   speaker talking about themself. A forecast about someone else ("US forces might
   withdraw") is a ``prediction``: a little against on its own, lifted by attribution.
4. **Score.** ``1 / (1 + exp(-(BIAS + sum of the weights of the cues that fired)))``: a
   rule confidence in log-odds, not a calibrated probability. Units scoring below
   :data:`MIN_SCORE` are not suggested. The weights are set by hand, per pattern, in
   round numbers; ``bench/quality.py`` measures them against ClaimBuster's labels.
   With a learned check-worthiness model (:class:`Scorer`, see
   :mod:`~annotator.suggest.checkworthy`), which gives the probability that a unit is
   check-worthy from its words and the cues that fired (:func:`unit_features`), the
   score combines both (:func:`combined_score`): each says by how much, in log-odds,
   it clears its own threshold (the model's, chosen on held-out documents, and
   :data:`MIN_SCORE`), the two margins are averaged with :data:`LEARNED_WEIGHT`, and a
   unit is suggested when the average is positive (a score of 0.5 or more). The rules
   still find the units, exclude what is never a claim and name the cues that explain
   a claim; averaging keeps them a say where the model's data (debates) differs from
   the text (news): measured, the model alone drops a fifth of the claims of our
   annotated news paragraphs, the average none.
   A logistic regression on the two margins and the cue flags, fit on held-out
   debates, ranks no better than this average (``bench/quality.py``, issue 27), so the
   average stays.
5. **Attributes.** ``claim_type`` by the strongest kind of cue (quote, prediction,
   statistic, causal, reported, event, other); ``claimant`` and ``via`` from
   :mod:`~annotator.suggest.attribution`; ``hedged`` from ``resources/hedges.txt``;
   ``checkworthy`` is "yes" for an attributed statistic and, with a learned model, for
   a score from :data:`CHECKWORTHY_YES`, else left for the human; a claim that names
   no source (no attribution cue, no one found) has the claimant "author" (the
   article's own claim). A dateline opening the paragraph ("Shafaq News/ ") is left out
   of the claim's span (the unit is scored with it).
6. **Quote view.** Newsrooms annotate quotations whatever their check-worthiness: every
   unit holding a direct quotation is suggested, with its speaker, claim type
   ``quote`` and its check-worthiness score as computed above; one below the threshold
   carries the cue :data:`QUOTE_ONLY`, so a view (or ``annotator accept --min-score``)
   can keep the check-worthy claims apart. A quotation that goes on in the next
   paragraph (news style: no closing mark, the next paragraph opens with one) takes
   the speaker named there when it has none of its own.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..model import Checkworthy, ClaimType
from .attribution import Speakers, _trimmed, attribute
from .doctable import DocTable
from .entities import EntitySuggestion
from .lexicon import Lexicons, lexicons
from .quotes import continued_regions, quote_regions
from .thresholds import COMBINED_THRESHOLD

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["BIAS", "CLAIM_LABEL", "COMBINED_THRESHOLD", "CUE_WEIGHTS", "LEARNED_WEIGHT",
           "MIN_SCORE", "Candidate", "ClaimSuggestion", "Scorer", "claim_candidates",
           "combined_score", "lexicons", "quote_regions", "score_candidates", "score_cues",
           "suggest_claims", "unit_features"]

CLAIM_LABEL = "CLAIM"
# Log-odds of a unit being a claim worth checking with no cue at all.
BIAS = -2.0
# Log-odds each cue adds (see the module docstring, 3 and 4).
CUE_WEIGHTS: dict[str, float] = {
    # attribution
    "reporting_verb": 1.0,
    "according_to": 1.4,
    "passive_reporting": 1.0,
    "reportedly": 1.0,
    "direct_quote": 0.6,
    "continued_quote": 0.8,
    # content
    "statistic": 1.2,
    "number": 1.0,
    "digits": 0.7,
    "date": 0.6,
    "named": 0.6,
    "named_subject": 0.3,
    "passive": 0.4,
    "existential": 0.3,
    "past_time": 0.3,
    "past_action": 0.9,
    "on_record": 0.7,
    "trend": 0.4,
    "main_trend": 0.7,
    "comparative": 0.6,
    "superlative": 0.5,
    "universal": 0.3,
    "not_one": 1.0,
    "measure": 0.7,
    "causal": 0.3,
    "long": 0.3,
    "third_person": 0.4,
    "prediction": -0.5,
    # against
    "promise": -1.0,
    "opinion": -1.2,
    "normative": -0.9,
    "question": -0.5,
    "conditional": -0.5,
    "imperative": -1.0,
    "speaker_self": -0.8,
    "fragment": -0.3,
    "evaluative": -0.4,
    "hedge": 0.0,  # recorded so the UI can show it; says nothing about claim-ness
}
MIN_SCORE = 0.3
#: The cue of a quotation suggested by the quote view only (below the threshold).
QUOTE_ONLY = "quote_only"
#: With a learned model: its weight in the average of the two margins (see the module
#: docstring, 4). Set a priori, not tuned: half and half.
LEARNED_WEIGHT = 0.5
#: With a learned model, a suggestion scoring from this says check-worthy "yes": of the
#: held-out ClaimBuster debate sentences (bench/protocol.py) a claim so scored counts
#: for, 4 in 5 are check-worthy (0.805; 0.622 from 0.5, 0.779 from 0.7, 0.835 from
#: 0.8; issue 26). Below it, "yes" is left for the human.
CHECKWORTHY_YES = 0.75
#: A dateline opening a paragraph ("Shafaq News/ ", "WASHINGTON (Reuters) - "): the
#: outlet's, left out of the claim that follows it.
DATELINE = re.compile(r"(?:[A-Z][\w'’.&-]*(?: [A-Z][\w'’.&-]*){0,3} ?/|"
                      r"[A-Z][A-Z .,'’-]{1,40} *\([^()\n]{2,40}\) *[-–—])\s+")
#: The claimant of a suggested claim that names no source (no attribution cue, no one
#: found): the article's own claim, its author's (what the window's ``W`` offers too).
AUTHOR = "author"
#: Cues that say someone else says it: a claim with one of them is not the author's,
#: even when the attribution pass found no one (left for the human).
ATTRIBUTION_CUES = frozenset({"reporting_verb", "according_to", "direct_quote",
                              "continued_quote", "passive_reporting"})
STATISTIC_LABELS = {"PERCENT", "MONEY", "QUANTITY"}
NOT_NUMBERS = {"DATE", "TIME", "ORDINAL"}
# Institutions, places, laws and events: the things claims are checked against (people
# are claimants more often than topics; their attribution has cues of its own).
NAMED_LABELS = {"ORG", "GPE", "FAC", "LOC", "EVENT", "PRODUCT", "LAW"}
FIRST_PERSON = {"i", "we"}
NOT_THIRD = {"i", "we", "you", "there", "it", "that", "this", "what"}
FUTURE = {"will", "'ll", "’ll", "wo", "shall"}
POSSIBLE = {"may", "might", "could", "can", "would"}
NORMATIVE = {"should", "must", "ought", "shall"}
DID = {"did", "didn't"}
DOES = {"do", "does"}
HAVE = {"have", "has", "had", "'ve", "’ve", "'d", "’d"}
BE = {"be", "is", "are", "was", "were", "been", "being", "am", "'s", "’s", "'re", "’re", "'m"}
PREDICTION_LEMMAS = {"expect", "predict", "forecast", "project", "anticipate"}
OPINION_PHRASES = (("in", "my", "opinion"), ("in", "my", "view"), ("if", "you", "ask", "me"),
                   ("to", "my", "mind"), ("personally",))
_TYPE_ORDER: tuple[tuple[str, ClaimType], ...] = (
    ("direct_quote", "quote"), ("prediction", "prediction"),
    ("number", "statistic"), ("statistic", "statistic"), ("causal", "causal"),
    ("reporting_verb", "reported"), ("according_to", "reported"),
    ("passive_reporting", "reported"), ("reportedly", "reported"),
    ("continued_quote", "quote"), ("on_record", "event"),
    ("past_action", "event"))


@dataclass
class ClaimSuggestion:
    """One suggested claim: ``text[start:end]`` with its cues, score and attributes.

    ``claimant_entity`` is an index into the entity suggestions it was built with."""

    start: int
    end: int
    score: float
    cues: list[str] = field(default_factory=list)
    claim_type: ClaimType = "other"
    claimant_entity: int | None = None
    claimant_text: str | None = None
    via: str | None = None
    hedged: bool = False
    checkworthy: Checkworthy | None = None
    label: str = CLAIM_LABEL


@dataclass
class Candidate:
    """A unit that may be a claim: the claim it would be (scored by the rules) and the
    features a learned model scores it by (:func:`unit_features`)."""

    claim: ClaimSuggestion
    features: list[str]


class Scorer(Protocol):
    """A learned check-worthiness model (:class:`~annotator.suggest.checkworthy.
    Checkworthiness` is one): probabilities for units given as :func:`unit_features`;
    units scoring below ``threshold`` are not suggested."""

    name: str
    threshold: float

    def score(self, units: Sequence[Sequence[str]], vocab: Any = None) -> list[float]: ...


#: A digit, written as 0 in the features: "1,500" and "2,300" are the same feature.
_DIGIT = re.compile(r"[0-9]")
CUE_FEATURE = "[cue:{}]"


def unit_features(words: Sequence[str], cues: Sequence[str]) -> list[str]:
    """What a learned model sees of a unit: its lower-case words (digits as 0), then
    one token per cue that fired (``[cue:number]``)."""
    out = [_DIGIT.sub("0", w) if any(ch.isdigit() for ch in w) else w for w in words]
    return out + [CUE_FEATURE.format(c) for c in cues]


def score_cues(cues: list[str]) -> float:
    """``1 / (1 + exp(-(BIAS + sum of cue weights)))``, rounded to 3 places."""
    z = BIAS + sum(CUE_WEIGHTS.get(cue, 0.0) for cue in cues)
    return round(1.0 / (1.0 + math.exp(-z)), 3)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def combined_score(probability: float, threshold: float, cues: Sequence[str]) -> float:
    """The claim score with a learned model (see the module docstring, 4): the
    sigmoid of the weighted average of the model's margin over its ``threshold`` and the
    rules' margin over :data:`MIN_SCORE`, both in log-odds; 0.5 is the decision point."""
    rules = BIAS + sum(CUE_WEIGHTS.get(cue, 0.0) for cue in cues) - _logit(MIN_SCORE)
    learned = _logit(probability) - _logit(threshold)
    z = LEARNED_WEIGHT * learned + (1 - LEARNED_WEIGHT) * rules
    return 1.0 / (1.0 + math.exp(-z))


def suggest_claims(doc: Doc, entities: list[EntitySuggestion],
                   scorer: Scorer | None = None, quotes: bool = True
                   ) -> list[ClaimSuggestion]:
    """Claim suggestions for a parsed ``doc``, given its entity suggestions: scored by
    the rules, or by the rules and ``scorer`` (see the module docstring, 4); with
    ``quotes``, the quote view too (see :func:`score_candidates`)."""
    return score_candidates(claim_candidates(doc, entities), scorer, doc.vocab, quotes)


def score_candidates(candidates: list[Candidate], scorer: Scorer | None,
                     vocab: Any = None, quotes: bool = True) -> list[ClaimSuggestion]:
    """The candidates that are suggested, with their scores (see :func:`suggest_claims`;
    ``vocab``: the parsed document's, for the scorer's units). With ``quotes`` (the
    default), every unit holding a direct quotation is suggested too, below the
    threshold with the cue :data:`QUOTE_ONLY` (the quote view, see the module
    docstring, 6)."""
    if scorer is None:
        return [c.claim for c in candidates
                if c.claim.score >= MIN_SCORE or (quotes and _quote_view(c.claim))]
    if not candidates:
        return []
    out = []
    probabilities = scorer.score([c.features for c in candidates], vocab)
    for c, p in zip(candidates, probabilities, strict=True):
        score = combined_score(p, scorer.threshold, c.claim.cues)
        if score >= COMBINED_THRESHOLD or (quotes and _quote_view(c.claim)):
            c.claim.score = round(score, 3)
            if c.claim.checkworthy is None and score >= CHECKWORTHY_YES:
                c.claim.checkworthy = "yes"
            out.append(c.claim)
    return out


def _quote_view(claim: ClaimSuggestion) -> bool:
    """Whether a unit below the threshold is still suggested as a quotation (the quote
    view): it holds a direct quotation; it is marked with the cue ``quote_only``."""
    if "direct_quote" not in claim.cues:
        return False
    if QUOTE_ONLY not in claim.cues:
        claim.cues.append(QUOTE_ONLY)
    claim.claim_type = "quote"
    return True


def claim_candidates(doc: Doc, entities: list[EntitySuggestion]) -> list[Candidate]:
    """Every unit of ``doc`` that the rules do not exclude, with its rule score (below
    :data:`MIN_SCORE` too) and its features: what :func:`suggest_claims` filters, and
    what a check-worthiness model learns from (:mod:`annotator.train`)."""
    if not (doc.has_annotation("DEP") or doc.has_annotation("SENT_START")):
        return []  # no parse (a blank pipeline): nothing to reason over
    lex = lexicons()
    t = DocTable(doc, entities)
    sentences = list(_sentences(doc, t))
    full = t.text
    regions = quote_regions(full, [t.end[b - 1] for _, b in sentences])
    t.set_quotes(regions)
    speakers = Speakers(t)
    breaks = [i for i, ch in enumerate(full) if ch == "\n"]
    region_starts = [qs for qs, _ in regions]
    found: list[tuple[ClaimSuggestion, list[str], int]] = []
    for a, b in _units(t, sentences, regions):
        paragraph = bisect.bisect_left(breaks, t.idx[a])
        claim = _analyse(t, a, b, regions, region_starts, paragraph, speakers, lex)
        if claim is not None:
            words = [t.lower[i] for i in range(a, b) if not t.lower[i].isspace()]
            found.append((claim, words, paragraph))
    _speaker_from_next_paragraph(full, regions, found)
    return [Candidate(claim, unit_features(words, claim.cues)) for claim, words, _ in found]


def _speaker_from_next_paragraph(text: str, regions: list[tuple[int, int]],
                                 found: list[tuple[ClaimSuggestion, list[str], int]]
                                 ) -> None:
    """A quotation that goes on in the next paragraph (:func:`~annotator.suggest.quotes.
    continued_regions`) and has no speaker of its own takes the speaker of its
    continuation: ``“... ¶ “...,” Adams said.``"""
    going_on = [regions[k] for k in sorted(continued_regions(text, regions))]
    if not going_on:
        return
    for n, (claim, _, paragraph) in enumerate(found):
        if claim.claimant_entity is not None or claim.claimant_text is not None \
                or "direct_quote" not in claim.cues \
                or not any(qs <= claim.start < qe for qs, qe in going_on):
            continue
        for later, _, para in found[n + 1:]:
            if para > paragraph + 1:
                break
            if para == paragraph + 1 and "direct_quote" in later.cues and (
                    later.claimant_entity is not None or later.claimant_text is not None):
                claim.claimant_entity, claim.claimant_text = (later.claimant_entity,
                                                              later.claimant_text)
                claim.via = later.via
                region = next((qs, qe) for qs, qe in going_on if qs <= claim.start < qe)
                claim.start, claim.end = _trimmed(text, region[0] + 1,
                                                  min(region[1], claim.end))
                claim.cues.append("continued_quote")
                claim.score = score_cues(claim.cues)
                claim.claim_type = _claim_type(claim.cues)
                break


# --- units --------------------------------------------------------------------------


def _sentences(doc: Doc, t: DocTable) -> Iterator[tuple[int, int]]:
    """The parser's sentences, cut again at line breaks (a paragraph never continues a
    sentence, whatever the parser thinks)."""
    lower = t.lower
    for sent in doc.sents:
        a, end = sent.start, sent.end
        for i in range(a, end):
            if "\n" in lower[i] and i > a and lower[i].isspace():
                yield a, i
                a = i + 1
        if a < end:
            yield a, end


def _units(t: DocTable, sentences: list[tuple[int, int]], regions: list[tuple[int, int]]
           ) -> list[tuple[int, int]]:
    """Token ranges ``[a, b)`` of candidate units (see the module docstring, 1)."""
    closers = {end - 1 for _, end in regions}
    units: list[list[int]] = []
    for a, b in sentences:
        while a < b and (t.lower[a].isspace() or t.idx[a] in closers):
            if t.idx[a] in closers and units:
                units[-1][1] = a + 1
            a += 1
        while b > a and t.lower[b - 1].isspace():
            b -= 1
        if a < b:
            units.append([a, b])
    merged: list[list[int]] = []
    starts = [qs for qs, _ in regions]
    i = 0
    while i < len(units):
        a, b = units[i]
        i += 1
        while i < len(units):
            end_char = t.end[b - 1]
            k = bisect.bisect_left(starts, end_char) - 1
            open_quote = regions[k][1] if k >= 0 and end_char < regions[k][1] else None
            inside_quote = open_quote is not None and t.idx[units[i][0]] < open_quote
            if not (inside_quote or _is_abbreviation(t, a, b)):
                break
            b = units[i][1]
            i += 1
        merged.append([a, b])
    out: list[tuple[int, int]] = []
    for a, b in merged:
        out.extend(_split_clauses(t, a, b, regions))
    return out


def _is_abbreviation(t: DocTable, a: int, b: int) -> bool:
    """A lone title abbreviation ("Brig.") that the parser made a sentence."""
    text = t.span_text(a, b)
    return 2 <= len(text) <= 7 and text[0].isupper() and text.endswith(".") \
        and text[:-1].isalpha()


def _split_clauses(t: DocTable, a: int, b: int, regions: list[tuple[int, int]]
                   ) -> list[tuple[int, int]]:
    """Split at coordinated main clauses that have their own subject."""
    start_char, end_char = t.idx[a], t.end[b - 1]
    k = bisect.bisect_left(regions, (end_char, -1)) - 1
    if k >= 0 and regions[k][1] > start_char:  # regions are sorted and do not overlap
        return [(a, b)]
    reporting = lexicons().reporting
    cuts: list[int] = []
    for i in range(a, b):
        if t.head[i] != i and a <= t.head[i] < b:
            continue
        if t.lemma[i] in reporting:
            continue
        for conj in t.children[i]:
            if t.dep[conj] != "conj" or t.pos[conj] not in ("VERB", "AUX") \
                    or t.lemma[conj] in reporting:  # "..., the director told reporters"
                continue
            if t.child(conj, "nsubj", "nsubjpass") >= 0:
                cut = t.left_edge(conj)
                if cut - a >= 3 and b - cut >= 3:
                    cuts.append(cut)
    if not cuts:
        return [(a, b)]
    out, start = [], a
    for cut in sorted(cuts):
        end = cut
        while end > start and (not t.word[end - 1] or t.dep[end - 1] == "cc"):
            end -= 1
        if end > start:
            out.append((start, end))
        start = cut
    out.append((start, b))
    return out


# --- analysis -----------------------------------------------------------------------


def _analyse(t: DocTable, a: int, b: int, regions: list[tuple[int, int]],
             region_starts: list[int], paragraph: int, speakers: Speakers,
             lex: Lexicons) -> ClaimSuggestion | None:
    start, end = t.idx[a], t.end[b - 1]
    squeezed = "".join(t.text[start:end].split())
    if any(p.search(squeezed) for p in lex.boilerplate):
        return None
    k = max(bisect.bisect_right(region_starts, start) - 1, 0)
    quotes = []
    while k < len(regions) and regions[k][0] < end:
        qs, qe = regions[k]
        if qe > start and len(t.text[qs:qe].strip("\"“”„«» \n").split()) >= 3:
            quotes.append((qs, qe))
        k += 1
    att = attribute(t, a, b, quotes, paragraph, speakers, lex)
    if any(not t.quoted[i] for i, _ in _phrase_hits(OPINION_PHRASES, t.lower, a, b)):
        return None  # "in my opinion": the writer's own view, whatever it holds
    cues = _content_cues(t, a, b, lex)
    if not any(t.pos[i] in ("VERB", "AUX") for i in range(a, b)):
        if "statistic" not in cues:
            return None  # a heading, a caption, a dateline
        cues.append("fragment")  # "Premiums, up $2,500." still states a figure
    last = next((i for i in range(b - 1, a - 1, -1)
                 if t.word[i] or t.lower[i] == "?"), -1)
    if last >= 0 and t.lower[last] == "?":
        if not {"number", "statistic"} & set(cues):
            return None
        cues.append("question")
    cues = att.cues + cues
    hedged = _is_hedged(t, a, b, lex)
    if hedged:
        cues.append("hedge")
    score = score_cues(cues)
    claim = ClaimSuggestion(att.start, att.end, score, cues, _claim_type(cues),
                            att.claimant_entity, att.claimant_text, att.via, hedged)
    if {"number", "statistic"} & set(cues) and att.attributed:
        claim.checkworthy = "yes"
    if att.claimant_entity is None and att.claimant_text is None and not att.attributed \
            and not ATTRIBUTION_CUES & set(cues):
        claim.claimant_text = AUTHOR
    if claim.start == 0 or t.text[claim.start - 1] == "\n":
        # The outlet's dateline is not what is claimed (the unit is scored with it).
        dateline = DATELINE.match(t.text, claim.start)
        if dateline and dateline.end() < claim.end:
            claim.start = dateline.end()
    return claim


def _claim_type(cues: list[str]) -> ClaimType:
    for cue, kind in _TYPE_ORDER:
        if cue in cues:
            return kind
    return "other"


def _content_cues(t: DocTable, a: int, b: int, lex: Lexicons) -> list[str]:
    """What the unit says, and how (see the module docstring, 3)."""
    found: set[str] = set()
    lower, lemma, tag = t.lower, t.lemma, t.tag
    words = 0
    has_than = False
    vague, vague_date, past_time = lex["vague_number"], lex["vague_date"], lex["past_time"]
    measure, trend, evaluative = lex["measure"], lex["trend"], lex["evaluative"]
    for i in range(a, b):
        low = lower[i]
        if t.word[i]:
            words += 1
        label = t.label(i)
        if label in STATISTIC_LABELS:
            found.add("statistic")
            found.add("number")
        elif (t.like_num[i] or low[:1].isdigit()) and low not in vague \
                and label not in NOT_NUMBERS:
            found.add("number")  # "20million" (glued) is a number too
        if low[:1].isdigit() and label not in NOT_NUMBERS:
            found.add("digits")  # an exact figure, not "two" or "a few"
        elif label == "DATE":
            e = t.entities[t.ent[i]]
            if t.text[e.start:e.end].lower() not in vague_date:
                found.add("date")
        if label in NAMED_LABELS:
            found.add("named")
        if low in past_time:
            found.add("past_time")
        if t.dep[i] == "nsubjpass":
            found.add("passive")
        elif t.dep[i] == "expl" and lemma[t.head[i]] == "be":
            found.add("existential")  # "there are 40 villages ..."
        if low in ("than", "compared"):
            has_than = True
        pos = t.pos[i]
        if pos == "NOUN":
            if lemma[i] in measure:
                found.add("measure")
            if lemma[i] in trend:
                found.add("trend")
        elif low in ("up", "down") and (lemma[t.head[i]] == "be" or t.dep[i] == "prt"):
            found.add("trend")  # "is down", "brought down"
        if tag[i] in ("JJS", "RBS") and not (low == "least" and i > a
                                             and lower[i - 1] == "at"):
            found.add("superlative")
        if lemma[i] in evaluative and (
                t.dep[i] == "acomp" or (t.dep[i] == "amod" and t.dep[t.head[i]] == "attr")
                or (t.dep[i] == "advmod" and pos == "ADV")):
            found.add("evaluative")
        if low == "if" or low == "unless":
            found.add("conditional")
        if pos in ("VERB", "AUX") and t.dep[i] not in ("aux", "auxpass"):
            _predicate_cues(t, i, a, found, lex)
    if has_than and any(tag[i] in ("JJR", "RBR") or lower[i] in ("more", "less", "fewer")
                        for i in range(a, b)):
        found.add("comparative")
    for name, cue in (("statistic", "statistic"), ("universal", "universal"),
                      ("none", "not_one"), ("superlative", "superlative")):
        if cue not in found and next(lex.phrases[name].find(lower, a, b), None):
            found.add(cue)
    if next(lex.causal.find(lower, a, b), None):
        found.add("causal")
    if words >= 20:
        found.add("long")
    root = next((i for i in range(a, b) if t.head[i] == i or not a <= t.head[i] < b), a)
    if lemma[root] in lex["trend"] or (lemma[root] == "be" and any(
            lower[c] in ("up", "down") for c in t.children[root])):
        found.add("main_trend")  # the sentence is about a change: "smoking is down"
    if (tag[root] == "VB" and t.child(root, "nsubj", "nsubjpass", "aux") < 0
            and not t.quoted[root]) or (lower[a] == "let" and a + 1 < b
                                        and lower[a + 1] in ("'s", "’s", "us", "me")):
        found.add("imperative")
    return [cue for cue in CUE_WEIGHTS if cue in found]


def _predicate_cues(t: DocTable, i: int, a: int, found: set[str], lex: Lexicons) -> None:
    """Cues of the verb ``i`` and its subject: who does what, when."""
    s = t.subject(i)
    subj = t.lower[s] if s >= 0 else ""
    first = subj in FIRST_PERSON
    auxes = t.auxes(i)
    lemma, low, tag = t.lemma[i], t.lower[i], t.tag[i]
    future = bool(auxes & FUTURE) or (low == "going" and t.child(i, "xcomp") >= 0) \
        or low == "gon"
    modal = bool(auxes & POSSIBLE)
    intent = lemma in lex["intent"] and t.child(i, "xcomp", "ccomp") >= 0
    if first and (future or intent or modal):
        found.add("promise")
    elif (future or (modal and not auxes & {"can", "would"})) and subj != "you":
        found.add("prediction")
    if lemma in PREDICTION_LEMMAS and t.pos[i] == "VERB":
        found.add("prediction")
    if first and not t.quoted[i] and lemma in lex["opinion"]:
        found.add("opinion")
    if auxes & NORMATIVE or (lemma in ("need", "have", "get", "got")
                             and i + 2 < t.n and t.lower[i + 1] == "to"
                             and t.tag[i + 2] == "VB"):
        found.add("normative")
    perfect = tag == "VBN" and bool(auxes & HAVE)
    passive = tag == "VBN" and bool(auxes & BE)
    past = (tag == "VBD" or perfect or (tag == "VB" and bool(auxes & DID))) \
        and not (future or modal)
    finite = past or passive or tag in ("VBZ", "VBP") \
        or (tag == "VB" and bool(auxes & DOES)) \
        or (tag == "VBG" and bool(auxes & BE) and not future)
    if lemma not in lex["not_action"] and not (lemma in lex.reporting
                                               and t.child(i, "ccomp") >= 0):
        if past:
            found.add("past_action")
        if finite and lemma in lex["event"] and not modal and t.pos[i] == "VERB":
            found.add("on_record")
    if lemma in lex["trend"] and t.pos[i] == "VERB" and not (first and (future or modal)):
        found.add("trend")
    if s >= 0 and t.dep[i] == "ROOT" and subj not in NOT_THIRD and finite and not modal:
        found.add("third_person")
    if s >= 0:
        k = t.ent[s]
        if (k >= 0 and t.entities[k].label in NAMED_LABELS) or t.pos[s] == "PROPN":
            found.add("named_subject")
        if subj == "i" and t.dep[i] == "ROOT" and not past and not t.quoted[i]:
            found.add("speaker_self")


def _phrase_hits(phrases: tuple[tuple[str, ...], ...], words: list[str], a: int, b: int
                 ) -> Iterator[tuple[int, int]]:
    for i in range(a, b):
        for p in phrases:
            if words[i] == p[0] and tuple(words[i:i + len(p)]) == p and i + len(p) <= b:
                yield i, i + len(p)


def _is_hedged(t: DocTable, a: int, b: int, lex: Lexicons) -> bool:
    for i in range(a, b):
        low = t.lower[i]
        if low in lex.hedges or (len(low) > 10 and low.endswith("ly")
                                 and any(low.endswith(w) for w in lex.reported)):
            return True  # "reportedly", also glued to the word before ("groupreportedly")
        if low in lex.numeric_hedges and (
                (i + 1 < t.n and t.like_num[i + 1]) or t.like_num[t.head[i]]):
            return True
        if low == "up" and i + 2 < t.n and t.lower[i + 1] == "to" \
                and t.like_num[i + 2] and "up to" in lex.numeric_hedges:
            return True
    return False
