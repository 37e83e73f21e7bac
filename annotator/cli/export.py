"""The ``export`` command."""

from __future__ import annotations

import contextlib
import gc
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..formats import ALIGN_CHOICES, FORMATS, LAYER_CHOICES
from ..model import STATUSES
from ._util import FiniteFloatRange, db_option, main, open_store, progress


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl",
              show_default=True, help="Output format.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Output file (a folder for spacy); default: export.jsonl, spacy/, ...")
@click.option("--status", type=click.Choice([*STATUSES, "any"]), default="done",
              show_default=True, help="Only documents with this status (any: all).")
@click.option("--layer", type=click.Choice(LAYER_CHOICES), default=None,
              help="Entities, claims, document labels (doc) or all of them (default: all; "
                   "doccano: entity, as a default doccano project drops overlapping spans; "
                   "csv: doc).")
@click.option("--include-rejected", is_flag=True,
              help="Add rejected suggestions as negative examples (jsonl, spacy).")
@click.option("--annotator", "annotator_name", default=None,
              help="Only spans decided by this annotator.")
@click.option("--dev-fraction", type=FiniteFloatRange(0, 1, max_open=True), default=0.2,
              show_default=True, help="spacy: share of documents in dev.spacy.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="spacy: seed of the train/dev split.")
@click.option("--align", type=click.Choice(ALIGN_CHOICES), default="strict",
              show_default=True,
              help="Spans off token boundaries (jsonl tokens, spacy, conll) are left out "
                   "(strict, counted), grown (expand) or shrunk (contract) to tokens.")
@click.option("--spancat", is_flag=True, help="spacy: config.cfg also trains claim spans.")
@click.option("--no-tokens", is_flag=True, help="jsonl: leave out tokens (faster).")
@click.option("--allow-empty", is_flag=True,
              help="Write an empty export when no document matches, instead of failing.")
@click.option("--force", is_flag=True, help="Overwrite an existing output.")
@click.option("--processes", type=click.IntRange(min=1), default=None,
              help="jsonl: processes that tokenise documents whose tokens are not cached "
                   "yet (default: one per processor, up to 4, when there are many).")
@click.option("--set", "annotation_set", default="auto", show_default=True,
              metavar="auto|gold|ANNOTATOR",
              help="Team projects: whose labels. auto: the reviewed (gold) set where there "
                   "is one, else the one annotator's; a document two annotators did and "
                   "nobody reviewed is left out (and counted).")
@db_option
def export_cmd(fmt: str, out: Path | None, status: str, layer: str | None,
               include_rejected: bool,
               annotator_name: str | None, dev_fraction: float, seed: int, align: str,
               spancat: bool, no_tokens: bool, allow_empty: bool, force: bool,
               processes: int | None, annotation_set: str, db_path: Path | None) -> None:
    """Write the labelled documents as a training set: jsonl (Prodigy superset),
    spacy (train/dev DocBin + config.cfg), doccano, labelstudio, conll or csv (a column
    per document-label category).

    By default only documents marked done and only accepted spans. Prints a summary
    (documents, spans per label, anything left out and why)."""
    # The exporters load when an export runs (35 ms: not on the way of --help).
    from ..export import ExportOptions, count_documents, default_output, export

    opts = ExportOptions(status=status, layer=layer, include_rejected=include_rejected,
                         annotator=annotator_name, dev_fraction=dev_fraction, seed=seed,
                         align=align, spancat=spancat, tokens=not no_tokens,
                         annotation_set=annotation_set, allow_empty=allow_empty)
    out = out or default_output(fmt)
    with open_store(db_path, create=False) as store:
        # every refusal (an unknown set, nothing to export, an output that exists...) is
        # export()'s, in the words the window shows too
        total = count_documents(store, opts)
        # What is alive now lives until exit: keep the collector from re-scanning it
        # every few thousand allocations of the stream (about 10% of an export's time).
        gc.freeze()
        try:
            with interruptible(), progress(total=total, desc="exporting") as bar:
                def on_progress(n: int) -> None:
                    bar.update(n - bar.n)

                summary = export(store, fmt, out, opts, force=force,
                                 on_progress=on_progress, processes=processes)
        except (KeyboardInterrupt, Terminated) as exc:
            signum = exc.signum if isinstance(exc, Terminated) else signal.SIGINT
            click.echo(f"export interrupted ({signal.Signals(signum).name}); no partial "
                       "output or temporary file left behind", err=True)
            sys.exit(128 + signum)
    click.echo(summary.summary())


class Terminated(BaseException):
    """SIGTERM, raised where the program is, so that cleanup (``finally``) runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGTERM (and SIGHUP) raise :class:`Terminated` meanwhile, as SIGINT raises
    ``KeyboardInterrupt``: the export removes its temporary files either way. A signal
    the process ignores (``nohup``) stays ignored."""
    names = ("SIGTERM", "SIGHUP")
    signums = [getattr(signal, n) for n in names if hasattr(signal, n)]
    try:
        old = {n: signal.getsignal(n) or signal.SIG_DFL for n in signums}
        for n, handler in old.items():
            if handler is not signal.SIG_IGN:
                signal.signal(n, _terminate)
    except ValueError:  # not the main thread: signals go elsewhere
        yield
        return
    try:
        yield
    finally:
        for n, handler in old.items():
            signal.signal(n, handler)
