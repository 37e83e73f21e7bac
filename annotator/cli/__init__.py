"""The ``annotator`` command line: a thin click layer over the core.

:mod:`._util` holds the group and what commands share; each module holds one group of
commands. :data:`COMMANDS` below registers them all, in one place: a command's module is
imported only when that command runs (or the help lists it), so ``annotator list``
imports neither the exporters nor the suggester.

The ``annotator`` script starts in :func:`annotator.cli.fast.main`, which runs the common
forms of the quick commands (``list``, ``show``, ``stats``, ``mark``) without click and
hands every other command line to :data:`main`, the click group. :data:`main` is loaded
on first use (``from annotator.cli import main`` works as before), so that importing
this package does not import click.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._util import AnnotatorGroup, main

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


def __getattr__(name: str) -> AnnotatorGroup:
    """``main``, the click group (with its commands), imported on first use."""
    if name == "main":
        from ._util import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["COMMANDS", "main"]
