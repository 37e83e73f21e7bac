"""The Statistics view's model pages (issues 14 and 15): suggestion quality per label,
acceptance per label, as ``annotator evaluate --json`` reports them on the same project,
computed off the GUI thread; the charts show the same numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.model import Claim, Span
from annotator.session import Session
from annotator.store import Store

pytestmark = pytest.mark.gui

TEXT = ("Angela Merkel said 300 families left Hamburg. The bank will cut rates. "
        "Prices rose 5 percent.")


def decided_project(path: Path) -> Path:
    """Two done documents whose suggestions people accepted, relabelled, rejected and
    resized, with scores and cues; one document not done."""
    second = TEXT.index("The bank")
    prices = TEXT.index("Prices")
    with Store(path) as store:
        session = Session(store, "ann")
        for n in range(3):
            with store.write():
                doc = store.insert_document(TEXT + " " * n, {}, f"h{n}")
                ids = [store.insert_span(Span(doc, layer, a, b, label, "model", "pending",
                                              score, "en_test 1.0", cues=cues, claim=claim))
                       for layer, a, b, label, score, cues, claim in (
                           ("entity", 0, 13, "PERSON", None, ["ner"], None),
                           ("entity", 37, 44, "GPE", None, ["ner"], None),
                           ("entity", second, second + 8, "ORG", None, ["ner"], None),
                           ("claim", 0, second - 1, "CLAIM", 0.9, ["reporting_verb"],
                            Claim(claimant_text="Angela Merkel")),
                           ("claim", second, prices - 1, "CLAIM", 0.35, ["prediction"],
                            Claim()),
                           ("claim", prices, len(TEXT) - 1, "CLAIM", 0.7, ["number"],
                            Claim()))]
            if n == 2:
                continue  # not done: left out
            session.accept(ids[0])
            session.relabel(ids[1], "LOC")
            session.reject(ids[2]) if n == 0 else session.accept(ids[2])
            session.accept(ids[3])
            session.reject(ids[4])
            session.resize(ids[5], prices, len(TEXT))
            session.set_status(doc, "done")
    return path


def evaluate_json(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["evaluate", "--json", "--db", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.slow  # over 0.6 s (make test-fast leaves it out)
def test_statistics_quality_and_acceptance_equal_annotator_evaluate(qtbot, tmp_path) -> None:
    from annotator.gui.statistics import StatisticsDialog

    path = decided_project(tmp_path / "news.db")
    expected = evaluate_json(path)
    with Store(path) as store:
        dialog = StatisticsDialog(store)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.figures is not None, timeout=60_000)
        dialog.show_page("quality")
        quality = dialog.quality
        for layer in ("entity", "claim"):
            quality.choose(layer)
            rows = [r for r in expected["labels"] if r["layer"] == layer]
            table = quality.table
            assert table.rowCount() == len(rows)
            for i, r in enumerate(rows):
                cells = [table.item(i, c).text() for c in range(table.columnCount())]
                e, o = r["exact"], r["overlap"]
                assert cells == [r["label"], str(e["gold"]), str(e["predicted"]),
                                 *(f"{v:.2f}" for v in (e["precision"], e["recall"], e["f1"],
                                                       o["precision"], o["recall"], o["f1"]))]
            chart = quality.f1_chart
            assert chart.categories == [r["label"] for r in rows]
            assert chart.series_named("F1 exact").values == [r["exact"]["f1"] for r in rows]
            assert chart.series_named("F1 overlap").values == [r["overlap"]["f1"]
                                                               for r in rows]
            buckets = [b for b in expected["buckets"] if b["layer"] == layer]
            assert quality.buckets.series_named("accepted").values == [b["rate"]
                                                                       for b in buckets]
            cues = [c for c in expected["cues"] if c["layer"] == layer]
            assert [quality.cues.item(i, 0).text() for i in range(quality.cues.rowCount())] \
                == [c["cue"] for c in cues]
        claimant = expected["claimant"]
        assert quality.claimant.text().startswith(
            f"Claimant accuracy: {claimant['accuracy']:.2f} ({claimant['correct']} of "
            f"{claimant['matched']}")
        # acceptance per label
        acceptance = dialog.acceptance
        rows = expected["acceptance"]
        assert [(r["label"], r["suggested"], r["accepted"]) for r in rows] == [
            ("GPE", 2, 2), ("ORG", 2, 1), ("PERSON", 2, 2), ("(all)", 6, 5),
            ("CLAIM", 6, 4), ("(all)", 6, 4)]
        assert acceptance.chart.series_named("accepted").values == [r["rate"] for r in rows]
        assert [acceptance.table.item(i, 4).text() for i in range(len(rows))] == [
            f"{r['rate']:.2f}" for r in rows]
        assert "2 done document(s)" in quality.summary.text()
        dialog.show_page("acceptance")
        assert not dialog.grab().isNull()
        # one model's suggestions: computed again in the worker
        index = quality.model.findData("en_test 1.0")
        assert index > 0
        quality.model.setCurrentIndex(index)
        with qtbot.waitSignal(dialog.figures_computed, timeout=60_000):
            quality.model.activated.emit(index)
        assert dialog.figures.model == "en_test 1.0"
        dialog.close()


@pytest.mark.slow  # over 0.4 s (make test-fast leaves it out)
def test_statistics_charts_paint_offscreen(qtbot) -> None:
    from annotator.gui.charts import BarChart, LineChart, Series, nice_ticks

    assert nice_ticks(0, 1, 5) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0, 37, 6) == [0, 10, 20, 30]
    bars, lines = BarChart(), LineChart()
    for chart in (bars, lines):
        qtbot.addWidget(chart)
        chart.resize(500, 300)
        assert not chart.grab().isNull()  # the empty text
    bars.set_data(["ORG", "PERSON"], [Series("F1", "#2171b5", [0.5, None])])
    lines.set_data([Series("entities", "#2171b5", points=[(10, 0.4), (50, 0.7)])])
    assert lines.x_range() == (0.0, 50.0)
    for chart in (bars, lines):
        image = chart.grab().toImage()
        colours = {image.pixelColor(x, y).name() for x in range(0, 500, 5)
                   for y in range(0, 300, 5)}
        assert "#2171b5" in colours  # a bar, a line point drawn in the series colour


def test_statistics_charts_are_read_only_and_follow_the_palette(qtbot) -> None:
    """pyqtgraph plots with no mouse, menu, "A" button or focus; the legend above the
    data; the values written beside the bars; redrawn in a dark palette's colours."""
    import pyqtgraph as pg
    from annotator.gui.charts import BarChart, LineChart, Series
    from PySide6.QtCore import Qt

    from tools.screenshots import dark_palette

    bars, lines = BarChart(), LineChart()
    bars.set_data(["ORG", "(all)"], [Series("F1 exact", "#2171b5", [0.5, 0.75]),
                                     Series("F1 overlap", "#6baed6", [0.625, None])],
                  title="F1 per label", category_colors=["#1971c2", None])
    lines.set_data([Series("entities", "#2171b5", points=[(4, 0.5), (12, 0.8)]),
                    Series("claims", "#d94801", points=[(12, 0.7)])], title="Learning",
                   x_label="documents done", y_label="F1")
    for chart in (bars, lines):
        qtbot.addWidget(chart)
        chart.resize(500, 320)
        chart.show()
        qtbot.waitExposed(chart)
        qtbot.wait(20)  # the graphics layout settles in posted events
        box = chart.plot.getViewBox()
        assert box.mouseEnabled() == [False, False]
        assert not box.menuEnabled() and not chart.plot.menuEnabled()
        assert chart.plot.buttonsHidden
        assert chart.view.focusPolicy() == Qt.FocusPolicy.NoFocus
        assert [label.text for _, label in chart.legend_item.items] == [
            s.name for s in chart.series]
        assert not chart.legend_item.sceneBoundingRect().intersects(box.sceneBoundingRect())
        assert chart.view.backgroundBrush().color() == chart.palette().base().color()
    assert bars.plot.getViewBox().viewRange()[0] == [0.0, 1.0]
    assert [t.toPlainText() for t in bars.plot.items if isinstance(t, pg.TextItem)] == [
        "0.50", "0.75", "0.62", "–"]
    # room right of the last point (12): it sat on the border (issue 26 §4)
    assert lines.plot.getViewBox().viewRange() == [[0.0, 13.2], [0.0, 1.0]]
    assert [t.toPlainText() for t in lines.plot.items if isinstance(t, pg.TextItem)] == [
        "0.50", "0.80", "0.70"]
    for chart in (bars, lines):
        chart.setPalette(dark_palette())
        assert chart.view.backgroundBrush().color().name() == "#1e1e1e"
        assert chart.plot.getAxis("bottom").textPen().color().name() == "#e0e0e0"


ENTITY_LABELS = ["PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT",
                 "WORK_OF_ART", "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY",
                 "QUANTITY", "ORDINAL", "CARDINAL"]


def value_rects(chart: Any) -> list[Any]:
    """The scene rectangles of the values written beside the bars (their text only)."""
    import pyqtgraph as pg

    rects = []
    for item in chart.plot.items:
        if isinstance(item, pg.TextItem):
            margin = item.textItem.document().documentMargin()
            rects.append(item.textItem.mapRectToScene(
                item.textItem.boundingRect().adjusted(margin, margin, -margin, -margin)))
    return rects


@pytest.mark.parametrize("width", [1024, 1366])
def test_quality_values_of_exact_and_overlap_never_overprint(qtbot, width) -> None:
    """Issue 26 §4: with every entity label, the exact and overlap values overprinted
    each other at 1024 and 1366: the chart is never squeezed below its bands (the page
    scrolls it)."""
    from annotator.gui.charts import Series
    from annotator.gui.quality_view import QualityPage

    page = QualityPage()
    qtbot.addWidget(page)
    page.resize(width - 40, 620 if width == 1024 else 690)
    values = [((7 * i) % 10) / 10 for i in range(len(ENTITY_LABELS))]
    page.f1_chart.set_data(ENTITY_LABELS, [Series("F1 exact", "#2171b5", values),
                                           Series("F1 overlap", "#6baed6", values)])
    page.show()
    qtbot.waitExposed(page)
    qtbot.wait(50)
    rects = value_rects(page.f1_chart)
    assert len(rects) == 2 * len(ENTITY_LABELS)
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not a.intersects(b), (a, b)


@pytest.mark.parametrize("width", [1024, 1366])
def test_learning_curve_single_run_sits_inside_the_plot(qtbot, width) -> None:
    """Issue 26 §4: one training run's point sat on the plot's right border."""
    from annotator.gui.charts import LineChart, Series

    chart = LineChart()
    qtbot.addWidget(chart)
    chart.resize(width - 60, 420)
    chart.set_data([Series("entities", "#2171b5", points=[(13.0, 0.62)]),
                    Series("claims", "#d94801", points=[(13.0, 0.48)])])
    chart.show()
    qtbot.waitExposed(chart)
    qtbot.wait(50)
    box = chart.plot.getViewBox()
    area = box.sceneBoundingRect()
    point = box.mapViewToScene(pg_point(13.0, 0.62))
    assert area.left() + 20 < point.x() < area.right() - 20


def pg_point(x: float, y: float) -> Any:
    from PySide6.QtCore import QPointF

    return QPointF(x, y)
