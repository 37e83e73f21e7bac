"""The claim filter (issue 27, the quote view): which claims the window shows.

Every direct quotation is a pending suggestion whatever its check-worthiness (the quote
view of annotator/suggest/claims.py); the check-worthy score and attribute stay on the
span, and the window filters on them:

- **all claims**;
- **check-worthy only**: a claim whose ``checkworthy`` is "yes", or, unless it is "no",
  whose score is at least the minimum (by default the threshold the window's suggester
  uses, :func:`default_min_score`); a claim without a score and not marked
  "yes" is hidden;
- **quotes only**: claims of type ``quote``.

Entities are never filtered. A hidden claim is left out of the claim list and of the
keyboard's stepping; in the article a hidden suggestion is not drawn and a hidden
decided claim is drawn dimmed. Keys that decide many spans at once decide only shown
ones (ui/bulk.py). The filter is kept per project in the window's settings. The
scores and attributes come with the spans (:meth:`annotator.store.Store.spans`, one
query per document): nothing more is read to filter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QSettings, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.model import Document, Span

from .article import ArticleView
from .models import SpanListModel
from .statusbar import StatusBar

#: The modes, in the order ``Ctrl+Shift+F`` goes round them, and their names.
MODES = ("all", "checkworthy", "quotes")
MODE_NAMES = {"all": "All claims", "checkworthy": "Check-worthy only",
              "quotes": "Quotes only"}
#: The settings group of the filters, one key per project file.
GROUP = "claim_filter"


def default_min_score() -> float:
    """The check-worthy minimum before the annotator sets one: the score from which the
    window's suggester (a learned check-worthiness model, see ui/model_loop.py) suggests
    a claim."""
    from annotator.suggest.thresholds import COMBINED_THRESHOLD  # not the claim rules

    return float(COMBINED_THRESHOLD)


@dataclass(frozen=True)
class ClaimFilter:
    """Which claims show: ``mode`` (one of :data:`MODES`) and, for check-worthy only,
    the least score ``min_score``."""

    mode: str = "all"
    min_score: float = 0.5

    @property
    def active(self) -> bool:
        return self.mode != "all"

    def hides(self, span: Span) -> bool:
        """Whether ``span`` is filtered out (never an entity)."""
        if span.layer != "claim" or self.mode == "all":
            return False
        claim = span.claim
        if self.mode == "quotes":
            return claim is None or claim.claim_type != "quote"
        decided = claim.checkworthy if claim is not None else None
        if decided in ("yes", "no"):
            return decided == "no"
        # The spin box shows two decimals: 0.6 is at least "0.60".
        return span.score is None or span.score + 1e-9 < self.min_score

    def describe(self) -> str:
        if self.mode == "checkworthy":
            return f"check-worthy ≥ {self.min_score:.2f}"
        return "quotes only" if self.mode == "quotes" else "none"

    def count_text(self, spans: Sequence[Span]) -> str:
        """"12 of 40 claims shown: filter check-worthy ≥ 0.60" (all claims: "40 claims")."""
        claims = [s for s in spans if s.layer == "claim"]
        if not self.active:
            return f"{len(claims)} claim{'' if len(claims) == 1 else 's'}"
        shown = sum(1 for s in claims if not self.hides(s))
        return f"{shown} of {len(claims)} claims shown: filter {self.describe()}"

    def following(self) -> ClaimFilter:
        """The next mode (all → check-worthy → quotes → all), the minimum kept."""
        return replace(self, mode=MODES[(MODES.index(self.mode) + 1) % len(MODES)])


def settings_key(path: Path) -> str:
    """The settings key of a project's filter (a digest of its resolved path: a path
    holds characters QSettings keys cannot)."""
    digest = hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:20]
    return f"{GROUP}/{digest}"


def load_filter(settings: QSettings, path: Path) -> ClaimFilter:
    """The filter kept for the project at ``path`` (all claims, the default minimum,
    when none is kept or what is kept cannot be read)."""
    default = ClaimFilter(min_score=default_min_score())
    value = str(settings.value(settings_key(path), "") or "").split()
    if len(value) != 2 or value[0] not in MODES:
        return default
    try:
        score = float(value[1])
    except ValueError:
        return default
    return ClaimFilter(value[0], min(max(score, 0.0), 1.0))


def save_filter(settings: QSettings, path: Path, claim_filter: ClaimFilter) -> None:
    settings.setValue(settings_key(path), f"{claim_filter.mode} {claim_filter.min_score:.2f}")


class ClaimFilterBar(QWidget):
    """Above the claim list: the mode, the least check-worthy score (a spin box, 0.00 to
    1.00 by 0.05, used by check-worthy only) and how many claims show.
    ``edited(ClaimFilter)``: the annotator changed one of them."""

    edited = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.mode = QComboBox()
        for mode in MODES:
            self.mode.addItem(MODE_NAMES[mode], mode)
        self.mode.setToolTip("Which claims show (Ctrl+Shift+F: the next one)")
        self.min_score = QDoubleSpinBox()
        self.min_score.setRange(0.0, 1.0)
        self.min_score.setSingleStep(0.05)
        self.min_score.setDecimals(2)
        self.min_score.setPrefix("score ≥ ")
        self.min_score.setKeyboardTracking(False)  # typed "0.6" applies on Return
        self.min_score.setToolTip("Check-worthy only: the least score shown "
                                  "(Ctrl+Shift+Y; ↑/↓ by 0.05, Esc: back to the article)")
        self.count = QLabel()
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.count.setWordWrap(True)
        self.count.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.mode, 1)
        row.addWidget(self.min_score)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.count)
        self.mode.currentIndexChanged.connect(self._on_edited)
        self.min_score.valueChanged.connect(self._on_edited)

    def inputs(self) -> list[QWidget]:
        return [self.mode, self.min_score]

    def current(self) -> ClaimFilter:
        return ClaimFilter(str(self.mode.currentData()), round(self.min_score.value(), 2))

    def show_filter(self, claim_filter: ClaimFilter) -> None:
        """Show ``claim_filter`` (no ``edited``)."""
        with QSignalBlocker(self.mode), QSignalBlocker(self.min_score):
            self.mode.setCurrentIndex(MODES.index(claim_filter.mode))
            self.min_score.setValue(claim_filter.min_score)
        self.min_score.setEnabled(claim_filter.mode == "checkworthy")

    def _on_edited(self, _value: object) -> None:
        self.min_score.setEnabled(self.mode.currentData() == "checkworthy")
        self.edited.emit(self.current())


def hider(claim_filter: ClaimFilter) -> Callable[[Span], bool] | None:
    """What the article and the claim list hide by (None: nothing)."""
    return claim_filter.hides if claim_filter.active else None


class FilterView(Protocol):
    """What :class:`ClaimFilterWork` reads and calls on the window."""

    doc: Document | None
    spans: list[Span]
    settings: QSettings
    status_bar: StatusBar

    def focus_span(self, span_id: int | None, ensure_visible: bool = True) -> None: ...

    def update_position(self) -> None: ...


class ClaimFilterWork(QObject):
    """The claim filter of the open project: applied to the article (drawing and
    stepping), the claim list and its count; kept per project in the settings. The
    window calls :meth:`load` when a project opens and :meth:`show_count` when the
    spans or the focus change; the View menu's entries call the rest."""

    def __init__(self, view: FilterView, article: ArticleView, bar: ClaimFilterBar,
                 claim_model: SpanListModel, tabs: QTabWidget, unfold: Callable[[], None]):
        super().__init__(bar)
        self.view = view
        self.article = article
        self.bar = bar
        self.claim_model = claim_model
        self.tabs = tabs
        self.unfold = unfold  # brings a folded side panel back
        self.filter = ClaimFilter(min_score=default_min_score())
        self.path: Path | None = None
        bar.edited.connect(self.set_filter)

    def load(self, path: Path) -> None:
        """The filter kept for the project at ``path``."""
        self.path = path
        self._apply(load_filter(self.view.settings, path), announce=False)

    def set_filter(self, claim_filter: ClaimFilter) -> None:
        """Show ``claim_filter``'s claims, keep it for the project, say how many show."""
        if self.path is not None:
            save_filter(self.view.settings, self.path, claim_filter)
        self._apply(claim_filter, announce=True)

    def set_mode(self, mode: str) -> None:
        self.set_filter(replace(self.filter, mode=mode))

    def next_mode(self) -> None:
        """``Ctrl+Shift+F``: all → check-worthy only → quotes only → all."""
        self.set_filter(self.filter.following())

    def edit_min_score(self) -> None:
        """``Ctrl+Shift+Y``: check-worthy only, the focus in the least-score box (↑/↓
        by 0.05, or type it and Return; Esc goes back to the article)."""
        self.unfold()
        self.tabs.setCurrentIndex(1)
        if self.filter.mode != "checkworthy":
            self.set_mode("checkworthy")
        self.bar.min_score.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.bar.min_score.selectAll()

    def _apply(self, claim_filter: ClaimFilter, announce: bool) -> None:
        self.filter = claim_filter
        self.bar.show_filter(claim_filter)
        hides = hider(claim_filter)
        view = self.view
        self.article.set_hides(hides)
        self.claim_model.hides = hides
        self.claim_model.set_spans(view.doc.text if view.doc else "", view.spans)
        focused = self.article.focused_span()
        if focused is not None and hides is not None and hides(focused):
            following = self.article.neighbour(+1, pending=True)  # on from where it was
            view.focus_span(following.id if following is not None else None)
        else:  # the focus stays, and so do the side panel's tab and the key focus
            self.article.viewport().update()
            view.update_position()
        if announce:
            view.status_bar.say(claim_filter.count_text(view.spans), 6000, replace=True)

    def show_count(self, spans: Sequence[Span]) -> None:
        """How many claims show, above the list and on its tab ("Claims 12/40")."""
        text = self.filter.count_text(spans)
        self.bar.count.setText(text)
        title = "Claims"
        if self.filter.active:
            title += " " + text.split(" claims", 1)[0].replace(" of ", "/")
        self.tabs.setTabText(1, title)
