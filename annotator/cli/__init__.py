"""The ``annotator`` command line: a thin click layer over the core.

:mod:`._util` holds the group and what commands share; each module holds one group of
commands, all registered here, in one place.
"""

from __future__ import annotations

from . import documents, evaluate, export, labels, suggest, teams, train  # noqa: F401
from ._util import main

__all__ = ["main"]
