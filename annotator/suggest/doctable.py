"""A parsed ``Doc`` read once into plain lists, for the claim rules.

The rules ask the same few things of every token (its lower-case form, lemma, tags, head,
children, entity, whether it is quoted) many times; spaCy's ``Token`` properties each
cost a lookup, so they are read once per document here (about 1 ms for a 600-token
article, against some 150 ms of parsing).
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from .entities import EntitySuggestion

if TYPE_CHECKING:
    from spacy.tokens import Doc

SUBJECTS = ("nsubj", "nsubjpass", "csubj", "expl")
# A "person" the NER found that is a law or a document ("Bill C-74", "the Clean Air Act").
LAW_LIKE = re.compile(r"^(the\s+)?(bill|act|section|article|resolution|proposition|"
                      r"amendment|chapter|clause|motion)\b|\b(act|bill|code|treaty)$",
                      re.IGNORECASE)


class DocTable:
    """Token attributes of ``doc`` as lists, the entity each token is in, and (after
    :meth:`set_quotes`) which tokens are inside a direct quotation."""

    def __init__(self, doc: Doc, entities: list[EntitySuggestion]):
        self.doc = doc
        self.text = doc.text
        self.entities = entities
        self.n = n = len(doc)
        tokens = list(doc)  # one Token object each: iterating a Doc makes new ones
        self.lower = [t.lower_ for t in tokens]
        self.lemma = [t.lemma_.lower() for t in tokens]
        self.tag = [t.tag_ for t in tokens]
        self.pos = [t.pos_ for t in tokens]
        self.dep = [t.dep_ for t in tokens]
        from spacy.attrs import HEAD  # here: importing this module must not import spaCy

        # HEAD is stored relative (and unsigned); token.head.i would make a Token each
        relative = doc.to_array([HEAD]).astype("int64").tolist() if n else []
        self.head = [i + rel for i, rel in enumerate(relative)]
        self.idx = [t.idx for t in tokens]
        self.end = [t.idx + len(t) for t in tokens]
        self.like_num = [t.like_num for t in tokens]
        self.word = [not (t.is_punct or t.is_space) for t in tokens]
        self.children: list[list[int]] = [[] for _ in range(n)]
        for i, h in enumerate(self.head):
            if h != i:
                self.children[h].append(i)
        self.ent = [-1] * n
        for k, e in enumerate(entities):
            i = max(bisect.bisect_right(self.idx, e.start) - 1, 0)
            while i < n and self.idx[i] < e.end:
                if self.end[i] > e.start and self.ent[i] < 0:
                    self.ent[i] = k
                i += 1
        self.quoted = [False] * n

    def set_quotes(self, regions: list[tuple[int, int]]) -> None:
        """Mark the tokens inside the quotations ``regions``."""
        for qs, qe in regions:
            i = bisect.bisect_left(self.idx, qs)
            while i < self.n and self.idx[i] < qe:
                self.quoted[i] = True
                i += 1

    # --- tokens

    def label(self, i: int) -> str:
        """The entity label of token ``i`` ("" outside entities)."""
        k = self.ent[i]
        return self.entities[k].label if k >= 0 else ""

    def child(self, i: int, *deps: str) -> int:
        """The first child of ``i`` with one of ``deps``, else -1."""
        for c in self.children[i]:
            if self.dep[c] in deps:
                return c
        return -1

    def auxes(self, i: int) -> set[str]:
        """Lower-case auxiliaries of the verb ``i`` (and of the verb it is chained to by
        ``xcomp``/``conj`` when it has none: "will try to cut", "will cut and raise")."""
        out = {self.lower[c] for c in self.children[i] if self.dep[c] in ("aux", "auxpass")}
        if not out and self.dep[i] == "conj" and self.head[i] != i:
            out = {self.lower[c] for c in self.children[self.head[i]]
                   if self.dep[c] in ("aux", "auxpass")}
        return out

    def subject(self, i: int) -> int:
        """The subject of the verb ``i``, borrowed from the verb it is chained to by
        ``xcomp`` or ``conj`` ("He voted and lost", "we want to cut"); -1 if none."""
        for _ in range(4):
            s = self.child(i, *SUBJECTS)
            if s >= 0 or self.dep[i] not in ("xcomp", "conj") or self.head[i] == i:
                return s
            i = self.head[i]
        return -1

    def left_edge(self, i: int) -> int:
        return int(self.doc[i].left_edge.i)

    def right_edge(self, i: int) -> int:
        return int(self.doc[i].right_edge.i)

    def depth(self, i: int) -> int:
        d = 0
        while self.head[i] != i and d < 50:
            i = self.head[i]
            d += 1
        return d

    def span_text(self, a: int, b: int) -> str:
        """Text of tokens ``[a, b)``."""
        return self.text[self.idx[a]:self.end[b - 1]] if b > a else ""

    # --- entities

    def is_law(self, k: int) -> bool:
        e = self.entities[k]
        return e.label == "LAW" or bool(LAW_LIKE.search(self.text[e.start:e.end]))

    def entity_quoted(self, k: int) -> bool:
        e = self.entities[k]
        i = max(bisect.bisect_right(self.idx, e.start) - 1, 0)
        return self.quoted[i] if i < self.n else False
