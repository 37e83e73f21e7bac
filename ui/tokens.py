"""Token boundaries for span editing, without spaCy (opening the window never loads it).

A token is a run of word characters or a single other non-space character, which is
close enough to spaCy's tokens for snapping a selection and for growing or shrinking a
span by a token. A run of word characters is split where the project tokenizer splits
glued words (:func:`annotator.tokens.word_splits`: "SDFcoalition" is "SDF" and
"coalition", "inIraq" is "in" and "Iraq"; "NGOs" and "YouTube" stay whole), so the
window snaps as the suggestions and exports count tokens. Offsets are Python code
points.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from annotator.tokens import word_splits

# As spaCy's English tokenizer has them: numbers with separators ("2,500", "4.25",
# "02:20"), clitics ("’s", "'ll", "do|n’t"), runs of word characters, any other single
# character.
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)+|(?<=\w)['’](?:[sdmSDM]|ll|re|ve|LL|RE|VE)(?!\w)"
                    r"|[^\W\d_]+?(?=[nN]['’][tT](?!\w))|(?<=\w)[nN]['’][tT](?!\w)"
                    r"|\w+|[^\w\s]")


class Tokens:
    """The tokens of one text, as sorted start and end offsets."""

    def __init__(self, text: str):
        self.text = text
        self.starts: list[int] = []
        self.ends: list[int] = []
        for match in _TOKEN.finditer(text):
            base, end = match.span()
            start = base
            # A glued word has at least five letters ("inIraq", "USmaintains").
            for point in word_splits(match.group()) if end - base >= 5 else ():
                self.starts.append(start)
                self.ends.append(base + point)
                start = base + point
            self.starts.append(start)
            self.ends.append(end)

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """Widen ``[start, end)`` to whole tokens; ``None`` if it holds no token."""
        first = bisect_right(self.ends, start)  # first token ending after start
        last = bisect_left(self.starts, end) - 1  # last token starting before end
        if first > last or first >= len(self.starts):
            return None
        return self.starts[first], self.ends[last]

    def grow_start(self, start: int) -> int:
        """The start of the token before ``start`` (or ``start`` at the beginning)."""
        i = bisect_left(self.starts, start) - 1
        return self.starts[i] if i >= 0 else start

    def shrink_start(self, start: int, end: int) -> int:
        """The start of the next token after ``start`` that still leaves a span."""
        i = bisect_right(self.starts, start)
        if i < len(self.starts) and self.starts[i] < end:
            return self.starts[i]
        return start

    def grow_end(self, end: int) -> int:
        """The end of the token after ``end`` (or ``end`` at the end of the text)."""
        i = bisect_right(self.ends, end)
        return self.ends[i] if i < len(self.ends) else end

    def shrink_end(self, start: int, end: int) -> int:
        """The end of the token before ``end`` that still leaves a span."""
        i = bisect_left(self.ends, end) - 1
        if i >= 0 and self.ends[i] > start:
            return self.ends[i]
        return end

    def at(self, pos: int) -> tuple[int, int] | None:
        """The token holding code point ``pos``, else the one ending there (a caret
        just after a word); None between words."""
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and pos < self.ends[i]:
            return self.starts[i], self.ends[i]
        if i >= 0 and pos == self.ends[i]:
            return self.starts[i], self.ends[i]
        return None
