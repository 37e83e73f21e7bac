"""Tokenizer fixes for scraped news text, where words arrive glued together.

Scraped articles lose spaces at line or tag boundaries: "inIraq", "USmaintains",
"ISISpropaganda", "Wall StreetJournal", "State(ISIS)". spaCy keeps each as one token,
so the parser and the entity recogniser see a word that does not exist. We add
zero-width *infix* patterns to the pipeline's tokenizer that split at a case change:

- lower-case letters, then a capitalised word: ``in|Iraq``, ``Street|Journal``;
- an acronym of two or more capitals, then three or more lower-case letters:
  ``US|maintains``, ``ISIS|propaganda`` (``CEOs``, ``NGOs`` are left alone);
- an opening bracket between letters: ``State|(|ISIS``.

Splitting only moves token boundaries: the text is never changed, so every offset
stays exact (``token.idx`` and ``token.whitespace_`` describe the original string).
Real camel-case names (``YouTube``, ``JPMorgan``, ``McDonald``) are tokenizer special
cases from ``resources/camelcase.txt`` and stay whole.

Where a glued token survives (a case the patterns do not cover, or a pipeline loaded
without this fix) and an entity ends or starts inside it, :func:`trim_to_glue` cuts the
entity at the case change, so "USmaintains" as ORG is suggested as "US".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import RESOURCES

if TYPE_CHECKING:
    from spacy.language import Language

# Zero-width split points (see the module docstring).
GLUE_INFIXES = (
    r"(?<=[a-z][a-z])(?=[A-Z][a-z]{2,})",
    r"(?<=[A-Z][A-Z])(?=[a-z]{3,})",
    r"(?<=[A-Za-z])[(\[](?=[A-Za-z])",
)
_GLUE_RE = re.compile("|".join(f"(?:{p})" for p in GLUE_INFIXES[:2]))
# Title abbreviations that must not end a sentence ("Brig. Gen. Ali al-Hassan").
TITLE_ABBREVIATIONS = (
    "Brig.", "Col.", "Lt.", "Maj.", "Capt.", "Cpt.", "Sgt.", "Cmdr.", "Cdr.", "Gen.", "Adm.",
    "Gov.", "Sen.", "Rep.", "Amb.", "Pres.", "Prof.", "Supt.", "Insp.", "Det.", "Cpl.",
    "Pvt.", "Rev.", "Hon.", "Dept.", "Min.", "Lt.-Gen.", "Maj.-Gen.", "Brig.-Gen.",
)


def load_lexicon(name: str) -> list[str]:
    """Lines of ``resources/<name>``, without blank lines and ``#`` comments."""
    lines = (RESOURCES / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def fix_tokenizer(nlp: Language) -> Language:
    """Make ``nlp``'s tokenizer split glued words (in place; returns ``nlp``)."""
    from spacy.util import compile_infix_regex

    tokenizer = nlp.tokenizer  # idempotent: the infixes are rebuilt from the defaults
    infixes = list(nlp.Defaults.infixes or ()) + list(GLUE_INFIXES)
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    for word in load_lexicon("camelcase.txt"):
        tokenizer.add_special_case(word, [{"ORTH": word}])
    for abbr in TITLE_ABBREVIATIONS:
        if abbr not in tokenizer.rules:
            tokenizer.add_special_case(abbr, [{"ORTH": abbr}])
    return nlp


def glue_points(word: str) -> list[int]:
    """Offsets inside ``word`` where a glued word boundary is (see GLUE_INFIXES)."""
    return [m.start() for m in _GLUE_RE.finditer(word)]


def trim_to_glue(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut ``text[start:end]`` at glue points, dropping lower-case pieces at either end.

    An entity ending inside a glued word ("USmaintains") keeps its capitalised head
    ("US"); one starting inside ("inIraq") keeps the capitalised tail ("Iraq")."""
    cuts = [start + p for p in glue_points(text[start:end])]
    bounds = [start, *cuts, end]
    pieces = list(zip(bounds, bounds[1:], strict=False))
    # Only a piece inside the first (last) word may go: "the Wall StreetJournal" stays.
    while len(pieces) > 1 and text[pieces[0][0]].islower() \
            and not any(ch.isspace() for ch in text[pieces[0][0]:pieces[0][1]]):
        pieces.pop(0)
    while len(pieces) > 1 and text[pieces[-1][0]].islower() \
            and not any(ch.isspace() for ch in text[pieces[-1][0]:pieces[-1][1]]):
        pieces.pop()
    return pieces[0][0], pieces[-1][1]


def unglue(text: str) -> str:
    """``text`` with a space at each glue point, for free-text attributes
    ("Wall StreetJournal" -> "Wall Street Journal"); offsets are not kept."""
    return " ".join(
        "".join(_split_word(word)) if glue_points(word) else word for word in text.split(" ")
    )


def _split_word(word: str) -> list[str]:
    out, last = [], 0
    for point in glue_points(word):
        out.append(word[last:point] + " ")
        last = point
    out.append(word[last:])
    return out
