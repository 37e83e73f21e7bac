"""The project tokenizer as spaCy's config names it: ``annotator.Tokenizer.v1``.

This file stands alone (it imports only spaCy and the standard library): the spaCy
export writes it, with the project's rules filled in below, beside ``config.cfg`` as
``annotator_tokenizer.py``, so that ``python -m spacy train config.cfg --code
annotator_tokenizer.py`` tokenises as the exported ``DocBin`` does, in any environment
with spaCy (Annotator need not be installed). Inside Annotator,
:func:`annotator.tokens.fix_tokenizer` applies the same :func:`customize`, and the
function is registered (:func:`register`) before a pipeline trained on an export is
loaded, so such a pipeline loads with its own tokenizer.

The rules (see :mod:`annotator.tokens`): English spaCy's tokenizer, plus zero-width
infixes that split glued words ("inIraq", "USmaintains"), a slash or an invisible
format character split off the start or end of a word ("News/", "/Reuters"), special
cases that keep camel-case names ("YouTube") and title abbreviations ("Brig.") whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

NAME = "annotator.Tokenizer.v1"

# --- rules: the export writes the project's own values here ---
RULES_VERSION = 3
GLUE_INFIXES: tuple[str, ...] = (
    r"(?<=[a-z][a-z])(?=[A-Z][a-z]{2,})",
    r"(?<=[A-Z][A-Z])(?=[a-z]{3,})",
    r"(?<=[A-Za-z])[(\[](?=[A-Za-z])",
)
# Split off the start or end of a word: a slash ("News/", "/Reuters"), and invisible
# format characters (zero-width space, direction marks and isolates, word joiner, BOM;
# not ZWJ/ZWNJ, which join emoji and Persian letters) that scraped text glues to words.
AFFIXES: tuple[str, ...] = (r"/", "[\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
TITLE_ABBREVIATIONS: tuple[str, ...] = (
    "Brig.", "Col.", "Lt.", "Maj.", "Capt.", "Cpt.", "Sgt.", "Cmdr.", "Cdr.", "Gen.", "Adm.",
    "Gov.", "Sen.", "Rep.", "Amb.", "Pres.", "Prof.", "Supt.", "Insp.", "Det.", "Cpl.",
    "Pvt.", "Rev.", "Hon.", "Dept.", "Min.", "Lt.-Gen.", "Maj.-Gen.", "Brig.-Gen.",
)
CAMELCASE_NAMES: tuple[str, ...] = ()  # the package reads resources/camelcase.txt
# --- end of rules ---


def customize(tokenizer: Any, defaults: Any, camelcase: Iterable[str]) -> Any:
    """Give a spaCy ``Tokenizer`` made from English ``defaults`` the project's rules (in
    place, idempotent: the affixes are rebuilt from the defaults); returns it."""
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    tokenizer.infix_finditer = compile_infix_regex(
        list(defaults.infixes or ()) + list(GLUE_INFIXES)).finditer
    tokenizer.prefix_search = compile_prefix_regex(
        list(defaults.prefixes or ()) + list(AFFIXES)).search
    tokenizer.suffix_search = compile_suffix_regex(
        list(defaults.suffixes or ()) + list(AFFIXES)).search
    for word in sorted(camelcase):
        tokenizer.add_special_case(word, [{"ORTH": word}])
    for abbr in TITLE_ABBREVIATIONS:
        if abbr not in tokenizer.rules:
            tokenizer.add_special_case(abbr, [{"ORTH": abbr}])
    return tokenizer


def create_tokenizer(camelcase: Iterable[str] | None = None) -> Callable[[Any], Any]:
    """spaCy's registered tokenizer factory: English spaCy's tokenizer with the project's
    rules (``camelcase``: the names kept whole; default :data:`CAMELCASE_NAMES`)."""
    from spacy.util import registry

    names = tuple(_names() if camelcase is None else camelcase)
    base = registry.tokenizers.get("spacy.Tokenizer.v1")()

    def make(nlp: Any) -> Any:
        return customize(base(nlp), nlp.Defaults, names)

    return make


def register(camelcase: Iterable[str] | None = None) -> None:
    """Register :data:`NAME` in spaCy's registry (again, if it was)."""
    from spacy.util import registry

    names = tuple(_names() if camelcase is None else camelcase)

    def factory() -> Callable[[Any], Any]:
        return create_tokenizer(names)

    registry.tokenizers.register(NAME, func=factory)


def _names() -> tuple[str, ...]:
    """The camel-case names kept whole: written into this file by the export; in the
    package (reached through spaCy's entry point), Annotator's own list."""
    if CAMELCASE_NAMES:
        return CAMELCASE_NAMES
    from annotator.paths import load_lexicon

    return tuple(load_lexicon("camelcase.txt"))


def source(camelcase: Iterable[str]) -> str:
    """This file's text with ``camelcase`` written in as the names kept whole and a
    registration at import: what ``spacy train --code`` takes."""
    from pathlib import Path

    text = Path(__file__).read_text(encoding="utf-8")
    marker = "CAMELCASE_NAMES: tuple[str, ...] = ()  # the package reads resources/camelcase.txt"
    assert marker in text
    names = "".join(f"    {name!r},\n" for name in sorted(camelcase))
    text = text.replace(marker, f"CAMELCASE_NAMES: tuple[str, ...] = (\n{names})", 1)
    return text + "\n\nregister()  # written by the export: `spacy train --code` imports this\n"
