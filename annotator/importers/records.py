"""What every reader of :mod:`annotator.importers` shares: the error, the record of one
document, decoding, and the checks of a span and a claim."""

from __future__ import annotations

import codecs
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ImportFailed as ImportFailed
from ..model import (
    CHECKWORTHY,
    CLAIM_TYPES,
    Claim,
    DocLabel,
    Layer,
    Span,
    Status,
    check_label_name,
)

SUFFIXES = {".txt": "txt", ".text": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
            ".json": "json", ".conll": "conll", ".conllu": "conll", ".iob": "conll",
            ".iob2": "conll", ".bio": "conll", ".bilou": "conll", ".spacy": "spacy"}


# Checked in this order: the UTF-32 LE mark starts with the UTF-16 LE one.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class Record:
    """One document read from a file, with any labels it carried."""

    text: str
    meta: dict[str, Any]
    path: Path
    line: int | None = None
    spans: list[Span] = field(default_factory=list)
    # claimant links by (start, end) of an entity span, resolved after insertion; the
    # label recreates a claimant that was not an accepted entity as a pending suggestion
    claimant_offsets: dict[int, tuple[int, int]] = field(default_factory=dict)
    claimant_labels: dict[int, str] = field(default_factory=dict)
    status: str = "new"
    note: str | None = None
    #: What the file held that does not land, by reason (summed into the result).
    left_out: Counter[str] = field(default_factory=Counter)
    #: Offsets repaired, by how (summed into the result).
    repaired: Counter[str] = field(default_factory=Counter)
    #: Spans whose layer the project's scheme decides (peer formats know no layers): a
    #: span labelled with one of the project's claim labels becomes a claim.
    layers_by_scheme: bool = False
    #: Links between spans by index (a claim and an entity, either way round), with the
    #: relation's label: the claimant links of the formats that have relations.
    relations: list[tuple[int, int, str]] = field(default_factory=list)
    #: Overlapping entities: refused (``False``) or left out, counted (``True``).
    drop_overlaps: bool = False
    #: The document's status in annotators' sets (``--as-sets``), by set name.
    set_statuses: dict[str, Status] = field(default_factory=dict)
    #: Document labels (``category`` empty: the project's scheme places the label; see
    #: :mod:`.doclabels`).
    doc_labels: list[DocLabel] = field(default_factory=list)
    #: What the file says of a category's exclusivity (a Label Studio ``choice``), for
    #: a category ``--add-labels`` adds.
    exclusive: dict[str, bool] = field(default_factory=dict)

    def leave_out(self, reason: str, n: int = 1) -> None:
        if n:
            self.left_out[reason] += n


def decode(path: Path) -> str:
    """Bytes to text: UTF-8 (BOM dropped) or UTF-16/32 with a BOM; anything else is refused."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ImportFailed(path, None, f"cannot read: {exc.strerror}") from exc
    if not data or data.isspace():  # not .strip(): no copy of the whole file
        raise ImportFailed(path, None, "empty file")
    encoding = next((enc for bom, enc in BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFailed(path, line, f"not valid {encoding.upper()} text "
                           f"(byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                           "save the file as UTF-8") from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportFailed(path, line, "contains NUL characters: a binary file?")
    if text.isspace():
        raise ImportFailed(path, None, "empty file")
    return text


def _checked_span(record: Record, start: Any, end: Any, label: Any, layer: Layer,
                  annotator: str | None) -> Span:
    where = f"{layer} span [{start}, {end}) {label!r}"
    if (not (isinstance(start, int) and isinstance(end, int))
            or isinstance(start, bool) or isinstance(end, bool)):
        raise ImportFailed(record.path, record.line, f"{where}: offsets must be integers")
    if not isinstance(label, str) or not label:
        raise ImportFailed(record.path, record.line, f"{where}: label must be a string")
    reason = check_label_name(label)
    if reason is not None:
        raise ImportFailed(record.path, record.line, f"{where}: {reason}")
    if start >= end:
        raise ImportFailed(record.path, record.line, f"{where}: start must be before end")
    if start < 0 or end > len(record.text):
        raise ImportFailed(record.path, record.line,
                           f"{where}: outside the text (length {len(record.text)})")
    return Span(doc_id=0, layer=layer, start=start, end=end, label=label, origin="human",
                decision="accepted", annotator=annotator)


def _read_claim(record: Record, claim: Any, n: int, annotator: str | None) -> None:
    if not isinstance(claim, dict):
        raise ImportFailed(record.path, record.line, f"claim {n} must be an object")
    span = _checked_span(record, claim.get("start"), claim.get("end"),
                         claim.get("label", "CLAIM"), "claim", annotator)
    attrs = Claim(via=_optional_str(record, claim.get("via"), f"claim {n}: 'via'"),
                  hedged=claim.get("hedged"))
    if claim.get("claim_type") in CLAIM_TYPES:
        attrs.claim_type = claim["claim_type"]
    if claim.get("checkworthy") in CHECKWORTHY:
        attrs.checkworthy = claim["checkworthy"]
    claimant = claim.get("claimant")
    if isinstance(claimant, dict):
        attrs.claimant_text = _optional_str(record, claimant.get("text"),
                                            f"claim {n}: claimant 'text'")
        if "start" in claimant and "end" in claimant:
            start, end = claimant["start"], claimant["end"]
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
                raise ImportFailed(record.path, record.line,
                                   f"claim {n}: claimant offsets must be integers")
            record.claimant_offsets[len(record.spans)] = (start, end)
            if isinstance(claimant.get("label"), str) and claimant["label"]:
                reason = check_label_name(claimant["label"])
                if reason is not None:
                    raise ImportFailed(record.path, record.line,
                                       f"claim {n}: claimant label {claimant['label']!r}: "
                                       f"{reason}")
                record.claimant_labels[len(record.spans)] = claimant["label"]
    elif isinstance(claimant, str):
        attrs.claimant_text = claimant
    span.claim = attrs
    record.spans.append(span)


def _optional_str(record: Record, value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ImportFailed(record.path, record.line,
                       f"{what} must be a string, not {type(value).__name__}")


def _check_no_surrogates(item: Any, path: Path, line: int) -> None:
    """Refuse ``"\\ud83d"``-style escapes of half a character: valid JSON, but not text
    (SQLite, and every exporter, would fail on it later)."""
    try:
        json.dumps(item, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start:exc.end].encode("unicode_escape").decode()
        raise ImportFailed(path, line, f"contains an unpaired surrogate escape ({bad}), "
                           "half of a character; the producer of the file wrote broken "
                           "UTF-16") from exc
