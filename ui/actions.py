"""The action table: every menu entry and key of the window, as data.

The window's menus, its shortcuts and the F1 cheat sheet are all built from
:data:`ACTIONS` (plus one entry per label of the project's scheme), so the cheat sheet
cannot drift from the real bindings. Each entry names the window method it calls (a
dotted path such as ``"decisions.accept_focused"``) and its arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from annotator.model import LabelScheme


@dataclass(frozen=True)
class ActionSpec:
    """One menu entry: its menu, text and keys, the unique ``name`` it is found by, the
    window method ``slot`` it calls with ``args``; ``writes``: it changes the project
    (disabled when the project is read-only)."""

    menu: str
    text: str
    keys: tuple[str, ...]
    name: str
    slot: str
    args: tuple[Any, ...] = ()
    writes: bool = False
    checkable: bool = False


def _span(text: str, keys: tuple[str, ...], name: str, slot: str, *args: Any) -> ActionSpec:
    return ActionSpec("&Span", text, keys, name, f"decisions.{slot}", args, writes=True)


def _go(text: str, keys: tuple[str, ...], name: str, slot: str, *args: Any) -> ActionSpec:
    return ActionSpec("&Go", text, keys, name, slot, args)


def _doc(text: str, keys: tuple[str, ...], name: str, slot: str) -> ActionSpec:
    return ActionSpec("&Document", text, keys, name, f"decisions.{slot}", writes=True)


def _claim(text: str, key: str, field: str) -> ActionSpec:
    return ActionSpec("&Claim", text, (key,), f"claim_{field}", "keys.edit_claim_field", (field,),
                      writes=True)


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("&File", "&Open project…", ("Ctrl+O",), "open_project", "projects.ask_open"),
    ActionSpec("&File", "&New project…", ("Ctrl+N",), "new_project", "projects.ask_new"),
    ActionSpec("&File", "&Import files…", ("Ctrl+I",), "import", "files.ask_import", writes=True),
    ActionSpec("&File", "&Export…", ("Ctrl+E",), "export", "files.ask_export"),
    ActionSpec("&File", "Change &annotator…", (), "annotator", "files.ask_annotator"),
    ActionSpec("&File", "&Quit", ("Ctrl+Q",), "quit", "close"),
    ActionSpec("&Edit", "&Undo", ("Ctrl+Z",), "undo", "decisions.undo_stack.undo"),
    ActionSpec("&Edit", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "redo",
               "decisions.undo_stack.redo"),
    ActionSpec("&Edit", "&Search documents", ("Ctrl+F",), "search", "keys.focus_documents",
               (True,)),
    ActionSpec("&Edit", "Document &list (Return opens)", ("Ctrl+L",), "document_list",
               "keys.focus_documents"),
    _span("&Accept", ("A",), "accept", "accept_focused"),
    _span("Re&ject", ("X",), "reject", "reject_focused"),
    _span("&Delete", ("Delete", "Backspace"), "delete", "delete_focused"),
    _span("Add span from &selection (last label)", ("Return",), "add",
          "add_from_selection_last_label"),
    ActionSpec("&Span", "Label &picker (any label, type its name)", ("L",), "pick_label",
               "keys.pick_label", writes=True),
    ActionSpec("&Span", "&Caret mode: select text without the mouse", ("V",), "caret_mode",
               "keys.toggle_caret_mode"),
    ActionSpec("&Span", "&Find text (selects it, caret mode)", ("/",), "find_text",
               "article.open_find"),
    _span("Accept a&ll pending in document", ("Shift+A",), "accept_all", "accept_all"),
    _span("Accept all pending of the focused span's la&yer", ("Ctrl+Shift+A",),
          "accept_all_layer", "accept_all_like_focused", "layer"),
    _span("Accept all pending of the focused span's la&bel", ("Alt+Shift+A",),
          "accept_all_label", "accept_all_like_focused", "label"),
    _span("Start one token earlier", ("Alt+Left",), "grow_start", "resize_focused",
          "start", -1, True),
    _span("Start one token later", ("Alt+Right",), "shrink_start", "resize_focused",
          "start", +1, True),
    _span("End one token later", ("Shift+Right",), "grow_end", "resize_focused",
          "end", +1, True),
    _span("End one token earlier", ("Shift+Left",), "shrink_end", "resize_focused",
          "end", -1, True),
    _span("Start one character earlier", ("Alt+Shift+Left",), "grow_start_char",
          "resize_focused", "start", -1, False),
    _span("Start one character later", ("Alt+Shift+Right",), "shrink_start_char",
          "resize_focused", "start", +1, False),
    _span("End one character later", ("Ctrl+Shift+Right",), "grow_end_char",
          "resize_focused", "end", +1, False),
    _span("End one character earlier", ("Ctrl+Shift+Left",), "shrink_end_char",
          "resize_focused", "end", -1, False),
    _go("&Next span", ("Right", "J"), "next_span", "move_focus", +1),
    _go("&Previous span", ("Left", "K"), "prev_span", "move_focus", -1),
    _go("Next &suggestion", ("Space", "Down"), "next_pending", "move_focus", +1, True),
    _go("Previous s&uggestion", ("Shift+Space", "Up"), "prev_pending", "move_focus", -1,
        True),
    _go("Next &document", ("Ctrl+Down", "N"), "next_doc", "step_document", +1),
    _go("P&revious document", ("Ctrl+Up", "P"), "prev_doc", "step_document", -1),
    _go("&Go to document…", ("Ctrl+G",), "goto_doc", "files.ask_document"),
    _go("Back to the &article", ("Escape",), "article", "keys.focus_article"),
    _doc("Mark &done and open next", ("D", "Ctrl+Return"), "done", "mark_done"),
    _doc("&Skip and open next", ("S",), "skip", "skip"),
    _doc("&Flag with a note…", ("F",), "flag", "flag"),
    _doc("Mark in &progress", (), "in_progress", "mark_in_progress"),
    _claim("Claim &type…", "T", "claim_type"),
    _claim("Claima&nt (who says it)…", "W", "claimant"),
    _claim("&Via (relayed by)…", "R", "via"),
    _claim("Check-&worthy…", "Y", "checkworthy"),
    _claim("&Hedged (toggle)", "H", "hedged"),
    ActionSpec("&View", "Zoom &in", ("Ctrl++", "Ctrl+="), "zoom_in", "article.zoom", (+1,)),
    ActionSpec("&View", "Zoom &out", ("Ctrl+-",), "zoom_out", "article.zoom", (-1,)),
    ActionSpec("&View", "&Reset zoom", ("Ctrl+0",), "zoom_reset", "article.zoom", (0,)),
    ActionSpec("&View", "Show re&jected suggestions", ("Ctrl+H",), "show_rejected",
               "set_show_rejected", checkable=True),
    ActionSpec("&View", "Hide/show the &document list", ("Ctrl+B",), "toggle_documents",
               "keys.toggle_panel", (0,)),
    ActionSpec("&View", "Hide/show the &side panel", ("Ctrl+J",), "toggle_side",
               "keys.toggle_panel", (2,)),
    ActionSpec("&View", "&Statistics…", ("Ctrl+Shift+S",), "statistics",
               "review.show_statistics"),
    ActionSpec("&Project", "&Labels… (add, rename, remove, keys, colours, map)",
               ("Ctrl+Shift+L",), "labels", "scheme_work.show_labels"),
    ActionSpec("&Project", "&Train a model from the done documents", ("Ctrl+Shift+T",),
               "train", "train", writes=True),
    ActionSpec("&Project", "&Cancel training", ("Ctrl+Shift+X",), "cancel_training",
               "cancel_training"),
    ActionSpec("&Project", "Retrain &automatically every N documents done…", (),
               "retrain_every", "ask_retrain_every", writes=True),
    ActionSpec("&Project", "&Refresh suggestions from the newest model", (),
               "refresh", "refresh_suggestions", writes=True),
    ActionSpec("&Project", "&Uncertain documents first (next after D)", ("Ctrl+Shift+U",),
               "uncertain_first", "set_uncertain_first", checkable=True),
    ActionSpec("&Review", "&Review mode (team projects)", ("Ctrl+R",), "review_mode",
               "review.toggle", checkable=True),
    ActionSpec("&Review", "&Next version", ("Alt+Down",), "next_version", "review.move", (+1,)),
    ActionSpec("&Review", "&Previous version", ("Alt+Up",), "prev_version", "review.move",
               (-1,)),
    ActionSpec("&Review", "&Take the version into gold", ("G",), "take_version",
               "review.take_focused", writes=True),
    ActionSpec("&Review", "Pre-&accept agreed spans", (), "preaccept", "review.set_preaccept",
               checkable=True),
    ActionSpec("&Help", "&Keyboard cheat sheet", ("F1",), "cheat_sheet", "show_cheat_sheet"),
)


#: Single keys the window's commands take (lower case): a label key cannot be one of
#: them (``annotator.labels.RESERVED_KEYS`` says so to ``annotator labels``).
COMMAND_KEYS = frozenset(k.lower() for spec in ACTIONS for k in spec.keys if len(k) == 1)


def label_actions(scheme: LabelScheme) -> list[ActionSpec]:
    """One entry per label: its key relabels the focused span or labels the selection.
    A key that a command has (a scheme made before that command was) is left off: the
    label picker still reaches the label."""
    return [ActionSpec("&Label", label.name,
                       (label.key.upper(),) if label.key
                       and label.key.lower() not in COMMAND_KEYS else (),
                       f"label_{label.name}", "decisions.apply_label", (label.name,),
                       writes=True)
            for label in scheme.labels]


#: Slots that read the selection when their key comes (and wait for token boundaries
#: themselves, if need be); every other writing action waits behind such a wait
#: (``ActionTable(defer=...)``, see ui/tokens.py).
CAPTURING = frozenset({"decisions.apply_label", "decisions.add_from_selection_last_label",
                       "keys.pick_label"})


def _deferred(defer: Callable[[Callable[[], None]], None], slot: Callable[..., Any]
              ) -> Callable[..., None]:
    """``slot``, its call handed to ``defer``."""
    def run(*args: Any) -> None:
        defer(lambda: slot(*args))

    return run


class ActionTable(QObject):
    """The QActions made from ``specs`` on ``window``: in its menus (in table order, with
    ``submenus[name]`` added after the entry ``name``), bound to their keys window-wide,
    found by name (``table["undo"]``); ``before()`` runs before each one's slot.
    :meth:`replace_menu` swaps one menu's entries (the Label menu, when the project's
    label scheme changes)."""

    def __init__(self, window: QMainWindow, specs: list[ActionSpec],
                 submenus: dict[str, QMenu] | None = None,
                 before: Callable[[], None] | None = None,
                 defer: Callable[[Callable[[], None]], None] | None = None):
        super().__init__(window)
        self.window = window
        self.defer = defer
        self.specs: list[ActionSpec] = []
        self.submenus = submenus or {}
        self.before = before
        self.writable = True
        self._actions: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        for spec in specs:
            self._add(spec)

    def _add(self, spec: ActionSpec) -> None:
        if spec.name in self._actions:
            raise ValueError(f"two actions named {spec.name!r}")
        window = self.window
        menu = self.menus.get(spec.menu)
        if menu is None:
            menu = self.menus[spec.menu] = window.menuBar().addMenu(spec.menu)
        action = QAction(spec.text, window)
        action.setShortcuts([QKeySequence(k) for k in spec.keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(spec.checkable)
        slot = attrgetter(spec.slot)(window)  # a wrong name fails here, at start-up
        if (spec.writes or spec.name in ("undo", "redo")) and spec.slot not in CAPTURING \
                and self.defer is not None:
            # a decision after an edit that waits for token boundaries waits behind it
            slot = _deferred(self.defer, slot)
        before = self.before
        if spec.checkable:
            action.toggled.connect(slot)
        elif before is not None:  # a key or menu entry: the window notes it first
            action.triggered.connect(
                lambda _=False, f=slot, a=spec.args: (before(), f(*a)))
        else:
            action.triggered.connect(lambda _=False, f=slot, a=spec.args: f(*a))
        menu.addAction(action)
        if spec.name in self.submenus:
            menu.addMenu(self.submenus[spec.name])
        window.addAction(action)
        if spec.writes:
            action.setEnabled(self.writable)
        self._actions[spec.name] = action
        self.specs.append(spec)

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def __iter__(self) -> Iterator[QAction]:
        return iter(self._actions.values())

    def replace_menu(self, menu: str, specs: list[ActionSpec]) -> None:
        """Put ``specs`` in place of every entry of ``menu`` (keys, menu and the cheat
        sheet follow at once)."""
        for spec in [s for s in self.specs if s.menu == menu]:
            action = self._actions.pop(spec.name)
            self.window.removeAction(action)
            self.menus[menu].removeAction(action)
            action.deleteLater()
            self.specs.remove(spec)
        for spec in specs:
            self._add(spec)

    def set_writable(self, writable: bool) -> None:
        """Enable or disable every action that changes the project."""
        self.writable = writable
        for spec in self.specs:
            if spec.writes:
                self._actions[spec.name].setEnabled(writable)
