"""``python -m tools.screenshots OUT_DIR``: render the window offscreen to PNG files.

Writes ``main-window.png`` (a sample article with suggestions, some decided),
``claim-panel.png`` (a focused claim with its attributes), ``cheat-sheet.png``, the
window on a laptop screen at 1024×700 (``main-window-1024.png``, with a refusal shown)
and at 1366×768 (``main-window-1366.png``, in caret mode with a selection), on a dark
palette (``main-window-dark.png``), the team features' ``review-mode.png`` and
``agreement-heatmap.png`` (tools/team_screenshots.py), the claim filter's
``claim-filter.png`` (tools/filter_screenshots.py), from a temporary project seeded with
the sample articles and suggested by the project's own suggester; and the model in the
loop's ``training.png``, ``statistics-quality.png``, ``statistics-acceptance.png``,
``learning-curve.png`` and ``labels-dialog.png`` (tools/learn_screenshots.py, from a project
that is trained three times by the window).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator.samples import seed_if_empty  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.suggest.runner import load_pipeline, suggest  # noqa: E402

SAMPLE = "shafaq"  # the article shown


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        db = Path(tmp) / "samples.db"
        with Store(db) as store:
            seed_if_empty(store)
            doc_id = next(r["id"] for r in store.document_rows()
                          if SAMPLE in str(store.get_document(r["id"]).meta.get("file", "")))
            suggest(store, load_pipeline(), [doc_id])
        from annotator.gui.app import build_window

        window = build_window(db, "maria", QSettings(str(Path(tmp) / "s.ini"),
                                                     QSettings.Format.IniFormat),
                              auto_suggest=False)
        window.resize(1500, 900)
        window.show()
        window.open_document(doc_id)
        decide(window)
        app.processEvents()
        window.grab().save(str(out / "main-window.png"))

        claim = next((s for s in window.spans if s.layer == "claim"), None)
        if claim is not None and claim.id is not None:
            window.focus_span(claim.id)
            entity = next((s for s in window.spans if s.layer == "entity"
                           and s.start >= claim.start and s.end <= claim.end
                           and s.label in ("PERSON", "ORG")), None)
            window.decisions.set_claim_attribute(claim.id, "claim_type", "reported")
            window.decisions.set_claim_attribute(claim.id, "checkworthy", "yes")
            if entity is not None:
                window.decisions.set_claim_attribute(claim.id, "claimant", entity.id)
            window.focus_span(claim.id)
        app.processEvents()
        window.grab().save(str(out / "claim-panel.png"))

        window.show_cheat_sheet()
        app.processEvents()
        window.cheat_sheet.adjustSize()
        app.processEvents()
        window.cheat_sheet.grab().save(str(out / "cheat-sheet.png"))
        window.cheat_sheet.close()

        laptop(window, app, out)
        window.close()
        app.setPalette(dark_palette())
        dark = build_window(db, "maria", QSettings(str(Path(tmp) / "d.ini"),
                                                   QSettings.Format.IniFormat),
                            auto_suggest=False)
        dark.resize(1366, 768)
        dark.show()
        dark.open_document(doc_id)
        claim = next((s for s in dark.spans if s.layer == "claim"), None)
        if claim is not None:
            dark.focus_span(claim.id)
        settle(app)
        dark.grab().save(str(out / "main-window-dark.png"))
        dark.close()
        app.setPalette(app.style().standardPalette())
        from .team_screenshots import shoot

        shoot(out, Path(tmp), app)
        from .filter_screenshots import shoot as shoot_filter

        shoot_filter(out, Path(tmp), app)
        from .learn_screenshots import shoot as shoot_learning

        shoot_learning(out, app)
    print(f"wrote {', '.join(sorted(p.name for p in out.glob('*.png')))} to {out}")
    return 0


def settle(app: QApplication) -> None:
    for _ in range(8):  # layouts settle one event at a time
        app.processEvents()


def laptop(window: object, app: QApplication, out: Path) -> None:
    """The window at 1024×700 (a refusal shown, a claim focused) and at 1366×768 (caret
    mode with a selection)."""
    from annotator.gui.window import MainWindow

    assert isinstance(window, MainWindow)
    window.resize(1024, 700)
    claim = next((s for s in window.spans if s.layer == "claim"), None)
    if claim is not None:
        window.focus_span(claim.id)
    window.decisions.refused.emit("Overlaps accepted ORG [31, 35): shown until the next key")
    settle(app)
    window.grab().save(str(out / "main-window-1024.png"))
    window.article.banner.dismiss()
    window.resize(1366, 768)
    entity = next((s for s in window.spans if s.layer == "entity"), None)
    if entity is not None:
        window.focus_span(entity.id)
        window.keys.toggle_caret_mode()
        window.article.select_range(entity.start, entity.end + 12)
    settle(app)
    window.grab().save(str(out / "main-window-1366.png"))
    window.article.set_caret_mode(False)


def dark_palette() -> QPalette:
    """A dark palette of the kind desktop themes set (Fusion's colours, inverted)."""
    palette = QPalette()
    colors = {QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e0e0e0",
              QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#262626",
              QPalette.ColorRole.Text: "#e0e0e0", QPalette.ColorRole.Button: "#333333",
              QPalette.ColorRole.ButtonText: "#e0e0e0", QPalette.ColorRole.Highlight: "#2f6fb0",
              QPalette.ColorRole.HighlightedText: "#ffffff",
              QPalette.ColorRole.PlaceholderText: "#8a8a8a",
              QPalette.ColorRole.ToolTipBase: "#333333", QPalette.ColorRole.ToolTipText:
              "#e0e0e0", QPalette.ColorRole.Link: "#6ea8fe"}
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6a6a6a"))
    return palette


def decide(window: object) -> None:
    """A few decisions so the picture shows accepted, pending and focused spans."""
    from annotator.gui.window import MainWindow

    assert isinstance(window, MainWindow)
    entities = [s for s in window.spans if s.layer == "entity"]
    for span in entities[:4]:
        window.focus_span(span.id)
        window.decisions.accept_focused()
    pending = [s for s in window.spans if s.decision == "pending" and s.layer == "entity"]
    if pending:
        window.focus_span(pending[0].id)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
