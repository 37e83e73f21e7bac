"""Small panels inside the window that take typing: the label picker (``L``: type a few
letters of any label, with or without a key, then Return), the find bar (``/``: type
text, the caret mode selection jumps to it; ↓ the next match, Return keeps it), and
the claim lists that ``T`` and ``Y`` open. Esc, or leaving the panel, closes it and
gives the focus back to the article."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QVBoxLayout, QWidget

from annotator.model import Label

_RETURN = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_OWN = (*_RETURN, Qt.Key.Key_Escape, Qt.Key.Key_Up, Qt.Key.Key_Down)


class LineOverlay(QFrame):
    """A panel with a line edit over the top right corner of ``host``."""

    closed = Signal()

    def __init__(self, host: QWidget, placeholder: str, width_chars: int = 28):
        super().__init__(host)
        self.host = host
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.installEventFilter(self)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(4, 4, 4, 4)
        self.box.setSpacing(2)
        self.box.addWidget(self.edit)
        self.setFixedWidth(self.fontMetrics().horizontalAdvance("M") * width_chars)
        self.hide()

    def open(self) -> None:
        self.edit.clear()
        self.adjustSize()
        self.move(max(self.host.width() - self.width() - 24, 0), 8)
        self.show()
        self.raise_()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def close_overlay(self) -> None:
        if self.isVisible():
            # Focus first: hiding the focused line edit would pass the focus down the Tab
            # order, into the span list, which would move the focus to its current span.
            self.host.setFocus(Qt.FocusReason.OtherFocusReason)
            self.hide()
            self.closed.emit()

    def accept_current(self) -> None:
        """Return: what the panel is for (subclasses)."""

    def step(self, step: int) -> None:
        """↑/↓ (subclasses)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if event.key() in _OWN:  # not the window's Return, Esc, ↑, ↓
                event.accept()
                return True
        elif kind == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape:
                self.close_overlay()
                return True
            if event.key() in _RETURN:
                self.accept_current()
                return True
            if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.step(1 if event.key() == Qt.Key.Key_Down else -1)
                return True
        elif kind == QEvent.Type.FocusOut and self.isVisible():
            self.hide()
            self.closed.emit()
        return False


def rank(labels: list[Label], typed: str) -> list[Label]:
    """``labels`` matching ``typed`` (any case): names that start with it first, then
    names that contain it, then (three letters or more) descriptions that do; each
    group in scheme order."""
    query = typed.strip().casefold()
    if not query:
        return list(labels)
    starts = [x for x in labels if x.name.casefold().startswith(query)]
    inside = [x for x in labels if query in x.name.casefold() and x not in starts]
    described = [x for x in labels if len(query) > 2 and query in x.description.casefold()
                 and x not in starts and x not in inside]  # not "or" in every description
    return [*starts, *inside, *described]


class LabelPicker(LineOverlay):
    """Every label of the project, filtered as you type. ``chosen(name)``: Return on a
    label."""

    chosen = Signal(str)

    def __init__(self, host: QWidget):
        super().__init__(host, "label: type a few letters, Return")
        self.list = QListWidget(self)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.box.addWidget(self.list)
        self.labels: list[Label] = []
        self.edit.textChanged.connect(self._on_edit_text_changed)

    def open_with(self, labels: list[Label]) -> None:
        self.labels = labels
        self.open()
        self._on_edit_text_changed("")

    def shown(self) -> list[str]:
        """The names listed, in order."""
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.list.count())]

    def accept_current(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        self.close_overlay()
        self.chosen.emit(name)

    def step(self, step: int) -> None:
        if self.list.count():
            self.list.setCurrentRow((self.list.currentRow() + step) % self.list.count())

    def _on_edit_text_changed(self, text: str) -> None:
        self.list.clear()
        for label in rank(self.labels, text):
            key = f"  [{label.key.upper()}]" if label.key else ""
            self.list.addItem(f"{label.name}{key}  ·  {label.layer}")
            self.list.item(self.list.count() - 1).setData(Qt.ItemDataRole.UserRole,
                                                          label.name)
        self.list.setCurrentRow(0)
        rows = min(max(self.list.count(), 1), 8)
        self.list.setFixedHeight(rows * self.list.sizeHintForRow(0) + 6
                                 if self.list.count() else 24)
        self.adjustSize()


class FindBar(LineOverlay):
    """Find text in the article. ``searched(query, forward_from_next)``: select the
    match of ``query`` (from the caret, or after the current match).

    While it shows, the article's text starts below it (the host's ``reserve_top``):
    over the first visible line it hid the first match."""

    searched = Signal(str, bool)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._reserve(self.y() + self.height() + 4)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        super().hideEvent(event)
        self._reserve(0)

    def _reserve(self, top: int) -> None:
        reserve = getattr(self.host, "reserve_top", None)
        if reserve is not None:
            reserve(top)

    def __init__(self, host: QWidget):
        super().__init__(host, "find: type, ↓ next, Return")
        self.edit.textEdited.connect(self._on_edit_text_edited)

    def accept_current(self) -> None:
        self.close_overlay()

    def step(self, step: int) -> None:
        if step > 0 and self.edit.text():
            self.searched.emit(self.edit.text(), True)

    def _on_edit_text_edited(self, text: str) -> None:
        self.searched.emit(text, False)


class ChoiceList(QListWidget):
    """The entries of a closed combo box, listed under it inside the window (a child
    widget, not a popup window: no window-manager focus to wait for on X11). A first
    letter only one entry starts with picks it; ↑/↓ and Return pick too; Esc, or
    leaving it, closes it. ``picked(index)``, ``closed()``."""

    picked = Signal(int)
    closed = Signal()

    def __init__(self, host: QWidget):
        super().__init__(host)
        self.host = host
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.installEventFilter(self)
        self.hide()

    def open_under(self, field: QWidget, entries: list[str], current: int) -> None:
        self.clear()
        self.addItems(entries)
        self.setCurrentRow(max(current, 0))
        rows = min(len(entries), 10)
        self.setFixedSize(max(field.width(), self.sizeHintForColumn(0) + 12),
                          rows * self.sizeHintForRow(0) + 6)
        below = field.mapTo(self.host, field.rect().bottomLeft())
        y = below.y() if below.y() + self.height() <= self.host.height() \
            else max(below.y() - field.height() - self.height(), 0)
        self.move(min(below.x(), max(self.host.width() - self.width(), 0)), y)
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def close_list(self) -> None:
        if self.isVisible():
            self.hide()
            self.closed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            assert isinstance(event, QKeyEvent)
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if mods & ~Qt.KeyboardModifier.ShiftModifier:
                return False  # Ctrl+Z and the like: the window's
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # every plain key is the list's
                return True
            return self._key(event)
        if kind == QEvent.Type.FocusOut and self.isVisible():
            self.close_list()
        return False

    def _key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in _RETURN:
            if self.currentRow() >= 0:
                self.picked.emit(self.currentRow())  # committed before the list closes
            self.close_list()
            return True
        if key == Qt.Key.Key_Escape:
            self.close_list()
            return True
        letter = event.text().casefold()
        if letter.isalpha():
            found = [i for i in range(self.count())
                     if self.item(i).text().casefold().startswith(letter)]
            if len(found) == 1:
                self.picked.emit(found[0])
                self.close_list()
            elif found:
                self.setCurrentRow(next((i for i in found if i > self.currentRow()),
                                        found[0]))
            return True
        return False  # ↑/↓, Home/End, Page keys: the list's own
