"""Project ▸ Labels, and the window following the project's label scheme at once: a
controller owned by :class:`ui.window.MainWindow`. The window holds one
:class:`~annotator.model.LabelScheme` read from the project; after a change
:meth:`SchemeWork.apply_scheme` reads it again and hands it to everything that draws or
binds labels: the legend, the article's span styles, the span lists' colour chips, the
Label menu with its keys (``rebind``, and so the F1 cheat sheet), the decisions (label
keys, the last label used) and the label picker (which lists ``view.scheme`` when it
opens)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from annotator.model import LabelScheme

from .article import ArticleView
from .decisions import Decisions
from .legend import Legend
from .models import SpanListModel
from .view import DocumentView

if TYPE_CHECKING:  # imported when it opens (it imports the export refusals)
    from .labels_dialog import LabelsDialog


class SchemeWork:
    """The Labels dialog (over ``parent``) and scheme refreshes of the window."""

    def __init__(self, view: DocumentView, parent: QWidget, decisions: Decisions,
                 legend: Legend, article: ArticleView, span_models: Sequence[SpanListModel],
                 rebind: Callable[[LabelScheme], None]):
        self.view = view
        self.parent = parent
        self.decisions = decisions
        self.legend = legend
        self.article = article
        self.span_models = span_models
        self.rebind = rebind
        self.labels_dialog: LabelsDialog | None = None

    def show_labels(self) -> None:
        """Project ▸ Labels: the dialog over the window (window-modal; the window
        follows each change as soon as it is committed)."""
        from .labels_dialog import LabelsDialog

        store = self.view.store
        dialog = LabelsDialog(store.path, self.view.annotator, store.readonly, self.parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._on_labels_changed)
        dialog.destroyed.connect(self._on_labels_destroyed)
        self.labels_dialog = dialog
        dialog.open()
        dialog.table.setFocus()

    def _on_labels_changed(self, _message: str) -> None:
        self.apply_scheme()

    def _on_labels_destroyed(self) -> None:
        self.labels_dialog = None

    def apply_scheme(self) -> None:
        """Read the project's label scheme again and redraw and rebind what shows it;
        the open document's spans are read again (a rename relabelled them)."""
        scheme = self.view.store.label_scheme()
        self.view.scheme = scheme
        decisions = self.decisions
        decisions.scheme = scheme
        last = scheme.get(decisions.last_label.name) if decisions.last_label else None
        entities = scheme.for_layer("entity")
        decisions.last_label = last or (entities[0] if entities else None)
        self.legend.set_scheme(scheme)
        self.article.styles.set_scheme(scheme)
        for model in self.span_models:
            model.set_scheme(scheme)
        self.rebind(scheme)
        self.view.reload_spans()
        self.article.highlighter.rehighlight()  # colours changed, not only spans
