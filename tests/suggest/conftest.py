"""Fixtures: the real pipeline, loaded once per session (the parse is what the claim
rules read), and a helper that runs both suggesters over one text."""

from __future__ import annotations

import pytest

from annotator.suggest.claims import ClaimSuggestion, suggest_claims
from annotator.suggest.entities import EntitySuggestion, suggest_entities


@pytest.fixture(scope="session")
def nlp():
    from annotator.suggest.runner import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def analyse(nlp):
    """``analyse(text) -> (entities, claims)`` with the real pipeline."""

    def run(text: str) -> tuple[list[EntitySuggestion], list[ClaimSuggestion]]:
        doc = nlp(text)
        entities = suggest_entities(doc)
        return entities, suggest_claims(doc, entities)

    return run
