"""Decisions without the window: ``decide`` (a file of JSON lines) and its shortcuts
``reject``, ``relabel`` and ``add``, all through :mod:`annotator.decide`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..model import LAYERS, Decision, as_layer
from ._util import db_option, main, open_store

if TYPE_CHECKING:
    from ..decide import DecideResult
    from ..store import Store

annotator_option = click.option(
    "--annotator", "annotator_name", default=None,
    help="Who decides (default: $ANNOTATOR_NAME, else the annotator of a split file, else "
         "the login name).")
dry_run_option = click.option("--dry-run", is_flag=True,
                              help="Print what would change; write nothing.")


Entries = Callable[["Store"], Iterable[tuple[str, str | dict[str, Any]]]]


def _run(db_path: Path | None, annotator_name: str | None, entries: Entries, source: str,
         skip_invalid: bool = False, dry_run: bool = False,
         done: Callable[[DecideResult], str] | None = None) -> DecideResult:
    """Apply ``entries`` in one transaction, print the dry run's changes and the summary
    (``done``'s, for a shortcut that wrote), and turn a refusal into one line saying
    nothing was written."""
    from ..decide import DecisionsRefused, apply_decisions, describe
    from ..session import Session, decider

    store = open_store(db_path, create=False)
    try:
        session = Session(store, decider(annotator_name, store))
        try:
            result = apply_decisions(session, entries(store), source,
                                     skip_invalid=skip_invalid, dry_run=dry_run)
        except DecisionsRefused as exc:
            raise click.ClickException(f"{exc}; nothing was written") from exc
    finally:
        store.close()
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

    def entries(_store: Store) -> Iterator[tuple[str, str]]:
        return ((f"{source}:{number}", line) for number, line in enumerate(lines, 1))

    _run(db_path, annotator_name, entries, source, skip_invalid, dry_run)


def _selection(store: Store, doc_id: int | None, layer: str | None, label: str | None,
               min_score: float | None, max_score: float | None,
               decisions: tuple[Decision, ...]) -> list[tuple[int, int]]:
    """(document id, span id) of the spans of the project's own set the selectors pick."""
    if doc_id is not None and store.get_document(doc_id) is None:
        raise click.ClickException(f"no document {doc_id} in {store.path}")
    # click.Choice checked the layer; here it becomes the core's vocabulary
    ids = store.pending_span_ids(doc_id=doc_id, layer=as_layer(layer) if layer else None,
                                 label=label, min_score=min_score, max_score=max_score,
                                 decisions=decisions)
    spans = [store.get_span(i) for i in ids]
    return [(s.doc_id, i) for i, s in zip(ids, spans, strict=True) if s is not None]


def selectors(func: Any) -> Any:
    """The options that pick suggestions, shared by ``accept``, ``reject``, ``relabel``."""
    for option in reversed([
        click.option("--doc", "doc_id", type=int, default=None, help="Only this document."),
        click.option("--layer", type=click.Choice(LAYERS), default=None),
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

    def entries(store: Store) -> list[tuple[str, dict[str, Any]]]:
        return [(f"span {span_id}", {"do": "reject", "doc": doc, "span": span_id})
                for doc, span_id in _selection(store, doc_id, layer, label, min_score,
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

    def entries(store: Store) -> list[tuple[str, dict[str, Any]]]:
        return [(f"span {span_id}",
                 {"do": "relabel", "doc": doc, "span": span_id, "label": to_label})
                for doc, span_id in _selection(store, doc_id, layer, label, min_score,
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

    def entries(_store: Store) -> list[tuple[str, dict[str, Any]]]:
        return [("add", {"do": "add", "doc": doc_id, "start": start, "end": end,
                         "label": label})]

    def added(result: DecideResult) -> str:
        span = result.changes[0][1].span
        return f"added {label} span {span.id if span else '?'} [{start}, {end}) to " \
               f"document {doc_id} as {result.annotator}"

    _run(db_path, annotator_name, entries, "add", done=added)
