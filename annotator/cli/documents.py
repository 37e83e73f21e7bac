"""Commands on documents: ``import``, ``list``, ``show``, ``stats``, ``mark``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..model import STATUSES, as_status
from ._util import db_option, main, open_store, progress

if TYPE_CHECKING:
    from ..store import Store


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
    store = open_store(db_path, readonly=True)
    chosen = None if doc_label is None else _doc_label_filter(store, doc_label)
    out = sys.stdout
    left = limit
    page = 100  # a small first page, so the first lines come at once
    while left is None or left > 0:
        rows = store.document_rows(status=status, search=search, after_id=after_id,
                                   limit=page if left is None else min(page, left),
                                   doc_label=chosen)
        if not rows:
            break
        if as_json:
            lines = [json.dumps(row, ensure_ascii=False) for row in rows]
        else:
            lines = [f"{row['id']:>6}  {row['status']:<11}  {row['pending']:>4} pending "
                     f"{row['accepted']:>4} accepted  {row['title'][:70]}" for row in rows]
        out.write("\n".join(lines) + "\n")
        out.flush()
        after_id = rows[-1]["id"]
        if left is not None:
            left -= len(rows)
        page = 2000
    store.close()


def _doc_label_filter(store: Store, value: str) -> tuple[str, str]:
    """``--doc-label CATEGORY=LABEL`` as a pair, both in the project's scheme."""
    from ..errors import LabelError
    from ..labels import existing_category

    category, sep, label = value.partition("=")
    if not sep or not category or not label:
        raise click.BadParameter(f"{value!r}: give CATEGORY=LABEL, e.g. topic=politics",
                                 param_hint="--doc-label")
    scheme = store.label_scheme()
    try:
        existing_category(scheme, category)
    except LabelError as exc:
        raise LabelError(f"--doc-label {value}: {exc}") from None
    names = [x.name for x in scheme.doc_labels(category)]
    if label not in names:
        raise LabelError(f"--doc-label {value}: no label {label!r} in category {category} "
                         f"({', '.join(names) or 'none'})")
    return category, label


@main.command("show")
@click.argument("doc_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@db_option
def show_cmd(doc_id: int, as_json: bool, db_path: Path | None) -> None:
    """A document, its meta, its document labels, all its spans and claim attributes."""
    store = open_store(db_path, readonly=True)
    doc = store.document(doc_id)
    spans = store.spans(doc_id)
    by_id = {s.id: s for s in spans}
    out_spans = []
    for s in spans:
        item: dict[str, Any] = {
            "id": s.id, "layer": s.layer, "start": s.start, "end": s.end, "label": s.label,
            "origin": s.origin, "decision": s.decision, "score": s.score, "model": s.model,
            "annotator": s.annotator, "text": doc.text[s.start:s.end], "cues": s.cues,
        }
        if s.claim is not None:
            claim = s.claim.as_dict()
            target = by_id.get(claim["claimant_span_id"])
            claim["claimant"] = (
                {"span_id": target.id, "text": doc.text[target.start:target.end],
                 "label": target.label}
                if target else claim["claimant_text"])
            item["claim"] = claim
        out_spans.append(item)
    doc_labels = [{k: v for k, v in r.as_dict().items() if k not in ("doc_id",
                                                                      "annotation_set")}
                  for r in store.doc_labels(doc_id)]
    if as_json:
        click.echo(json.dumps({
            "id": doc.id, "status": doc.status, "note": doc.note, "title": doc.title,
            "meta": doc.meta, "content_hash": doc.content_hash, "text": doc.text,
            "spans": out_spans, "doc_labels": doc_labels,
        }, ensure_ascii=False, indent=2))
        return
    click.echo(f"# {doc.id} [{doc.status}] {doc.title}")
    click.echo(json.dumps(doc.meta, ensure_ascii=False))
    for row in doc_labels:
        score = "" if row["score"] is None else f" {row['score']:.2f}"
        click.echo(f"{row['category']}: {row['label']} ({row['origin']} {row['decision']}"
                   f"{score})")
    click.echo()
    click.echo(doc.text)
    click.echo()
    for item in out_spans:
        click.echo(f"{item['id']:>6} {item['layer']:<6} {item['start']:>6}-{item['end']:<6} "
                   f"{item['label']:<10} {item['origin']:<5} {item['decision']:<8} "
                   f"{'' if item['score'] is None else format(item['score'], '.2f'):>5} "
                   f"{item['text'][:60]!r}")
        if "claim" in item:
            click.echo(f"{'':>14}{json.dumps(item['claim'], ensure_ascii=False)}")


@main.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@db_option
def stats_cmd(as_json: bool, db_path: Path | None) -> None:
    """Documents by status; spans by layer, label and decision; document labels by
    category, label and decision."""
    store = open_store(db_path, readonly=True)
    stats = store.stats()
    if as_json:
        click.echo(json.dumps(stats, indent=2))
        return
    docs = stats["documents"]
    click.echo(f"documents: {docs['total']}  " + "  ".join(
        f"{k}: {v}" for k, v in docs["by_status"].items()))
    for layer, labels in stats["spans"].items():
        click.echo(f"{layer}:")
        for label, counts in labels.items():
            click.echo(f"  {label:<12} " + "  ".join(f"{k}: {v}" for k, v in counts.items()))
    for category, labels in stats["doc_labels"].items():
        click.echo(f"document labels, {category}:")
        for label, counts in labels.items():
            click.echo(f"  {label:<12} " + "  ".join(f"{k}: {v}" for k, v in counts.items()))
    if "annotation_sets" in stats:
        review = stats["review"]
        click.echo(f"annotation sets (shared documents: {review['shared']}, to review: "
                   f"{review['to_review']}):")
        for name, item in stats["annotation_sets"].items():
            click.echo(f"  {name:<12} " + "  ".join(
                f"{k}: {v}" for k, v in item["by_status"].items())
                + f"  accepted spans: {item['accepted_spans']}"
                + (f"  accepted document labels: {item['accepted_doc_labels']}"
                   if item.get("accepted_doc_labels") else ""))


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
    # what annotator.api.Project(db, annotator).mark_all does, without importing the API
    # (the decisions, the label files): a quick command starts in tens of ms (issue 28)
    from ..session import Session, decider

    if not doc_ids and not all_docs:
        raise click.UsageError("give document ids, or --all")
    if doc_ids and all_docs:
        raise click.UsageError("give document ids or --all, not both")
    with open_store(db_path, create=False) as store:
        session = Session(store, decider(annotator_name, store))
        changed = session.set_statuses(  # click.Choice checked both statuses
            list(doc_ids) if doc_ids else None, as_status(status), note=note,
            from_status=as_status(from_status) if from_status else None)
        who = session.annotator
    click.echo(f"marked {len(changed)} document(s) {status} as {who}")
