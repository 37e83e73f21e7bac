"""Tell a file's format by its content (``annotator import --format auto``).

The first 64 KiB decide: a ``DocBin``'s zlib stream; a JSON list (Label Studio JSON or
JSON-MIN); JSON objects a line (ours, Prodigy's, doccano's, or Label Studio tasks); lines
of ``token ... TAG`` (CoNLL, whatever the file is called). Otherwise the file's ending
decides (``.txt``, ``.csv``); a file that fits no format, or more than one, is refused
with the candidates and the ``--format`` to pass.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

from .records import SUFFIXES, ImportFailed

HEAD = 1 << 16
_CONLL_LINE = re.compile(r"^\S+(?:[ \t]+\S+)*[ \t]+(?:O|[BIELSU]-\S+)$")
_ZLIB = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")


def looks_conll(lines: list[str]) -> bool:
    """Whether the first lines are CoNLL: ``-DOCSTART-`` or ``token ... TAG`` each, with
    at least one tagged token line."""
    body = [x.strip() for x in lines if x.strip()][:50]
    tagged = [x for x in body if not x.startswith("-DOCSTART-")]
    return bool(tagged) and all(_CONLL_LINE.match(x) for x in tagged)


def detect(path: Path) -> str:
    """The format of ``path``: ``txt``, ``csv``, ``jsonl``, ``labelstudio``, ``conll``
    or ``spacy``; raises :class:`ImportFailed` when it cannot tell."""
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD)
    except OSError as exc:
        raise ImportFailed(path, None, f"cannot read: {exc.strerror}") from exc
    if suffix == ".spacy" or head.startswith(_ZLIB):
        return "spacy"
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or head[:4] in (
            codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        text = None  # a wide encoding: by the file's ending (txt, csv, jsonl)
    else:
        text = head.removeprefix(codecs.BOM_UTF8).decode("utf-8", "replace")
    if text is not None:
        stripped = text.lstrip()
        if stripped.startswith("["):
            return "labelstudio"
        if stripped.startswith("{"):
            first, newline, _ = stripped.partition("\n")
            if not newline and len(head) == HEAD:  # a first line longer than the head
                return "labelstudio" if suffix == ".json" else "jsonl"
            try:
                item = json.loads(first)
            except (ValueError, RecursionError):
                if '"data"' in stripped:  # one task written over several lines
                    return "labelstudio"
                return "jsonl"  # the line's error names it
            if isinstance(item, dict) and isinstance(item.get("data"), dict):
                return "labelstudio"
            return "jsonl"
        lines = text.split("\n")
        if len(head) == HEAD:
            lines = lines[:-1]  # the last may be cut
        if suffix not in (".csv",) and looks_conll(lines):
            return "conll"
    kind = SUFFIXES.get(suffix)
    if kind in ("txt", "csv", "jsonl", "conll"):
        return kind
    if kind == "json":
        raise ImportFailed(path, 1, "not JSON (it starts with neither '[' nor '{'); pass "
                           "--format if it is another format")
    if text is None or "\x00" in text or "\ufffd" in text:
        raise ImportFailed(path, None, f"unknown file type {suffix!r}, and its content is "
                           "none of the formats Annotator reads (binary?)")
    candidates = ["txt", "csv"] if "," in text.split("\n", 1)[0] else ["txt"]
    raise ImportFailed(path, None, f"unknown file type {suffix!r}: by its content it could be "
                       f"{' or '.join(candidates)}; pass "
                       f"{' or '.join('--format ' + c for c in candidates)}")
