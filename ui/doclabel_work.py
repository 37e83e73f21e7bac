"""The window's document labels (issue 25): a controller owned by
:class:`ui.window.MainWindow` over the bar under the title
(:class:`ui.doclabel_bar.DocLabelBar`).

Every decision is a :class:`ui.doclabel_commands.DocLabelCommand` on the window's undo
stack (the one the span decisions use) calling :mod:`annotator.editing.doc_labels`:
``choose`` (an exclusive category replaces its choice, a multi-label one toggles),
``accept_suggestions`` (A in the bar), ``reject`` (X in the bar). Each is committed
before the bar shows it. ``D`` asks once, in one dialog, when a required category of
the document is left empty. The bar is redrawn when the document, the scheme or the
project changes, and when another process writes (:class:`ui.live.Follower` calls
:meth:`DocLabelWork.refresh`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from annotator.editing import doc_labels as ops
from annotator.editing.reveal import reveal
from annotator.model import DocLabel, Document, LabelScheme

from .article import ArticleView
from .decisions import Decisions
from .doclabel_bar import PREFIX, DocLabelBar, category_title
from .doclabel_commands import DocLabelCommand, DocLabelSignals
from .view import DocumentView


class DocLabelWork(QObject):
    """The bar's decisions, its refreshes and the required-category question."""

    def __init__(self, view: DocumentView, bar: DocLabelBar, decisions: Decisions,
                 article: ArticleView):
        super().__init__(decisions)
        self.view = view
        self.bar = bar
        self.decisions = decisions
        self.article = article
        self.signals = DocLabelSignals(self)
        self.signals.changed.connect(self._on_changed)
        self.signals.refused.connect(self._on_refused)
        self.signals.told.connect(self._on_told)
        bar.chosen.connect(self.choose)
        bar.accept_asked.connect(self.accept)
        bar.reject_asked.connect(self.reject)
        bar.finished.connect(self._on_finished)
        bar.unknown.connect(self._on_unknown)
        self.shown: list[DocLabel] = []

    # -- what the bar shows

    def _set(self) -> str:
        return self.decisions.session.annotation_set

    def refresh(self) -> None:
        """Show the open document's labels as stored (a no-op when nothing changed)."""
        doc = self.view.doc
        rows = self.view.store.doc_labels(doc.id, self._set()) if doc is not None else []
        self.bar.setEnabled(doc is not None)
        if rows != self.shown:
            self.shown = rows
            self.bar.show_labels(rows)

    def show_document(self, doc: Document | None) -> None:
        del doc  # the view's: read at refresh
        self.refresh()

    def set_scheme(self, scheme: LabelScheme) -> None:
        """The scheme changed (Labels dialog, another project): new lines and keys."""
        self.bar.set_scheme(scheme)
        self.shown = []
        self.refresh()

    # -- keys

    def arm(self) -> None:
        """``Ctrl+D``: the next key chooses a document label."""
        if not self.bar.choices:
            self.view.refuse("The project has no document labels: annotator labels add "
                             "NAME --layer doc --category CATEGORY adds one")
            return
        if self._doc_id() is None:
            return
        self.bar.arm()
        self._answer("Document label: press its key (←/→ Space in the bar; Esc: back)", 4000)

    def focus_bar(self, category: str | None = None) -> None:
        if self.bar.choices:
            if category is not None:
                self.bar.put_cursor(category)
            self.bar.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_finished(self) -> None:
        self.article.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_unknown(self, key: str) -> None:
        self.view.refuse(f"No document label has the key {key.upper()!r} ({PREFIX}, then a "
                         "key shown in the bar)")

    # -- decisions

    def _doc_id(self) -> int | None:
        doc = self.view.doc
        if doc is None:
            self.view.refuse("No document open")
            return None
        if self.view.store.readonly:
            self.view.refuse("This project is open for reading only")
            return None
        return doc.id

    def _push(self, text: str, operation: Callable[[], ops.DocLabelChange | None]) -> bool:
        command = DocLabelCommand(self.view.store, self.signals, text, operation)
        self.decisions.undo_stack.push(command)
        return command.error is None

    def choose(self, category: str, label: str) -> None:
        """Choose ``label``: replaces the choice of an exclusive category, toggles in a
        multi-label one (accepting a pending suggestion)."""
        doc_id = self._doc_id()
        if doc_id is None:
            return
        session = self.decisions.session
        was = self.bar.state(category, label)
        kind = self.view.scheme.category(category)
        verb = "Remove" if was == "accepted" and kind is not None and not kind.exclusive \
            else "Accept" if was == "pending" else "Choose"
        self._push(f"{verb} {category}: {label}",
                   lambda: ops.choose(self.view.store, doc_id, category, label,
                                      annotator=session.annotator,
                                      annotation_set=session.annotation_set))

    def accept(self) -> None:
        """A in the bar: every pending document-label suggestion of the document."""
        doc_id = self._doc_id()
        if doc_id is None:
            return
        if not any(r.decision == "pending" for r in self.shown):
            self.view.refuse("No pending document-label suggestions in this document")
            return
        session = self.decisions.session
        self._push("Accept document-label suggestions",
                   lambda: ops.accept_suggestions(self.view.store, doc_id,
                                                  annotator=session.annotator,
                                                  annotation_set=session.annotation_set))

    def reject(self, category: str, label: str) -> None:
        """X in the bar: reject the label under the cursor (a suggestion, a choice, or
        an untouched label: "not this one", which agreement counts)."""
        doc_id = self._doc_id()
        if doc_id is None:
            return
        if self.bar.state(category, label) == "rejected":
            self.view.refuse(f"{label} is rejected already ({category})")
            return
        session = self.decisions.session
        self._push(f"Reject {category}: {label}",
                   lambda: ops.reject(self.view.store, doc_id, category, label,
                                      annotator=session.annotator,
                                      annotation_set=session.annotation_set))

    def _on_changed(self, change: ops.DocLabelChange, verb: str) -> None:
        del verb
        doc = self.view.doc
        if doc is None or change.doc_id != doc.id:
            self.view.open_document(change.doc_id)  # an undo on another document: show it
        self.refresh()

    def _on_refused(self, message: str) -> None:
        self.refresh()  # the refusal may come from a change made elsewhere
        self.view.refuse(message)

    def _on_told(self, message: str) -> None:
        self._answer(message, 6000)

    def _answer(self, text: str, ms: int) -> None:
        """The answer to a key in the status bar: the next answer replaces it at once
        (ui.statusbar's queue), so "Undone: …" never waits behind the prefix's hint."""
        bar = getattr(self.view, "status_bar", None)
        if bar is not None:
            bar.say(text, ms, replace=True)
        else:
            self.view.statusBar().showMessage(text, ms)

    # -- done

    def mark_done(self) -> None:
        """``D``: mark the document done and open the next one; when a required
        category is left empty, ask once first (going back puts the bar's cursor on
        the first such category)."""
        doc = self.view.doc
        if doc is None:
            return
        missing = ops.missing_required(self.view.store, doc.id, self._set())
        if missing and not self.ask_done_anyway(missing):
            # once the closed question has given the window back its focus
            QTimer.singleShot(0, lambda: self.focus_bar(missing[0]))
            return
        self.decisions.mark_done()

    def ask_done_anyway(self, missing: list[str]) -> bool:
        """One question for every empty required category: True to mark done anyway."""
        kinds = {name: self.view.scheme.category(name) for name in missing}
        names = ", ".join(category_title(k) if k else n for n, k in kinds.items())
        waiting = [f"{r.label} {r.score:.2f}" if r.score is not None else r.label
                   for r in self.shown if r.decision == "pending" and r.category in kinds]
        hint = f" (suggested, not accepted: {', '.join(waiting)})" if waiting else ""
        box = QMessageBox(QMessageBox.Icon.Question, "Required document label",
                          reveal(f"No label chosen for {names}{hint}. Mark the document "
                                 "done anyway?"), parent=self.bar.window())
        done = box.addButton("Mark &done anyway", QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton("&Go back and label", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        box.exec()
        window = self.bar.window()
        if not window.isActiveWindow():  # the keys go on to the window (some platforms)
            window.activateWindow()
        return box.clickedButton() is done

    def cheat_rows(self) -> list[tuple[str, str]]:
        """The cheat sheet's lines: the prefix, each category's keys (three labels a
        line, so the sheet keeps its width), the bar's own keys."""
        rows = [(PREFIX, "then a document label's key (shown in the bar)")]
        for category in self.view.scheme.categories:
            keys = [f"{c.key.upper()} {c.label.name}" for c in self.bar.choices
                    if c.category.name == category.name and c.key]
            lines = [", ".join(keys[i:i + 3]) for i in range(0, len(keys), 3)]
            if lines:
                rows.append((f"{PREFIX}, then", f"{category.name}: " + ",\n".join(lines)))
        rows.append(("Tab, then", "the bar: ←/→ ↑/↓ move, Space chooses,\nA accepts its "
                                  "suggestions, X rejects"))
        return rows
