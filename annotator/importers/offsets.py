"""Region offsets checked against the text the region says it covers.

Peers write code-point offsets (Label Studio's Text tag, doccano), but some Label Studio
versions emit offsets counted in UTF-16 code units (JavaScript strings), which are
larger after every character outside the Basic Multilingual Plane (emoji). A region
whose ``text[start:end]`` is not its own ``text`` is moved when one reading of its
offsets (UTF-16 units, UTF-8 bytes) gives exactly that text; otherwise it is refused.
"""

from __future__ import annotations

UTF16 = "region offsets counted in UTF-16 units, moved to code points"
UTF8 = "region offsets counted in UTF-8 bytes, moved to code points"


def code_point(text: str, offset: int, encoding: str) -> int | None:
    """The code-point offset of ``offset`` counted in ``encoding`` units (``None`` if it
    falls inside a character or past the end)."""
    size = 2 if encoding == "utf-16-le" else 1
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        if units > offset:
            return None
        units += len(char.encode(encoding, "surrogatepass")) // size
    return len(text) if units == offset else None


def place(text: str, start: int, end: int, region_text: object) -> tuple[int, int, str | None]:
    """``(start, end, how)``: the region's offsets as code points, with how they were
    repaired (``None``: as given). Raises ``ValueError`` naming the mismatch."""
    if not isinstance(region_text, str) or text[start:end] == region_text:
        return start, end, None
    if text.isascii():
        raise ValueError(f"text[{start}:{end}] is {text[start:end]!r}, the region says "
                         f"{region_text!r}")
    for encoding, how in (("utf-16-le", UTF16), ("utf-8", UTF8)):
        a, b = code_point(text, start, encoding), code_point(text, end, encoding)
        if a is not None and b is not None and text[a:b] == region_text:
            return a, b, how
    raise ValueError(f"text[{start}:{end}] is {text[start:end]!r}, the region says "
                     f"{region_text!r} (no reading of the offsets as code points, UTF-16 "
                     "units or UTF-8 bytes gives it)")
