"""Data shipped with Annotator (label scheme, lexicons, sample articles, models).

This folder sits at the top of the repository and installs as the package
``annotator.resources`` (``package-dir`` in ``pyproject.toml``); read its files with
:func:`annotator.paths.resource`, never by a path relative to the source tree."""
