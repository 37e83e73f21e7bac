"""Who makes a claim, through whom, and which part of the sentence is the claim.

Read over the parse, one unit (sentence) at a time in document order, so that what
came before can be used:

- **Reporting verb** (``resources/reporting_verbs.txt``) with a clause (ccomp), a
  quotation beside it, or standing inside the clause it reports ("Police, Sinclair
  says, have ..."): the claimant is its subject, wherever the subject stands ("...,
  argued Palvetzian."). A first- or second-person subject outside quotes ("as I said")
  attributes nothing. Claiming verbs with an object ("ISIS claimed responsibility for
  153 attacks") attribute the whole clause to their subject.
- **The subject phrase** names the claimant: the entity at its head ("MaRS director Adam
  Jagelewski" is Adam Jagelewski) or in apposition to it; for a publication ("a Wall
  Street Journal report") the outlet; else the phrase's own words. Laws and documents
  the NER took for people ("Bill C-74") are never claimants, nor are names inside the
  quotation.
- **he/she** resolve to the most recent PERSON who was a subject or a speaker, else
  the most recent PERSON named outside quotations.
- **Source phrases** (``[source]`` in ``resources/claim_words.txt``: "according to",
  "based on", "citing"): the claimant is their object; a participle relaying it ("a WSJ
  report quoted by the Jerusalem Post") gives ``via``, as the addressee of "told"
  and "in an interview with" do.
- **Continued quotations.** A quotation without an attribution of its own belongs to
  the speaker of the quotation or attribution just before it, in the same or the
  previous paragraph (``"...," said Vickers. "There's so much ..."``; ``... says
  Adam Jagelewski. "We are ..."``).
- **The span** is what is asserted: the quotation's words, or the reported clause, or
  the sentence without a leading or trailing "according to ..." phrase. An attribution
  in the middle ("Police, Sinclair says, have ...") stays inside the span.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..tokens import unglue
from .doctable import DocTable
from .lexicon import Lexicons

PERSON_PRONOUNS = {"he", "she", "him", "her"}
# A person's name written out: two or three capitalised words ("Carmen Ruiz").
NAME = re.compile(r"^[A-Z][\w'’-]+(?: [A-Z][\w'’.-]+){1,2}$")
# Audiences, not outlets: "told reporters" relays nothing.
AUDIENCES = {"reporter", "journalist", "press", "medium", "audience", "crowd", "supporter",
             "lawmaker", "parliament", "congress", "committee", "court", "jury", "official"}
NOT_CLAIMANTS = {"i", "we", "you", "me", "us"}
CLAIMANT_LABELS = {"PERSON", "ORG", "NORP", "GPE", "FAC", "LOC", "PRODUCT"}
CLAIMANT_PREFERENCE = ("PERSON", "ORG", "NORP", "GPE")
# Nouns for what a source publishes: "a Reuters report" is attributed to Reuters, but "a
# US officer" is not attributed to the US.
SOURCE_NOUNS = {"report", "statement", "study", "survey", "analysis", "poll", "data",
                "figure", "release", "article", "investigation", "document", "letter",
                "post", "tweet", "filing", "story", "reporting", "source", "estimate",
                "assessment", "bulletin", "communique", "broadcast", "interview", "paper",
                "reports", "statements", "figures", "estimates", "sources"}
# People a report may be put down to without a name: "citing officials".
SOURCE_PEOPLE = {"official", "source", "expert", "analyst", "witness", "resident",
                 "spokesperson", "spokesman", "spokeswoman", "investigator", "researcher",
                 "scientist", "authority", "police", "diplomat", "officer"}
# Participles that name the author of a publication: "a study published by X".
AUTHORING = {"publish", "release", "issue", "produce", "prepare", "conduct", "compile",
             "commission", "write", "author", "carry out"}
CONTENT_DEPS = ("ccomp", "parataxis")
TRIM = " \t\n,;:—–-"


@dataclass
class Attribution:
    """What :func:`attribute` found in one unit."""

    cues: list[str] = field(default_factory=list)
    claimant_entity: int | None = None
    claimant_text: str | None = None
    via: str | None = None
    start: int = 0  # the claim's span: what is asserted
    end: int = 0
    attributed: bool = False  # a named or described source (not just "reportedly")


@dataclass
class _Speaker:
    entity: int | None
    text: str | None
    via: str | None
    paragraph: int


class Speakers:
    """Who spoke or acted so far in a document, for pronouns and continued quotes."""

    def __init__(self, t: DocTable):
        self.t = t
        # (offset, entity) of PERSON subjects outside quotations, in text order
        self.persons: list[tuple[int, int]] = []
        # names the NER gave another label ("Nadia Rahman" as ORG): used when no PERSON
        self.names: list[tuple[int, int]] = []
        for i in range(t.n):
            if t.dep[i] in ("nsubj", "nsubjpass") and not t.quoted[i]:
                k = t.ent[i]
                if k < 0 or t.is_law(k):
                    continue
                if t.entities[k].label == "PERSON":
                    self.persons.append((t.idx[i], k))
                elif _name_shaped(t, k):
                    self.names.append((t.idx[i], k))
        # (offset, entity, text) of claimants who are people: a PERSON entity, or a
        # name ("Carmen Ruiz") the NER missed or gave another label
        self.speakers: list[tuple[int, int, str]] = []
        self.last: _Speaker | None = None

    def person_before(self, pos: int) -> tuple[int | None, str | None]:
        """``(entity, text)`` of the most recent PERSON subject or person speaking before
        ``pos``; else the most recent PERSON named outside quotations; else a subject
        shaped like a name; ``(None, None)`` if none."""
        k = bisect.bisect_left(self.persons, (pos, -1)) - 1
        subject = self.persons[k] if k >= 0 else None
        k = bisect.bisect_left(self.speakers, (pos, -1, "")) - 1
        speaker = self.speakers[k] if k >= 0 else None
        if speaker is not None and (subject is None or speaker[0] > subject[0]):
            return (speaker[1], None) if speaker[1] >= 0 else (None, speaker[2])
        if subject is not None:
            return subject[1], None
        t = self.t
        for k in range(len(t.entities) - 1, -1, -1):
            e = t.entities[k]
            if e.end <= pos and e.label == "PERSON" and not t.is_law(k) \
                    and not t.entity_quoted(k):
                return k, None
        named = bisect.bisect_left(self.names, (pos, -1)) - 1
        return (self.names[named][1], None) if named >= 0 else (None, None)

    def heard(self, att: Attribution, pos: int, paragraph: int) -> None:
        """Record ``att``'s claimant as the latest speaker."""
        if att.claimant_entity is None and att.claimant_text is None:
            return
        self.last = _Speaker(att.claimant_entity, att.claimant_text, att.via, paragraph)
        k = att.claimant_entity
        if k is not None:
            if self.t.entities[k].label == "PERSON" or _name_shaped(self.t, k):
                bisect.insort(self.speakers, (pos, k, ""))
        elif att.claimant_text and NAME.match(att.claimant_text):
            bisect.insort(self.speakers, (pos, -1, att.claimant_text))


def _name_shaped(t: DocTable, k: int) -> bool:
    """Two or three capitalised proper nouns, as a person's name is."""
    e = t.entities[k]
    i = max(bisect.bisect_right(t.idx, e.start) - 1, 0)
    tokens = [j for j in range(i, min(i + 4, t.n)) if t.idx[j] < e.end]
    return 2 <= len(tokens) <= 3 and all(t.pos[j] == "PROPN" and t.text[t.idx[j]].isupper()
                                         for j in tokens)


def attribute(t: DocTable, a: int, b: int, quotes: list[tuple[int, int]], paragraph: int,
              speakers: Speakers, lex: Lexicons) -> Attribution:
    """The attribution of unit ``[a, b)`` (tokens); ``quotes`` are the quotations in it
    of three words or more."""
    start, end = t.idx[a], t.end[b - 1]
    att = Attribution(start=start, end=end)
    verb, passive = _reporting_verb(t, a, b, quotes, lex)
    if passive >= 0:
        att.cues.append("passive_reporting")
    if verb >= 0:
        att.cues.append("reporting_verb")
        att.attributed = True
        _claimant_of_verb(t, att, verb, a, b, speakers)
        _via_of_verb(t, att, verb)
    source = _source_phrase(t, a, b, lex)
    if source is not None:
        att.cues.append("according_to")
        att.attributed = True
        obj = source[0]
        if att.claimant_entity is None and att.claimant_text is None and obj >= 0:
            att.claimant_entity, att.claimant_text = phrase_claimant(t, obj)
            if att.via is None:
                att.via = _relay(t, obj, lex)
    if any(_is_reported_word(t.lower[i], lex) and not t.quoted[i] for i in range(a, b)):
        att.cues.append("reportedly")
    mostly_quoted = bool(quotes) and _mostly_quoted(t, a, b)
    if quotes:
        att.cues.append("direct_quote")
        if verb < 0 and source is None and mostly_quoted:
            last = speakers.last
            if last is not None and paragraph - last.paragraph <= 1:
                att.cues.append("continued_quote")
                att.attributed = True
                att.claimant_entity, att.claimant_text = last.entity, last.text
                att.via = last.via
                last.paragraph = paragraph
    # the span: what is asserted
    if mostly_quoted and (verb >= 0 or "continued_quote" in att.cues):
        att.start, att.end = _trimmed(t.text, quotes[0][0] + 1, quotes[-1][1])
    elif verb >= 0:
        att.start, att.end = _reported_clause(t, verb, a, b)
    elif passive >= 0:
        att.start, att.end = _reported_clause(t, passive, a, b)
    elif source is not None:
        att.start, att.end = _without_phrase(t, a, b, source[1], source[2])
    if att.end - att.start < 2:
        att.start, att.end = start, end
    if verb >= 0 or (quotes and source is not None):
        speakers.heard(att, t.idx[verb if verb >= 0 else a], paragraph)
    return att


# --- the reporting verb -------------------------------------------------------------


def _reporting_verb(t: DocTable, a: int, b: int, quotes: list[tuple[int, int]],
                    lex: Lexicons) -> tuple[int, int]:
    """``(active, passive)``: the unit's attributing reporting verb (closest to the root)
    and a passive one ("it was reported that"), each -1 if none."""
    best, best_depth, passive = -1, 99, -1
    claiming = lex["claiming"]
    for i in range(a, b):
        if t.pos[i] != "VERB" or t.lemma[i] not in lex.reporting or t.quoted[i]:
            continue
        deps = {t.dep[c] for c in t.children[i]}
        if "auxpass" in deps and "agent" not in deps:
            if deps & {"ccomp", "xcomp"} or t.child(i, "nsubjpass") >= 0:
                passive = i if passive < 0 else passive
            continue
        s = t.subject(i)
        if s >= 0 and t.lower[s] in NOT_CLAIMANTS:
            continue
        valid = (bool(deps & set(CONTENT_DEPS)) or t.dep[i] == "parataxis"
                 or (bool(quotes) and not _in_quotes(t.idx[i], quotes))
                 or (t.lemma[i] in claiming and "dobj" in deps)
                 or _trailing(t, i, b))
        if valid:
            d = t.depth(i)
            if d < best_depth:
                best, best_depth = i, d
    return best, passive


def _is_reported_word(low: str, lex: Lexicons) -> bool:
    """"reportedly", also glued to the word before it ("groupreportedly")."""
    return low in lex.reported or (low.endswith("ly") and len(low) > 10
                                    and any(low.endswith(w) for w in lex.reported))


def _trailing(t: DocTable, verb: int, b: int) -> bool:
    """"..., its director Sofia Brandt told reporters.": a reporting verb the parser
    coordinated with the clause before it, with a subject of its own, ending the unit."""
    if t.dep[verb] != "conj" or t.head[verb] > verb or t.child(verb, "nsubj") < 0:
        return False
    start = t.left_edge(t.child(verb, "nsubj"))
    return start > 0 and t.lower[start - 1] == "," and t.right_edge(verb) >= b - 2


def _in_quotes(pos: int, quotes: list[tuple[int, int]]) -> bool:
    return any(qs <= pos < qe for qs, qe in quotes)


def _claimant_of_verb(t: DocTable, att: Attribution, verb: int, a: int, b: int,
                      speakers: Speakers) -> None:
    s = t.subject(verb)
    if s >= 0:
        low = t.lower[s]
        if low in PERSON_PRONOUNS:
            att.claimant_entity, att.claimant_text = speakers.person_before(t.idx[s])
            if att.claimant_entity is None and att.claimant_text is None:
                att.claimant_text = t.text[t.idx[s]:t.end[s]]
        elif t.pos[s] != "PRON":
            att.claimant_entity, att.claimant_text = phrase_claimant(t, s)
        return
    # No subject in the parse: a name just after the verb ("..., argued Palvetzian"),
    # else the nearest PERSON (then ORG) before it in the unit, outside quotations.
    for i in range(verb + 1, min(verb + 5, b)):
        k = t.ent[i]
        if k >= 0 and not t.quoted[i] and t.entities[k].label in CLAIMANT_LABELS \
                and not t.is_law(k):
            att.claimant_entity = k
            return
    for labels in (("PERSON",), ("ORG",)):
        for i in range(verb - 1, a - 1, -1):
            k = t.ent[i]
            if k >= 0 and not t.quoted[i] and t.entities[k].label in labels \
                    and not t.is_law(k):
                att.claimant_entity = k
                return


def phrase_claimant(t: DocTable, head: int) -> tuple[int | None, str | None]:
    """The entity a noun phrase names (index), else the phrase's text (unglued)."""
    a = t.left_edge(head)
    k = t.ent[head]
    if k >= 0 and t.entities[k].label in CLAIMANT_LABELS and not t.is_law(k):
        return k, None
    for c in t.children[head]:  # "a spokesman, Ali Hassan, said"
        kc = t.ent[c]
        if t.dep[c] == "appos" and kc >= 0 and t.entities[kc].label == "PERSON":
            return kc, None
    if t.lemma[head] in SOURCE_NOUNS or t.lower[head] in SOURCE_NOUNS:
        author = _author(t, head)
        if author is not None:
            return author, None
        inside = {t.ent[i] for i in range(a, head + 1) if t.ent[i] >= 0}
        for label in CLAIMANT_PREFERENCE:
            found = sorted(k for k in inside if t.entities[k].label == label
                           and not t.is_law(k))
            if found:
                return found[0], None
    last = head  # "Fishermen in the bay", "analysts at the bank": with their preposition
    for c in t.children[head]:
        if c > head and t.dep[c] == "prep":
            last = max(last, t.right_edge(c))
    text = unglue(t.text[t.idx[a]:t.end[last]]).strip(TRIM)
    return None, text or None


def _author(t: DocTable, head: int) -> int | None:
    """"a report by X", "data from X", "a study published by X": the entity X."""
    for c in t.children[head]:
        obj = -1
        if t.dep[c] == "prep" and t.lower[c] in ("by", "from", "of"):
            obj = t.child(c, "pobj")
        elif t.dep[c] == "acl" and t.lemma[c] in AUTHORING:
            agent = t.child(c, "agent")
            obj = t.child(agent, "pobj") if agent >= 0 else -1
        k = t.ent[obj] if obj >= 0 else -1
        if k >= 0 and t.entities[k].label in CLAIMANT_PREFERENCE and not t.is_law(k):
            return k
    return None


def _via_of_verb(t: DocTable, att: Attribution, verb: int) -> None:
    addressee = -1
    if t.lemma[verb] == "tell":
        addressee = t.child(verb, "dobj", "dative")
    if addressee < 0:
        addressee = _medium(t, verb)
    if addressee >= 0 and not t.quoted[addressee] and t.pos[addressee] != "PRON" \
            and t.lemma[addressee] not in AUDIENCES:
        att.via = _outlet(t, addressee)


def _outlet(t: DocTable, head: int) -> str | None:
    k, text = phrase_claimant(t, head)
    if k is not None:
        return outlet_name(t, k)
    return unglue(text) if text else None


def outlet_name(t: DocTable, k: int) -> str:
    """Entity ``k`` as an outlet's name: its words ("Wall StreetJournal" is "Wall Street
    Journal") without a leading "the", as the window's via field completes it."""
    e = t.entities[k]
    return unglue(t.text[e.start:e.end]).removeprefix("the ").removeprefix("The ")


def _medium(t: DocTable, verb: int) -> int:
    """"said to X", "in an interview with X": the medium X (-1 if none)."""
    for prep in t.children[verb]:
        if t.dep[prep] != "prep":
            continue
        obj = t.child(prep, "pobj")
        if obj < 0:
            continue
        if t.lower[prep] == "to" and t.lemma[verb] in ("say", "speak", "talk", "explain"):
            return obj
        if t.lower[prep] == "in" and t.lemma[obj] in ("interview", "statement"):
            inner = next((c for c in t.children[obj] if t.dep[c] == "prep"
                          and t.lower[c] in ("with", "to")), -1)
            if inner >= 0:
                return t.child(inner, "pobj")
    return -1


def _relay(t: DocTable, head: int, lex: Lexicons) -> str | None:
    """"a report quoted by X": X, the outlet that relays the source."""
    for c in t.children[head]:
        if t.dep[c] == "acl" and t.lemma[c] in lex["relay"]:
            agent = t.child(c, "agent")
            obj = t.child(agent, "pobj") if agent >= 0 else -1
            if obj >= 0:
                return _outlet(t, obj)
            # "quoted bythe Post": a glued "by" leaves no agent; take the outlet named next
            for i in range(c + 1, min(c + 5, t.n)):
                k = t.ent[i]
                if k >= 0 and t.entities[k].label in ("ORG", "PERSON", "NORP"):
                    return outlet_name(t, k)
    return None


# --- source phrases -----------------------------------------------------------------


def _source_phrase(t: DocTable, a: int, b: int, lex: Lexicons
                   ) -> tuple[int, int, int] | None:
    """``(object, first, last + 1)`` of an "according to X" phrase in the unit: its
    object token (-1 if the parse has none) and the token range of the whole phrase."""
    for i, j in lex.phrases["source"].find(t.lower, a, b):
        if t.quoted[i]:
            continue
        obj = -1
        for w in range(j - 1, i - 1, -1):
            obj = t.child(w, "pobj", "dobj")
            if obj >= 0:
                break
        if t.lower[i] != "according" and not _source_like(t, obj):
            continue  # "based on growing the economy" names no source
        last = t.right_edge(obj) if obj >= 0 else j - 1
        return obj, i, min(max(last + 1, j), b)
    return None


def _source_like(t: DocTable, head: int) -> bool:
    """A noun phrase that can be a source: a publication, people who report, a name."""
    if head < 0:
        return False
    if t.lemma[head] in SOURCE_NOUNS or t.lemma[head] in SOURCE_PEOPLE:
        return True
    k = t.ent[head]
    return k >= 0 and t.entities[k].label in CLAIMANT_PREFERENCE


def _without_phrase(t: DocTable, a: int, b: int, pa: int, pb: int) -> tuple[int, int]:
    """The unit without the phrase ``[pa, pb)`` when it leads or trails the unit."""
    if pa <= a or all(not t.word[i] for i in range(a, pa)):
        return _trimmed(t.text, t.end[pb - 1], t.end[b - 1], stop=True)
    if pb >= b or all(not t.word[i] for i in range(pb, b)):
        end = _trimmed(t.text, t.idx[a], t.idx[pa])[1]
        return t.idx[a], end
    return t.idx[a], t.end[b - 1]


def _reported_clause(t: DocTable, verb: int, a: int, b: int) -> tuple[int, int]:
    """The clause a reporting verb reports, without the attribution at either end."""
    content = t.child(verb, "ccomp")
    if content < 0 and _trailing(t, verb, b):  # "X happened, the director said."
        cut = t.left_edge(t.child(verb, "nsubj"))
        return _trimmed(t.text, t.idx[a], t.end[cut - 1])
    if content < 0 or t.dep[verb] == "parataxis":
        return t.idx[a], t.end[b - 1]
    ca, cb = max(t.left_edge(content), a), min(t.right_edge(content) + 1, b)
    s = t.subject(verb)
    head_start = min(t.left_edge(s), verb) if s >= 0 else verb
    if ca > verb and not any(t.word[i] for i in range(a, head_start)):
        # "X said (that) ...": from the clause to the unit's end
        while ca < cb and (t.dep[ca] == "mark" and t.head[ca] == content
                           or not t.word[ca]):
            ca += 1
        return _trimmed(t.text, t.idx[ca], t.end[b - 1], stop=True)
    if cb <= verb:  # "..., X said.": from the unit's start to the clause's end
        return _trimmed(t.text, t.idx[a], t.end[cb - 1])
    return t.idx[a], t.end[b - 1]


def _mostly_quoted(t: DocTable, a: int, b: int) -> bool:
    words = [i for i in range(a, b) if t.word[i]]
    return bool(words) and 2 * sum(t.quoted[i] for i in words) >= len(words)


def _trimmed(text: str, start: int, end: int, stop: bool = False) -> tuple[int, int]:
    """``[start, end)`` without surrounding spaces, quote marks and commas (and with
    ``stop`` a final full stop: a clause cut from a sentence does not end it)."""
    strip = TRIM + '"“”„«»' + ("." if stop else "")
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end
