"""What the Labels dialog (``ui/labels_dialog.py``) asks of :mod:`annotator.labels`, as
plain functions of a store that run in its worker thread and return the line the dialog
shows (a refusal raises :class:`~annotator.labels.LabelError`, and nothing was
changed)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from annotator import labels
from annotator.model import Label, LabelScheme
from annotator.store import Store


@dataclass
class SchemeRows:
    """What the dialog's table shows: the scheme, the model label map, spans per label."""

    scheme: LabelScheme
    mapping: dict[str, str]
    counts: dict[str, int]


def read_scheme(store: Store) -> SchemeRows:
    return SchemeRows(store.label_scheme(), store.label_map(), store.label_use_counts())


def save_label(store: Store, old: str | None, form: Label, who: str) -> str:
    """Add ``form`` (``old`` None), or make label ``old`` what ``form`` says: a rename
    and an update of key, colour and description, one transaction each, checked
    together first so that neither is made without the other."""
    if old is None:
        return f"added {labels.add(store, form, who).name}"
    scheme = store.label_scheme()
    before = scheme.get(old)
    if before is None:
        raise labels.LabelError(f"no label {old!r} in the project any more")
    form = replace(form, layer=before.layer)  # a label keeps its layer
    labels.check_label(form, scheme, replacing=old)
    done = []
    if form.name != old:
        moved = labels.rename(store, old, form.name, who)
        done.append(f"renamed {old} to {form.name} ({moved} span(s))")
    fields = {k: getattr(form, k) for k in ("key", "color", "description")
              if getattr(form, k) != getattr(before, k)}
    if fields:
        labels.update(store, form.name, who, **fields)
        done.append(f"{form.name}: {', '.join(sorted(fields))} changed")
    return "; ".join(done) or f"{old}: nothing to change"


def remove_label(store: Store, name: str, who: str, relabel_to: str | None) -> str:
    """Remove ``name``, its spans relabelled to ``relabel_to`` first (if given)."""
    try:
        moved = labels.remove(store, name, who, relabel_to)
    except labels.LabelError as exc:
        if relabel_to is None and "span(s) use" in str(exc):
            raise labels.LabelError(f"{exc}. In this dialog: choose a label in "
                                    "“relabel its spans to”, then Remove.") from exc
        raise
    return f"removed {name}" + (f"; {moved} span(s) now {relabel_to}" if moved else "")


def map_label(store: Store, model_label: str, label: str | None, who: str) -> str:
    labels.set_map(store, model_label, label, who)
    return f"{model_label} → {label}" if label else f"{model_label} unmapped"


def import_labels(store: Store, path: Path, who: str) -> str:
    added = labels.import_toml(store, path, who)
    return (f"imported {len(added)} label(s) from {path.name}"
            + (f": {', '.join(x.name for x in added)}" if added else ""))


def export_labels(store: Store, out: Path) -> str:
    """The scheme as TOML at ``out`` (:func:`annotator.labels.write_toml`; the file
    dialog has asked about replacing it)."""
    return labels.write_toml(store, out, force=True)
