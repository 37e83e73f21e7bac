"""Review mode: reconciling a team project's shared documents into its gold set.

With review on (Ctrl+R), the window opens the documents two or more annotators marked
done and not yet reviewed; the article shows the gold set (the team project's own set,
edited as usual), and the review panel above the span lists shows each annotator's
versions where they differ, with whose each one is. Where all agree, the span is
pre-accepted into gold when the document first opens (an option of the Review menu;
one undo step). Alt+↓/↑ moves through the versions (selecting each in the article), G
takes the focused one into gold (replacing the other versions of its group, and any
gold entity it would overlap), D marks the document reviewed and opens the next. Every
change is a session operation on the window's undo stack, logged as usual.

A document reviewed by rule (``annotator review --majority`` / ``--take NAME``) says so
under the panel's header, from its latest "review" event ("Reviewed by rule: majority
(min 2), by lead"); its gold set is changed with the same keys, as the reviewer's.
"""

from __future__ import annotations

import importlib
import json
from types import ModuleType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, QSignalBlocker, Qt
from PySide6.QtGui import QAction, QColor, QResizeEvent
from PySide6.QtWidgets import QGroupBox, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from annotator.editing.reveal import reveal
from annotator.model import Document, as_layer
from annotator.session import Change

from .article import ArticleView
from .colors import label_color
from .commands import DeleteSpanCommand, SessionCommand
from .decisions import Decisions
from .models import plain_tooltip
from .panels import SpanPanel, plain_label
from .view import DocumentView

if TYPE_CHECKING:  # imported when first shown: it loads the charts
    from annotator.teams import ReviewState, Version

    from .statistics import StatisticsDialog

VERSION_ROLE = Qt.ItemDataRole.UserRole + 1


def _teams() -> ModuleType:
    """:mod:`annotator.teams`, imported on a review's first use, not to open the window."""
    return importlib.import_module("annotator.teams")


class ReviewPanel(QGroupBox):
    """Whose versions differ where: one row per version, under its group."""

    def __init__(self) -> None:
        super().__init__("Review")
        self.header = plain_label()  # annotators' names: never rendered as markup
        self.header.setWordWrap(True)
        self.rule = plain_label()  # "Reviewed by rule: …" (a name from the command line)
        self.rule.setWordWrap(True)
        self.rule.hide()
        self.list = QListWidget()
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window
        self.list.setWordWrap(True)
        self.hint = plain_label("Alt+↓/↑ version · G take it into gold · D mark reviewed")
        self.hint.setWordWrap(True)
        self.hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for widget in (self.header, self.rule, self.list, self.hint):
            layout.addWidget(widget)
        self.setMinimumHeight(220)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_labels()

    def _fit_labels(self) -> None:
        """Wrapped lines are never clipped: each label is as tall as its text at its
        width, and the list gives way (a layout asks a label for one line's height)."""
        for label in (self.header, self.rule, self.hint):
            width = label.width() or self.contentsRect().width() - 12
            label.setMinimumHeight(label.heightForWidth(width) if label.text() else 0)

    def show_state(self, state: ReviewState | None, text: str, colors: dict[str, QColor],
                   focused: int | None, rule: str | None = None) -> None:
        """Show a document's versions; ``rule``: how a rule reviewed it (a line under
        the header, hidden when None)."""
        self.rule.setText(rule or "")
        self.rule.setVisible(bool(rule))
        self._fill(state, text, colors, focused)
        self._fit_labels()

    def _fill(self, state: ReviewState | None, text: str, colors: dict[str, QColor],
              focused: int | None) -> None:
        self.list.clear()
        if state is None or len(state.sets) < 2:
            self.header.setText("Not a shared document: fewer than two annotators marked "
                                "it done (N / P for the next; D marks the next to review).")
            return
        status = "reviewed ✓" if state.reviewed else "not reviewed yet"
        self.header.setText(
            f"Marked done by {', '.join(state.sets)} · {len(state.agreed)} agreed · "
            f"{len(state.groups)} disagreement(s) · {status}")
        index, describe = 0, _teams().describe_version
        for number, group in enumerate(state.groups, start=1):
            first = group[0]
            owners = {o for v in group for o in v.owners}
            missing = [name for name in state.sets if name not in owners]
            head = QListWidgetItem(f"{number}. {first.layer} at {first.start}–"
                                   f"{max(v.end for v in group)}" + (
                                       f" · none from {', '.join(missing)}" if missing else ""))
            head.setFlags(Qt.ItemFlag.NoItemFlags)
            font = head.font()
            font.setBold(True)
            head.setFont(font)
            self.list.addItem(head)
            for version in group:
                mark = "✓ in gold · " if version.key in state.in_gold else ""
                item = QListWidgetItem(f"   {mark}{reveal(describe(version, text))}")
                item.setData(VERSION_ROLE, index)
                item.setData(Qt.ItemDataRole.DecorationRole,
                             colors.get(version.label, QColor("#868e96")))
                item.setToolTip(plain_tooltip(reveal(text[version.start:version.end])))
                self.list.addItem(item)
                if index == focused:
                    self.list.setCurrentItem(item)
                    self.list.scrollToItem(item)
                index += 1
        if not state.groups:
            self.list.addItem(QListWidgetItem("No disagreements: the annotators agree on "
                                              "every span."))


def rule_review(events: list[dict[str, Any]]) -> str | None:
    """How a document was reviewed by rule (its latest "review" event), or None:
    "Reviewed by rule: majority (min 2), by lead", what it left open, who changed gold since."""
    last = None
    for index, event in enumerate(events):
        last = index if event["action"] == "review" and event["annotation_set"] == "" else last
    if last is None:
        return None
    event = events[last]
    try:
        after = json.loads(event["after"] or "{}")
    except (TypeError, ValueError):
        after = {}
    if not isinstance(after, dict) or "rule" not in after:
        return None
    kind = str(after["rule"])
    if kind == "take":
        how = f"take {after.get('take', '?')}'s version"
    elif kind == "majority":
        k = after.get("min", "majority")
        how = "majority (most sets)" if k == "majority" else f"majority (min {k})"
    else:
        how = kind
    if after.get("label"):
        how += f", {after['label']} only"
    done = after.get("reviewed", True) is not False  # the rule left conflicts: partly
    text = f"{'Reviewed' if done else 'Partly reviewed'} by rule: {how}, by {event['annotator']}"
    if after.get("open"):
        text += f" · {after['open']} left open"
    since = sorted({e["annotator"] for e in events[last + 1:]
                    if e["annotation_set"] == "" and e["span_id"] is not None})
    if since:
        text += f" · gold changed since by {', '.join(since)}"
    return text


class ReviewMode(QObject):
    """The window's review mode (see the module docstring), a controller owned by
    :class:`ui.window.MainWindow`: its panel goes on top of ``span_panel``, dialogs open
    over ``widget``; ``suggest_tried`` is the window's set of documents it asks no model
    to suggest for (again)."""

    def __init__(self, view: DocumentView, widget: QWidget, settings: QSettings,
                 span_panel: SpanPanel, decisions: Decisions, article: ArticleView,
                 suggest_tried: set[int]):
        super().__init__(widget)
        self.view = view
        self.widget = widget
        self.settings = settings
        self.decisions = decisions
        self.article = article
        self.suggest_tried = suggest_tried
        self.active = False
        self.preaccept = settings.value("review/preaccept", True) not in (False, "false")
        self.state: ReviewState | None = None
        self.focused: int | None = None
        self.panel = ReviewPanel()
        self.panel.hide()
        self.panel.list.itemClicked.connect(self._on_item_clicked)
        layout = span_panel.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.panel)
        decisions.signals.changed.connect(self._on_changed)
        self.statistics: StatisticsDialog | None = None
        self.preaccept_action: QAction | None = None

    def bind_preaccept(self, action: QAction) -> None:
        """The checkable "Pre-accept agreed spans" entry (the action table is made after
        this controller): it shows the kept setting."""
        self.preaccept_action = action
        self._sync_actions()

    def _sync_actions(self) -> None:
        action = self.preaccept_action
        if action is not None:
            blocker = QSignalBlocker(action)
            action.setChecked(self.preaccept)
            del blocker

    # -- turning it on and off

    def toggle(self, on: bool) -> None:
        """Review mode on or off; on, open the next document to review if the open one
        is not shared."""
        self.active = on
        self.panel.setVisible(on)
        self._sync_actions()
        view = self.view
        if on:
            doc = view.doc
            if doc is None or len(self._done_sets(doc.id)) < 2:
                target = self.next_document(doc.id if doc is not None else 0)
                if target is not None:
                    view.open_document(target)
                    return
                view.statusBar().showMessage("No document to review: none was marked "
                                               "done by two or more annotators", 5000)
            self.show_document(view.doc)
        else:
            self.state = None

    def set_preaccept(self, on: bool) -> None:
        self.preaccept = on
        self.settings.setValue("review/preaccept", on)

    def next_document(self, doc_id: int) -> int | None:
        """The document to open after ``doc_id``: in review mode the next one to review
        (wrapping round), otherwise the next one not done."""
        store = self.view.store
        if not self.active:
            found: int | None = store.next_document(doc_id)
            return found
        ids = store.review_document_ids(doc_id, limit=1) or \
            store.review_document_ids(0, limit=1)
        return ids[0] if ids and ids[0] != doc_id else None

    def _done_sets(self, doc_id: int) -> list[str]:
        return [n for n, s in self.view.store.document_sets(doc_id).items() if s == "done"]

    # -- the open document

    def show_document(self, doc: Document | None) -> None:
        """Called by the window after it shows a document."""
        if doc is not None and self.view.store.document_sets(doc.id):
            # Annotators labelled it: the team project's own (gold) set gets its labels
            # from them, so the window asks no model to suggest any.
            self.suggest_tried.add(doc.id)
        if not self.active:
            return
        self.focused = None
        self.state = _teams().review_state(self.view.store, doc.id) if doc is not None else None
        if self.state is not None and self._should_preaccept(self.state):
            self._preaccept(self.state)
            self.state = _teams().review_state(self.view.store, self.state.doc_id)
        self._show()

    def _should_preaccept(self, state: ReviewState) -> bool:
        store = self.view.store
        if not self.preaccept or store.readonly or state.reviewed or not state.agreed:
            return False
        # Only on a first visit: once the gold set has a decision, it is the reviewer's.
        return not any(e["span_id"] is not None and e["annotation_set"] == ""
                       for e in store.events(state.doc_id))

    def _preaccept(self, state: ReviewState) -> None:
        stack = self.decisions.undo_stack
        todo = [v for v in state.agreed if v.key not in state.in_gold]
        if not todo:
            return
        stack.beginMacro(f"Pre-accept {len(todo)} agreed span(s)")
        for version in todo:  # entities first: a claim's claimant links to its entity
            if version.layer == "entity" and _teams().in_the_way(
                    self.view.store, state.doc_id, version, [version]):
                continue
            self._push_add(state.doc_id, version)
        stack.endMacro()

    def _show(self) -> None:
        view = self.view
        colors = {x.name: label_color(x.color, False) for x in view.scheme.labels}
        text = view.doc.text if view.doc is not None else ""
        rule = rule_review(view.store.events(view.doc.id)) if view.doc is not None else None
        self.panel.show_state(self.state, text, colors, self.focused, rule)

    def _on_changed(self, change: Change, _verb: str) -> None:
        if not self.active or self.view.doc is None or change.doc_id != self.view.doc.id:
            return
        self.state = _teams().review_state(self.view.store, self.view.doc.id)
        if self.focused is not None and self.focused >= len(self.state.versions):
            self.focused = None
        self._show()

    def _next_open(self, after: int) -> int | None:
        """The first version after ``after`` (wrapping round) that is not in gold."""
        if self.state is None:
            return None
        versions = self.state.versions
        order = [*range(after + 1, len(versions)), *range(0, after + 1)]
        return next((i for i in order if versions[i].key not in self.state.in_gold), None)

    # -- keys

    def move(self, step: int) -> None:
        """Focus the next (previous) version and select its text in the article."""
        versions = self.state.versions if self.state is not None else []
        if not self.active or not versions:
            self.view.statusBar().showMessage(
                "No versions to review here" if self.active else
                "Review mode is off (Ctrl+R)", 4000)
            return
        current = -1 if self.focused is None and step > 0 else (self.focused or 0)
        self.focus((current + step) % len(versions))

    def focus(self, index: int) -> None:
        assert self.state is not None
        self.focused = index
        version = self.state.versions[index]
        self.article.select_range(version.start, version.end)
        self._show()

    def focused_version(self) -> tuple[Version, list[Version]] | None:
        if self.state is None or self.focused is None:
            return None
        version = self.state.versions[self.focused]
        group = next(g for g in self.state.groups if version in g)
        return version, group

    def take_focused(self) -> None:
        """Take the focused version into gold: one undo step that removes what it
        replaces and adds it."""
        found = self.focused_version() if self.active else None
        view = self.view
        if found is None or view.doc is None:
            view.statusBar().showMessage("No version focused (Alt+↓ to move to one)", 4000)
            return
        version, group = found
        if self.state is not None and version.key in self.state.in_gold:
            view.statusBar().showMessage("That version is in gold already", 4000)
            return
        doc_id = view.doc.id
        decisions = self.decisions
        stack = decisions.undo_stack
        stack.beginMacro(f"Take {', '.join(version.owners)}'s version")
        for span_id in _teams().in_the_way(view.store, doc_id, version, group):
            decisions.push(DeleteSpanCommand(decisions.session, decisions.signals, span_id))
        self._push_add(doc_id, version)
        stack.endMacro()
        self.article.clear_selection()
        following = self._next_open(self.focused if self.focused is not None else -1)
        if following is not None:  # on to the next version still open
            self.focus(following)

    def _push_add(self, doc_id: int, version: Version) -> None:
        decisions = self.decisions
        session = decisions.session
        claim = _teams().gold_claim(self.view.store, doc_id, version)
        decisions.push(SessionCommand(
            session, decisions.signals, f"Take {version.label}",
            lambda: session.add(doc_id, as_layer(version.layer), version.start, version.end,
                                version.label, claim)))

    def _on_item_clicked(self, item: QListWidgetItem) -> None:
        index = item.data(VERSION_ROLE)
        if isinstance(index, int):
            self.focus(index)

    # -- statistics

    def show_statistics(self) -> None:
        """Open the Statistics view (progress, and the agreement heat map)."""
        from .statistics import StatisticsDialog

        if self.statistics is not None:
            self.statistics.close()
        dialog = StatisticsDialog(self.view.store, self.widget)
        if not self.view.store.has_annotation_sets():
            dialog.show_page("quality")  # agreement needs a team project: nothing to see
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.statistics = dialog
        dialog.destroyed.connect(self._on_statistics_destroyed)
        dialog.show()

    def _on_statistics_destroyed(self) -> None:
        self.statistics = None
