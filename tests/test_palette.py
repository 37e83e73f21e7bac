"""The default label colours and the automatic colours of new labels are told apart,
also by deuteranopes, and label text stays readable on its fill (issue 26 §4).

Distances are CIEDE2000 (annotator/colour.py): about 2.3 is just noticeable side by side,
5 is clearly another shade, 10 reads as another colour. The article draws an accepted
entity as its colour at 92/255 opacity over the page (ui/highlighter.py), so the fills
are measured as drawn too: they are paler, hence closer.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from annotator.colour import blend, contrast, delta_e2000_lab, deuteranopia, min_distance
from annotator.labels import PALETTE

ROOT = Path(__file__).resolve().parents[1]

ACCEPTED_ALPHA = 92 / 255  # ui/highlighter.py, an accepted entity on a light page


def scheme_colors(doc: bool = False) -> list[str]:
    """The shipped span labels' colours (``doc``: the document labels' instead: they are
    shown in the document-label bar, never in the article beside span labels)."""
    data = tomllib.loads((ROOT / "resources" / "labels.toml").read_text(encoding="utf-8"))
    return [str(x["color"]) for x in data["label"] if (x.get("layer") == "doc") == doc]


def drawn(colors: list[str]) -> list[str]:
    return [blend(c, ACCEPTED_ALPHA) for c in colors]


def deutan(colors: list[str]) -> list[str]:
    return [deuteranopia(c) for c in colors]


@pytest.mark.parametrize(("first", "second", "expected"), [  # Sharma, Wu, Dalal (2005)
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (50.0, 0.0, -2.5), 4.3065),
    ((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514), 0.9082),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
])
def test_ciede2000_matches_the_published_pairs(first, second, expected):
    assert delta_e2000_lab(first, second) == pytest.approx(expected, abs=1e-4)


def test_default_scheme_colours_are_told_apart():
    colors = scheme_colors()
    assert len(set(colors)) == len(colors)
    assert min_distance(colors) >= 10  # another colour each
    assert min_distance(deutan(colors)) >= 8  # and to a deuteranope, clearly another shade
    assert min_distance(drawn(colors)) >= 4.5  # as filled in the article
    assert min_distance(deutan(drawn(colors))) >= 3.5


def test_default_document_label_colours_are_told_apart():
    """Document labels by the same rules as span labels, among themselves (issue 25),
    and not a span label's twin (5.5, as the automatic colours)."""
    colors = scheme_colors(doc=True)
    assert len(colors) >= 12 and len(set(colors)) == len(colors)
    assert min_distance(colors) >= 10
    assert min_distance(deutan(colors)) >= 8
    assert min_distance(drawn(colors)) >= 4.5
    assert min_distance(deutan(drawn(colors))) >= 3.5
    assert min_distance(colors, scheme_colors()) >= 5.5


def test_label_text_is_readable_on_its_fill():
    for color in scheme_colors() + scheme_colors(doc=True) + list(PALETTE):
        assert contrast("#000000", blend(color, ACCEPTED_ALPHA)) >= 4.5, color


def test_automatic_colours_differ_from_the_scheme_and_each_other():
    colors, auto = scheme_colors(), list(PALETTE)
    assert min_distance(auto) >= 12
    assert min_distance(auto, colors) >= 5.5  # a new label is not LOC's twin
    assert min_distance(deutan(auto)) >= 5.5
    assert min_distance(deutan(auto), deutan(colors)) >= 5.5
