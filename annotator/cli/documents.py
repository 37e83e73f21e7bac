"""Commands on documents: ``import``, ``list``, ``show``, ``stats``, ``mark`` (the bodies
of the last four are in :mod:`.quick`, shared with the fast path of :mod:`.fast`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..model import STATUSES
from . import quick
from ._util import db_option, main, open_store, progress


@main.command("import")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(
    ["auto", "txt", "jsonl", "csv", "labelstudio", "doccano", "prodigy", "conll", "spacy"]),
              default="auto", show_default=True,
              help="Input format (auto: by the file's content, then its ending).")
@click.option("--text-field", default="text", show_default=True,
              help="JSONL key, CSV column or Label Studio data field holding the text "
                   "(Label Studio: the config's <Text value=\"$...\"> wins).")
@click.option("--status", type=click.Choice(["new", "done"]), default=None,
              help="Status of every imported document (default: as the file says, else "
                   "new). done: labelled data from elsewhere counts as finished annotation.")
@click.option("--add-labels", is_flag=True,
              help="Add the labels the file uses and the project lacks (else the import "
                   "is refused, naming them).")
@click.option("--as-sets", is_flag=True,
              help="Label Studio: each annotation with a completed_by goes to that "
                   "annotator's set (as a team merge makes them), not the project's own.")
@click.option("--doc-label-column", "doc_label_columns", multiple=True, metavar="CATEGORY",
              help="CSV: this column holds document labels of the category of its name, "
                   "several separated by spaces (as export --format csv writes them). "
                   "Repeat for more columns.")
@db_option
def import_cmd(paths: tuple[Path, ...], fmt: str, text_field: str, status: str | None,
               add_labels: bool, as_sets: bool, doc_label_columns: tuple[str, ...],
               db_path: Path | None) -> None:
    """Import .txt, .jsonl or .csv files, the exports of Label Studio (JSON, JSON-MIN,
    task lines), doccano, Prodigy, CoNLL and spaCy (.spacy), or folders of them.

    The whole import is one transaction: on any error nothing is written. Labels must be
    the project's, or pass --add-labels. A Prodigy line answered "reject" brings its spans
    as rejected suggestions; lines repeating a text add their labels to its document.
    What a file holds that has no place here is counted in the summary, with its reason."""
    from ..importers import import_paths

    with open_store(db_path) as store, progress(desc="importing") as bar:
        result = import_paths(store, list(paths), fmt=fmt, text_field=text_field,
                              on_document=lambda: bar.update(1), status=status,
                              add_labels=add_labels, as_sets=as_sets,
                              doc_label_columns=doc_label_columns)
    click.echo(result.summary())


@main.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only documents with this status.")
@click.option("--search", default=None,
              help="Only documents with these words (by prefix, any case or accent), or this id.")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="At most this many lines.")
@click.option("--after", "after_id", type=click.IntRange(min=0), default=0,
              help="Start after this document id (the next page: the last id shown).")
@click.option("--doc-label", "doc_label", default=None, metavar="CATEGORY=LABEL",
              help="Only documents with this document label accepted (e.g. "
                   "topic=politics).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@db_option
def list_cmd(status: str | None, search: str | None, limit: int | None, after_id: int,
             doc_label: str | None, as_json: bool, db_path: Path | None) -> None:
    """One line per document: id, status, span counts, title. Streams: the first lines
    come at once on a project of any size, pages by id as the window does."""
    quick.list_documents(db_path, status=status, search=search, limit=limit,
                         after_id=after_id, doc_label=doc_label, as_json=as_json)


@main.command("show")
@click.argument("doc_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@db_option
def show_cmd(doc_id: int, as_json: bool, db_path: Path | None) -> None:
    """A document, its meta, its document labels, all its spans and claim attributes."""
    quick.show_document(db_path, doc_id, as_json=as_json, echo=click.echo)


@main.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@db_option
def stats_cmd(as_json: bool, db_path: Path | None) -> None:
    """Documents by status; spans by layer, label and decision; document labels by
    category, label and decision."""
    quick.show_stats(db_path, as_json=as_json, echo=click.echo)


@main.command("mark")
@click.argument("status", type=click.Choice(STATUSES))
@click.argument("doc_ids", nargs=-1, type=int)
@click.option("--all", "all_docs", is_flag=True, help="Every document (with --from-status: "
              "every document of that status).")
@click.option("--from-status", type=click.Choice(STATUSES), default=None,
              help="Only documents that have this status now.")
@click.option("--note", default=None, help="A note for the documents (e.g. why flagged).")
@click.option("--annotator", "annotator_name", default=None,
              help="Who decides (default: $ANNOTATOR_NAME, else the annotator of a split "
                   "file, else the name saved in the project for this login, else the "
                   "login name).")
@db_option
def mark_cmd(status: str, doc_ids: tuple[int, ...], all_docs: bool, from_status: str | None,
             note: str | None, annotator_name: str | None, db_path: Path | None) -> None:
    """Set the status of documents (new, in_progress, done, skipped, flagged), as the
    window's D, S and F keys do: one transaction, one logged event per document.

    Give document ids, or --all (optionally with --from-status)."""
    if not doc_ids and not all_docs:
        raise click.UsageError("give document ids, or --all")
    if doc_ids and all_docs:
        raise click.UsageError("give document ids or --all, not both")
    quick.mark_documents(db_path, status, list(doc_ids) if doc_ids else None,
                         from_status=from_status, note=note, annotator_name=annotator_name,
                         echo=click.echo)  # click.Choice checked both statuses
