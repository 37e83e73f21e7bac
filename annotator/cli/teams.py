"""Team commands: ``split``, ``assign``, ``merge``, ``agreement``, ``review`` (see
:mod:`annotator.teams`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ._util import FiniteFloatRange, main, open_store

F = TypeVar("F", bound=Callable[..., Any])


def _deal_options(share: str, seed: str, out: str) -> Callable[[F], F]:
    """The options ``split`` and ``assign`` share (how they deal), with their own
    words for what is shared, what the seed shuffles and the output folder."""
    options = [
        click.argument("project", type=click.Path(exists=True, dir_okay=False,
                                                  path_type=Path)),
        click.option("--annotators", required=True,
                     help="Comma-separated names, one project file each: alice,bob,carol."),
        click.option("--overlap", type=FiniteFloatRange(0, 1), default=0.2,
                     show_default=True,
                     help=f"Fraction of {share} given to more than one annotator."),
        click.option("--copies", type=click.IntRange(min=2), default=2, show_default=True,
                     help="How many annotators get each shared document."),
        click.option("--seed", type=int, default=0, show_default=True, help=seed),
        click.option("--team", default=None,
                     help="The team's name in exports (Prodigy's dataset; default: the "
                          "project's)."),
        click.option("--out", "out_dir", required=True,
                     type=click.Path(file_okay=False, path_type=Path), help=out),
        click.option("--force", is_flag=True, help="Replace files already there."),
    ]

    def wrap(f: F) -> F:
        for option in reversed(options):
            f = option(f)
        return f

    return wrap


@main.command("split")
@_deal_options("the documents", "Seed of the shuffle that picks the shared documents.",
               "Folder for the annotators' files (NAME.db).")
def split_cmd(project: Path, annotators: str, overlap: float, copies: int, seed: int,
              team: str | None, out_dir: Path, force: bool) -> None:
    """Hand the project out: one project file per annotator with their share of the
    documents, the label scheme and the pending suggestions; a seeded fraction of the
    documents (--overlap) goes to --copies annotators, for agreement and review."""
    from ..teams import split

    names = [n.strip() for n in annotators.split(",") if n.strip()]
    with open_store(project, create=False) as store:
        result = split(store, names, out_dir, overlap=overlap, seed=seed, copies=copies,
                       team=team, force=force)
    click.echo(result.summary())


@main.command("assign")
@_deal_options("the batch", "Seed of --order random and of the shuffle that picks the "
               "shared documents.",
               "Folder for the annotators' files (NAME.db); a new one per batch.")
@click.option("--count", type=click.IntRange(min=1), default=None,
              help="How many documents to deal in this batch (default: all not given out "
                   "yet).")
@click.option("--order", type=click.Choice(["sequential", "random", "uncertain"]),
              default="sequential", show_default=True,
              help="Which documents come first: by id, a seeded shuffle, or those whose "
                   "suggestions sit nearest the decision margin (the window's uncertainty "
                   "queue).")
@click.option("--annotator", "who", default=None,
              help="Who deals (recorded in the log; default: $ANNOTATOR_NAME, else the "
                   "login name).")
def assign_cmd(project: Path, annotators: str, count: int | None, overlap: float,
               copies: int, order: str, seed: int, team: str | None, out_dir: Path,
               force: bool, who: str | None) -> None:
    """Deal the next batch: the documents of PROJECT (the team project, with the new
    documents imported into it) not given to anyone yet and not reviewed, as split
    deals them, one file per annotator. A batch file merges back into that
    annotator's set (the same set as their earlier files), and what went to whom is
    recorded in PROJECT, so the next assign deals the documents after these."""
    from ..session import decider
    from ..teams import assign

    names = [n.strip() for n in annotators.split(",") if n.strip()]
    store = open_store(project, create=False)
    try:
        result = assign(store, names, out_dir, count=count, overlap=overlap, seed=seed,
                        copies=copies, order=order, team=team, force=force,
                        who=decider(who, store))
    finally:
        store.close()
    click.echo(result.summary())


@main.command("merge")
@click.argument("files", nargs=-1, required=True)
@click.option("--into", "into", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The team project (created if missing).")
@click.option("--annotator", "who", default=None,
              help="Who merges (recorded in the log; default: $ANNOTATOR_NAME, else the "
                   "login name).")
def merge_cmd(files: tuple[str, ...], into: Path, who: str | None) -> None:
    """Bring annotators' project files back into the team project, each file's decisions
    as that annotator's annotation set (FILE=NAME names a set a file does not name).

    Documents are matched by content hash; nothing is overwritten; merging a file again
    adds only what is new in it; a file that is not a project, is from a newer version
    or holds another label scheme is refused; all of it is one transaction."""
    from ..session import decider
    from ..teams import merge, parse_source

    result = merge(into, [parse_source(f) for f in files], decider(who))
    click.echo(result.summary())


@main.command("agreement")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--layer", type=click.Choice(["entity", "claim", "doc"]), default="entity",
              show_default=True,
              help="The layer whose agreement is computed (doc: the document labels, per "
                   "category).")
@click.option("--label", default=None, help="Only this label's figures (entity, claim).")
@click.option("--category", default=None,
              help="--layer doc: only this category's figures.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def agreement_cmd(project: Path, layer: str, label: str | None, category: str | None,
                  as_json: bool) -> None:
    """Agreement between the annotators of a team project, on the documents two or
    more of them marked done: per pair and label, span F1 (exact, overlap) and Cohen's
    kappa (entities: on tokens; claims: on sentences, claim or not), the claimant
    agreement of claims both marked, and Krippendorff's alpha across all annotators.
    --layer doc: per category, kappa per pair and alpha on the documents (nominal for an
    exclusive category, per label present or not for a multi-label one)."""
    if layer == "doc":
        if label is not None:
            raise click.UsageError("--layer doc takes --category, not --label")
        from ..doc_agreement import doc_agreement
        from ..doc_agreement import render as render_doc

        with open_store(project, create=False) as store:
            found = doc_agreement(store)
        click.echo(json.dumps(found.as_dict(category), indent=2) if as_json
                   else render_doc(found, category))
        return
    if category is not None:
        raise click.UsageError("--category goes with --layer doc")
    from ..agreement import agreement, render

    with open_store(project, create=False) as store:
        result = agreement(store, layer)
    if as_json:
        click.echo(json.dumps(result.as_dict(label), indent=2))
    else:
        click.echo(render(result, label))


@main.command("review")
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--take", "take", default=None, metavar="NAME",
              help="That annotator's version of each document they marked done becomes "
                   "gold.")
@click.option("--majority", is_flag=True,
              help="A span (same start, end, label) in at least --min of the sets goes to "
                   "gold; claim attributes follow the majority too; ties are left open.")
@click.option("--min", "min_sets", type=click.IntRange(min=1), default=None,
              help="--majority/--conflicts: how many sets must hold a span (default: more "
                   "than half of those that marked the document done).")
@click.option("--conflicts", is_flag=True,
              help="List what --majority would leave open (span, versions, whose); writes "
                   "nothing.")
@click.option("--json", "as_json", is_flag=True, help="--conflicts: one JSON object.")
@click.option("--docs", default=None, metavar="IDS",
              help="Only these documents: ids separated by commas (3,7,12).")
@click.option("--label", default=None, help="Only spans with this label.")
@click.option("--annotator", "annotator_name", default=None,
              help="Who reviews (recorded in the log; default: $ANNOTATOR_NAME, else the "
                   "name saved in the project for this login, else the login name).")
def review_cmd(project: Path, take: str | None, majority: bool, min_sets: int | None,
               conflicts: bool, as_json: bool, docs: str | None, label: str | None,
               annotator_name: str | None) -> None:
    """Review a team project by rule: the documents annotators marked done and nobody
    reviewed get their gold set as the window's review mode makes it (Ctrl+R), each
    adoption logged with the rule; document labels too, per category (--majority: an
    exclusive category takes the choice most sets made, a multi-label one each label
    most sets accepted). A document the rule settles is marked reviewed;
    one with open conflicts stays to review, counted (settle it in the window, or
    with --take NAME --docs ID)."""
    from ..session import decider
    from ..teams import ReviewRule, review

    if sum([take is not None, majority, conflicts]) != 1:
        raise click.UsageError("choose one of --take NAME, --majority, --conflicts")
    if as_json and not conflicts:
        raise click.UsageError("--json goes with --conflicts")
    if min_sets is not None and take is not None:
        raise click.UsageError("--min goes with --majority or --conflicts, not --take")
    doc_ids = None
    if docs is not None:
        try:
            doc_ids = [int(x) for x in docs.split(",") if x.strip()]
        except ValueError:
            raise click.BadParameter(f"not document ids: {docs!r} (ids separated by "
                                     "commas: 3,7,12)", param_hint="--docs") from None
    rule = ReviewRule("take" if take is not None else "majority", take, min_sets, label)
    with open_store(project, create=False, readonly=conflicts) as store:
        result = review(store, rule, decider(annotator_name, store), doc_ids,
                        dry_run=conflicts)
        texts = {doc_id: (store.get_document(doc_id)) for doc_id in result.left}
    if not conflicts:
        click.echo(result.summary())
        return
    items = [(item, texts[item.doc_id]) for item in result.open_items]
    if as_json:
        click.echo(json.dumps({
            **rule.describe(), "documents": sorted(result.left),
            "conflicts": [dict(item.as_dict(doc.text if doc else ""),
                               title=doc.title if doc else "") for item, doc in items],
            "left_alone": {reason: ids for reason, ids in result.skipped.items()},
        }, ensure_ascii=False, indent=2))
        return
    from ..teams import describe_version

    for item, doc in items:
        text = doc.text if doc is not None else ""
        title = doc.title if doc is not None else ""
        where = "document labels" if item.layer == "doc" else \
            f"{item.layer} {item.start}–{item.end}"
        click.echo(f"document {item.doc_id} “{title[:60]}”: {where}: {item.reason}")
        for version in item.versions:
            click.echo(f"    {describe_version(version, text)}")
        if item.missing:
            click.echo(f"    none — {', '.join(item.missing)}")
    click.echo(f"{len(items)} open conflict(s) in {len(result.left)} document(s); "
               f"{len(result.reviewed)} of {result.looked_at} document(s) the rule settles")
