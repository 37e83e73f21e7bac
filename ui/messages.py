"""Refusals and errors, shown so they can be read: a coloured banner over the bottom
of the article, unlike the status bar's information (the focused span's description,
task summaries), and kept until the next key rather than for a few seconds.

While the banner shows, it watches the application's key events (and only then: a
filter on every event of the application costs on every keystroke); the next key
press hides it before that key does anything, so a key refused again shows its own
refusal."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

_MODIFIERS = frozenset({Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt,
                        Qt.Key.Key_Meta, Qt.Key.Key_AltGr, Qt.Key.Key_CapsLock})
_KEYS = (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
#: Red with white text: reads the same on the light and the dark palette.
STYLE = ("QLabel { background: #c92a2a; color: white; padding: 6px 10px;"
         " border-radius: 4px; }")


class RefusalBanner(QLabel):
    """What was refused and why, over the bottom of ``host`` until the next key."""

    def __init__(self, host: QWidget):
        super().__init__(host)
        self.host = host
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.message = ""
        self._watching = False
        self.hide()

    def show_message(self, message: str) -> None:
        if not self.styleSheet():  # set when first needed: the window opens faster
            self.setStyleSheet(STYLE)
        self.message = message
        self.setText(f"⚠  {message}")
        self.place()
        self.show()
        self.raise_()
        app = QApplication.instance()
        if app is not None and not self._watching:
            app.installEventFilter(self)
            self._watching = True

    def dismiss(self) -> None:
        self.message = ""
        self.hide()
        app = QApplication.instance()
        if app is not None and self._watching:
            app.removeEventFilter(self)
            self._watching = False

    def place(self) -> None:
        """Along the bottom of the host, its width less a margin."""
        width = max(self.host.width() - 40, 100)
        self.setFixedWidth(width)
        height = self.heightForWidth(width)
        self.setFixedHeight(height if height > 0 else self.sizeHint().height())
        self.move(20, max(self.host.height() - self.height() - 16, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in _KEYS:
            assert isinstance(event, QKeyEvent)
            if event.key() not in _MODIFIERS and not event.isAutoRepeat():
                self.dismiss()
        return False
