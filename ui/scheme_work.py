"""Project ▸ Labels, and the window following the project's label scheme at once: a part
of :class:`ui.window.MainWindow` (mixed into it). The window holds one
:class:`~annotator.model.LabelScheme` read from the project; after a change
:meth:`SchemeWork.apply_scheme` reads it again and hands it to everything that draws or
binds labels: the legend, the article's span styles, the span lists' colour chips, the
Label menu with its keys (and so the F1 cheat sheet), the decisions (label keys, the
last label used) and the label picker (which lists ``window.scheme`` when it opens)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .actions import label_actions
from .labels_dialog import LabelsDialog


class SchemeWork:
    """The Labels dialog and scheme refreshes of the window."""

    labels_dialog: LabelsDialog | None = None

    def show_labels(self) -> None:
        """Project ▸ Labels: the dialog over the window (window-modal; the window
        follows each change as soon as it is committed)."""
        dialog = LabelsDialog(self.store.path, self.annotator, self.store.readonly, self)
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
        scheme = self.store.label_scheme()
        self.scheme = scheme
        decisions = self.decisions
        decisions.scheme = scheme
        last = scheme.get(decisions.last_label.name) if decisions.last_label else None
        entities = scheme.for_layer("entity")
        decisions.last_label = last or (entities[0] if entities else None)
        self.header.legend.set_scheme(scheme)
        self.article.styles.set_scheme(scheme)
        for model in (self.span_panel.entity_model, self.span_panel.claim_model):
            model.set_scheme(scheme)
        self.action_table.replace_menu("&Label", label_actions(scheme))
        self.reload_spans()
        self.article.highlighter.rehighlight()  # colours changed, not only spans
