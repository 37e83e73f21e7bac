"""The ``annotator`` command line: a thin click layer over the core."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import click
import platformdirs

from .store import Store, StoreError


def default_db_path() -> Path:
    """``$ANNOTATOR_DB``, else ``default.db`` in the platform's user data directory."""
    env = os.environ.get("ANNOTATOR_DB")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path("annotator", appauthor=False) / "default.db"


db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Project database (default: $ANNOTATOR_DB or default.db in the user data dir).",
)


def open_store(db_path: Path | None, create: bool = True) -> Store:
    """Open the project or exit with a one-line message."""
    path = db_path or default_db_path()
    try:
        return Store(path, create=create)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


def progress(iterable: Any = None, total: int | None = None, desc: str = "", unit: str = "doc"):
    """A progress bar on a terminal, silent when stderr is piped."""
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=not sys.stderr.isatty(),
                leave=False, dynamic_ncols=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="annotator")
def main() -> None:
    """Annotator: label entities and factual claims in news articles."""


@main.command("import")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["auto", "txt", "jsonl", "csv"]),
              default="auto", show_default=True, help="Input format (auto: by file ending).")
@click.option("--text-field", default="text", show_default=True,
              help="JSONL key or CSV column holding the article text.")
@db_option
def import_cmd(paths: tuple[Path, ...], fmt: str, text_field: str, db_path: Path | None) -> None:
    """Import .txt, .jsonl or .csv files, or folders of them (recursively).

    The whole import is one transaction: on any error nothing is written."""
    from .importers import ImportFailed, import_paths

    store = open_store(db_path)
    try:
        with progress(desc="importing") as bar:
            result = import_paths(store, list(paths), fmt=fmt, text_field=text_field,
                                  on_document=lambda: bar.update(1))
    except ImportFailed as exc:
        raise click.ClickException(f"{exc} (nothing was imported)") from exc
    click.echo(result.summary())


@main.command("list")
@click.option("--status", type=click.Choice(["new", "in_progress", "done", "skipped", "flagged"]))
@click.option("--search", default=None, help="Only documents whose title or text contains this.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@db_option
def list_cmd(status: str | None, search: str | None, as_json: bool, db_path: Path | None) -> None:
    """One line per document: id, status, title, span counts."""
    store = open_store(db_path, create=False)
    offset = 0
    while True:
        rows = store.document_rows(status=status, search=search, offset=offset, limit=1000)
        if not rows:
            break
        for row in rows:
            if as_json:
                click.echo(json.dumps(row, ensure_ascii=False))
            else:
                click.echo(f"{row['id']:>6}  {row['status']:<11}  "
                           f"{row['pending']:>4} pending {row['accepted']:>4} accepted  "
                           f"{row['title'][:70]}")
        offset += len(rows)


@main.command("show")
@click.argument("doc_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@db_option
def show_cmd(doc_id: int, as_json: bool, db_path: Path | None) -> None:
    """A document, its meta, all its spans and claim attributes."""
    store = open_store(db_path, create=False)
    doc = store.get_document(doc_id)
    if doc is None:
        raise click.ClickException(f"no document {doc_id} in {store.path}")
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
    if as_json:
        click.echo(json.dumps({
            "id": doc.id, "status": doc.status, "note": doc.note, "title": doc.title,
            "meta": doc.meta, "content_hash": doc.content_hash, "text": doc.text,
            "spans": out_spans,
        }, ensure_ascii=False, indent=2))
        return
    click.echo(f"# {doc.id} [{doc.status}] {doc.title}")
    click.echo(json.dumps(doc.meta, ensure_ascii=False))
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
    """Documents by status; spans by layer, label and decision."""
    store = open_store(db_path, create=False)
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


@main.command("gui")
@click.option("--annotator", "annotator_name", default=None, help="Who is annotating.")
@db_option
def gui_cmd(db_path: Path | None, annotator_name: str | None) -> None:
    """Open the annotation window (same as ``python main.py``)."""
    # Imported by name: the core never imports the GUI package at module level.
    run = importlib.import_module("ui.app").run
    argv = [] if db_path is None else ["--db", str(db_path)]
    if annotator_name:
        argv += ["--annotator", annotator_name]
    sys.exit(run(argv))


# Commands of later layers register themselves on `main` when imported.
from . import cli_evaluate, cli_export, cli_suggest  # noqa: E402,F401

if __name__ == "__main__":
    # Run as `python -m annotator.cli`, this file is `__main__`, while the command
    # modules registered themselves on the `annotator.cli` module's group: use that one.
    importlib.import_module("annotator.cli").main()
