"""The values of a JSON file one at a time: the items of a top-level array, or values
written one after another (a task a line), each with the line it starts on.

Memory stays bounded by the largest value, not the file: bytes are decoded in chunks
and each value is parsed with the standard library's ``JSONDecoder.raw_decode`` as soon
as the buffer holds it (measured in ``bench/importing.py``: a 200 MB Label Studio
export)."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .records import ImportFailed

CHUNK = 1 << 20
#: A single value larger than this is refused (a broken file would otherwise be read
#: whole, looking for the end of a value that never comes).
MAX_VALUE = 256 << 20
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def iter_values(path: Path) -> Iterator[tuple[Any, int]]:
    """``(value, line)`` for each item of the top-level array, or each top-level value."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 (closed below, also when the caller stops)
    except OSError as exc:
        raise ImportFailed(path, None, f"cannot read: {exc.strerror}") from exc
    with fh:
        yield from _values(path, fh)


def _values(path: Path, fh: Any) -> Iterator[tuple[Any, int]]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    buf, pos, line, eof = "", 0, 1, False
    in_array: bool | None = None
    want = CHUNK

    def more() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        data = fh.read(want)
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise ImportFailed(path, line, "not valid UTF-8 text; save the file as UTF-8"
                               ) from exc
        if "\x00" in text:
            raise ImportFailed(path, line, "contains NUL characters: a binary file?")
        eof = not data
        buf = buf[pos:] + text
        pos = 0
        return True

    def skip_space() -> None:
        nonlocal pos, line
        while True:
            m = _SPACE.match(buf, pos)
            assert m is not None
            line += buf.count("\n", pos, m.end())
            pos = m.end()
            if pos < len(buf) or not more():
                return

    skip_space()
    if pos >= len(buf):
        raise ImportFailed(path, None, "empty file")
    in_array = buf[pos] == "["
    if in_array:
        pos += 1
        skip_space()
        if buf.startswith("]", pos):
            return
    while True:
        while True:
            try:
                value, end = _DECODER.raw_decode(buf, pos)
                if end < len(buf) or eof or isinstance(value, dict | list):
                    break
                more()  # a number or word may go on in the next chunk
                continue
            except json.JSONDecodeError as exc:
                if eof or len(buf) - pos > MAX_VALUE:
                    where = line + buf.count("\n", pos, exc.pos)
                    raise ImportFailed(path, where, f"invalid JSON: {exc.msg}") from exc
                want = min(max(want, len(buf) - pos) * 2, MAX_VALUE)
                more()
            except RecursionError as exc:
                raise ImportFailed(path, line, "invalid JSON: nested too deeply") from exc
        yield value, line
        line += buf.count("\n", pos, end)
        pos = end
        want = CHUNK
        skip_space()
        if pos >= len(buf):
            if in_array:
                raise ImportFailed(path, line, "invalid JSON: the list of tasks is not closed "
                                   "with ']'")
            return
        if in_array:
            if buf[pos] == "]":
                pos += 1
                skip_space()
                if pos < len(buf):
                    raise ImportFailed(path, line, "invalid JSON: more after the closing ']'")
                return
            if buf[pos] != ",":
                raise ImportFailed(path, line, "invalid JSON: expected ',' or ']' between "
                                   "tasks")
            pos += 1
            skip_space()
