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
import sqlite3
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from .errors import LabelError as LabelError
from .model import (
    LABEL_LAYERS,
    Label,
    LabelCategory,
    LabelLayer,
    LabelScheme,
    as_label_layer,
    as_layer,
    check_label_name,
)
from .paths import clash_refusal, project_clashes
from .store import Store

#: Keys the window uses for commands: a label cannot take one (case-insensitive).
#: a accept, x reject, d done, s skip, f flag, j/k next/previous, n/p document, v caret
#: mode, l label picker, / find, t w r y h the claim editor's fields, g take a version into
#: gold (review).
RESERVED_KEYS = frozenset("adfghjklnprstvwxy/")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: Colours for labels added without one, in order: each far (CIEDE2000) from the default
#: scheme's colours and from each other, also under simulated deuteranopia
#: (tests/test_palette.py).
PALETTE = ("#aaaa44", "#0088aa", "#44aa66", "#88aaaa", "#aa4444", "#884466", "#446688",
           "#ff4488", "#ff44cc", "#6644cc")


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
    if label.layer not in LABEL_LAYERS:
        raise LabelError(f"label {label.name}: layer must be one of "
                         f"{', '.join(LABEL_LAYERS)}")
    _check_category(label, scheme)
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
        # A document label's key follows the window's document-label prefix: it may
        # repeat a span label's key or a command's, never another document label's.
        doc = label.layer == "doc"
        if key in RESERVED_KEYS and not doc:
            raise LabelError(f"label {label.name}: key {label.key!r} is a command key of the "
                             f"window ({', '.join(sorted(RESERVED_KEYS))} are taken)")
        taken = next((x for x in others if x.key.lower() == key
                      and (x.layer == "doc") == doc), None)
        if taken is not None:
            raise LabelError(f"label {label.name}: key {label.key!r} is taken by {taken.name}")


def _check_category(label: Label, scheme: LabelScheme) -> None:
    if label.layer != "doc":
        if label.category:
            raise LabelError(f"label {label.name}: only document labels (--layer doc) have "
                             "a category")
        return
    if not label.category:
        raise LabelError(f"label {label.name}: a document label needs a category "
                         "(--category NAME)")
    if scheme.category(label.category) is None:
        raise LabelError(f"label {label.name}: no category {label.category!r} "
                         f"({', '.join(c.name for c in scheme.categories) or 'none yet'}; "
                         "`annotator labels add NAME --layer doc --category CAT` creates it)")


def check_category(category: LabelCategory, scheme: LabelScheme,
                   replacing: str | None = None) -> None:
    """Raise :class:`LabelError` unless ``category`` can join ``scheme`` (in place of the
    category named ``replacing``): a label-like name, not a label's name either."""
    reason = check_label_name(category.name)
    if reason:
        raise LabelError(f"category {category.name!r}: {reason.replace('a label', 'a name')}")
    if any(c.name == category.name for c in scheme.categories if c.name != replacing):
        raise LabelError(f"category {category.name} is already in the scheme")


def free_color(scheme: LabelScheme) -> str:
    used = {x.color.lower() for x in scheme.labels}
    return next((c for c in PALETTE if c not in used), PALETTE[len(scheme.labels) % 10])


def add(store: Store, label: Label, annotator: str | None,
        category: LabelCategory | None = None) -> Label:
    """Add a label (its colour picked when empty); returns it as stored. A document
    label's category is created first when ``category`` names one the scheme lacks
    (refused when it has it otherwise: :func:`update_category` changes it)."""
    with store.write():
        scheme = store.label_scheme()
        if category is not None and label.layer == "doc":
            have = scheme.category(category.name)
            if have is None:
                add_category(store, category, annotator)
                scheme = store.label_scheme()
            elif have.exclusive != category.exclusive:
                kind = "exclusive" if have.exclusive else "multi-label"
                raise LabelError(f"category {have.name} is {kind} already (`annotator labels "
                                 f"category {shlex.quote(have.name)} --exclusive` or --multi "
                                 "changes it)")
        if not label.color:
            label = Label(label.name, label.layer, free_color(scheme), label.key,
                          label.description, label.category)
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
        if _is_doc(scheme, name):
            return _remove_doc_label(store, scheme, name, annotator, relabel_to)
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


def _is_doc(scheme: LabelScheme, name: str) -> bool:
    label = scheme.get(name)
    return label is not None and label.layer == "doc"


def _remove_doc_label(store: Store, scheme: LabelScheme, name: str, annotator: str | None,
                      relabel_to: str | None) -> int:
    """:func:`remove` of a document label: refused while documents carry it, unless
    ``relabel_to`` names another label of its category, which they then carry."""
    label = _existing(scheme, name)
    used = store.count_doc_label_use(name)
    moved = 0
    if used and relabel_to is None:
        raise LabelError(f"{used} document label decision(s) use {name}; relabel them "
                         "first (--relabel-to OTHER) or keep the label")
    if relabel_to is not None:
        target = _existing(scheme, relabel_to)
        if target.layer != "doc" or target.category != label.category \
                or target.name == name:
            raise LabelError(f"{relabel_to} is not another label of category "
                             f"{label.category}")
        try:
            moved = store.relabel_doc_labels(name, relabel_to)
        except sqlite3.IntegrityError:
            raise LabelError(f"some documents carry both {name} and {relabel_to}; decide "
                             "them first (nothing was changed)") from None
    store.delete_label(name)
    store.log_event("label_remove", annotator, before=_label_dict(label),
                    after={"relabelled_to": relabel_to, "doc_labels": moved})
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
        renamed = Label(new, label.layer, label.color, label.key, label.description,
                        label.category)
        check_label(renamed, scheme, replacing=old)
        store.put_label(renamed, replacing=old)
        if label.layer == "doc":
            moved = store.relabel_doc_labels(old, new)
        else:
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
                        fields.get("description", label.description), label.category)
        check_label(changed, scheme, replacing=name)
        store.put_label(changed, replacing=name)
        store.log_event("label_update", annotator, before=_label_dict(label),
                        after=_label_dict(changed))
    return changed


def add_category(store: Store, category: LabelCategory, annotator: str | None
                 ) -> LabelCategory:
    """Add a document-label category at the end of the scheme's categories."""
    with store.write():
        check_category(category, store.label_scheme())
        store.put_category(category)
        store.log_event("category_add", annotator, after=_category_dict(category))
    return category


def update_category(store: Store, name: str, annotator: str | None, *,
                    exclusive: bool | None = None, required: bool | None = None,
                    description: str | None = None) -> LabelCategory:
    """Change a category's ``exclusive``, ``required`` or ``description``. Making a
    category exclusive is refused while a document has two of its labels accepted in a
    set (which one would stay is the annotator's call)."""
    with store.write():
        have = existing_category(store.label_scheme(), name)
        changed = LabelCategory(
            name, have.exclusive if exclusive is None else exclusive,
            have.required if required is None else required,
            have.description if description is None else description)
        if changed.exclusive and not have.exclusive:
            row = store.conn.execute(
                "SELECT doc_id, annotation_set FROM doc_labels WHERE category = ? AND"
                " decision = 'accepted' GROUP BY doc_id, annotation_set HAVING count(*) > 1"
                " LIMIT 1", (name,)).fetchone()
            if row is not None:
                raise LabelError(f"category {name} cannot become exclusive: document "
                                 f"{row[0]} has several of its labels accepted; nothing "
                                 "was changed")
        store.put_category(changed)
        store.log_event("category_update", annotator, before=_category_dict(have),
                        after=_category_dict(changed))
    return changed


def remove_category(store: Store, name: str, annotator: str | None) -> int:
    """Remove a category and its labels; refused while documents carry any of them.
    Returns how many labels went with it."""
    with store.write():
        scheme = store.label_scheme()
        have = existing_category(scheme, name)
        labels = scheme.doc_labels(name)
        used = store.conn.execute("SELECT count(*) FROM doc_labels WHERE category = ?",
                                  (name,)).fetchone()[0]
        if used:
            raise LabelError(f"{used} document label decision(s) use category {name}; "
                             "nothing was removed")
        for label in labels:
            store.delete_label(label.name)
        store.delete_category(name)
        store.log_event("category_remove", annotator, before={
            **_category_dict(have), "labels": [x.name for x in labels]})
    return len(labels)


def existing_category(scheme: LabelScheme, name: str) -> LabelCategory:
    """The category ``name`` of the scheme; else :class:`LabelError` naming those it has."""
    category = scheme.category(name)
    if category is None:
        raise LabelError(f"no document-label category {name!r} in the project "
                         f"({', '.join(c.name for c in scheme.categories) or 'none'})")
    return category


def _category_dict(category: LabelCategory) -> dict[str, Any]:
    return {"name": category.name, "exclusive": category.exclusive,
            "required": category.required, "description": category.description}


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
    project lacks, and its ``[[category]]`` tables (document-label categories) likewise,
    all or none; a label it has already must agree on its layer (and category), a
    category on being exclusive or not."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        items = data.get("label", [])
        groups = data.get("category", [])
        if not items and not groups:
            raise KeyError("label")
        labels = [Label(str(x["name"]), _toml_layer(path, x),
                        str(x.get("color", "")), str(x.get("key", "")),
                        str(x.get("description", "")), str(x.get("category", "")))
                  for x in items]
        categories = [LabelCategory(str(x["name"]), _toml_bool(path, x, "exclusive"),
                                    _toml_bool(path, x, "required"),
                                    str(x.get("description", ""))) for x in groups]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError,
            AttributeError) as exc:
        raise LabelError(f"{path}: not a label scheme ({exc})") from exc
    added = []
    with store.write():
        for category in categories:
            have_category = store.label_scheme().category(category.name)
            if have_category is not None:
                if have_category.exclusive != category.exclusive:
                    raise LabelError(f"{path}: category {category.name} is "
                                     f"{_kind(category)} there, {_kind(have_category)} here; "
                                     "nothing was imported")
                continue
            try:
                add_category(store, category, annotator)
            except LabelError as exc:
                raise LabelError(f"{path}: {exc}; nothing was imported") from exc
        for label in labels:
            have = store.label_scheme().get(label.name)
            if have is not None:
                if have.layer != label.layer or have.category != label.category:
                    raise LabelError(f"{path}: {label.name} is a {_where(label)} label "
                                     f"there, a {_where(have)} label here; nothing was "
                                     "imported")
                continue
            try:
                added.append(add(store, label, annotator))
            except LabelError as exc:
                raise LabelError(f"{path}: {exc}; nothing was imported") from exc
    return added


def _kind(category: LabelCategory) -> str:
    return "exclusive" if category.exclusive else "multi-label"


def _where(label: Label) -> str:
    return f"{label.category} document" if label.layer == "doc" else label.layer


def _toml_bool(path: Path, item: dict[str, Any], key: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise LabelError(f"{path}: category {item.get('name')}: {key} must be true or "
                         f"false, not {value!r}; nothing was imported")
    return value


def _toml_layer(path: Path, item: dict[str, Any]) -> LabelLayer:
    """A TOML label's layer (default entity), refused in the words :func:`add` uses."""
    try:
        return as_label_layer(item.get("layer", "entity"))
    except ValueError:
        raise LabelError(f"{path}: label {item['name']}: layer must be one of "
                         f"{', '.join(LABEL_LAYERS)}; nothing was imported") from None


def to_toml(scheme: LabelScheme) -> str:
    """The scheme as ``labels.toml`` writes it (readable by :func:`import_toml`)."""
    out = ["# Annotator label scheme"]
    for category in scheme.categories:
        out += ["", "[[category]]", f"name = {json.dumps(category.name, ensure_ascii=False)}",
                f"exclusive = {json.dumps(category.exclusive)}"]
        if category.required:
            out.append("required = true")
        if category.description:
            out.append(f"description = {json.dumps(category.description, ensure_ascii=False)}")
    for label in scheme.labels:
        out += ["", "[[label]]"]
        for key in ("name", "layer", "category", "color", "key", "description"):
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
    out = {"name": label.name, "layer": label.layer, "color": label.color, "key": label.key,
           "description": label.description}
    if label.category:
        out["category"] = label.category
    return out
