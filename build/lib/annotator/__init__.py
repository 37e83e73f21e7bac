"""Annotator core: storage, import, suggestions, export, annotation operations (no Qt)."""
