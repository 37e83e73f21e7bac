"""Keys for the focused input widget, and the focus order.

The window's single-key shortcuts (A, X, the arrows, Return, Space, ...) are
window-wide, which is what the article needs. A focused input widget (the status
filter, the search box, the document and span lists, the claim editor's fields) takes
its own keys instead: :class:`InputKeys` accepts the ``ShortcutOverride`` of every key
without Ctrl or Alt, Escape and the function keys excepted, so that the widget receives
it as a key press. ↑/↓ then change the status filter, Return commits a claim field, a
letter is typed. Ctrl and Alt keys (Ctrl+Z, Ctrl+L, ...), Esc (back to the article) and
F1 stay the window's.

**Focus order** (Tab forward, Shift+Tab back), fixed and the same on every document:
the article → the document-label bar (when the project has document labels; see
ui/doclabel_bar.py) → the claim editor's fields (type, claimant, via, check-worthy,
hedged; only while a claim is focused) → the span list (the Claims tab: the claim
filter's mode and least score, then the list) → the status filter → the search
box → the document list → the article. Tab never opens a document: in the document list it
moves on to the article instead of to the next row, and only Return (or a click) opens
the row's document.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

from .article import ArticleView
from .claim_editor import ClaimEditor
from .doclist import DocumentPanel
from .view import DocumentView

_COMMAND = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier \
    | Qt.KeyboardModifier.MetaModifier
_WINDOW_KEYS = frozenset({Qt.Key.Key_Escape, Qt.Key.Key_Tab, Qt.Key.Key_Backtab,
                          *(Qt.Key(Qt.Key.Key_F1.value + i) for i in range(24))})


def widget_takes(event: QKeyEvent) -> bool:
    """Whether a focused input widget gets this key rather than the window."""
    return not (event.modifiers() & _COMMAND) and event.key() not in _WINDOW_KEYS


class InputKeys(QObject):
    """The event filter that gives input widgets their own keys. ``pressed()``: a key
    went to one of them (the window counts it as activity)."""

    pressed = Signal()

    def install(self, widgets: Sequence[QWidget]) -> None:
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if widget_takes(event):
                event.accept()
                self.pressed.emit()
                return True
        return False


def next_in_order(order: Sequence[QWidget], current: QWidget | None, forward: bool
                  ) -> QWidget | None:
    """The widget Tab (``forward``) or Shift+Tab moves to from ``current`` in ``order``,
    skipping those that cannot take the focus now (hidden or disabled)."""
    ready = [w for w in order if w.isVisible() and w.isEnabled() and _unfolded(w)]
    if not ready:
        return None
    here = current
    while here is not None and here not in order:
        here = here.parentWidget()  # a combo box's line edit: the combo box
    if here not in ready:
        return ready[0] if forward else ready[-1]
    i = ready.index(here)
    return ready[(i + (1 if forward else -1)) % len(ready)]


def _unfolded(widget: QWidget | None) -> bool:
    """Not in a folded side panel (a splitter moves a folded child out of its sight)."""
    while widget is not None and not widget.isWindow():
        parent = widget.parentWidget()
        if parent is None or not parent.rect().intersects(widget.geometry()):
            return False
        widget = parent
    return True


class KeyCommands:
    """The window's keyboard commands beyond decisions: back to the article, caret mode,
    the label picker, the claim fields' keys, folding the side panels. Owned by
    :class:`ui.window.MainWindow`, which hands it the widgets it moves between."""

    def __init__(self, view: DocumentView, window: QMainWindow, article: ArticleView,
                 claim_editor: ClaimEditor, documents: DocumentPanel, splitter: QSplitter,
                 settings: QSettings):
        self.view = view
        self.window = window
        self.article = article
        self.claim_editor = claim_editor
        self.documents = documents
        self.splitter = splitter
        self.settings = settings
        self.folded: dict[int, int] = {}  # a hidden panel's width, to come back to

    def focus_article(self) -> None:
        """Esc: back to the article from anywhere. A claim field being edited is put
        back as stored, caret mode and its selection end."""
        self.claim_editor.revert()
        if not self.window.isActiveWindow():  # after a popup list, on some platforms
            self.window.activateWindow()
        self.article.setFocus(Qt.FocusReason.ShortcutFocusReason)  # before hiding a panel
        for overlay in (self.article.picker, self.article.find_bar):
            overlay.hide()
        self.article.set_caret_mode(False)
        self.article.clear_selection()

    def toggle_caret_mode(self) -> None:
        self.article.set_caret_mode(not self.article.caret_mode)
        self.article.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def pick_label(self) -> None:
        """The label picker: every label with a selection (or in caret mode), else
        those of the focused span's layer."""
        span = self.article.focused_span()
        labels = self.view.scheme.span_labels()  # a document label is the bar's
        if span is not None and self.article.selection() is None \
                and not self.article.caret_mode:
            labels = [x for x in labels if x.layer == span.layer]
        self.article.picker.open_with(labels)

    def focus_documents(self, search: bool = False) -> None:
        """Ctrl+L the document list, Ctrl+F its search box (unfolding it if folded)."""
        if self.splitter.sizes()[0] == 0:
            self.toggle_panel(0)
        if search:
            self.documents.focus_search()
        else:
            self.documents.focus_list()

    def edit_claim_field(self, name: str) -> None:
        if self.splitter.sizes()[2] == 0 and self.claim_editor.span is not None \
                and name not in ("hedged", "checkworthy"):
            self.toggle_panel(2)  # the field must show to be edited
        if not self.claim_editor.edit_field(name):
            self.view.refuse("No claim focused: the claim keys edit the focused claim "
                             "(→ or Space to move to one)")

    def unfold_panel(self, index: int) -> None:
        """Bring the document list (0) or the side panel (2) back if folded away."""
        if self.splitter.sizes()[index] == 0:
            self.toggle_panel(index)

    def toggle_panel(self, index: int) -> None:
        """Fold the document list (0) or the side panel (2) away, or bring it back."""
        sizes = self.splitter.sizes()
        if sizes[index] > 0:
            self.folded[index] = sizes[index]
            sizes[1] += sizes[index]
            sizes[index] = 0
        else:
            panel = self.splitter.widget(index)
            width = self.folded.pop(index, 0) or (panel.minimumWidth() if panel else 0)
            sizes[index] = width
            sizes[1] = max(sizes[1] - width, 0)
        self.splitter.setSizes(sizes)
        self.settings.setValue("splitter", self.splitter.saveState())
