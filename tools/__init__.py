"""Developer tooling, not installed with the product (the wheel holds ``annotator``
only): the screenshots of ``docs/`` (``python -m tools.screenshots``, ``make
screenshots``) and the import rewrite of issue 22 (``tools/ui_imports.py``)."""
