"""The claim editor: the attributes of the focused claim, each field with a key.

The keys (window actions, see ``actions.py``) are shown beside each field: ``T`` type,
``W`` claimant (who says it), ``R`` via (relayed by), ``Y`` check-worthy, ``H`` hedged.
A key puts the focus in its field; type and check-worthy open their list, where the
first letter of an entry picks it (↑/↓ and Return work too); via completes the
organisations the article names. In a field, **Return commits it** and goes
back to the article; Esc puts the field back as stored and goes back; leaving a field
(Tab, a click elsewhere) commits it too. ``H`` toggles hedged at once. A field being
edited shows the edit; everything else shows what is stored.

Claimant choices are the document's entity mentions, each with where it is (its offset
and a few words around it), so that the exact mention is linked: the nearest speaker
(person, organisation, group, place) inside the claim comes first, else the nearest
one before it; that is also what ``W`` offers when the claim has no claimant yet.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QWidget,
)

from annotator.editing.claimants import claimant_choices, names_a_source, outlets
from annotator.model import CHECKWORTHY, CLAIM_TYPES, Span

from .picker import ChoiceList

AUTHOR = "author"
#: Cues of a suggested claim that name who says it (annotator/suggest/attribution.py):
#: without one, ``W`` offers "author" (the article's own claim) rather than a mention.
ATTRIBUTION_CUES = frozenset({"reporting_verb", "according_to", "direct_quote",
                              "continued_quote", "passive_reporting"})
#: Field name -> its key and its label in the form.
FIELD_KEYS = {"claim_type": ("T", "Type"), "claimant": ("W", "Claimant"),
              "via": ("R", "Via"), "checkworthy": ("Y", "Check-worthy"),
              "hedged": ("H", "Hedged")}
_RETURN = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class FieldCombo(QComboBox):
    """A combo box that knows whether its last ``activated`` came from its popup (a
    pick to commit) or from keys on the closed box (an edit in progress). In its open
    list, a letter that only one entry starts with picks that entry at once (the claim
    types and check-worthy answers all start differently: ``T`` ``s`` is statistic)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.picked = False
        self.view().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.view() and event.type() == QEvent.Type.KeyPress \
                and not self.isEditable():
            assert isinstance(event, QKeyEvent)
            letter = event.text().casefold()
            if letter.isalpha() and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier:
                found = [i for i in range(self.count())
                         if self.itemText(i).casefold().startswith(letter)]
                if len(found) == 1:
                    self.setCurrentIndex(found[0])
                    self.hidePopup()
                    self.activated.emit(found[0])
                    return True
        if watched is self.view():
            return False  # the list's own keys (the combo box's filter is not for it)
        return super().eventFilter(watched, event)

    def showPopup(self) -> None:  # noqa: N802
        self.picked = False
        super().showPopup()

    def hidePopup(self) -> None:  # noqa: N802
        # An item chosen in the open popup is activated after this. (Qt also calls it
        # with no popup open, when the box is disabled: no pick then.)
        self.picked = self.view().isVisible()
        super().hidePopup()


class ClaimEditor(QGroupBox):
    """Attributes of the focused claim. ``attribute_edited(name, value)``: commit this
    (the window makes it an undoable session command); ``finished()``: the field is
    done with, back to the article. Not :attr:`editable` (a read-only project): it shows
    the claim but takes no edit."""

    attribute_edited = Signal(str, object)
    finished = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Claim", parent)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setContentsMargins(6, 4, 6, 4)
        self.claim_type = FieldCombo()
        self.claim_type.addItem("—", None)
        for claim_type in CLAIM_TYPES:
            self.claim_type.addItem(claim_type, claim_type)
        self.claimant = FieldCombo()
        self.claimant.setEditable(True)
        self.claimant.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.claimant_edit().setPlaceholderText("entity, text or author")
        self.claimant.view().setTextElideMode(Qt.TextElideMode.ElideNone)
        self.via = QLineEdit()
        self.via.setPlaceholderText("outlet relaying it")
        # The outlets the article names, nearest first, complete what is typed.
        self.outlets = QStringListModel(self)
        completer = QCompleter(self.outlets, self.via)
        completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.via.setCompleter(completer)
        self.checkworthy = FieldCombo()
        self.checkworthy.addItem("—", None)
        for answer in CHECKWORTHY:
            self.checkworthy.addItem(answer, answer)
        self.hedged = QCheckBox("may, reportedly, …")
        self.fields: dict[str, QWidget] = {
            "claim_type": self.claim_type, "claimant": self.claimant, "via": self.via,
            "checkworthy": self.checkworthy, "hedged": self.hedged}
        for field, widget in self.fields.items():
            key, text = FIELD_KEYS[field]
            form.addRow(f"{text} [{key}]", widget)
            widget.installEventFilter(self)
            widget.setToolTip(f"{text}: key {key} from the article; Return commits, "
                              "Esc goes back unchanged")
        for combo in (self.claim_type, self.claimant, self.checkworthy):
            combo.setMinimumContentsLength(6)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.activated.connect(self._on_combo_activated)
        self.hedged.clicked.connect(self._on_hedged_clicked)
        self.span: Span | None = None
        self._text = ""
        self._spans: list[Span] = []
        self._choices: list[tuple[int, str]] = []  # every claimant choice, once listed
        # What the claimant list holds: for which (claim, spans), and whether all of it.
        self._filled: tuple[tuple[int | None, int], bool] | None = None
        self._listing: FieldCombo | None = None  # the box whose entries T or Y listed
        self._choice_list: ChoiceList | None = None
        self.editable = True
        self.setEnabled(False)

    # -- showing

    def claimant_edit(self) -> QLineEdit:
        """The claimant box's line edit (it is editable, so it has one)."""
        edit = self.claimant.lineEdit()
        assert edit is not None
        return edit

    def show_claim(self, span: Span | None, text: str = "",
                   spans: list[Span] | None = None) -> None:
        """Fill the editor for ``span`` (a claim; anything else empties it); the
        entities of ``spans`` are its claimant choices, listed when the claimant or via
        field is first entered (:meth:`ensure_choices`): thousands of entities, listed on
        every focus move, would cost more than the move."""
        self.span = span if span is not None and span.layer == "claim" else None
        self._text, self._spans = text, spans or []
        self.setEnabled(self.span is not None and self.editable)
        blockers = [QSignalBlocker(w) for w in self.fields.values()]
        key = self._listing_key()
        if self._filled is not None and self._filled[1] and self._filled[0][0] == key[0] \
                and self._filled[0] != key:
            self._filled = None  # the whole list for this claim: made again, in full
            self.ensure_choices()
        elif self._filled is None or self._filled[0] != key:
            self._fill_claimant([], full=False)  # only what is shown: the claimant, if any
        claim = self.span.claim if self.span is not None else None
        if claim is None:
            for combo in (self.claim_type, self.checkworthy):
                combo.setCurrentIndex(0)
            self.via.clear()
            self.hedged.setChecked(False)
        else:
            self.claim_type.setCurrentIndex(max(self.claim_type.findData(claim.claim_type), 0))
            self.checkworthy.setCurrentIndex(
                max(self.checkworthy.findData(claim.checkworthy), 0))
            self.via.setText(claim.via or "")
            self.hedged.setChecked(bool(claim.hedged))
        self._show_claimant()
        del blockers

    def _listing_key(self) -> tuple[int | None, int]:
        return (self.span.id if self.span is not None else None, id(self._spans))

    def ensure_choices(self) -> None:
        """List every claimant choice (and the outlets via completes to) for the claim
        shown, once per claim and state of its document."""
        if self.span is None or self._filled == (self._listing_key(), True):
            return
        blockers = [QSignalBlocker(w) for w in (self.claimant, self.via)]
        self._choices = claimant_choices(self.span, self._spans, self._text)
        self._fill_claimant(self._choices, full=True)
        # The open list as wide as its entries need (up to a limit), not the field's width.
        view = self.claimant.view()
        view.setMinimumWidth(min(view.sizeHintForColumn(0) + 24,
                                 self.fontMetrics().horizontalAdvance("0") * 80))
        self.outlets.setStringList(outlets(self.span, self._spans, self._text))
        self._show_claimant()
        del blockers

    def _fill_claimant(self, choices: list[tuple[int, str]], full: bool) -> None:
        self.claimant.clear()
        self.claimant.addItem("", None)
        self.claimant.addItem(AUTHOR, AUTHOR)
        claim = self.span.claim if self.span is not None else None
        linked = claim.claimant_span_id if claim is not None else None
        if not choices and linked is not None:  # the one shown before the list is needed
            assert self.span is not None
            choices = claimant_choices(self.span, [s for s in self._spans if s.id == linked],
                                       self._text)
        for span_id, choice in choices:
            self.claimant.addItem(choice, span_id)
        self._filled = (self._listing_key(), full)

    def _show_claimant(self) -> None:
        """The stored claimant in its field."""
        claim = self.span.claim if self.span is not None else None
        self.claimant.setCurrentIndex(-1)  # so the index set below sets the edit text too
        if claim is None:
            self.claimant.setCurrentIndex(0)
        elif claim.claimant_span_id is not None:
            self.claimant.setCurrentIndex(max(self.claimant.findData(
                claim.claimant_span_id), 0))
        elif claim.claimant_text:
            found = self.claimant.findData(claim.claimant_text)
            if found >= 0:
                self.claimant.setCurrentIndex(found)
            else:
                self.claimant.setEditText(claim.claimant_text)
        else:
            self.claimant.setCurrentIndex(0)
        self.claimant_edit().setCursorPosition(0)  # the mention, not the context's end

    def revert(self) -> None:
        """Show every field as stored (an edit in progress is dropped)."""
        self.show_claim(self.span, self._text, self._spans)

    @property
    def default_claimant(self) -> int | None:
        """The entity ``W`` offers for a claim without claimant: the first choice, if it
        is inside or before the claim."""
        self.ensure_choices()
        if not self._choices:
            return None
        span_id, choice = self._choices[0]
        return span_id if " after: " not in choice else None

    # -- editing from the keyboard

    def edit_field(self, name: str) -> bool:
        """The field's key: focus it (type, ``checkworthy_list``: open the list; claimant:
        offer the default mention; hedged: toggle and commit; check-worthy: the next
        answer, committed: — → yes → no → unsure → —). False if no claim is focused."""
        if self.span is None or not self.isEnabled():
            return False
        if name == "checkworthy":  # one key: — → yes → no → unsure → —
            stored = self.stored("checkworthy")
            index = max(self.checkworthy.findData(stored), 0) if stored else 0
            self.checkworthy.setCurrentIndex((index + 1) % self.checkworthy.count())
            self.commit("checkworthy")
            return True
        widget = self.fields["checkworthy" if name == "checkworthy_list" else name]
        if widget is self.hedged:
            self.hedged.setChecked(not self.hedged.isChecked())
            self.commit("hedged")
            return True
        if widget in (self.claimant, self.via):
            self.ensure_choices()
        widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if widget is self.claimant:
            claim = self.span.claim
            unset = claim is None or (claim.claimant_span_id is None
                                      and not claim.claimant_text)
            if unset and self.span.origin == "model" and self.span.cues \
                    and not ATTRIBUTION_CUES & set(self.span.cues) \
                    and not names_a_source(self.span, self._spans, self._text):
                # A suggestion no cue and no words name a source for: the article's own.
                self.claimant.setCurrentIndex(self.claimant.findData(AUTHOR))
            elif unset and self.default_claimant is not None:
                self.claimant.setCurrentIndex(self.claimant.findData(self.default_claimant))
            edit = self.claimant_edit()
            edit.setSelection(len(edit.text()), -len(edit.text()))  # all, shown from its start
        elif widget is self.via:
            self.via.selectAll()
        elif isinstance(widget, FieldCombo):
            # The entries in a list inside the window, not the box's popup window: a
            # popup window's focus comes back when the X server says, after later keys.
            self._listing = widget
            self.choice_list.open_under(widget, [widget.itemText(i)
                                                 for i in range(widget.count())],
                                        widget.currentIndex())
        return True

    @property
    def choice_list(self) -> ChoiceList:
        """The list ``T`` and ``Y`` open, made in the window on first use."""
        if self._choice_list is None:
            self._choice_list = ChoiceList(self.window())
            self._choice_list.picked.connect(self._on_choice_list_picked)
            self._choice_list.closed.connect(self._on_choice_list_closed)
        return self._choice_list

    def _on_choice_list_picked(self, index: int) -> None:
        combo = self._listing
        if combo is not None:
            combo.setCurrentIndex(index)
            self._commit_widget(combo)

    def _on_choice_list_closed(self) -> None:
        self._listing = None
        self.finished.emit()

    def value(self, name: str) -> Any:
        """What the field shows, as the value it would store."""
        if name in ("claim_type", "checkworthy"):
            return self.fields[name].currentData()  # type: ignore[attr-defined]
        if name == "via":  # an outlet the article names, spelt as it does
            typed = self.via.text().strip()
            known = {n.casefold(): n for n in self.outlets.stringList()}
            return known.get(typed.casefold(), typed) or None
        if name == "hedged":
            return self.hedged.isChecked()
        text = self.claimant.currentText().strip()
        index = self.claimant.currentIndex()
        if index <= 0 or self.claimant.itemText(index) != self.claimant.currentText():
            index = self.claimant.findText(text, Qt.MatchFlag.MatchFixedString)  # any case
        return self.claimant.itemData(index) if index > 0 else (text or None)

    def stored(self, name: str) -> Any:
        claim = self.span.claim if self.span is not None else None
        if claim is None:
            return False if name == "hedged" else None
        if name == "claimant":
            return claim.claimant_span_id if claim.claimant_span_id is not None \
                else claim.claimant_text
        value = getattr(claim, name)
        return bool(value) if name == "hedged" else value

    def commit(self, name: str) -> None:
        """Ask for the field's value to be stored, if it differs from what is."""
        if self.span is not None and self.editable and self.value(name) != self.stored(name):
            self.attribute_edited.emit(name, self.value(name))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QEvent.Type.KeyPress:
            if isinstance(watched, FieldCombo):
                watched.picked = False  # a key on the closed box: an edit, not a pick
            assert isinstance(event, QKeyEvent)
            if event.key() in _RETURN and watched is not self.hedged:
                self._commit_widget(watched)
                self.finished.emit()
                return True
        elif kind == QEvent.Type.FocusIn and watched in (self.claimant, self.via):
            self.ensure_choices()  # entered by Tab or a click: the whole list
        elif kind == QEvent.Type.FocusOut and not self._opening_popup(watched) and \
                event.reason() != Qt.FocusReason.PopupFocusReason:  # type: ignore[attr-defined]
            self._commit_widget(watched)
        return False

    @staticmethod
    def _opening_popup(widget: QObject) -> bool:
        """Focus lost to the field's own list (on X11 not always as PopupFocusReason)."""
        return (isinstance(widget, QComboBox) and widget.view().isVisible()) \
            or QApplication.activePopupWidget() is not None

    def _commit_widget(self, widget: QObject) -> None:
        name = next((n for n, w in self.fields.items() if w is widget), None)
        if name is not None and name != "hedged":
            self.commit(name)

    def _on_combo_activated(self, _index: int) -> None:
        combo = self.sender()
        if isinstance(combo, FieldCombo) and combo.picked:  # picked in the popup
            self._commit_widget(combo)

    def _on_hedged_clicked(self, _checked: bool) -> None:
        self.commit("hedged")
