"""The claim filter's screenshot, for ``python -m tools.screenshots``: a sample article
suggested by the project's own suggester, the claim list filtered to check-worthy only
at a least score of 0.60, at 1366×768 (``claim-filter.png``); and, run alone
(``python -m tools.filter_screenshots OUT_DIR``), the same at 1024×700
(``claim-filter-1024.png``) and in quotes only, to look at."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator.samples import seed_if_empty  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.suggest.runner import load_pipeline, suggest  # noqa: E402

SAMPLE = "metroherald"  # an article with quotations, check-worthy and not


def shoot(out: Path, tmp: Path, app: QApplication, every: bool = False) -> None:
    from annotator.gui.app import build_window
    from annotator.gui.claim_filter import ClaimFilter

    db = tmp / "filter.db"
    with Store(db) as store:
        seed_if_empty(store)
        doc_id = next(r["id"] for r in store.document_rows()
                      if SAMPLE in str(store.get_document(r["id"]).meta.get("file", "")))
        suggest(store, load_pipeline(), [doc_id])
    window = build_window(db, "maria", QSettings(str(tmp / "filter.ini"),
                                                 QSettings.Format.IniFormat),
                          auto_suggest=False)
    window.show()
    window.open_document(doc_id)
    sizes = ((1366, 768, "claim-filter.png"), (1024, 700, "claim-filter-1024.png"))
    for width, height, name in sizes if every else sizes[:1]:
        window.resize(width, height)
        window.claim_filter.set_filter(ClaimFilter("checkworthy", 0.6))
        _focus_claim(window)
        app.processEvents()
        window.grab().save(str(out / name))
    if every:
        window.resize(1366, 768)
        window.claim_filter.set_filter(ClaimFilter("quotes", 0.6))
        _focus_claim(window)
        app.processEvents()
        window.grab().save(str(out / "claim-filter-quotes.png"))
    window.close()
    window.store.close()


def _focus_claim(window: object) -> None:
    """The first claim that shows, focused (its list on top)."""
    shown = [s for s in window.article.visible_spans()  # type: ignore[attr-defined]
             if s.layer == "claim"]
    if shown:
        window.focus_span(shown[0].id)  # type: ignore[attr-defined]


if __name__ == "__main__":
    app = QApplication.instance() or QApplication([])
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp")
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        shoot(target, Path(folder), app, every=True)
