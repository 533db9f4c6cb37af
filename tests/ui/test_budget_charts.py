"""The Budgets page's charts: cumulative budget, actual and forecast; variance by line; risk share by partner."""

from __future__ import annotations

import pytest

from PySide6.QtCharts import QChartView
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QTextDocument
from PySide6.QtWidgets import QGraphicsTextItem, QToolTip, QWidget

from jointlead.domain.budget import MONTHS, LineFigures, even_profile, total_figures
from jointlead.domain.calendar import FinancialYear, Period
from jointlead.domain.money import format_pounds
from jointlead.domain.rag import Rag
from jointlead.domain.risk_share import LineVariance, Partner, RiskShareRules, ShareProfile, share_risk
from jointlead.services.budgets import LinePosition, PoolPosition, pool_position
from jointlead.ui.application import make_application
from jointlead.ui.budget_charts import MAX_BARS, NO_LINES, NO_POOL, BudgetCharts, compact_pounds, nice_ticks
from jointlead.ui.printing import PicturePrintout, content_height, new_printer, printout_for

YEAR = FinancialYear(2026)


def figures(annual: int, variance: int, as_at: int) -> LineFigures:
    """A line spending to its even profile, except that its forecast (or last actual) is off by `variance`."""
    profile = even_profile(annual)
    months = list(profile)
    months[-1] += variance
    actuals = tuple(months[m] if m < as_at else None for m in range(MONTHS))
    return LineFigures(annual, profile, actuals, tuple(months[as_at:]), as_at)


def position(variances: list[int], *, as_at: int = 7, annual: int = 100_000_00, caps: tuple[int | None, ...] = (None,
             None)) -> PoolPosition:
    """A made-up pool of NFT (host, £900k) and NCC (£300k) with one line per variance."""
    lines = tuple(LinePosition(n, f"L{n:03d}", f"Line number {n}", "pay", None, "variable", 1,
                               figures(annual, variance, as_at))
                  for n, variance in enumerate(variances, start=1))
    partners = [Partner("NFT", "Trust", 900_000_00, cap_pence=caps[0]),
                Partner("NCC", "Council", 300_000_00, cap_pence=caps[1])]
    share = share_risk(partners, [LineVariance(line.code, line.name, None, ShareProfile.VARIABLE,
                                               line.figures.full_year_variance) for line in lines],
                       RiskShareRules(host="NFT"))
    pool = total_figures(line.figures for line in lines) if lines else figures(0, 0, as_at)
    return PoolPosition(1, "Test pool", "NFT", YEAR, Period(YEAR, as_at) if as_at else None, lines,
                        {"NFT": 900_000_00, "NCC": 300_000_00}, pool, share)


@pytest.fixture
def charts(qtbot) -> BudgetCharts:
    make_application()
    widget = BudgetCharts()
    qtbot.addWidget(widget)
    widget.resize(1000, 450)
    widget.show()
    return widget


def ys(series) -> list[float]:
    return [point.y() for point in series.points()]


def xs(series) -> list[float]:
    return [point.x() for point in series.points()]


def bar_values(charts: BudgetCharts) -> list[float]:
    """Each variance bar's value: one RAG set carries it, the others hold zero there."""
    sets = list(charts.rag_sets.values())
    return [sum(s.at(i) for s in sets) for i in range(sets[0].count())]


def test_axis_labels_are_short_pounds():
    assert [compact_pounds(v) for v in (0, 350_000, 1_200_000, -2_500, 15_000_000, 999)] == [
        "£0", "£350k", "£1.2m", "-£2.5k", "£15m", "£999"]
    assert nice_ticks(0, 12_785_421) == [0, 2_500_000, 5_000_000, 7_500_000, 10_000_000, 12_500_000, 15_000_000]
    assert nice_ticks(-57_659, 59_053, target=7)[0] <= -57_659
    assert nice_ticks(0, 0) == [-1_000, -500, 0, 500, 1_000]  # nothing to show still gives a usable axis


def test_the_pool_chart_shows_the_demo_pools_year_to_the_penny(charts, demo_db):
    shown = pool_position(demo_db)
    pool = shown.pool
    charts.show_position(shown)
    assert not charts.is_empty()
    assert len(charts.budget_series.points()) == MONTHS
    assert ys(charts.budget_series)[-1] == pytest.approx(pool.annual_budget_pence / 100)
    assert len(charts.actual_series.points()) == shown.as_at.number == 7
    assert ys(charts.actual_series)[-1] == pytest.approx(pool.actual_to_date / 100)
    # The forecast starts where the actual ends and finishes at the forecast outturn.
    assert xs(charts.forecast_series) == [float(m) for m in range(7, MONTHS + 1)]
    assert ys(charts.forecast_series)[0] == pytest.approx(pool.actual_to_date / 100)
    assert ys(charts.forecast_series)[-1] == pytest.approx(pool.forecast_outturn / 100)
    title = charts.cumulative_chart.title()
    assert "Whole pool" in title and "as at M7 2026-27" in title
    assert format_pounds(pool.forecast_outturn) in title
    # The £ axis reaches past the year's largest figure, with short labels.
    assert charts.cumulative_axis.max() >= pool.annual_budget_pence / 100
    assert "£5m" in charts.cumulative_axis.categoriesLabels()


def test_choosing_a_line_redraws_the_cumulative_chart_for_that_line(charts, demo_db):
    shown = pool_position(demo_db)
    line = next(line for line in shown.lines if line.code == "MH06")
    charts.show_position(shown, line.id)
    assert charts.line_id == line.id
    assert "MH06 Medical staffing" in charts.cumulative_chart.title()
    assert ys(charts.actual_series)[-1] == pytest.approx(line.figures.actual_to_date / 100)
    assert ys(charts.forecast_series)[-1] == pytest.approx(line.figures.forecast_outturn / 100)
    charts.show_line(None)
    assert "Whole pool" in charts.cumulative_chart.title()
    assert ys(charts.forecast_series)[-1] == pytest.approx(shown.pool.forecast_outturn / 100)


def test_an_income_line_runs_below_zero(charts, demo_db):
    shown = pool_position(demo_db)
    income = next(line for line in shown.lines if line.category == "income")
    charts.show_position(shown, income.id)
    assert income.figures.annual_budget_pence < 0
    assert ys(charts.budget_series)[-1] == pytest.approx(income.figures.annual_budget_pence / 100)
    assert charts.cumulative_axis.min() <= income.figures.annual_budget_pence / 100


def test_the_variance_chart_has_every_demo_line_largest_overspend_at_the_top(charts, demo_db):
    shown = pool_position(demo_db)
    charts.show_position(shown)
    assert len(charts.line_axis.categories()) == len(shown.lines) == 16
    values = bar_values(charts)
    assert values == sorted(values)  # the axis draws its first category at the bottom
    worst = max(shown.lines, key=lambda line: line.figures.full_year_variance)
    assert charts.line_axis.categories()[-1].startswith(worst.code)
    assert values[-1] == pytest.approx(worst.figures.full_year_variance / 100)
    # Each bar is in the set of its RAG, and the £ label at its end is format_pounds of its variance.
    red = charts.rag_sets[Rag.RED]
    assert red.at(len(values) - 1) == pytest.approx(values[-1]) if worst.figures.full_year_rag() == Rag.RED else True
    labels = [item.text() for item in charts.variance_labels]
    assert labels[-1] == format_pounds(worst.figures.full_year_variance)
    assert sorted(labels) == sorted(format_pounds(line.figures.full_year_variance) for line in shown.lines)
    assert "largest" not in charts.variance_chart.title()


def test_variance_bars_are_coloured_by_their_rag(charts):
    # Budgets of £100,000: £500 is green (0.5%), £2,000 amber (2%), -£5,000 red (-5%).
    charts.show_position(position([500_00, 2_000_00, -5_000_00]))
    assert [charts.rag_sets[rag].at(i) for rag, i in ((Rag.RED, 0), (Rag.GREEN, 1), (Rag.AMBER, 2))] == [
        -5_000, 500, 2_000]
    assert charts.rag_sets[Rag.GREEN].at(0) == charts.rag_sets[Rag.AMBER].at(0) == 0


def test_150_lines_show_only_the_largest_20_and_say_so(charts):
    variances = [(n - 75) * 100_00 for n in range(150)]  # -£7,500 … £7,400
    charts.show_position(position(variances))
    assert len(charts.line_axis.categories()) == MAX_BARS == 20
    assert len(charts.variance_labels) == MAX_BARS
    assert "the largest 20 of 150 lines" in charts.variance_chart.title()
    assert min(abs(v) for v in bar_values(charts)) >= 6_500  # nothing smaller beat a larger one to a place
    charts.show_position(position(variances[:3]))
    assert len(charts.line_axis.categories()) == len(charts.variance_labels) == 3


def test_the_risk_share_chart_shows_each_partners_share_and_what_goes_to_the_board(charts):
    # A £400,000 overspend, NFT capped at £60,000 and NCC at £20,000: £320,000 goes to the board.
    shown = position([400_000_00], annual=1_000_000_00, caps=(60_000_00, 20_000_00))
    assert shown.risk_share.unallocated_pence == 320_000_00
    charts.show_position(shown)
    assert charts.partner_axis.categories() == ["Unallocated — refer to board", "NCC", "NFT (host)"]
    assert [charts.partner_set.at(i) for i in range(3)] == [0, 20_000, 60_000]
    assert charts.unallocated_set.at(0) == 320_000
    assert [item.text() for item in charts.risk_labels] == ["£320,000", "£20,000", "£60,000"]
    assert "refer to board" in charts.risk_chart.title()
    assert charts.risk_chart.legend().isVisible()


def test_an_underspend_is_returned_to_the_partners(charts, demo_db):
    shown = pool_position(demo_db)
    charts.show_position(shown)
    shares = dict(shown.risk_share.share_by_partner)
    assert [charts.partner_set.at(i) for i in range(len(shares))] == pytest.approx(
        [shares[code] / 100 for code in reversed(list(shares))])
    assert [item.text() for item in charts.risk_labels] == [format_pounds(shares[c]) for c in reversed(list(shares))]
    assert "underspend of " + format_pounds(-shown.risk_share.total_variance_pence) in charts.risk_chart.title()
    assert not charts.risk_chart.legend().isVisible()  # partners alone need no key


def test_before_any_actuals_the_forecast_is_the_profile(charts):
    shown = position([0, 0], as_at=0)
    charts.show_position(shown)
    assert charts.actual_series.count() == 0
    assert ys(charts.forecast_series) == pytest.approx(ys(charts.budget_series))
    assert len(charts.forecast_series.points()) == MONTHS
    assert "before any period is closed" in charts.cumulative_chart.title()
    assert "no actuals yet" in charts.forecast_series.name()


def test_a_closed_year_has_no_forecast_left(charts):
    charts.show_position(position([1_000_00], as_at=12))
    assert charts.actual_series.count() == MONTHS
    assert charts.forecast_series.count() == 0


def test_no_variance_at_all_still_draws_a_sound_chart(charts):
    charts.show_position(position([0, 0, 0]))
    assert bar_values(charts) == [0, 0, 0]
    assert charts.variance_axis.max() > charts.variance_axis.min()
    assert "on budget" in charts.variance_chart.title()
    assert "no forecast variance" in charts.risk_chart.title()
    assert [item.text() for item in charts.risk_labels] == ["£0", "£0"]


def test_no_agreement_or_no_lines_shows_the_empty_state(charts, demo_db):
    assert charts.is_empty()
    assert charts.empty.text() == NO_POOL
    charts.show_position(position([]))
    assert charts.is_empty() and charts.empty.text() == NO_LINES
    charts.show_position(pool_position(demo_db))
    assert not charts.is_empty()
    charts.clear()
    assert charts.is_empty() and charts.position is None
    charts.show_line(1)  # nothing shown: nothing to redraw, and no error


def test_hovering_explains_the_point_in_pounds(charts, demo_db, monkeypatch):
    shown_tips: list[str] = []
    # The offscreen platform cannot raise a tooltip window; record what would be shown instead.
    monkeypatch.setattr(QToolTip, "showText", lambda _pos, text, *_args: shown_tips.append(text))
    monkeypatch.setattr(QToolTip, "hideText", lambda: shown_tips.append(""))
    shown = pool_position(demo_db)
    charts.show_position(shown)
    charts.actual_series.hovered.emit(QPointF(7.1, 0), True)
    assert f"actual to date {format_pounds(shown.pool.actual_to_date)}" in charts.cumulative_view.toolTip()
    assert shown_tips == [charts.cumulative_view.toolTip()]
    assert "M7 Oct" in charts.cumulative_view.toolTip()
    charts.actual_series.hovered.emit(QPointF(7.1, 0), False)
    assert charts.cumulative_view.toolTip() == ""
    worst = max(shown.lines, key=lambda line: line.figures.full_year_variance)
    charts.rag_sets[worst.figures.full_year_rag()].hovered.emit(True, len(shown.lines) - 1)
    assert charts.variance_view.toolTip().startswith(f"{worst.code} {worst.name}")
    assert format_pounds(worst.figures.full_year_variance) in charts.variance_view.toolTip()


def test_clicking_a_variance_bar_names_its_line(charts, demo_db, qtbot):
    shown = pool_position(demo_db)
    charts.show_position(shown)
    worst = max(shown.lines, key=lambda line: line.figures.full_year_variance)
    with qtbot.waitSignal(charts.line_activated) as signal:
        charts.rag_sets[worst.figures.full_year_rag()].clicked.emit(len(shown.lines) - 1)
    assert signal.args == [worst.id]


def test_bar_labels_sit_beside_their_bars_inside_the_plot(charts, demo_db, qtbot):
    charts.show_position(pool_position(demo_db))
    charts.tabs.setCurrentWidget(charts.variance_view)
    qtbot.waitExposed(charts.variance_view)
    plot = charts.variance_chart.plotArea()
    for item in charts.variance_labels:
        box = item.mapRectToParent(item.boundingRect())
        assert plot.left() <= box.left() and box.right() <= plot.right() + 1, item.text()


def test_every_chart_can_be_reached_and_read_without_seeing_it(charts, demo_db):
    charts.show_position(pool_position(demo_db))
    unnamed = [f"{type(w).__name__} {w.objectName()}" for w in charts.findChildren(QWidget)
               if w.focusPolicy() & Qt.FocusPolicy.TabFocus and not w.accessibleName()]
    assert unnamed == []
    assert "Whole pool, cumulative, as at M7 2026-27" in charts.cumulative_view.accessibleDescription()
    assert "Forecast outturn £12,785,421" in charts.cumulative_view.accessibleDescription()
    assert charts.risk_view.accessibleDescription().startswith("Who bears the forecast underspend")


def shared_halves() -> PoolPosition:
    """£2,001.00 over on one line, shared 50:50: £1,000.50 each, which whole pounds that add up show as £1,001 (to
    the partner listed first) and £1,000."""
    line = LinePosition(1, "V", "Line V", "pay", "NCC", "variable", 1, figures(12_000_00, 2_001_00, 7))
    partners = [Partner("NFT", "Trust", 1_000_00), Partner("NCC", "Council", 1_000_00)]
    share = share_risk(partners, [LineVariance("V", "Line V", "NCC", ShareProfile.VARIABLE, 2_001_00)],
                       RiskShareRules(host="NFT"))
    assert dict(share.share_by_partner) == {"NFT": 1_000_50, "NCC": 1_000_50}
    return PoolPosition(1, "Test pool", "NFT", YEAR, Period(YEAR, 7), (line,), {"NFT": 1_000_00, "NCC": 1_000_00},
                        line.figures, share)


def test_the_risk_share_bars_are_labelled_as_the_tiles_say_them_and_add_up(charts):
    from jointlead.ui.budget_words import shares_in_pounds

    shown = shared_halves()
    charts.show_position(shown)

    # The first partner is at the top: the bars run from the last.
    assert [bar.label for bar in charts.risk_bars] == ["NCC", "NFT (host)"]
    assert [item.text() for item in charts.risk_labels] == ["£1,000", "£1,001"]
    assert shares_in_pounds(shown.risk_share) == {"NFT": 1_001_00, "NCC": 1_000_00}
    assert [bar.tip for bar in charts.risk_bars] == ["NCC bears £1,000 of overspend. Contribution £1,000.",
                                                     "NFT (host) bears £1,001 of overspend. Contribution £1,000."]
    assert "of £2,001" in charts.risk_chart.title()


def test_a_share_net_of_overspend_and_underspend_is_said_as_a_net_share(charts, demo_db):
    charts.show_position(pool_position(demo_db))

    tips = {bar.label: bar.tip for bar in charts.risk_bars}
    assert tips["NFT (host)"] == ("NFT (host) bears a net £14,215: the overspend on its fixed-share lines less its "
                                  "part of the underspend returned. Contribution £9,600,000.")
    assert tips["NCC"] == "£28,794 of underspend returns to NCC. Contribution £3,200,000."


def test_a_final_years_charts_say_actual_not_forecast(charts):
    charts.show_position(position([1_000_00, -3_000_00], as_at=12), final=True)

    for view in (charts.cumulative_view, charts.variance_view, charts.risk_view):
        assert "forecast" not in view.accessibleDescription().lower(), view.accessibleName()
    assert charts.risk_view.accessibleDescription().startswith("Who bears the underspend of £2,000")
    assert "Actual outturn" in charts.cumulative_view.accessibleDescription()


def title_of(view: QChartView) -> QGraphicsTextItem:
    """A chart's title as QtCharts draws it: the text item at the chart's top, its words cut short ("…") where it has
    too little room."""
    texts = [text for item in view.chart().childItems()
             if isinstance(text := item.toGraphicsObject(), QGraphicsTextItem) and text.toPlainText().strip()]
    return min(texts, key=lambda text: text.sceneBoundingRect().top())


def whole_title(view: QChartView) -> str:
    document = QTextDocument()
    document.setHtml(view.chart().title())
    return document.toPlainText()


def title_on_view(view: QChartView) -> QRect:
    """Where the title is drawn, in the view's viewport."""
    return view.mapFromScene(title_of(view).sceneBoundingRect()).boundingRect()


@pytest.mark.parametrize("size", [(1280, 800), (1093, 545), (1920, 1080)])
def test_each_charts_title_is_whole_and_clear_of_the_charts_tabs_on_screen_and_on_paper(make_window, demo_db, qtbot,
                                                                                       size):
    window = make_window()
    window.resize(*size)
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    page.tabs.setCurrentWidget(page.charts_tab)
    charts, tab_bar = page.charts, page.charts.tabs.tabBar()
    for index, view in enumerate((charts.cumulative_view, charts.variance_view, charts.risk_view)):
        charts.tabs.setCurrentIndex(index)
        qtbot.wait(10)
        assert title_of(view).toPlainText() == whole_title(view)  # not cut short
        drawn = title_on_view(view)
        assert view.viewport().rect().contains(drawn)
        on_window = QRect(view.viewport().mapTo(window, drawn.topLeft()), drawn.size())
        assert not on_window.intersects(QRect(tab_bar.mapTo(window, QPoint(0, 0)), tab_bar.size()))

        # On paper the chart's title prints as the chart draws it: the tab chosen had printed again over its start
        # (the title read "e pool, cumulative…").
        printout = printout_for(page, source=demo_db.name)
        assert isinstance(printout, PicturePrintout)
        with printout.laid_out(new_printer()):
            assert page.printed_view.text() == f"Charts: {charts.tabs.tabText(index).replace('&', '')}"
            assert not tab_bar.isVisibleTo(page)
            widget, drawn = printout.widget, title_on_view(view)
            paper = QImage(widget.size(), QImage.Format.Format_ARGB32)
            paper.fill(QColor("white"))
            painter = QPainter(paper)
            painter.drawPicture(0, 0, printout.picture(0, content_height(widget)))
            painter.end()
            printed = paper.copy(QRect(view.viewport().mapTo(widget, drawn.topLeft()), drawn.size()))
            assert printed == view.viewport().grab(drawn).toImage().convertToFormat(QImage.Format.Format_ARGB32)
