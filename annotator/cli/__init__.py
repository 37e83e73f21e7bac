"""The ``annotator`` command line: a thin click layer over the core.

:mod:`._util` holds the group and what commands share; each module holds one group of
commands. :data:`COMMANDS` below registers them all, in one place: a command's module is
imported only when that command runs (or the help lists it), so ``annotator list``
imports neither the exporters nor the suggester.
"""

from __future__ import annotations

from ._util import main

#: command name -> the module of ``annotator.cli`` that defines it (on ``main``)
COMMANDS: dict[str, str] = {
    "import": "documents",
    "list": "documents",
    "show": "documents",
    "stats": "documents",
    "mark": "documents",
    "suggest": "suggest",
    "accept": "suggest",
    "decide": "decisions",
    "reject": "decisions",
    "relabel": "decisions",
    "add": "decisions",
    "export": "export",
    "evaluate": "evaluate",
    "labels": "labels",
    "split": "teams",
    "merge": "teams",
    "assign": "teams",
    "agreement": "teams",
    "review": "teams",
    "train": "train",
    "models": "train",
    "doctor": "doctor",
}
main.lazy_commands = COMMANDS

__all__ = ["COMMANDS", "main"]
