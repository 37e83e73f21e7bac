"""The F1 cheat sheet fits a 1024x700 screen (it scrolls) and only one is open at a time
(issue 26 §4)."""

from __future__ import annotations

import os

from annotator.gui.cheatsheet import FRACTION, CheatSheet
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication

from .test_keyboard import key


def open_sheets(window) -> list[CheatSheet]:
    return [s for s in window.findChildren(CheatSheet) if s.isVisible()]


def test_cheat_sheet_fits_1024x700_and_scrolls(project, open_window, qtbot):
    window = open_window()
    window.resize(1024, 700)
    key(qtbot, window, Qt.Key.Key_F1)
    sheet = window.cheat_sheet
    qtbot.waitExposed(sheet)
    screen = sheet.screen().availableGeometry()  # offscreen: 800x800
    assert sheet.width() <= screen.width() * FRACTION
    assert sheet.height() <= screen.height() * FRACTION
    sheet.resize(sheet.fitting_size(sheet.area.widget().sizeHint()).boundedTo(
        QSize(int(1024 * FRACTION), int(700 * FRACTION))))  # as on a 1024x700 screen
    assert sheet.width() <= 1024 and sheet.height() <= 700
    QApplication.processEvents()
    content = sheet.area.widget()
    assert content.sizeHint().height() > sheet.area.viewport().height()
    assert sheet.area.verticalScrollBar().maximum() > 0  # the rest is reachable
    if os.environ.get("CHEATSHEET_PNG"):
        sheet.grab().save(os.environ["CHEATSHEET_PNG"])


def test_only_one_cheat_sheet_is_open(project, open_window, qtbot):
    window = open_window()
    key(qtbot, window, Qt.Key.Key_F1)
    first = window.cheat_sheet
    qtbot.waitExposed(first)
    qtbot.keyClick(first, Qt.Key.Key_F1)  # F1 inside it
    key(qtbot, window, Qt.Key.Key_F1)  # and F1 again in the window (a key burst)
    QApplication.processEvents()
    assert open_sheets(window) == [window.cheat_sheet]
    window.cheat_sheet.close()
    qtbot.waitUntil(lambda: not open_sheets(window), timeout=2000)


def test_adjust_size_keeps_the_sheet_on_the_screen(project, open_window, qtbot):
    """The screenshots call ``adjustSize()``: it keeps to the screen too."""
    window = open_window()
    window.show_cheat_sheet()
    sheet = window.cheat_sheet
    sheet.adjustSize()
    screen = sheet.screen().availableGeometry()
    assert sheet.width() <= screen.width() * FRACTION
    assert sheet.height() <= screen.height() * FRACTION
    assert sheet.height() >= screen.height() * 2 // 3 - 2  # Qt caps adjustSize at 2/3
    sheet.close()
