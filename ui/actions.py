"""The action table: every menu entry and key of the window, as data.

The window's menus, its shortcuts and the F1 cheat sheet are all built from
:data:`ACTIONS` (plus one entry per label of the project's scheme), so the cheat sheet
cannot drift from the real bindings. Each entry holds what it calls as a typed function
of the window's controllers (:class:`WindowControls`), e.g.
``lambda w: w.decisions.resize_focused("start", -1, True)``: mypy checks the name and
the arguments, so a rename is caught before the window starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from annotator.model import LabelScheme

from .article import ArticleView
from .bulk import accept_all_like_focused_shown, accept_all_shown, accept_rest_of_paragraph
from .claim_filter import ClaimFilterWork
from .decisions import Decisions
from .doclabel_work import DocLabelWork
from .keys import KeyCommands
from .model_loop import ModelLoop
from .projects import Projects
from .review import ReviewMode
from .scheme_work import SchemeWork
from .window_files import FileWork

T = TypeVar("T")


class WindowControls(Protocol):
    """What the window's actions call: its controllers and a few moves of its own
    (:class:`ui.window.MainWindow` is the one implementation)."""

    decisions: Decisions
    doc_labels: DocLabelWork
    keys: KeyCommands
    files: FileWork
    scheme_work: SchemeWork
    model_loop: ModelLoop
    review: ReviewMode
    projects: Projects
    article: ArticleView
    settings: QSettings
    claim_filter: ClaimFilterWork

    def move_focus(self, step: int, pending: bool = False) -> None: ...

    def step_document(self, step: int) -> None: ...

    def set_show_rejected(self, show: bool) -> None: ...

    def show_cheat_sheet(self) -> None: ...

    def show_messages(self) -> None: ...

    def close(self) -> bool: ...


@dataclass(frozen=True)
class ActionSpec(Generic[T]):
    """One menu entry: its menu, text and keys, the unique ``name`` it is found by, and
    what it calls on the table's target: ``run(target)`` when triggered, or, for a
    checkable entry, ``toggle(target, checked)``. ``writes``: it changes the project
    (disabled when the project is read-only); ``captures``: it reads the selection when
    its key comes (and waits for token boundaries itself, if need be), so it is not put
    behind such a wait (``ActionTable(defer=...)``, see ui/tokens.py). ``checked``: a
    checkable entry's state when the table is built (read from the target)."""

    menu: str
    text: str
    keys: tuple[str, ...]
    name: str
    run: Callable[[T], object] | None = None
    toggle: Callable[[T, bool], object] | None = None
    writes: bool = False
    captures: bool = False
    checked: Callable[[T], bool] | None = None

    def __post_init__(self) -> None:
        if (self.run is None) == (self.toggle is None):
            raise ValueError(f"action {self.name!r}: give run or toggle, one of them")

    @property
    def checkable(self) -> bool:
        return self.toggle is not None


Spec = ActionSpec[WindowControls]


def _span(text: str, keys: tuple[str, ...], name: str, run: Callable[[Decisions], object]
          ) -> Spec:
    return Spec("&Span", text, keys, name, lambda w: run(w.decisions), writes=True)


def _go(text: str, keys: tuple[str, ...], name: str, run: Callable[[WindowControls], object]
        ) -> Spec:
    return Spec("&Go", text, keys, name, run)


def _doc(text: str, keys: tuple[str, ...], name: str, run: Callable[[Decisions], object]
         ) -> Spec:
    return Spec("&Document", text, keys, name, lambda w: run(w.decisions), writes=True)


def _claim(text: str, key: str, field: str) -> Spec:
    return Spec("&Claim", text, (key,), f"claim_{field}",
                lambda w: w.keys.edit_claim_field(field), writes=True)


ACTIONS: tuple[Spec, ...] = (
    Spec("&File", "&Open project…", ("Ctrl+O",), "open_project",
         lambda w: w.projects.ask_open()),
    Spec("&File", "&New project…", ("Ctrl+N",), "new_project", lambda w: w.projects.ask_new()),
    Spec("&File", "&Import files…", ("Ctrl+I",), "import", lambda w: w.files.ask_import(),
         writes=True),
    Spec("&File", "&Export…", ("Ctrl+E",), "export", lambda w: w.files.ask_export()),
    Spec("&File", "Change &annotator…", (), "annotator", lambda w: w.files.ask_annotator()),
    Spec("&File", "&Quit", ("Ctrl+Q",), "quit", lambda w: w.close()),
    Spec("&Edit", "&Undo", ("Ctrl+Z",), "undo", lambda w: w.decisions.undo_stack.undo()),
    Spec("&Edit", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "redo",
         lambda w: w.decisions.undo_stack.redo()),
    Spec("&Edit", "&Search documents", ("Ctrl+F",), "search",
         lambda w: w.keys.focus_documents(True)),
    Spec("&Edit", "Document &list (Return opens)", ("Ctrl+L",), "document_list",
         lambda w: w.keys.focus_documents()),
    _span("&Accept", ("A",), "accept", lambda d: d.accept_focused()),
    _span("Re&ject", ("X",), "reject", lambda d: d.reject_focused()),
    _span("&Delete", ("Delete", "Backspace"), "delete", lambda d: d.delete_focused()),
    Spec("&Span", "Add span from &selection (last label)", ("Return",), "add",
         lambda w: w.decisions.add_from_selection_last_label(), writes=True, captures=True),
    Spec("&Span", "Label &picker (any label, type its name)", ("L",), "pick_label",
         lambda w: w.keys.pick_label(), writes=True, captures=True),
    Spec("&Span", "&Caret mode: select text without the mouse", ("V",), "caret_mode",
         lambda w: w.keys.toggle_caret_mode()),
    Spec("&Span", "&Find text (selects it, caret mode)", ("/",), "find_text",
         lambda w: w.article.open_find()),
    _span("Accept a&ll pending in document", ("Shift+A",), "accept_all",
          accept_all_shown),
    _span("Accept the rest of the parag&raph (pending, up to the next claim)",
          ("Alt+A",), "accept_paragraph", accept_rest_of_paragraph),
    _span("Accept all pending of the focused span's la&yer", ("Ctrl+Shift+A",),
          "accept_all_layer", lambda d: accept_all_like_focused_shown(d, "layer")),
    _span("Accept all pending of the focused span's la&bel", ("Alt+Shift+A",),
          "accept_all_label", lambda d: accept_all_like_focused_shown(d, "label")),
    _span("Start one token earlier", ("Alt+Left",), "grow_start",
          lambda d: d.resize_focused("start", -1, True)),
    _span("Start one token later", ("Alt+Right",), "shrink_start",
          lambda d: d.resize_focused("start", +1, True)),
    _span("End one token later", ("Shift+Right",), "grow_end",
          lambda d: d.resize_focused("end", +1, True)),
    _span("End one token earlier", ("Shift+Left",), "shrink_end",
          lambda d: d.resize_focused("end", -1, True)),
    _span("Start one character earlier", ("Alt+Shift+Left",), "grow_start_char",
          lambda d: d.resize_focused("start", -1, False)),
    _span("Start one character later", ("Alt+Shift+Right",), "shrink_start_char",
          lambda d: d.resize_focused("start", +1, False)),
    _span("End one character later", ("Ctrl+Shift+Right",), "grow_end_char",
          lambda d: d.resize_focused("end", +1, False)),
    _span("End one character earlier", ("Ctrl+Shift+Left",), "shrink_end_char",
          lambda d: d.resize_focused("end", -1, False)),
    _go("&Next span", ("Right", "J"), "next_span", lambda w: w.move_focus(+1)),
    _go("&Previous span", ("Left", "K"), "prev_span", lambda w: w.move_focus(-1)),
    _go("Next &suggestion", ("Space", "Down"), "next_pending",
        lambda w: w.move_focus(+1, True)),
    _go("Previous s&uggestion", ("Shift+Space", "Up"), "prev_pending",
        lambda w: w.move_focus(-1, True)),
    _go("Next &document", ("Ctrl+Down", "N"), "next_doc", lambda w: w.step_document(+1)),
    _go("P&revious document", ("Ctrl+Up", "P"), "prev_doc", lambda w: w.step_document(-1)),
    _go("&Go to document…", ("Ctrl+G",), "goto_doc", lambda w: w.files.ask_document()),
    _go("Back to the &article", ("Escape",), "article", lambda w: w.keys.focus_article()),
    # D asks first when a required category of document labels is left empty
    Spec("&Document", "Mark &done and open next", ("D", "Ctrl+Return"), "done",
         lambda w: w.doc_labels.mark_done(), writes=True),
    _doc("&Skip and open next", ("S",), "skip", lambda d: d.skip()),
    _doc("&Flag with a note…", ("F",), "flag", lambda d: d.flag()),
    _doc("Mark in &progress", (), "in_progress", lambda d: d.mark_in_progress()),
    Spec("&Document", "Document &label: then its key (the bar under the title)", ("Ctrl+D",),
         "doc_label", lambda w: w.doc_labels.arm(), writes=True),
    _claim("Claim &type…", "T", "claim_type"),
    _claim("Claima&nt (who says it)…", "W", "claimant"),
    _claim("&Via (relayed by)…", "R", "via"),
    _claim("Check-&worthy (next: yes, no, unsure, none)", "Y", "checkworthy"),
    Spec("&Claim", "Check-worthy &list…", ("Shift+Y",), "claim_checkworthy_list",
         lambda w: w.keys.edit_claim_field("checkworthy_list"), writes=True),
    _claim("&Hedged (toggle)", "H", "hedged"),
    Spec("&View", "Zoom &in", ("Ctrl++", "Ctrl+="), "zoom_in", lambda w: w.article.zoom(+1)),
    Spec("&View", "Zoom &out", ("Ctrl+-",), "zoom_out", lambda w: w.article.zoom(-1)),
    Spec("&View", "&Reset zoom", ("Ctrl+0",), "zoom_reset", lambda w: w.article.zoom(0)),
    Spec("&View", "Show re&jected suggestions", ("Ctrl+H",), "show_rejected",
         toggle=lambda w, on: w.set_show_rejected(on)),
    Spec("&View", "Accept and ad&vance (A, X move to the next suggestion)", (),
         "accept_and_advance", toggle=lambda w, on: w.decisions.set_advance(on),
         checked=lambda w: w.decisions.load_advance(w.settings)),
    Spec("&View", "Claim &filter: next (all, check-worthy only, quotes only)",
         ("Ctrl+Shift+F",), "claim_filter", lambda w: w.claim_filter.next_mode()),
    Spec("&View", "Claim filter: least check-worthy s&core…", ("Ctrl+Shift+Y",),
         "claim_filter_score", lambda w: w.claim_filter.edit_min_score()),
    Spec("&View", "Hide/show the &document list", ("Ctrl+B",), "toggle_documents",
         lambda w: w.keys.toggle_panel(0)),
    Spec("&View", "Hide/show the &side panel", ("Ctrl+J",), "toggle_side",
         lambda w: w.keys.toggle_panel(2)),
    Spec("&View", "&Statistics…", ("Ctrl+Shift+S",), "statistics",
         lambda w: w.review.show_statistics()),
    Spec("&Project", "&Labels… (add, rename, remove, keys, colours, map)",
         ("Ctrl+Shift+L",), "labels", lambda w: w.scheme_work.show_labels()),
    Spec("&Project", "&Train a model from the done documents", ("Ctrl+Shift+T",),
         "train", lambda w: w.model_loop.train(), writes=True),
    Spec("&Project", "&Cancel training", ("Ctrl+Shift+X",), "cancel_training",
         lambda w: w.model_loop.cancel_training()),
    Spec("&Project", "Retrain &automatically every N documents done…", (),
         "retrain_every", lambda w: w.model_loop.ask_retrain_every(), writes=True),
    Spec("&Project", "&Refresh suggestions from the newest model", (),
         "refresh", lambda w: w.model_loop.refresh_suggestions(), writes=True),
    Spec("&Project", "&Uncertain documents first (next after D)", ("Ctrl+Shift+U",),
         "uncertain_first", toggle=lambda w, on: w.model_loop.set_uncertain_first(on)),
    Spec("&Review", "&Review mode (team projects)", ("Ctrl+R",), "review_mode",
         toggle=lambda w, on: w.review.toggle(on)),
    Spec("&Review", "&Next version", ("Alt+Down",), "next_version",
         lambda w: w.review.move(+1)),
    Spec("&Review", "&Previous version", ("Alt+Up",), "prev_version",
         lambda w: w.review.move(-1)),
    Spec("&Review", "&Take the version into gold", ("G",), "take_version",
         lambda w: w.review.take_focused(), writes=True),
    Spec("&Review", "Pre-&accept agreed spans", (), "preaccept",
         toggle=lambda w, on: w.review.set_preaccept(on)),
    Spec("&View", "&Messages (the status bar's history)", ("Ctrl+Shift+M",), "messages",
         lambda w: w.show_messages()),
    Spec("&Help", "&Keyboard cheat sheet", ("F1",), "cheat_sheet",
         lambda w: w.show_cheat_sheet()),
)


#: Single keys the window's commands take (lower case): a label key cannot be one of
#: them (``annotator.labels.RESERVED_KEYS`` says so to ``annotator labels``).
COMMAND_KEYS = frozenset(k.lower() for spec in ACTIONS for k in spec.keys if len(k) == 1)


def label_actions(scheme: LabelScheme) -> list[Spec]:
    """One entry per span label (a document label's key follows ``Ctrl+D``, see
    ui/doclabel_bar.py): its key relabels the focused span or labels the selection.
    A key that a command has (a scheme made before that command was) is left off: the
    label picker still reaches the label."""
    return [Spec("&Label", label.name,
                 (label.key.upper(),) if label.key and label.key.lower() not in COMMAND_KEYS
                 else (), f"label_{label.name}", _apply_label(label.name), writes=True,
                 captures=True)
            for label in scheme.span_labels()] + occurrence_actions(scheme)


#: Alt+letters the menu bar takes (``&File`` is Alt+F): no label gets them as Alt+key.
MENU_MNEMONICS = frozenset(spec.menu[spec.menu.index("&") + 1].lower() for spec in ACTIONS)


def occurrence_actions(scheme: LabelScheme) -> list[Spec]:
    """One entry per label with a key: ``Alt+`` its key labels every other occurrence of
    the focused span's (or the selection's) text in the document. A key whose Alt
    combination opens a menu is left off."""
    return [Spec("&Label", f"{label.name} on every other occurrence",
                 (f"Alt+{label.key.upper()}",), f"occurrences_{label.name}",
                 _label_occurrences(label.name), writes=True, captures=True)
            for label in scheme.span_labels()
            if label.key and label.key.lower() not in COMMAND_KEYS
            and label.key.lower() not in MENU_MNEMONICS]


def _label_occurrences(name: str) -> Callable[[WindowControls], None]:
    def run(w: WindowControls) -> None:
        w.decisions.label_occurrences(name)

    return run


def _apply_label(name: str) -> Callable[[WindowControls], None]:
    def run(w: WindowControls) -> None:
        w.decisions.apply_label(name)

    return run


def _deferred(defer: Callable[[Callable[[], None]], None], slot: Callable[[bool], None]
              ) -> Callable[[bool], None]:
    """``slot``, its call handed to ``defer``."""
    def run(on: bool) -> None:
        defer(lambda: slot(on))

    return run


class ActionTable(QObject, Generic[T]):
    """The QActions made from ``specs`` on ``window``, calling into ``target``: in its
    menus (in table order, with ``submenus[name]`` added after the entry ``name``), bound
    to their keys window-wide, found by name (``table["undo"]``); ``before()`` runs before
    each one's slot. :meth:`replace_menu` swaps one menu's entries (the Label menu, when
    the project's label scheme changes)."""

    def __init__(self, window: QMainWindow, target: T, specs: list[ActionSpec[T]],
                 submenus: dict[str, QMenu] | None = None,
                 before: Callable[[], None] | None = None,
                 defer: Callable[[Callable[[], None]], None] | None = None):
        super().__init__(window)
        self.window = window
        self.target = target
        self.defer = defer
        self.specs: list[ActionSpec[T]] = []
        self.submenus = submenus or {}
        self.before = before
        self.writable = True
        self._actions: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        for spec in specs:
            self._add(spec)

    def _add(self, spec: ActionSpec[T]) -> None:
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
        if spec.checked is not None:  # before the toggle is connected: nothing runs
            action.setChecked(spec.checked(self.target))
        slot = self._slot(spec)
        if (spec.writes or spec.name in ("undo", "redo")) and not spec.captures \
                and self.defer is not None:
            # a decision after an edit that waits for token boundaries waits behind it
            slot = _deferred(self.defer, slot)
        before = self.before
        if spec.checkable:
            action.toggled.connect(slot)
        elif before is not None:  # a key or menu entry: the window notes it first
            action.triggered.connect(lambda _=False, f=slot: (before(), f(False)))
        else:
            action.triggered.connect(lambda _=False, f=slot: f(False))
        menu.addAction(action)
        if spec.name in self.submenus:
            menu.addMenu(self.submenus[spec.name])
        window.addAction(action)
        if spec.writes:
            action.setEnabled(self.writable)
        self._actions[spec.name] = action
        self.specs.append(spec)

    def _slot(self, spec: ActionSpec[T]) -> Callable[[bool], None]:
        """What the action calls: ``spec.toggle(target, checked)`` for a checkable one,
        ``spec.run(target)`` for the others."""
        target, run, toggle = self.target, spec.run, spec.toggle
        if toggle is not None:
            def flip(on: bool) -> None:
                toggle(target, on)

            return flip
        assert run is not None

        def call(_checked: bool) -> None:
            run(target)

        return call

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def __iter__(self) -> Iterator[QAction]:
        return iter(self._actions.values())

    def replace_menu(self, menu: str, specs: list[ActionSpec[T]]) -> None:
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
