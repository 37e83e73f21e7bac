"""A document's script, and whether a pipeline's language can read it.

Standard library only (``unicodedata``): a letter's script is the first word of its
Unicode name ("ARABIC LETTER ALEF" is Arabic), close enough to the Script property
for telling an Arabic article from an English one. The English pipeline found 7 wrong
entities of 8 on an Arabic article ("وذكرت" as PERSON), so ``suggest`` skips a document
whose script its pipeline's language is not written in (issue 26).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

#: letters looked at, from the start of the text: enough for the dominant script, and
#: a long document costs no more than a short one
SAMPLE_LETTERS = 5000

#: the script each pipeline language (spaCy's ``nlp.lang``) is written in; a language
#: not here (or spaCy's multi-language "xx") is not checked
LANGUAGE_SCRIPTS: dict[str, frozenset[str]] = {
    **{lang: frozenset({"Latin"}) for lang in (
        "en", "de", "fr", "es", "it", "pt", "nl", "ca", "da", "sv", "nb", "fi", "pl",
        "ro", "hr", "sl", "sk", "cs", "lt", "lv", "et", "hu", "tr", "id", "ms", "af",
        "sq", "eu", "ga", "is", "lb", "tl", "yo", "vi")},
    **{lang: frozenset({"Arabic"}) for lang in ("ar", "fa", "ur")},
    **{lang: frozenset({"Cyrillic"}) for lang in ("ru", "uk", "bg", "mk", "sr")},
    "el": frozenset({"Greek"}),
    "he": frozenset({"Hebrew"}),
    "zh": frozenset({"CJK"}),
    "ja": frozenset({"CJK", "Hiragana", "Katakana"}),
    "ko": frozenset({"Hangul", "CJK"}),
    "hi": frozenset({"Devanagari"}),
    "mr": frozenset({"Devanagari"}),
    "ne": frozenset({"Devanagari"}),
    "bn": frozenset({"Bengali"}),
    "ta": frozenset({"Tamil"}),
    "te": frozenset({"Telugu"}),
    "th": frozenset({"Thai"}),
    "hy": frozenset({"Armenian"}),
}

LANGUAGE_NAMES = {"en": "English", "ar": "Arabic", "de": "German", "fr": "French",
                  "es": "Spanish", "ru": "Russian", "fa": "Persian", "he": "Hebrew"}

#: right-to-left scripts (paragraph direction in the window uses Qt's own bidi)
RTL_SCRIPTS = frozenset({"Arabic", "Hebrew", "Syriac", "Thaana", "Nko"})


@lru_cache(maxsize=4096)
def letter_script(ch: str) -> str | None:
    """The script of a letter ("Arabic", "Latin", ...), ``None`` for anything else."""
    if not unicodedata.category(ch).startswith("L"):
        return None
    name = unicodedata.name(ch, "")
    if not name:
        return None
    first = name.split(" ", 1)[0]
    if first == "CJK":
        return "CJK"
    return first.capitalize()


def script_counts(text: str, sample: int = SAMPLE_LETTERS) -> Counter[str]:
    """Letters by script, among the first ``sample`` letters of ``text``."""
    counts: Counter[str] = Counter()
    n = 0
    for ch in text:
        script = letter_script(ch)
        if script is None:
            continue
        counts[script] += 1
        n += 1
        if n >= sample:
            break
    return counts


def dominant_script(text: str) -> str | None:
    """The script most of the text's letters are in; ``None`` for a text without letters."""
    counts = script_counts(text)
    if not counts:
        return None
    return counts.most_common(1)[0][0]


def right_to_left(text: str) -> bool:
    """Whether a paragraph's base direction is right to left: its first strong
    character (Unicode bidi class R or AL, against L) is, as browsers' ``dir=auto``
    decides; left to right when it has none."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def language_name(lang: str) -> str:
    """A pipeline language's name for messages ("English"), or its code."""
    return LANGUAGE_NAMES.get(lang, lang)


def mismatch(script: str | None, lang: str) -> str | None:
    """Why a pipeline of language ``lang`` should not suggest in a text of ``script``
    (a sentence), or ``None`` when it can (or nothing is known to say otherwise)."""
    expected = LANGUAGE_SCRIPTS.get(lang)
    if script is None or expected is None or script in expected:
        return None
    return (f"{script} script, and the pipeline's language is {language_name(lang)}"
            f" ({lang}); --force-language suggests anyway")
