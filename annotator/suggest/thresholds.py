"""The claim score from which the window's suggester suggests a claim, in a module of its
own: the window reads it to draw its first document, without importing the claim rules
(:mod:`annotator.suggest.claims`, which re-exports it)."""

from __future__ import annotations

#: With a learned model, units scoring from this are suggested.
COMBINED_THRESHOLD = 0.5
