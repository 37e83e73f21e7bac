"""The project's label scheme: stored in the project, edited here, one transaction and
one logged event per change.

A new project starts from the shipped ``labels.toml``. Labels can be added, renamed
(the spans follow), removed (refused while spans use the label, unless they are
relabelled in the same transaction), imported from and exported to TOML, and model
labels mapped to project labels (``GPE -> LOC``), so that a pipeline trained on
OntoNotes can serve a CoNLL-style scheme.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from .errors import LabelError as LabelError
from .model import LAYERS, Label, LabelScheme, Layer, as_layer, check_label_name
from .paths import clash_refusal, project_clashes
from .store import Store

#: Keys the window uses for commands: a label cannot take one (case-insensitive).
#: a accept, x reject, d done, s skip, f flag, j/k next/previous, n/p document, v caret
#: mode, l label picker, / find, t w r y h the claim editor's fields, g take a version into
#: gold (review).
RESERVED_KEYS = frozenset("adfghjklnprstvwxy/")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: Colours for labels added without one, in order.
PALETTE = ("#5c940d", "#d6336c", "#1098ad", "#f08c00", "#7048e8", "#495057", "#c2255c",
           "#2b8a3e", "#e67700", "#364fc7")


def check_label(label: Label, scheme: LabelScheme, replacing: str | None = None) -> None:
    """Raise :class:`LabelError` unless ``label`` can join ``scheme`` (in place of the
    label named ``replacing``)."""
    reason = check_label_name(label.name)
    if reason:
        raise LabelError(f"label {label.name!r}: {reason}")
    bad = next((k for k, ch in enumerate(label.description) if "\ud800" <= ch <= "\udfff"),
               None)
    if bad is not None:  # bytes that were not text in the terminal's encoding
        raise LabelError(f"label {label.name}: the description is not valid text (a byte "
                         f"that is not UTF-8 at character {bad}); nothing was changed")
    if label.layer not in LAYERS:
        raise LabelError(f"label {label.name}: layer must be one of {', '.join(LAYERS)}")
    if not _COLOR.match(label.color):
        raise LabelError(f"label {label.name}: colour must look like #1c7ed6, "
                         f"not {label.color!r}")
    others = [x for x in scheme.labels if x.name != replacing]
    if any(x.name == label.name for x in others):
        raise LabelError(f"label {label.name} is already in the scheme")
    if label.key:
        key = label.key.lower()
        if len(key) != 1 or not key.isprintable() or key.isspace():
            raise LabelError(f"label {label.name}: a key is one character, not {label.key!r}")
        if key in RESERVED_KEYS:
            raise LabelError(f"label {label.name}: key {label.key!r} is a command key of the "
                             f"window ({', '.join(sorted(RESERVED_KEYS))} are taken)")
        taken = next((x for x in others if x.key.lower() == key), None)
        if taken is not None:
            raise LabelError(f"label {label.name}: key {label.key!r} is taken by {taken.name}")


def free_color(scheme: LabelScheme) -> str:
    used = {x.color.lower() for x in scheme.labels}
    return next((c for c in PALETTE if c not in used), PALETTE[len(scheme.labels) % 10])


def add(store: Store, label: Label, annotator: str | None) -> Label:
    """Add a label (its colour picked when empty); returns it as stored."""
    with store.write():
        scheme = store.label_scheme()
        if not label.color:
            label = Label(label.name, label.layer, free_color(scheme), label.key,
                          label.description)
        check_label(label, scheme)
        store.put_label(label)
        store.log_event("label_add", annotator, after=_label_dict(label))
    return label


def outside_scheme(store: Store) -> dict[str, dict[str, int]]:
    """Labels that spans carry but the scheme lacks: label -> layer -> spans. ``remove``
    (with ``relabel_to``) and ``rename`` repair them."""
    return store.labels_outside_scheme()


def _orphan(store: Store, scheme: LabelScheme, name: str) -> Label | None:
    """The label ``name`` as spans carry it when the scheme lacks it (``None`` when no
    span does); refused when its spans are of both layers."""
    layers = store.labels_outside_scheme().get(name) if scheme.get(name) is None else None
    if not layers:
        return None
    if len(layers) > 1:
        raise LabelError(f"{name} is not in the scheme and its spans are of both layers "
                         f"({', '.join(f'{n} {layer}' for layer, n in layers.items())})")
    return Label(name, as_layer(next(iter(layers))), "#495057")


def remove(store: Store, name: str, annotator: str | None,
           relabel_to: str | None = None) -> int:
    """Remove a label; refused while spans use it unless ``relabel_to`` names another
    label of the same layer, which those spans then take. Returns how many spans were
    relabelled. A label that spans carry but the scheme lacks (:func:`outside_scheme`)
    is removed from its spans the same way."""
    with store.write():
        scheme = store.label_scheme()
        orphan = _orphan(store, scheme, name)
        label = orphan or _existing(scheme, name)
        used = store.count_label_use(name)
        moved = 0
        if used and relabel_to is None:
            if orphan is not None:
                raise LabelError(f"{used} span(s) use {name}, which is not in the scheme; "
                                 "give them another label (--relabel-to OTHER), or rename "
                                 "it into the scheme (annotator labels rename "
                                 f"{shlex.quote(name)} NEW)")
            raise LabelError(f"{used} span(s) use {name}; relabel them first "
                             f"(--relabel-to OTHER) or keep the label")
        if relabel_to is not None:
            target = _existing(scheme, relabel_to)
            if target.layer != label.layer or target.name == name:
                raise LabelError(f"{relabel_to} is not another {label.layer} label")
            moved = store.relabel_all(name, relabel_to)
        store.delete_label(name)
        store.log_event("label_remove", annotator, before=_label_dict(label),
                        after={"relabelled_to": relabel_to, "spans": moved})
    return moved


def rename(store: Store, old: str, new: str, annotator: str | None) -> int:
    """Rename a label, its spans and its map entries; returns how many spans. A model
    that still says ``old`` has its suggestions stored as ``new`` from then on (a map
    entry ``old -> new`` is added unless ``old`` is mapped already).

    A label that spans carry but the scheme lacks (:func:`outside_scheme`) is repaired:
    its spans take ``new``, which joins the scheme unless it is there already (of the
    same layer)."""
    with store.write():
        scheme = store.label_scheme()
        orphan = _orphan(store, scheme, old)
        if orphan is not None:
            return _rename_orphan(store, scheme, orphan, new, annotator)
        label = _existing(scheme, old)
        renamed = Label(new, label.layer, label.color, label.key, label.description)
        check_label(renamed, scheme, replacing=old)
        store.put_label(renamed, replacing=old)
        moved = store.relabel_all(old, new)
        if old not in store.label_map():
            store.set_label_map(old, new)
        store.log_event("label_rename", annotator, before=_label_dict(label),
                        after={**_label_dict(renamed), "spans": moved})
    return moved


def _rename_orphan(store: Store, scheme: LabelScheme, orphan: Label, new: str,
                   annotator: str | None) -> int:
    target = scheme.get(new)
    if target is None:
        target = Label(new, orphan.layer, free_color(scheme))
        check_label(target, scheme)
        store.put_label(target)
    elif target.layer != orphan.layer:
        raise LabelError(f"{new} is a {target.layer} label; the spans labelled {orphan.name} "
                         f"are {orphan.layer} spans")
    moved = store.relabel_all(orphan.name, new)
    store.log_event("label_rename", annotator,
                    before={"name": orphan.name, "layer": orphan.layer, "in_scheme": False},
                    after={**_label_dict(target), "spans": moved})
    return moved


def update(store: Store, name: str, annotator: str | None, **fields: str) -> Label:
    """Change a label's ``color``, ``key`` or ``description``."""
    allowed = {"color", "key", "description"}
    if set(fields) - allowed:
        raise LabelError(f"only {', '.join(sorted(allowed))} can be changed this way")
    with store.write():
        scheme = store.label_scheme()
        label = _existing(scheme, name)
        changed = Label(label.name, label.layer, fields.get("color", label.color),
                        fields.get("key", label.key),
                        fields.get("description", label.description))
        check_label(changed, scheme, replacing=name)
        store.put_label(changed, replacing=name)
        store.log_event("label_update", annotator, before=_label_dict(label),
                        after=_label_dict(changed))
    return changed


def set_map(store: Store, model_label: str, label: str | None,
            annotator: str | None) -> None:
    """Map a model's label to a project label (``None``: remove the mapping)."""
    with store.write():
        if label is not None:
            _existing(store.label_scheme(), label)
        before = store.label_map().get(model_label)
        store.set_label_map(model_label, label)
        store.log_event("label_map", annotator, before={model_label: before},
                        after={model_label: label})


def import_toml(store: Store, path: Path, annotator: str | None) -> list[Label]:
    """Add the labels of a TOML file (``[[label]]`` tables, as ``labels.toml``) that the
    project lacks, all or none; a label it has already must agree on its layer."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        items = data["label"]
        labels = [Label(str(x["name"]), _toml_layer(path, x),
                        str(x.get("color", "")), str(x.get("key", "")),
                        str(x.get("description", ""))) for x in items]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise LabelError(f"{path}: not a label scheme ({exc})") from exc
    added = []
    with store.write():
        for label in labels:
            have = store.label_scheme().get(label.name)
            if have is not None:
                if have.layer != label.layer:
                    raise LabelError(f"{path}: {label.name} is a {label.layer} label there, a "
                                     f"{have.layer} label here; nothing was imported")
                continue
            try:
                added.append(add(store, label, annotator))
            except LabelError as exc:
                raise LabelError(f"{path}: {exc}; nothing was imported") from exc
    return added


def _toml_layer(path: Path, item: dict[str, Any]) -> Layer:
    """A TOML label's layer (default entity), refused in the words :func:`add` uses."""
    try:
        return as_layer(item.get("layer", "entity"))
    except ValueError:
        raise LabelError(f"{path}: label {item['name']}: layer must be one of "
                         f"{', '.join(LAYERS)}; nothing was imported") from None


def to_toml(scheme: LabelScheme) -> str:
    """The scheme as ``labels.toml`` writes it (readable by :func:`import_toml`)."""
    out = ["# Annotator label scheme"]
    for label in scheme.labels:
        out += ["", "[[label]]"]
        for key in ("name", "layer", "color", "key", "description"):
            value = getattr(label, key)
            if value or key in ("name", "layer", "color"):
                out.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(out) + "\n"


def write_toml(store: Store, out: Path, force: bool = False) -> str:
    """Write the project's scheme as TOML to ``out``, complete or not at all (a
    temporary file beside it, renamed); what was written, in a line. Refused
    (:class:`LabelError`) onto the project or one of its own files, whatever ``force``
    says, and onto an existing file unless ``force``."""
    out = Path(out)
    clash = project_clashes(store.path, [out])
    if clash:
        raise LabelError(clash_refusal(store.path, clash[0]))
    if not force and os.path.lexists(out):
        raise LabelError(f"{out} already exists; pass force (--force) to overwrite")
    scheme = store.label_scheme()
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(to_toml(scheme))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return f"wrote {len(scheme.labels)} label(s) to {out}"


def _existing(scheme: LabelScheme, name: str) -> Label:
    label = scheme.get(name)
    if label is None:
        raise LabelError(f"no label {name!r} in the project "
                         f"({', '.join(x.name for x in scheme.labels)})")
    return label


def _label_dict(label: Label) -> dict[str, Any]:
    return {"name": label.name, "layer": label.layer, "color": label.color, "key": label.key,
            "description": label.description}
