"""Suggesters: spaCy entities and rule-based claims over the same parse."""
