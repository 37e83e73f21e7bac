"""Decisions without the window: ``decide`` (a file of JSON lines) and its shortcuts
``reject``, ``relabel`` and ``add``, all through :mod:`annotator.decide`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..model import LAYERS, Decision, as_layer
from ..paths import default_db_path
from ._util import db_option, main

if TYPE_CHECKING:
    from ..api import Project
    from ..decide import DecideResult

annotator_option = click.option(
    "--annotator", "annotator_name", default=None,
    help="Who decides (default: $ANNOTATOR_NAME, else the annotator of a split file, else "
         "the name saved in the project for this login, else the login name).")
dry_run_option = click.option("--dry-run", is_flag=True,
                              help="Print what would change; write nothing.")


Entries = Callable[["Project"], Iterable[tuple[str, str | dict[str, Any]]]]


def open_project(db_path: Path | None, annotator_name: str | None) -> Project:
    """The project as :class:`annotator.api.Project` (who decides by its rule); a file
    that is not a project is refused by the core, which the group says in one line."""
    from ..api import Project

    return Project(db_path or default_db_path(), annotator_name)


def _run(db_path: Path | None, annotator_name: str | None, entries: Entries, source: str,
         skip_invalid: bool = False, dry_run: bool = False,
         done: Callable[[DecideResult], str] | None = None) -> DecideResult:
    """Apply ``entries`` in one transaction (:meth:`Project.decide`), print the dry
    run's changes and the summary (``done``'s, for a shortcut that wrote). A refusal
    (a line that cannot apply: ``FILE:LINE: reason; nothing was written``) is the
    core's, which the group says in one line."""
    from ..decide import describe

    with open_project(db_path, annotator_name) as project:
        result = project.decide(entries(project), source, skip_invalid=skip_invalid,
                                dry_run=dry_run)
    if dry_run:
        for where, change in result.changes:
            click.echo(describe(where, change))
    click.echo(done(result) if done is not None and not dry_run else result.summary())
    return result


@main.command("decide")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--skip-invalid", is_flag=True,
              help="Skip the lines that cannot apply (counted and listed), apply the rest.")
@dry_run_option
@annotator_option
@db_option
def decide_cmd(file: Path, skip_invalid: bool, dry_run: bool, annotator_name: str | None,
               db_path: Path | None) -> None:
    """Apply decisions from FILE (JSON lines; - reads standard input), as the window
    would: one transaction for the whole file, each decision logged as events.

    A line that cannot apply is refused with FILE:LINE and its reason, and nothing is
    written (or, with --skip-invalid, it is listed and the rest applied). The line
    format: docs/cli-decide.md."""
    if str(file) == "-":
        source, lines = "<stdin>", sys.stdin.read().splitlines()
    else:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"{file}: cannot read ({exc}); nothing was "
                                       "written") from exc
        source = str(file)

    def entries(_project: Project) -> Iterator[tuple[str, str]]:
        return ((f"{source}:{number}", line) for number, line in enumerate(lines, 1))

    _run(db_path, annotator_name, entries, source, skip_invalid, dry_run)


def _select(project: Project, doc_id: int | None, layer: str | None, label: str | None,
            min_score: float | None, max_score: float | None,
            decisions: tuple[Decision, ...]) -> list[tuple[int, int]]:
    """:meth:`Project.select` (its refusals are the core's; ``layer``: click.Choice
    checked it, here it becomes the core's vocabulary)."""
    return project.select(doc_id, as_layer(layer) if layer else None, label, min_score,
                          max_score, decisions)


def selectors(func: Any) -> Any:
    """The options that pick suggestions, shared by ``accept``, ``reject``, ``relabel``."""
    for option in reversed([
        click.option("--doc", "doc_id", type=int, default=None, help="Only this document."),
        click.option("--layer", type=click.Choice(LAYERS), default=None,
                     help="Only suggestions of this layer."),
        click.option("--min-score", default=None, type=click.FloatRange(0, 1),
                     help="Only suggestions scoring at least this."),
        click.option("--max-score", default=None, type=click.FloatRange(0, 1),
                     help="Only suggestions scoring at most this."),
    ]):
        func = option(func)
    return func


@main.command("reject")
@selectors
@click.option("--label", default=None, help="Only suggestions with this label.")
@dry_run_option
@annotator_option
@db_option
def reject_cmd(doc_id: int | None, layer: str | None, min_score: float | None,
               max_score: float | None, label: str | None, dry_run: bool,
               annotator_name: str | None, db_path: Path | None) -> None:
    """Reject pending suggestions in bulk (one transaction, logged as decisions)."""

    def entries(project: Project) -> list[tuple[str, dict[str, Any]]]:
        return [(f"span {span_id}", {"do": "reject", "doc": doc, "span": span_id})
                for doc, span_id in _select(project, doc_id, layer, label, min_score,
                                            max_score, ("pending",))]

    _run(db_path, annotator_name, entries, "reject", dry_run=dry_run,
         done=lambda r: f"rejected {r.applied} suggestion(s) as {r.annotator}")


@main.command("relabel")
@selectors
@click.option("--label", required=True, help="The label to change.")
@click.option("--to", "to_label", required=True, help="The label it becomes.")
@dry_run_option
@annotator_option
@db_option
def relabel_cmd(doc_id: int | None, layer: str | None, min_score: float | None,
                max_score: float | None, label: str, to_label: str, dry_run: bool,
                annotator_name: str | None, db_path: Path | None) -> None:
    """Relabel spans with --label (pending and accepted) as --to, which accepts them
    (one transaction, logged as decisions). An entity that would then cover an accepted
    one refuses the whole command."""

    def entries(project: Project) -> list[tuple[str, dict[str, Any]]]:
        return [(f"span {span_id}",
                 {"do": "relabel", "doc": doc, "span": span_id, "label": to_label})
                for doc, span_id in _select(project, doc_id, layer, label, min_score,
                                            max_score, ("pending", "accepted"))]

    _run(db_path, annotator_name, entries, "relabel", dry_run=dry_run,
         done=lambda r: f"relabelled {r.applied} {label} span(s) as {to_label} "
                        f"as {r.annotator}")


@main.command("add")
@click.argument("doc_id", type=int)
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.argument("label")
@annotator_option
@db_option
def add_cmd(doc_id: int, start: int, end: int, label: str, annotator_name: str | None,
            db_path: Path | None) -> None:
    """Add a span [START, END) (code points) with LABEL to document DOC_ID, accepted;
    its layer is the label's. It replaces the pending suggestions it overlaps and is
    refused over an accepted entity."""

    def entries(_project: Project) -> list[tuple[str, dict[str, Any]]]:
        return [("add", {"do": "add", "doc": doc_id, "start": start, "end": end,
                         "label": label})]

    def added(result: DecideResult) -> str:
        from ..session import Change

        change = result.changes[0][1]
        span = change.span if isinstance(change, Change) else None
        return f"added {label} span {span.id if span else '?'} [{start}, {end}) to " \
               f"document {doc_id} as {result.annotator}"

    _run(db_path, annotator_name, entries, "add", done=added)
