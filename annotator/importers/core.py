"""Read articles from files into the store: plain text, JSONL, CSV and folders of these.

The whole import is one transaction: any bad input raises :class:`ImportFailed`
naming the file and line, and the database stays as it was. Text is kept exactly as
decoded (no whitespace or newline normalisation) so offsets stay valid for anyone
holding the source file; a parsed ``.txt`` header is recorded in ``meta`` with the
offset at which the body starts (``meta["body_offset"]``).

Memory stays flat whatever the file size: JSONL files are read a line at a time and
records go to the store in batches of :data:`BATCH` inside the one transaction (the
transaction, not memory, keeps the import all-or-nothing). Label names follow
:func:`annotator.model.check_label_name`; a bad one is refused with ``file:line``.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shlex
import sqlite3
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import LAYERS, STATUSES, Claim, DocLabel, Span
from ..store import ReadOnlyError, Store, StoreError, now, storage_reason
from ..store.trust import max_text_chars
from .records import (
    BOMS,
    SUFFIXES,
    ImportFailed,
    Record,
    _check_no_surrogates,
    _checked_span,
    _read_claim,
    decode,
)

#: What ``annotator import --format`` takes (``auto``: by content, see :mod:`.detect`).
FORMATS = ("auto", "txt", "jsonl", "csv", "labelstudio", "doccano", "prodigy", "conll",
           "spacy")

# " date 2024-08-13 2024-08-13 02:20:04 - Source: Shafaq News"
HEADER_RE = re.compile(
    r"^\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:\s+(?P<date2>\d{4}-\d{2}-\d{2}))?"
    r"(?:\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?"
    r"\s*(?:[-–—]\s*Source:\s*(?P<source>\S.*?))?\s*$",
    re.IGNORECASE,
)
# Prodigy task keys that describe the task rather than the document.
TASK_KEYS = {"tokens", "_input_hash", "_task_hash", "_view_id", "_session_id", "answer",
             "spans", "label", "claims", "_annotator_id", "meta", "id", "status", "rejected",
             "entities", "relations", "comments", "Comments", "options", "accept",
             "doc_labels", "cats"}
ANSWER_STATUS = {"accept": "done", "ignore": "skipped", "reject": "flagged"}
#: What ``annotator import --status`` may set.
IMPORT_STATUSES = ("new", "done")
#: spaCy's default ``nlp.max_length``: longer documents are imported, with a warning.
SPACY_MAX_LENGTH = 1_000_000


class MissingLabels(ImportFailed):
    """Labelled input whose labels the project's scheme lacks (nothing was imported)."""

    def __init__(self, path: Path | str, line: int | None, missing: dict[str, str],
                 db: Path | None = None, categories: Mapping[str, str] | None = None,
                 exclusive: Mapping[str, bool] | None = None):
        self.missing = dict(missing)  # label -> layer
        self.categories = dict(categories or {})  # document label -> its category
        exclusive = exclusive or {}
        names = ", ".join(
            f"{name} ({layer}"
            f"{f', category {self.categories[name]}' if name in self.categories else ''})"
            for name, layer in sorted(missing.items()))
        # quoted: a label from someone's file (";touch${IFS}pwned;" is a valid label)
        # must not run as shell when the command is pasted
        where = ["--db", str(db)] if db is not None else []

        def command(name: str, layer: str) -> str:
            extra: list[str] = []
            if name in self.categories:
                category = self.categories[name]
                extra = ["--category", category]
                if category in exclusive:  # a category the project lacks: it makes it
                    extra.append("--exclusive" if exclusive[category] else "--multi")
            return shlex.join(["annotator", "labels", "add", name, "--layer", layer, *extra,
                               *where])

        commands = "; ".join(command(name, layer) for name, layer in sorted(missing.items()))
        super().__init__(path, line, f"labels not in the project: {names} (first used here); "
                         f"add them with `{commands}`, or import with --add-labels")


@dataclass
class ImportResult:
    files: int = 0
    imported: int = 0
    skipped_duplicates: int = 0
    merged: int = 0  # duplicate lines of this import whose labels joined the first's
    spans: int = 0
    doc_labels: int = 0  # document labels that landed
    labels_added: list[str] = field(default_factory=list)
    # an array, not a list: 8 bytes an id (a million-line file's list cost 36 MB)
    doc_ids: array[int] = field(default_factory=lambda: array("q"))
    too_long: int = 0  # documents over spaCy's max_length
    #: What the files held that did not land, by reason (nothing else is left out).
    left_out: Counter[str] = field(default_factory=Counter)
    repaired: Counter[str] = field(default_factory=Counter)
    #: ``--as-sets``: documents per annotator's set.
    sets: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        text = (f"imported {self.imported} document(s) from {self.files} file(s)"
                f", {self.spans} labelled span(s)")
        if self.doc_labels:
            text += f", {self.doc_labels} document label(s)"
        if not self.spans and not self.doc_labels and self.left_out:
            text = ("warning: no labelled span landed; what the files held is left out "
                    "below\n" + text)
        if self.merged:
            text += (f"; {self.merged} duplicate(s) of a text (in these files or already "
                     "in the project) merged their new labels into its document")
        if self.skipped_duplicates:
            text += (f"; skipped {self.skipped_duplicates} duplicate(s) of a text, without "
                     "labels")
        elif not self.imported:
            text += "; nothing new"
        if self.labels_added:
            text += f"\n  labels added to the project: {', '.join(self.labels_added)}"
        if self.sets:
            text += "\n  annotators' sets: " + ", ".join(
                f"{name} ({n} document(s))" for name, n in sorted(self.sets.items()))
        for reason, n in sorted(self.repaired.items()):
            text += f"\n  repaired: {n} {reason}"
        if self.left_out:
            text += f"\n  left out ({sum(self.left_out.values())}):"
            for reason, n in sorted(self.left_out.items()):
                text += f"\n    {n} {reason}"
        if self.too_long:
            text += (f"\n  warning: {self.too_long} document(s) over {SPACY_MAX_LENGTH:,} "
                     "characters (spaCy's max_length): suggestions and token-based exports "
                     "(spacy, conll, JSONL tokens) may skip or split them")
        return text


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def import_paths(
    store: Store,
    paths: list[Path],
    fmt: str = "auto",
    text_field: str = "text",
    on_document: Callable[[], None] | None = None,
    *,
    status: str | None = None,
    add_labels: bool = False,
    as_sets: bool = False,
    doc_label_columns: Iterable[str] = (),
) -> ImportResult:
    """Import files and folders into ``store`` in one transaction (the first bad file
    stops it and nothing is written).

    ``status`` (``new`` or ``done``) is given to every imported document, whatever the
    file says. Labels the project's scheme lacks refuse the import with
    :class:`MissingLabels` (all of them, each with its layer), unless ``add_labels``,
    which adds them to the scheme in the same transaction. A line with the text of a
    document already in the project, from this import or an earlier one (Prodigy's
    binary annotations: one line per decision), adds its labels to that document: the
    new ones (exact repeats are not added twice; an entity over one the document has is
    left out and counted); one without labels is skipped. One command or several give
    the same project (issue 23). ``doc_label_columns``: CSV columns holding document
    labels, each of the category of its name."""
    if status is not None and status not in IMPORT_STATUSES:
        raise ValueError(f"status must be one of {', '.join(IMPORT_STATUSES)}")
    files = list(_expand(paths, fmt))
    result = ImportResult(files=len(files))
    ts = now()  # one import, one creation time
    labels = _LabelCheck(store, add_labels, result)

    def flush(batch: list[tuple[Record, str]]) -> None:
        # Records are checked against the project a batch at a time, across files: one
        # query per file costs as much as the insert when files hold one article. The
        # query sees what earlier batches of this transaction inserted, so only this
        # batch's own hashes need remembering here (memory stays flat).
        existing = store.find_hashes({digest for _, digest in batch})
        seen: dict[str, Record] = {}
        fresh = []
        repeats: list[tuple[Record, str]] = []
        for record, digest in batch:
            if record.layers_by_scheme:
                _layers_by_scheme(record, labels.layer_of)
            if record.relations:
                _resolve_relations(record)
            if record.drop_overlaps:
                _drop_overlaps(record)
            elif record.layers_by_scheme:
                _check_no_overlap(record)
            result.left_out.update(record.left_out)
            result.repaired.update(record.repaired)
            labels.check(record)
            if digest in seen:
                if record.spans or record.doc_labels:
                    _merge_records(seen[digest], record, result)
                    result.merged += 1
                else:
                    result.skipped_duplicates += 1
                continue
            if digest in existing:
                if record.spans or record.doc_labels:
                    repeats.append((record, digest))
                else:
                    result.skipped_duplicates += 1
                continue
            seen[digest] = record
            fresh.append((record, digest))
        if repeats:
            # A line repeating the text of a document already in the project (of an
            # earlier batch or an earlier import: one rule, issue 23): its labels join
            # that document's, what it has already left out.
            ids_of = store.document_ids_by_hash([d for _, d in repeats])
            for record, digest in repeats:
                doc_id = ids_of.get(digest)
                if doc_id is None:  # not reachable: the hash was found
                    result.skipped_duplicates += 1
                    continue
                result.spans += _insert_more_spans(store, doc_id, record, result)
                result.doc_labels += insert_doc_labels(store, doc_id, record, result)
                result.merged += 1
        # One statement for the lot; the ids come back by content hash.
        ids = store.insert_documents(
            [(r.text, r.meta, digest, status or r.status) for r, digest in fresh], ts=ts)
        for (record, _), doc_id in zip(fresh, ids, strict=True):
            _insert_spans(store, doc_id, record)
            result.doc_labels += insert_doc_labels(store, doc_id, record, result)
            result.sets.update(record.set_statuses)
            if record.note:
                store.set_document_fields(doc_id, note=record.note)
            result.imported += 1
            if len(record.text) > SPACY_MAX_LENGTH:
                result.too_long += 1
            result.spans += len(record.spans)
            result.doc_ids.append(doc_id)
            if on_document:
                on_document()

    try:
        _import_all(store, files, fmt, text_field, as_sets, flush, labels, result, paths,
                    tuple(doc_label_columns))
    except (ImportFailed, ReadOnlyError) as exc:
        exc.hint = "nothing was imported"
        raise
    except (sqlite3.Error, OSError) as exc:
        reason = storage_reason(exc)
        if reason is None:
            raise
        raise StoreError(f"import failed: {reason}", hint="nothing was imported (the "
                         "import is one transaction)") from exc
    return result


def _import_all(store: Store, files: list[Path], fmt: str, text_field: str,
                as_sets: bool, flush: Callable[[list[tuple[Record, str]]], None],
                labels: _LabelCheck, result: ImportResult, paths: list[Path],
                doc_label_columns: tuple[str, ...] = ()) -> None:
    """The transaction of :func:`import_paths`."""
    batch: list[tuple[Record, str]] = []
    max_chars = max_text_chars()
    with store.bulk(), store.write():
        for path in files:
            for record in read_file(path, fmt, text_field, as_sets=as_sets,
                                    doc_label_columns=doc_label_columns):
                if len(record.text) > max_chars:  # the cap a merge applies too
                    raise ImportFailed(record.path, record.line, (
                        f"a text of {len(record.text):,} characters, over the cap of "
                        f"{max_chars:,} (ANNOTATOR_MAX_TEXT_CHARS raises it)"))
                batch.append((record, content_hash(record.text)))
                if len(batch) >= BATCH:
                    flush(batch)
                    batch = []
        flush(batch)
        labels.finish()
        known = {s["name"] for s in store.annotation_sets()}
        for name in sorted(set(result.sets) - known):
            # an annotator's set, as a merge would make it (its own project id, so a
            # later merge of a file of that name is told apart)
            store.put_annotation_set(name, f"import:{name}", ", ".join(map(str, paths)), 0)


class _LabelCheck:
    """The labels an import uses against the project's scheme: unknown ones are added
    (``add``) or collected, and :meth:`finish` refuses the import naming them all."""

    def __init__(self, store: Store, add: bool, result: ImportResult):
        self.store, self.add, self.result = store, add, result
        scheme = store.label_scheme()
        self.layer_of: dict[str, str] = {x.name: x.layer for x in scheme.labels}
        self.category_of = {x.name: x.category for x in scheme.labels if x.layer == "doc"}
        self.exclusive = {c.name: c.exclusive for c in scheme.categories}
        self.missing: dict[str, str] = {}
        self.missing_category: dict[str, str] = {}
        self.hints: dict[str, bool] = {}
        self.first: tuple[Path, int | None] | None = None

    def check(self, record: Record) -> None:
        if record.doc_labels:
            self.check_doc_labels(record)
        if not record.spans:
            return
        used = [(s.label, s.layer) for s in record.spans]
        used += [(label, "entity") for label in record.claimant_labels.values()]
        for label, layer in used:
            have = self.layer_of.get(label)
            if have == layer:
                continue
            if have is not None:
                raise ImportFailed(record.path, record.line,
                                   f"{label} is a {have} label in the project, used here for "
                                   f"{layer} spans")
            if self.add:
                from ..labels import add
                from ..model import Label

                add(self.store, Label(label, layer, ""), None)
                self.result.labels_added.append(label)
                self.layer_of[label] = layer
                continue
            if label in self.missing and self.missing[label] != layer:
                raise ImportFailed(record.path, record.line,
                                   f"{label} is used for both entity and claim spans")
            self.missing[label] = layer
            if self.first is None:
                self.first = (record.path, record.line)

    def check_doc_labels(self, record: Record) -> None:
        """Place each document label in its category (the file's, else the scheme's,
        else the default), and refuse one the scheme has in another category or layer,
        and two labels of an exclusive category in one document."""
        from .doclabels import DEFAULT_CATEGORY

        for x in record.doc_labels:
            have = self.layer_of.get(x.label)
            if have is not None and have != "doc":
                raise ImportFailed(record.path, record.line, f"{x.label} is a {have} label "
                                   "in the project, used here as a document label")
            placed = self.category_of.get(x.label) or self.missing_category.get(x.label)
            if x.category and placed and placed != x.category:
                raise ImportFailed(record.path, record.line, f"{x.label} is a label of "
                                   f"category {placed} in the project, given here for "
                                   f"category {x.category}")
            x.category = x.category or placed or DEFAULT_CATEGORY
            if have is not None:
                continue
            exclusive = self.exclusive.get(x.category)
            if exclusive is None:
                exclusive = record.exclusive.get(x.category, self.hints.get(x.category, False))
                self.hints.setdefault(x.category, exclusive)
            if self.add:
                self._add_doc_label(x.label, x.category, exclusive)
                continue
            self.missing[x.label] = "doc"
            self.missing_category[x.label] = x.category
            if self.first is None:
                self.first = (record.path, record.line)
        chosen: dict[tuple[str, str], list[str]] = {}
        for x in record.doc_labels:
            if x.decision == "accepted":
                chosen.setdefault((x.annotation_set, x.category), []).append(x.label)
        for (_, category), labels in chosen.items():
            exclusive = self.exclusive.get(category, self.hints.get(category, False))
            if exclusive and len(labels) > 1:
                raise ImportFailed(record.path, record.line, f"category {category} takes one "
                                   f"label a document (exclusive); this one has "
                                   f"{len(labels)}: {', '.join(labels)}")

    def _add_doc_label(self, label: str, category: str, exclusive: bool) -> None:
        from ..labels import add
        from ..model import Label, LabelCategory

        new = None if category in self.exclusive else LabelCategory(category, exclusive)
        add(self.store, Label(label, "doc", "", category=category), None, category=new)
        self.exclusive[category] = exclusive
        self.result.labels_added.append(label)
        self.layer_of[label] = "doc"
        self.category_of[label] = category

    def finish(self) -> None:
        if self.missing and self.first is not None:
            raise MissingLabels(self.first[0], self.first[1], self.missing, self.store.path,
                                self.missing_category, self.hints)


BATCH = 500  # records per insert statement


def _expand(paths: list[Path], fmt: str) -> Iterator[Path]:
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = []
            for folder, _, names in os.walk(path):  # scandir: no stat per file
                base = Path(folder)
                found += [base / name for name in names if not name.startswith(".")
                          and (fmt != "auto" or os.path.splitext(name)[1].lower() in SUFFIXES)
                          and os.path.isfile(os.path.join(folder, name))
                          and not name.endswith(".label_config.xml")]
            # key=parts: the order of Path comparison, without its per-comparison cost
            yield from sorted(found, key=lambda p: p.parts)
        elif path.exists():
            yield path
        else:
            raise ImportFailed(path, None, "no such file or folder")


def read_file(path: Path, fmt: str = "auto", text_field: str = "text", *,
              as_sets: bool = False, doc_label_columns: tuple[str, ...] = ()
              ) -> Iterator[Record]:
    """Records of one file; raises :class:`ImportFailed` on bad input. ``auto`` tells
    the format by the file's content (:func:`.detect.detect`)."""
    from .detect import detect

    kind = detect(path) if fmt == "auto" else fmt
    if kind == "labelstudio":
        from .labelstudio import read_labelstudio

        yield from read_labelstudio(path, text_field, as_sets=as_sets)
        return
    if kind == "conll":
        from .conll import read_conll

        yield from read_conll(path)
        return
    if kind == "spacy":
        from .docbin import read_docbin

        yield from read_docbin(path)
        return
    if kind in ("doccano", "prodigy"):
        kind = "jsonl"  # per line, by its keys (see read_jsonl)
    if kind == "jsonl" and _encoding(path) == "utf-8":
        yield from read_jsonl(path, _utf8_lines(path), text_field, as_sets=as_sets)
        return
    text = decode(path)
    if kind == "txt":
        yield read_txt(path, text)
    elif kind == "jsonl":
        yield from read_jsonl(path, _text_lines(text), text_field)
    elif kind == "csv":
        yield from read_csv(path, text, text_field, doc_label_columns)
    else:
        raise ImportFailed(path, None, f"unknown format {kind!r}")


def _encoding(path: Path) -> str:
    """The encoding its byte order mark names (``utf-8`` without one)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise ImportFailed(path, None, f"cannot read: {exc.strerror}") from exc
    return next((enc for bom, enc in BOMS if head.startswith(bom)), "utf-8")


def _utf8_lines(path: Path) -> Iterator[str]:
    """The lines of a UTF-8 file (BOM dropped), one at a time: they end at ``\\n``,
    ``\\r\\n`` or ``\\r`` (never at U+2028 and the like, which JSON strings may hold
    raw, as ``str.splitlines`` would). Refused as :func:`decode` refuses: undecodable
    bytes, NUL, a file with nothing but whitespace."""
    offset, number, content = 0, 0, False
    try:
        fh = open(path, "rb")  # noqa: SIM115 (closed below, also when the caller stops)
    except OSError as exc:
        raise ImportFailed(path, None, f"cannot read: {exc.strerror}") from exc
    with fh:
        for raw in fh:
            if number == 0 and raw.startswith(codecs.BOM_UTF8):
                offset, raw = len(codecs.BOM_UTF8), raw[len(codecs.BOM_UTF8):]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ImportFailed(path, number + 1 + raw[:exc.start].count(b"\r"),
                                   f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x} at "
                                   f"offset {offset + exc.start}); save the file as UTF-8"
                                   ) from exc
            offset += len(raw)
            if line.endswith("\n"):
                line = line[:-2] if line.endswith("\r\n") else line[:-1]
            for piece in line.split("\r") if "\r" in line else (line,):
                number += 1
                if "\x00" in piece:
                    raise ImportFailed(path, number, "contains NUL characters: a binary file?")
                content = content or not (not piece or piece.isspace())
                yield piece
    if not content:
        raise ImportFailed(path, None, "empty file")


def _text_lines(text: str) -> Iterator[str]:
    """The lines of decoded text, ending as :func:`_utf8_lines` says."""
    # without a \r, str.split is the same and faster
    return io.StringIO(text, newline=None) if "\r" in text else iter(text.split("\n"))


_LINE_END = re.compile(r"\r\n|\r|\n")


def read_txt(path: Path, text: str) -> Record:
    """One article per file; an optional ``date ... - Source: ...`` first line goes to
    meta. Lines end at ``\\n``, ``\\r\\n`` or ``\\r`` (old Mac files)."""
    meta: dict[str, Any] = {"file": path.name}
    first_end = _LINE_END.search(text)
    first = text if first_end is None else text[:first_end.start()]
    match = HEADER_RE.match(first)
    body = text
    if match and first_end is not None:
        rest = first_end.end()
        while True:  # skip the blank lines after the header
            nl = _LINE_END.search(text, rest)
            if nl is None or text[rest:nl.start()].strip():
                break
            rest = nl.end()
        body = text[rest:]
        meta["date"] = match["date"]
        if match["time"]:
            meta["time"] = match["time"]
        if match["source"]:
            meta["source"] = match["source"]
        meta["header"] = first.strip()
        meta["body_offset"] = rest
    if not body or body.isspace():
        raise ImportFailed(path, 1, "no article text after the header")
    return Record(text=body, meta=meta, path=path, line=None)


LABEL_KEYS = frozenset({"spans", "label", "claims", "rejected", "entities"})
#: Keys of doccano's and Prodigy's lines beyond the spans (:mod:`.doccano`, :mod:`.prodigy`).
PEER_KEYS = frozenset({"entities", "relations", "comments", "Comments", "options", "accept",
                       "status"})
#: Keys of a line's document labels (:mod:`.doclabels`).
DOC_LABEL_KEYS = frozenset({"doc_labels", "cats", "accept"})


def read_jsonl(path: Path, lines: Iterable[str], text_field: str = "text", *,
               as_sets: bool = False) -> Iterator[Record]:
    """``{"text": ..., "meta": {...}}`` per line; Prodigy ``spans``, doccano ``label``
    triples and our ``claims`` become accepted human spans."""
    for number, line in enumerate(lines, start=1):
        if not line or line.isspace():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFailed(path, number, f"invalid JSON: {exc.msg} (column {exc.colno})"
                               ) from exc
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number, deep nesting
            raise ImportFailed(path, number, f"invalid JSON: {exc}"[:200]) from exc
        if not isinstance(item, dict):
            raise ImportFailed(path, number, "each line must be a JSON object")
        if "\\u" in line:
            _check_no_surrogates(item, path, number)
        if isinstance(item.get("data"), dict):  # a Label Studio task a line
            from .labelstudio import task_record

            yield task_record(item, path, number, text_field, None, as_sets=as_sets)
            continue
        doc_text = item.get(text_field)
        if not isinstance(doc_text, str):
            what = "missing" if doc_text is None else f"not a string ({type(doc_text).__name__})"
            raise ImportFailed(path, number, f"field {text_field!r} is {what}")
        if not doc_text or doc_text.isspace():
            raise ImportFailed(path, number, f"field {text_field!r} is empty")
        if "\x00" in doc_text:
            raise ImportFailed(path, number, "text contains NUL characters")
        meta = item.get("meta")
        meta = dict(meta) if isinstance(meta, dict) else {}
        for key, value in item.items():
            if key != text_field and key not in TASK_KEYS:
                meta.setdefault(key, value)
        if "id" in item and "id" not in meta:
            meta["source_id"] = item["id"]
        record = Record(text=doc_text, meta=meta, path=path, line=number)
        annotator = item.get("_annotator_id")
        annotator = annotator if isinstance(annotator, str) else None
        if isinstance(item.get("answer"), str) and item["answer"] in ANSWER_STATUS:
            record.status = ANSWER_STATUS[item["answer"]]
        elif item.get("status") in STATUSES:
            record.status = item["status"]
        if LABEL_KEYS.intersection(item):  # most lines of a corpus carry no labels
            # Prodigy's "reject" is a decision on the spans shown (ner.teach: this entity
            # is wrong); our own export writes "reject" for a flagged document, with its
            # accepted spans and always a "claims" key.
            rejected = item.get("answer") == "reject" and "claims" not in item
            for start, end, label in _entity_triples(item, path, number):
                span = _checked_span(record, start, end, label, layer="entity",
                                     annotator=annotator)
                if rejected:
                    span.origin, span.decision = "model", "rejected"
                record.spans.append(span)
            if "claims" not in item:
                # doccano and Prodigy know no layers: the project's labels tell
                record.layers_by_scheme = True
            elif not rejected:
                _check_no_overlap(record)
            for n, claim in enumerate(item.get("claims") or []):
                _read_claim(record, claim, n, annotator)
            _read_rejected(record, item.get("rejected"))
        if DOC_LABEL_KEYS.intersection(item):
            from .doclabels import read_doc_label_keys

            read_doc_label_keys(record, item, annotator)
        if PEER_KEYS.intersection(item) or "status" in meta or "label" in item:
            from .doccano import read_doccano_keys
            from .prodigy import read_prodigy_keys

            read_doccano_keys(record, item)
            read_prodigy_keys(record, item)
        yield record


def _entity_triples(item: dict[str, Any], path: Path, line: int
                    ) -> Iterator[tuple[Any, Any, Any]]:
    spans = item.get("spans")
    if spans is not None:
        if not isinstance(spans, list):
            raise ImportFailed(path, line, "'spans' must be a list")
        for s in spans:
            if not isinstance(s, dict) or not {"start", "end", "label"} <= s.keys():
                raise ImportFailed(path, line, f"span {s!r} needs start, end and label")
            yield s["start"], s["end"], s["label"]
    labels = item.get("label")
    if isinstance(labels, list):  # doccano: [[start, end, label], ...]
        for triple in labels:
            if isinstance(triple, str):
                continue  # a text-classification label: counted by .doccano
            if not (isinstance(triple, list | tuple) and len(triple) == 3):
                raise ImportFailed(path, line,
                                   f"doccano label {triple!r} is not [start, end, label]")
            yield tuple(triple)


def _check_no_overlap(record: Record) -> None:
    ents = sorted((s for s in record.spans if s.layer == "entity" and s.decision == "accepted"),
                  key=lambda s: (s.annotation_set, s.start, s.end))
    for a, b in zip(ents, ents[1:], strict=False):
        if b.start < a.end and a.annotation_set == b.annotation_set:
            raise ImportFailed(record.path, record.line,
                               f"entity spans overlap: [{a.start}, {a.end}) {a.label} and "
                               f"[{b.start}, {b.end}) {b.label}")


def _layers_by_scheme(record: Record, layer_of: Mapping[str, str]) -> None:
    """Spans labelled with one of the project's claim labels become claims."""
    for span in record.spans:
        if span.layer == "entity" and layer_of.get(span.label) == "claim":
            span.layer = "claim"
            span.claim = span.claim or Claim()
        elif span.layer == "entity" and span.claim is not None:
            # per-region attributes (Label Studio) on what the project calls an entity
            record.leave_out("claim attributes on entity regions", sum(
                value is not None for value in span.claim.as_dict().values()))
            span.claim = None


def _resolve_relations(record: Record) -> None:
    """Relations joining a claim and an entity become the claim's claimant; any other
    is counted as left out, with its reason."""
    for a, b, label in record.relations:
        first, second = record.spans[a], record.spans[b]
        if first.layer == "entity" and second.layer == "claim":
            a, b, first, second = b, a, second, first
        what = f" {label!r}" if label else ""
        if not (first.layer == "claim" and second.layer == "entity"):
            record.leave_out(f"relations{what} not joining a claim and an entity "
                             "(only claimant links are modelled)")
        elif a in record.claimant_offsets:
            record.leave_out("relations giving a claim a second claimant")
        else:
            record.claimant_offsets[a] = (second.start, second.end)
            record.claimant_labels.setdefault(a, second.label)
    record.relations = []


def _drop_overlaps(record: Record) -> None:
    """Leave out (counted) accepted entities that overlap an earlier one."""
    kept: list[Span] = []
    drop: set[int] = set()
    order = sorted(range(len(record.spans)), key=lambda i: (
        record.spans[i].annotation_set, record.spans[i].start, record.spans[i].end))
    for i in order:
        span = record.spans[i]
        if span.layer != "entity" or span.decision != "accepted":
            continue
        if kept and span.start < kept[-1].end and \
                span.annotation_set == kept[-1].annotation_set:
            drop.add(i)
            record.leave_out("entity regions overlapping another entity (entities do not "
                             "overlap)")
            continue
        kept.append(span)
    if not drop:
        return
    index = {old: new for new, old in enumerate(i for i in range(len(record.spans))
                                                if i not in drop)}
    record.claimant_offsets = {index[i]: v for i, v in record.claimant_offsets.items()
                               if i in index}
    record.claimant_labels = {index[i]: v for i, v in record.claimant_labels.items()
                              if i in index}
    record.spans = [s for i, s in enumerate(record.spans) if i not in drop]


def _read_rejected(record: Record, rejected: Any) -> None:
    """Our export's ``rejected`` list (negative examples) as rejected suggestions."""
    if rejected is None:
        return
    if not isinstance(rejected, list):
        raise ImportFailed(record.path, record.line, "'rejected' must be a list")
    for n, item in enumerate(rejected):
        if not isinstance(item, dict) or item.get("layer") not in LAYERS:
            raise ImportFailed(record.path, record.line,
                               f"rejected span {n} needs a layer (entity or claim)")
        span = _checked_span(record, item.get("start"), item.get("end"), item.get("label"),
                             item["layer"], None)
        span.origin, span.decision = "model", "rejected"
        if span.layer == "claim":
            span.claim = Claim()
        record.spans.append(span)


def read_csv(path: Path, text: str, text_field: str = "text",
             doc_label_columns: tuple[str, ...] = ()) -> Iterator[Record]:
    """One article per row; ``text_field`` names the text column, ``doc_label_columns``
    those holding document labels (of the category of the column's name, several
    separated by whitespace), the others go to meta."""
    # An article is often longer than the csv module's default 128 KiB field limit.
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
    # strict: an unclosed quote is an error, not the rest of the file read as one field.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise ImportFailed(path, 1, f"bad CSV header: {exc}") from exc
    if fieldnames is None or text_field not in fieldnames:
        raise ImportFailed(path, 1, f"no column {text_field!r} (columns: "
                           f"{', '.join(fieldnames or [])}); use --text-field")
    for column in doc_label_columns:
        if column not in fieldnames:
            raise ImportFailed(path, 1, f"no column {column!r} (--doc-label-column; "
                               f"columns: {', '.join(fieldnames)})")
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            doc_text = row.get(text_field)
            if doc_text is None or not doc_text.strip():
                raise ImportFailed(path, line, f"empty {text_field!r} column")
            if any(isinstance(v, str) and v.startswith("[{") and '"start"' in v
                   for v in row.values()):
                yield _labelstudio_row(path, line, row, text_field)
                continue
            meta = {k: v for k, v in row.items() if k != text_field and k is not None and v
                    and k not in doc_label_columns}
            record = Record(text=doc_text, meta=meta, path=path, line=line)
            if doc_label_columns:
                from .doclabels import add_doc_label

                for column in doc_label_columns:
                    for label in (row.get(column) or "").split():
                        add_doc_label(record, label, column)
            yield record
    except csv.Error as exc:
        # The row that failed starts after the last good one (it may span lines).
        raise ImportFailed(path, line + 1, f"bad CSV (row starting here): {exc}") from exc


def _labelstudio_row(path: Path, line: int, row: dict[str | None, str], text_field: str
                     ) -> Record:
    """A row of Label Studio's CSV export: its region columns hold JSON-MIN's lists."""
    from .labelstudio import Config, min_record

    item: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or not isinstance(value, str) or not value:
            continue  # an empty cell: nothing (as in any CSV row)
        item[key] = value
        if value.startswith(("[", "{")):
            with contextlib.suppress(ValueError):
                item[key] = json.loads(value)
    return min_record(item, path, line, text_field, Config.beside(path))


def _merge_records(first: Record, more: Record, result: ImportResult) -> None:
    """Add the labels of ``more`` (a line with the same text) to ``first``: exact
    repeats are left out, and accepted entities that overlap one of ``first``'s
    (counted in ``result``)."""
    base = len(first.spans)
    keep = _new_spans(first.spans, more.spans, result)
    for n, index in enumerate(keep, start=base):
        if index in more.claimant_offsets:
            first.claimant_offsets[n] = more.claimant_offsets[index]
        if index in more.claimant_labels:
            first.claimant_labels[n] = more.claimant_labels[index]
    first.spans.extend(more.spans[i] for i in keep)
    have = {(x.annotation_set, x.category, x.label) for x in first.doc_labels}
    first.doc_labels.extend(x for x in more.doc_labels
                            if (x.annotation_set, x.category, x.label) not in have)


#: why an entity of a line repeating a text was left out (ImportResult.left_out)
OVERLAP_REPEAT = ("entity of a repeated text overlapping an entity the text already "
                  "has (the first kept)")


def _new_spans(have: list[Span], more: list[Span], result: ImportResult) -> list[int]:
    """Indices of ``more`` that may join ``have`` (see :func:`_merge_records`): not an
    exact repeat, and, for an accepted entity, not over an entity (accepted, or a
    pending suggestion) of the same set, which is counted in ``result``."""
    keys = {(s.annotation_set, s.layer, s.start, s.end, s.label, s.decision) for s in have}
    standing = [s for s in have if s.layer == "entity" and s.decision != "rejected"]
    out = []
    for index, span in enumerate(more):
        key = (span.annotation_set, span.layer, span.start, span.end, span.label,
               span.decision)
        if key in keys:
            continue
        if span.layer == "entity" and span.decision != "rejected":
            if any(a.overlaps(span.start, span.end) for a in standing
                   if a.annotation_set == span.annotation_set):
                result.left_out[OVERLAP_REPEAT] += 1
                continue
            standing.append(span)
        keys.add(key)
        out.append(index)
    return out


def _insert_more_spans(store: Store, doc_id: int, record: Record, result: ImportResult
                       ) -> int:
    """Add a repeated line's labels to the document already in the project (of this
    import or an earlier one), in every set (see :func:`_new_spans`)."""
    have = store.spans(doc_id, annotation_set=None)
    keep = _new_spans(have, record.spans, result)
    extra = Record(record.text, record.meta, record.path, record.line,
                   [record.spans[i] for i in keep])
    for n, index in enumerate(keep):
        if index in record.claimant_offsets:
            extra.claimant_offsets[n] = record.claimant_offsets[index]
        if index in record.claimant_labels:
            extra.claimant_labels[n] = record.claimant_labels[index]
    _insert_spans(store, doc_id, extra)
    return len(keep)


#: Why a document label of a repeated text was left out (ImportResult.left_out).
DECIDED_REPEAT = ("document labels of a repeated text whose document already has a "
                  "decision on them (or another label of the exclusive category)")


def insert_doc_labels(store: Store, doc_id: int, record: Record, result: ImportResult
                      ) -> int:
    """Store the record's document labels on ``doc_id``, not over a decision the
    document has (a repeated text: that one is kept and the new one counted out), nor
    beside an accepted label of an exclusive category. How many landed."""
    if not record.doc_labels:
        return 0
    exclusive = {c.name for c in store.label_scheme().categories if c.exclusive}
    have: dict[str, list[DocLabel]] = {}
    n = 0
    for x in record.doc_labels:
        if x.annotation_set not in have:
            have[x.annotation_set] = list(store.doc_labels(doc_id, x.annotation_set))
        same = have[x.annotation_set]
        taken = any(y.category == x.category and (
            y.label == x.label or (x.category in exclusive and y.decision == "accepted"
                                   and x.decision == "accepted")) for y in same)
        if taken:
            result.left_out[DECIDED_REPEAT] += 1
            continue
        x.doc_id = doc_id
        x.id = store.put_doc_label(x)
        same.append(x)
        n += 1
    return n


def _insert_spans(store: Store, doc_id: int, record: Record) -> None:
    # by annotation set: a claim's claimant is an entity of the same set
    ids: dict[tuple[str, int, int], int] = {}
    accepted: list[Span] = []
    for span in record.spans:
        span.doc_id = doc_id
        if span.layer == "entity":
            span_id = store.insert_span(span)
            if span.decision == "accepted":
                ids[(span.annotation_set, span.start, span.end)] = span_id
                accepted.append(span)
    for index, span in enumerate(record.spans):
        if span.layer != "claim":
            continue
        offsets = record.claimant_offsets.get(index)
        label = record.claimant_labels.get(index)
        key = (span.annotation_set, *offsets) if offsets else None
        if (key and label and key not in ids and 0 <= key[1] < key[2] <= len(record.text)
                and not any(a.overlaps(key[1], key[2]) for a in accepted
                            if a.annotation_set == span.annotation_set)):
            # The claimant was an entity the source had not accepted (our export links
            # claims to pending suggestions too): keep the link, as a suggestion.
            ids[key] = store.insert_span(Span(
                doc_id=doc_id, layer="entity", start=key[1], end=key[2], label=label,
                origin="model", decision="pending", annotation_set=span.annotation_set))
        if key and span.claim is not None and key in ids:
            span.claim.claimant_span_id = ids[key]
            span.claim.claimant_text = None
        store.insert_span(span)
    for name, status in record.set_statuses.items():
        store.put_set_status(doc_id, name, status, None)
