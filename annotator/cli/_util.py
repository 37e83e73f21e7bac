"""What every command shares: the ``annotator`` group, the ``--db`` option, opening
the project with a one-line error, and a progress bar.

Commands of other packages register through the entry point group
``annotator.commands`` (the window's ``gui`` command does, from ``ui/``): the core
never imports them, and they load only when their command is asked for. The entry
points are read only for a command that is not our own, or to list every command.
"""

from __future__ import annotations

import importlib
import os
import sys
from functools import cached_property
from pathlib import Path
from typing import Any

import click

from .. import __version__
from . import COMMANDS
from .quick import failure
from .quick import open_store as open_store

PLUGIN_GROUP = "annotator.commands"


class AnnotatorGroup(click.Group):
    """A click group whose commands load on demand: our own from the module that
    :attr:`lazy_commands` names (the table in :mod:`annotator.cli`), the commands of
    the ``annotator.commands`` entry points from theirs, each only when it is run (or
    the help lists it)."""

    lazy_commands: dict[str, str] = {}  # command name -> module in annotator.cli

    @cached_property
    def _plugins(self) -> dict[str, str]:
        return plugin_commands()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands, *self._plugins})

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command. A refusal (:class:`~annotator.errors.AnnotatorError`) or a
        failure of the storage (full disk, read-only or busy project, I/O error) ends in
        one line and exit 1, never a traceback. Anything else is a bug: its traceback
        is printed, then a line asking for a report (:data:`annotator.errors.REPORT`),
        and the exit status is 1."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: a usage error, --help, Ctrl+C at a prompt
        except Exception as exc:  # the one handler, shared with the fast path
            raise click.ClickException(failure(exc, ctx.invoked_subcommand)) from exc

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy_commands:
            # the module registers its commands on this group as it is imported
            importlib.import_module(f"{__package__}.{self.lazy_commands[cmd_name]}")
            command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self._plugins:
            module, _, attr = self._plugins[cmd_name].partition(":")
            loaded = importlib.import_module(module.strip())
            for name in attr.split("[")[0].strip().split("."):  # "mod:attr [extra]"
                loaded = getattr(loaded, name)
            if isinstance(loaded, click.Command):
                return loaded
        return command


@click.group(cls=AnnotatorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annotator")
def main() -> None:
    """Annotator: label entities and factual claims in news articles."""


main.lazy_commands = COMMANDS


def plugin_commands(group: str = PLUGIN_GROUP) -> dict[str, str]:
    """The entry points of ``group`` (name -> ``module:attr``) of the installed packages,
    read from their ``entry_points.txt`` as :func:`importlib.metadata.entry_points`
    finds them (first one of a name wins, as on ``sys.path``), without importing
    :mod:`importlib.metadata` (and email, zipfile, csv...): about 45 ms, more than the
    rest of ``annotator --help``."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            entries = [e for e in os.scandir(folder or ".")
                       if e.name.endswith((".dist-info", ".egg-info")) and e.is_dir()]
        except OSError:
            continue
        for entry in sorted(entries, key=lambda e: e.name):
            try:
                lines = Path(entry.path, "entry_points.txt").read_text("utf-8").splitlines()
            except OSError:
                continue
            section = None
            for line in lines:
                line = line.strip()
                if line.startswith("[") and line.endswith("]"):
                    section = line[1:-1].strip()
                elif section == group and "=" in line and not line.startswith(("#", ";")):
                    name, _, value = line.partition("=")
                    found.setdefault(name.strip(), value.strip())
    return found


db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Project database (default: $ANNOTATOR_DB or default.db in the user data dir).",
)


class FiniteFloatRange(click.FloatRange):
    """``click.FloatRange`` that also refuses ``nan`` and ``inf`` (which compare false
    with every bound, so a plain range lets ``nan`` through)."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        import math

        number = super().convert(value, param, ctx)
        if isinstance(number, float) and not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


def progress(iterable: Any = None, total: int | None = None, desc: str = "",
             unit: str = "doc") -> Any:
    """A progress bar on a terminal, silent when stderr is piped."""
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=not sys.stderr.isatty(),
                leave=False, dynamic_ncols=True)
