"""The document-label bar under the title (issue 25): each category of the project's
document labels on a line of its own, its choices as chips with their keys, and each
suggestion's score.

Drawing: an accepted label is filled in its colour, a pending suggestion is dashed and
italic with its score, a rejected suggestion is struck through, an untouched choice has
a faint frame. With the key focus in the bar, the chip under its cursor is outlined.

Keys (the widget's own; :class:`ui.doclabel_work.DocLabelWork` acts on its signals):
``Ctrl+D`` (the window's action, :data:`PREFIX`) *arms* the bar: the next key is a
document label's own key, which chooses that label, and the focus goes back to the
article. ``Tab`` reaches the bar too; there ←/→ move between choices, ↑/↓ between
categories, Space or Return chooses, the labels' keys choose, ``A`` accepts the
document's pending suggestions and ``X`` rejects the label under the cursor (so a
label whose key is ``a`` or ``x`` is reached with ``Ctrl+D`` or the arrows). Every
other key (``D``, ``N``, Esc, Ctrl+Z, ...) stays the window's.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent, QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QWidget

from annotator.model import DocLabel, Label, LabelCategory, LabelScheme

from .colors import is_dark, label_color
from .legend import FlowLayout

#: The window's key that arms the bar: then a document label's own key.
PREFIX = "Ctrl+D"
#: The bar's own command keys (with the key focus in it, not after the prefix).
ACCEPT_KEY, REJECT_KEY = "a", "x"

_MOVES = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, +1), Qt.Key.Key_Up: (-1, 0),
          Qt.Key.Key_Down: (+1, 0)}
_CHOOSE = {Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter}
_ENDS = {Qt.Key.Key_Home, Qt.Key.Key_End}


def doc_label_keys(scheme: LabelScheme) -> dict[str, Label]:
    """Each document label's key (lower case) -> the label. Keys are unique among
    document labels (the core says so); should two share one, the first keeps it."""
    keys: dict[str, Label] = {}
    for label in scheme.doc_labels():
        if label.key and label.key.lower() not in keys:
            keys[label.key.lower()] = label
    return keys


def category_title(category: LabelCategory) -> str:
    """"topic (any)", "stance (one)", "reliability (one, required)"."""
    how = "one" if category.exclusive else "any"
    return f"{category.name} ({how}{', required' if category.required else ''})"


@dataclass(frozen=True)
class Choice:
    """One chip of the bar: a label of a category, and its key (if it has one)."""

    category: LabelCategory
    label: Label
    key: str


def state_of(row: DocLabel | None) -> str:
    """How a chip is drawn: "accepted", "pending", "rejected" or "" (no decision)."""
    return row.decision if row is not None else ""


def chip_text(choice: Choice, row: DocLabel | None) -> str:
    key = f"{choice.key.upper()} " if choice.key else ""
    score = f" {row.score:.2f}" if row is not None and row.score is not None else ""
    return f"{key}{choice.label.name}{score}"


def chip_tip(choice: Choice, row: DocLabel | None) -> str:
    cat = choice.category
    how = f"{PREFIX}, then {choice.key.upper()}" if choice.key else "←/→ in the bar, Space"
    lines = [f"{choice.label.name} ({cat.name}: {'one choice' if cat.exclusive else 'any'}"
             f"{', required' if cat.required else ''}) — {how}"]
    if row is None:
        lines.append("not chosen")
    else:
        score = f", score {row.score:.2f}" if row.score is not None else ""
        who = f" by {row.annotator}" if row.annotator else ""
        model = f" ({row.model})" if row.model and row.origin == "model" else ""
        lines.append(f"{row.decision}: {row.origin}{model}{who}{score}")
    if choice.label.description:
        lines.append(choice.label.description)
    return "\n".join(lines)


class DocLabelBar(QFrame):
    """The bar. ``chosen(category, label)``: a key or Space chose a label;
    ``accept_asked()``: A in the bar; ``reject_asked(category, label)``: X on a chip;
    ``finished()``: an armed bar took its one key (the focus goes back to the article);
    ``unknown(key)``: an armed bar got a key no document label has."""

    chosen = Signal(str, str)
    accept_asked = Signal()
    reject_asked = Signal(str, str)
    finished = Signal()
    unknown = Signal(str)

    def __init__(self, scheme: LabelScheme, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("docLabelBar")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.box = QGridLayout(self)
        self.box.setContentsMargins(14, 1, 14, 1)
        self.box.setHorizontalSpacing(6)
        self.box.setVerticalSpacing(0)
        self.box.setColumnStretch(1, 1)
        self.choices: list[Choice] = []
        self.chips: dict[tuple[str, str], QLabel] = {}
        self.titles: list[QLabel] = []
        self.rows: dict[tuple[str, str], DocLabel] = {}
        self.keys: dict[str, Label] = {}
        self.position = 0
        self.armed = False
        self._lines: list[QWidget] = []
        self.set_scheme(scheme)

    # -- what it shows

    def set_scheme(self, scheme: LabelScheme) -> None:
        """One line per category of ``scheme`` (the old ones go); hidden without any."""
        for line in self._lines:
            self.box.removeWidget(line)
            line.hide()
            line.deleteLater()
        self._lines, self.titles, self.chips, self.choices = [], [], {}, []
        self.keys = doc_label_keys(scheme)
        key_of = {label.name: key for key, label in self.keys.items()}
        font = self.font()
        font.setPointSizeF(font.pointSizeF() - 1)
        for category in scheme.categories:
            labels = scheme.doc_labels(category.name)
            if not labels:
                continue
            line = QWidget(self)  # the chips, wrapped to the width the title leaves
            flow = FlowLayout(line, spacing=4)
            flow.setContentsMargins(0, 0, 0, 0)
            policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            policy.setHeightForWidth(True)
            line.setSizePolicy(policy)
            title = QLabel(category_title(category), self)
            title.setTextFormat(Qt.TextFormat.PlainText)
            title.setFont(font)
            title.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            title.setToolTip(category.description)
            title.setContentsMargins(0, 3, 0, 0)  # level with the chips' text
            row = len(self._lines) // 2
            self.box.addWidget(title, row, 0, Qt.AlignmentFlag.AlignTop)
            self.titles.append(title)
            for label in labels:
                choice = Choice(category, label, key_of.get(label.name, ""))
                chip = QLabel(line)
                chip.setObjectName(f"dchip{len(self.choices)}")
                chip.setTextFormat(Qt.TextFormat.PlainText)
                chip.setFont(font)
                flow.addWidget(chip)
                self.choices.append(choice)
                self.chips[(category.name, label.name)] = chip
            self.box.addWidget(line, row, 1)
            self._lines += [title, line]
        self.position = min(self.position, max(len(self.choices) - 1, 0))
        if not self.choices:
            self.hide()
        elif self.parentWidget() is not None:  # (without one it would open as a window)
            self.show()
        self.show_labels(list(self.rows.values()))

    def show_labels(self, rows: list[DocLabel]) -> None:
        """The open document's document labels (of the window's annotation set)."""
        self.rows = {(r.category, r.label): r for r in rows}
        for choice in self.choices:
            row = self.rows.get((choice.category.name, choice.label.name))
            chip = self.chips[(choice.category.name, choice.label.name)]
            chip.setText(chip_text(choice, row))
            chip.setToolTip(chip_tip(choice, row))
            font = chip.font()
            font.setItalic(state_of(row) == "pending")
            font.setStrikeOut(state_of(row) == "rejected")
            chip.setFont(font)
        self._restyle()

    def state(self, category: str, label: str) -> str:
        """A chip's state as drawn (tests and the status bar read it)."""
        return state_of(self.rows.get((category, label)))

    def _restyle(self) -> None:
        """One style sheet for every chip: its colour, its state, the cursor."""
        dark = is_dark(self.palette())
        tint = self.palette().color(QPalette.ColorRole.Highlight)
        highlight = tint.name()
        rules = ["QLabel[objectName^=\"dchip\"] { padding: 0px 4px; border-radius: 2px; "
                 "margin: 1px; }",
                 "QFrame#docLabelBar:focus { background: "
                 f"rgba({tint.red()},{tint.green()},{tint.blue()},28); }}"]
        for i, choice in enumerate(self.choices):
            color = label_color(choice.label.color, dark)
            rgb = f"{color.red()},{color.green()},{color.blue()}"
            state = self.state(choice.category.name, choice.label.name)
            if state == "accepted":
                look = f"background: rgba({rgb},110); border: 1px solid {color.name()};"
            elif state == "pending":
                look = f"background: rgba({rgb},30); border: 1px dashed {color.name()};"
            elif state == "rejected":
                look = "border: 1px dotted rgba(128,128,128,140); color: palette(mid);"
            else:
                look = f"border: 1px solid rgba({rgb},70);"
            if i == self.position and self.hasFocus():
                look += f" margin: 0px; border: 2px solid {highlight};"  # same size
            rules.append(f"QLabel#dchip{i} {{ {look} }}")
        self.setStyleSheet("\n".join(rules))

    def current(self) -> Choice | None:
        return self.choices[self.position] if self.choices else None

    def put_cursor(self, category: str, label: str | None = None) -> None:
        """The cursor on ``label`` of ``category`` (its first choice without one)."""
        for i, choice in enumerate(self.choices):
            if choice.category.name == category and label in (None, choice.label.name):
                self.position = i
                break
        self._restyle()

    # -- keys

    def arm(self) -> None:
        """``Ctrl+D``: the next key is a document label's (the focus comes here)."""
        self.armed = True
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _takes(self, event: QKeyEvent) -> bool:
        if event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier
                                 | Qt.KeyboardModifier.ShiftModifier):
            return False
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            return False  # Shift+A, Shift+Space: the window's
        key = Qt.Key(event.key())
        text = event.text().lower()
        if key in _MOVES or key in _CHOOSE or key in _ENDS:
            return True
        if self.armed:  # any letter: a label's, or told that none has it
            return text.isprintable() and len(text) == 1 and not text.isspace()
        return text in self.keys or text in (ACCEPT_KEY, REJECT_KEY)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if self._takes(event):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if not self._takes(event) or not self.choices:
            super().keyPressEvent(event)
            return
        key = Qt.Key(event.key())
        text = event.text().lower()
        current = self.choices[self.position]
        if key in _MOVES:
            self._move(*_MOVES[key])
        elif key in _ENDS:
            self.position = 0 if key == Qt.Key.Key_Home else len(self.choices) - 1
            self._restyle()
        elif key in _CHOOSE:
            self._choose(current)
        elif not self.armed and text == ACCEPT_KEY:
            self.accept_asked.emit()
        elif not self.armed and text == REJECT_KEY:
            self.reject_asked.emit(current.category.name, current.label.name)
        elif text in self.keys:
            label = self.keys[text]
            self.put_cursor(label.category, label.name)
            self._choose(self.choices[self.position])
        else:  # armed, and no label has it
            self.armed = False
            self.unknown.emit(event.text())
            self.finished.emit()
        event.accept()

    def _choose(self, choice: Choice) -> None:
        self.chosen.emit(choice.category.name, choice.label.name)
        if self.armed:
            self.armed = False
            self.finished.emit()

    def _move(self, lines: int, step: int) -> None:
        """←/→ along the choices (over the line ends), ↑/↓ to the next category's choice
        at the same place (or its last)."""
        self.armed = False  # moving about: the bar keeps the focus
        if step:
            self.position = (self.position + step) % len(self.choices)
        else:
            names = list(dict.fromkeys(c.category.name for c in self.choices))
            here = self.choices[self.position]
            at = names.index(here.category.name)
            place = [c for c in self.choices if c.category.name == here.category.name
                     ].index(here)
            target = names[(at + lines) % len(names)]
            same = [i for i, c in enumerate(self.choices) if c.category.name == target]
            self.position = same[min(place, len(same) - 1)]
        self._restyle()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """A click on a chip chooses it (the keys are the way; the mouse works too)."""
        child = self.childAt(event.position().toPoint())
        for i, choice in enumerate(self.choices):
            if self.chips[(choice.category.name, choice.label.name)] is child:
                self.position = i
                self.setFocus(Qt.FocusReason.MouseFocusReason)
                self._choose(choice)
                return
        super().mousePressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusInEvent(event)
        self._restyle()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        self.armed = False
        super().focusOutEvent(event)
        self._restyle()
