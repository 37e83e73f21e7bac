"""What the window's controllers read and call on the window itself: the open project
and document, and the moves that show another. :class:`ui.window.MainWindow` is the one
implementation; each controller is handed it as a :class:`DocumentView` beside the
widgets it uses, so mypy checks the contract both ways."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QStatusBar

from annotator.model import Document, LabelScheme, Span
from annotator.store import Store


class DocumentView(Protocol):
    """The window as its controllers see it. ``store``, ``scheme`` and ``annotator``
    change with the project (and the Labels dialog, File ▸ Change annotator); read them
    when acting, never keep them."""

    store: Store
    annotator: str
    scheme: LabelScheme
    doc: Document | None
    spans: list[Span]

    def open_document(self, doc_id: int) -> None: ...

    def open_first_document(self) -> None: ...

    def reload_spans(self, focus: int | None = None,
                     states: dict[int, Span | None] | None = None) -> None: ...

    def move_focus(self, step: int, pending: bool = False) -> None: ...

    def refuse(self, message: str) -> None:
        """Say why a key did nothing (the article's banner)."""

    def statusBar(self) -> QStatusBar: ...  # noqa: N802
