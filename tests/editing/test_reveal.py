"""Display safety without Qt: bidi controls and invisible characters are shown as one
mark each, so no offset moves (annotator/editing/reveal.py)."""

from __future__ import annotations

from annotator.editing.reveal import BIDI_MARK, HIDDEN_MARK, has_hidden, hidden_name, reveal


def test_reveal_marks_each_control_with_one_character() -> None:
    assert reveal("evil\u202eexe.txt") == f"evil{BIDI_MARK}exe.txt"
    assert reveal("a\u200bb\ufeffc\u2066d\u2069") == \
        f"a{HIDDEN_MARK}b{HIDDEN_MARK}c{BIDI_MARK}d{BIDI_MARK}"
    kept = "ﻻ می\u200cخواهم 👨\u200d👩\u200d👧 e\u0301"  # ZWNJ, ZWJ shape words and emoji
    assert reveal(kept) == kept and not has_hidden(kept)


def test_reveal_keeps_code_points_and_utf16_length() -> None:
    text = "😀 \u202eexe.live\u202c to Alice\u200b and \u2067Baghdad\u2069"
    shown = reveal(text)
    assert len(shown) == len(text)
    assert len(shown.encode("utf-16-le")) == len(text.encode("utf-16-le"))
    assert has_hidden(text) and not has_hidden(shown)
    assert reveal("plain ascii") == "plain ascii" and not has_hidden("plain ascii")


def test_reveal_hidden_name_says_what_a_marked_character_is() -> None:
    assert hidden_name("\u202e") == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert hidden_name("\u200b") == "U+200B ZERO WIDTH SPACE"
    assert hidden_name("a") is None
