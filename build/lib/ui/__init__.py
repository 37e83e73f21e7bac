"""Annotator GUI (PySide6). The only place that imports Qt."""
