"""Annotator core: storage, import, suggestions, export, annotation operations (no Qt)."""

__version__ = "0.1.0"
