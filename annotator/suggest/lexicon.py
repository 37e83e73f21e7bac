"""The word lists in ``resources/`` that the claim rules read, loaded once."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..paths import load_lexicon


@dataclass(frozen=True)
class Phrases:
    """Word sequences matched on token boundaries, longest first."""

    items: tuple[tuple[str, ...], ...]
    firsts: frozenset[str]

    @classmethod
    def of(cls, lines: Sequence[str]) -> Phrases:
        items = sorted({tuple(line.lower().split()) for line in lines}, key=len, reverse=True)
        return cls(tuple(items), frozenset(p[0] for p in items))

    def find(self, words: Sequence[str], a: int, b: int) -> Iterator[tuple[int, int]]:
        """``(i, j)`` token ranges in ``words[a:b]`` that match a phrase (longest)."""
        i = a
        while i < b:
            if words[i] in self.firsts:
                for phrase in self.items:
                    j = i + len(phrase)
                    if j <= b and tuple(words[i:j]) == phrase:
                        yield i, j
                        i = j - 1
                        break
            i += 1


@dataclass(frozen=True)
class Lexicons:
    """The word lists the rules use (``resources/*.txt``)."""

    reporting: frozenset[str]
    hedges: frozenset[str]
    numeric_hedges: frozenset[str]
    reported: frozenset[str]
    causal: Phrases
    boilerplate: tuple[re.Pattern[str], ...]
    words: dict[str, frozenset[str]]
    phrases: dict[str, Phrases]
    #: lower-case first name -> "f" or "m" (``resources/first_names.txt``)
    genders: dict[str, str]

    def __getitem__(self, section: str) -> frozenset[str]:
        return self.words[section]


def sections(name: str) -> dict[str, list[str]]:
    """Lines of a lexicon file by ``[section]`` (lines before the first go to ``""``)."""
    out: dict[str, list[str]] = {"": []}
    current = ""
    for line in load_lexicon(name):
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            out.setdefault(current, [])
            continue
        out[current].append(line.lower())
    return out


@functools.cache
def lexicons() -> Lexicons:
    """Read (once) the lexicon files."""
    hedges = sections("hedges.txt")
    words = sections("claim_words.txt")
    names = sections("first_names.txt")
    return Lexicons(
        reporting=frozenset(w.lower() for w in load_lexicon("reporting_verbs.txt")),
        hedges=frozenset(hedges[""] + hedges.get("reported", [])),
        numeric_hedges=frozenset(hedges.get("numeric", [])),
        reported=frozenset(hedges.get("reported", [])),
        causal=Phrases.of(load_lexicon("causal_markers.txt")),
        boilerplate=tuple(re.compile(p, re.IGNORECASE)
                          for p in load_lexicon("boilerplate.txt")),
        words={k: frozenset(v) for k, v in words.items() if k},
        phrases={k: Phrases.of(v) for k, v in words.items() if k},
        genders={**{n: "f" for n in names.get("female", [])},
                 **{n: "m" for n in names.get("male", [])}},
    )
