"""Team commands: ``split``, ``merge``, ``agreement`` (see :mod:`annotator.teams`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._util import main, open_store


@main.command("split")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--annotators", required=True,
              help="Comma-separated names, one project file each: alice,bob,carol.")
@click.option("--overlap", type=click.FloatRange(0, 1), default=0.2, show_default=True,
              help="Fraction of the documents given to more than one annotator.")
@click.option("--copies", type=click.IntRange(min=2), default=2, show_default=True,
              help="How many annotators get each shared document.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the shuffle that picks the shared documents.")
@click.option("--team", default=None,
              help="The team's name in exports (Prodigy's dataset; default: the project's).")
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the annotators' files (NAME.db).")
@click.option("--force", is_flag=True, help="Replace files already there.")
def split_cmd(project: Path, annotators: str, overlap: float, copies: int, seed: int,
              team: str | None, out_dir: Path, force: bool) -> None:
    """Hand the project out: one project file per annotator with their share of the
    documents, the label scheme and the pending suggestions; a seeded fraction of the
    documents (--overlap) goes to --copies annotators, for agreement and review."""
    from ..teams import split

    names = [n.strip() for n in annotators.split(",") if n.strip()]
    store = open_store(project, create=False)
    try:
        result = split(store, names, out_dir, overlap=overlap, seed=seed, copies=copies,
                       team=team, force=force)
    finally:
        store.close()
    click.echo(result.summary())


@main.command("merge")
@click.argument("files", nargs=-1, required=True)
@click.option("--into", "into", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The team project (created if missing).")
@click.option("--annotator", "who", default=None,
              help="Who merges (recorded in the log; default: the login name).")
def merge_cmd(files: tuple[str, ...], into: Path, who: str | None) -> None:
    """Bring annotators' project files back into the team project, each file's decisions
    as that annotator's annotation set (FILE=NAME names a set a file does not name).

    Documents are matched by content hash; nothing is overwritten; merging a file again
    adds only what is new in it; a file that is not a project, is from a newer version
    or holds another label scheme is refused; all of it is one transaction."""
    from ..session import login_name
    from ..teams import merge, parse_source

    result = merge(into, [parse_source(f) for f in files], who or login_name())
    click.echo(result.summary())


@main.command("agreement")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--layer", type=click.Choice(["entity", "claim"]), default="entity",
              show_default=True)
@click.option("--label", default=None, help="Only this label's figures.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def agreement_cmd(project: Path, layer: str, label: str | None, as_json: bool) -> None:
    """Agreement between the annotators of a team project, on the documents two or
    more of them marked done: per pair and label, span F1 (exact, overlap) and Cohen's
    kappa (entities: on tokens; claims: on sentences, claim or not), the claimant
    agreement of claims both marked, and Krippendorff's alpha across all annotators."""
    from ..agreement import agreement, render

    store = open_store(project, create=False)
    try:
        result = agreement(store, layer)
    finally:
        store.close()
    if label is not None and label not in result.labels:
        raise click.ClickException(
            f"no {layer} label {label!r} in the shared documents "
            f"({', '.join(result.labels) or 'none'})")
    if as_json:
        click.echo(json.dumps(result.as_dict(label), indent=2))
    else:
        click.echo(render(result, label))
