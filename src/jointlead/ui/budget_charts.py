"""Charts for the pooled budget: cumulative budget, actual and forecast; variance by line; risk share by partner."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtCharts import (
    QAbstractAxis,
    QBarCategoryAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QLegend,
    QLineSeries,
)
from PySide6.QtCore import QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QCursor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsSimpleTextItem,
    QLabel,
    QStackedWidget,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from jointlead.domain.budget import MONTHS, LineFigures
from jointlead.domain.money import format_pounds
from jointlead.domain.rag import AMBER_WITHIN_BASIS_POINTS, GREEN_WITHIN_BASIS_POINTS, Rag
from jointlead.domain.risk_share import ShareProfile, share_words
from jointlead.services.budgets import LinePosition, PoolPosition
from jointlead.ui.budget_words import (
    month_words,
    nothing_to_share,
    placed_in_pounds,
    risk_share_waiting,
    variance_percent,
)
from jointlead.ui.theme import (
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_PALE_GREY,
    NHS_RED,
    NHS_SECONDARY_TEXT,
    NHS_TEXT,
    NHS_WHITE,
    RAG_FILLS,
)

MAX_BARS = 20  # beyond this the variance chart shows the largest, so 150 lines stay readable
MAX_LABEL = 32  # characters of a line's name on the variance chart; the whole name is in the tooltip
UNALLOCATED = "Unallocated — refer to board"
NO_POOL = ("No pooled budget is recorded in this database yet.\n\nOnce a Section 75 agreement has budget lines, "
           "its charts appear here.")
NO_LINES = "This agreement has no budget lines yet, so there is nothing to chart."
GRID = "#D8DDE0"
BUDGET_COLOUR = "#AEB7BD"  # NHS grey 3
SHARED_COLOUR = "#768692"  # NHS mid grey: what the pool itself meets (risk reserve, underspend retained)


def _pounds(pence: int) -> float:
    return pence / 100  # float pounds only for drawing; every word a person reads goes through format_pounds


def compact_pounds(pounds: float) -> str:
    """A short axis label: `£1.2m`, `£350k`, `-£2.5k`, `£0`."""
    size = abs(pounds)
    if size >= 999_995:
        text, unit = f"{size / 1_000_000:.2f}", "m"
    elif size >= 999.5:
        text, unit = f"{size / 1_000:.2f}", "k"
    else:
        text, unit = f"{size:.0f}", ""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    text = f"£{text}{unit}"
    return "-" + text if pounds < 0 and text != "£0" else text


def nice_ticks(low: float, high: float, target: int = 6) -> list[float]:
    """Round tick values from at or below `low` to at or above `high`, about `target` of them, always through zero."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low < 1:
        low, high = low - 1_000, high + 1_000  # nothing to show: a small axis either side, not a degenerate one
    power = 10 ** math.floor(math.log10((high - low) / max(target - 1, 1)))

    def ticks(step: float) -> list[float]:
        first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
        return [round(n * step, 6) for n in range(first, last + 1)]

    # The round step whose ticks come nearest the target number (the fewer, on a tie).
    candidates = [ticks(m * power) for m in (1, 2, 2.5, 5, 10, 20)]
    return min(candidates, key=lambda t: (abs(len(t) - target), len(t)))


def _money_axis(axis: QCategoryAxis, low: float, high: float, target: int = 6, pad: float = 0.0) -> None:
    """Give a value axis round £ ticks over low..high (widened by `pad` of the span on each side that has values)."""
    span = max(high, 0.0) - min(low, 0.0)
    if pad and span:
        low = low - span * pad if low < 0 else low
        high = high + span * pad if high > 0 else high
    ticks = nice_ticks(low, high, target)
    for label in axis.categoriesLabels():
        axis.remove(label)
    axis.setStartValue(ticks[0])
    used: set[str] = set()
    for value in ticks:
        label = compact_pounds(value)
        while label in used:  # the axis needs each label once; never expected with round ticks, but never fatal
            label += " "
        used.add(label)
        axis.append(label, value)
    axis.setRange(ticks[0], ticks[-1])


def _label_font(point_size: float = 9, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def _style_axis(axis: QAbstractAxis, title: str = "") -> None:
    axis.setLabelsFont(_label_font())
    axis.setLabelsColor(QColor(NHS_TEXT))
    axis.setLinePen(QPen(QColor(GRID), 1))
    axis.setGridLinePen(QPen(QColor(NHS_PALE_GREY), 1))
    axis.setTruncateLabels(False)  # a line's code and name matter more than a few pixels of plot
    axis.setTitleText(escape(title).replace("  ", "&nbsp;&nbsp;"))
    if title:
        axis.setTitleFont(_label_font(9))
        axis.setTitleBrush(QBrush(QColor(NHS_SECONDARY_TEXT)))


def _title(heading: str, detail: str = "") -> str:
    """A chart title as rich text: the heading, and under it a quieter line of detail."""
    text = f"<span style='font-size:11pt; font-weight:600; color:{NHS_TEXT}'>{escape(heading)}</span>"
    if detail:
        text += f"<br><span style='font-size:9pt; color:{NHS_SECONDARY_TEXT}'>{escape(detail)}</span>"
    # A thin blank line keeps the top tick label of the plot clear of the title.
    return text + "<br><span style='font-size:3pt'>&nbsp;</span>"


def _chart() -> QChart:
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)  # deterministic for tests and screenshots
    chart.setBackgroundBrush(QBrush(QColor(NHS_WHITE)))
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(8, 4, 28, 4))
    chart.layout().setContentsMargins(0, 0, 0, 0)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.legend().setFont(_label_font())
    chart.legend().setLabelColor(QColor(NHS_TEXT))
    return chart


def _view(chart: QChart, name: str, parent: QWidget) -> QChartView:
    view = QChartView(chart, parent)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setBackgroundBrush(QBrush(QColor(NHS_WHITE)))
    view.setAccessibleName(name)
    view.viewport().setAccessibleName(name)
    return view


def _set_title(view: QChartView, heading: str, detail: str) -> None:
    """The chart's title, and the same words for a screen reader."""
    view.chart().setTitle(_title(heading, detail))
    view.setAccessibleDescription(f"{heading}. {detail}" if detail else heading)


def _text_on(fill: str) -> str:
    """The readable text colour on a bar's fill (the theme's RAG pairs; white on anything else)."""
    return next((text for text, background in RAG_FILLS.values() if background == fill), NHS_WHITE)


def _share(part: int, whole: int) -> str:
    if not whole or not part:
        return ""
    if abs(part * 1000) < abs(whole):
        return " (under 0.1% of budget)"
    return f" ({variance_percent(part, whole)} of budget)"  # rounded as the page and the workbooks round it


def _over_under(pence: int) -> str:
    return "overspend" if pence > 0 else "underspend" if pence < 0 else "on budget"


def cumulative(months: Sequence[int]) -> list[int]:
    """Running totals, month by month."""
    totals, running = [], 0
    for month in months:
        running += month
        totals.append(running)
    return totals


@dataclass(frozen=True)
class _Bar:
    label: str  # the category on the axis
    pence: int
    tip: str
    line_id: int | None = None
    fill: str = NHS_BLUE  # the bar's colour, for a label that has to sit inside it
    # The figure at the bar's end, where it is not `pence` in whole pounds: the risk share's parts, in whole pounds
    # that add up to the variance as the tiles show them (`placed_in_pounds`).
    shown_pence: int | None = None

    @property
    def figure(self) -> str:
        return format_pounds(self.pence if self.shown_pence is None else self.shown_pence)


class BudgetCharts(QWidget):
    """Three board charts of a pool's position, in tabs: the year so far and forecast, variance by line, risk share.

    `show_position` draws a `PoolPosition` (the cumulative chart for the whole pool or one line); `clear` shows the
    empty state. Clicking a line's bar on the variance chart emits `line_activated` with its id.
    """

    line_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Room for a readable chart; set here, before any window exists, so the layout never has to change it later.
        self.setMinimumSize(480, 320)
        self.position: PoolPosition | None = None
        self.final = False  # the position's outturn is the year's actual one (M12 closed), not a forecast
        self.line_id: int | None = None
        self.variance_bars: list[_Bar] = []
        self.risk_bars: list[_Bar] = []
        self.cumulative_tips: dict[str, list[str]] = {}

        self.stack = QStackedWidget(self)
        self.empty = QLabel(NO_POOL, self)
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Budget charts")
        self.tabs.tabBar().setAccessibleName("Choose a budget chart")
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.tabs)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self._build_cumulative()
        self._build_variance()
        self._build_risk()
        self.clear()

    # --- Building the charts once; showing a position only changes their data -----------------------------------

    def _build_cumulative(self) -> None:
        chart = self.cumulative_chart = _chart()
        self.budget_series = QLineSeries(chart)
        self.budget_series.setName("Budget (profile)")
        # Broad and pale beneath the others, so the budget still shows where actual and forecast run along it.
        self.budget_series.setPen(QPen(QColor(BUDGET_COLOUR), 6))
        self.actual_series = QLineSeries(chart)
        self.actual_series.setName("Actual")
        self.actual_series.setPen(QPen(QColor(NHS_BLUE), 3))
        self.actual_series.setPointsVisible(True)
        self.actual_series.setMarkerSize(7)
        self.forecast_series = QLineSeries(chart)
        self.forecast_series.setName("Forecast")
        forecast_pen = QPen(QColor(NHS_BLUE), 2.5, Qt.PenStyle.DashLine)
        forecast_pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        self.forecast_series.setPen(forecast_pen)
        chart.legend().setMarkerShape(QLegend.MarkerShape.MarkerShapeFromSeries)
        self.month_axis = QCategoryAxis(chart)
        self.month_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionCenter)
        self.month_axis.setStartValue(0.5)
        for month in range(1, MONTHS + 1):  # each month's words as its column is headed on By month, on two lines
            self.month_axis.append(month_words(month).replace(" ", "<br>"), month + 0.5)
        self.month_axis.setRange(0.5, MONTHS + 0.5)
        _style_axis(self.month_axis)
        self.month_axis.setGridLineVisible(False)
        self.cumulative_axis = QCategoryAxis(chart)
        self.cumulative_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        _style_axis(self.cumulative_axis, "Cumulative £")
        chart.addAxis(self.month_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.cumulative_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (self.budget_series, self.actual_series, self.forecast_series):
            chart.addSeries(series)
            series.attachAxis(self.month_axis)
            series.attachAxis(self.cumulative_axis)
        for kind, series in (("budget", self.budget_series), ("actual", self.actual_series),
                             ("forecast", self.forecast_series)):
            series.hovered.connect(lambda point, state, k=kind: self._hover_line(k, point, state))
        self.cumulative_view = _view(chart, "Cumulative budget, actual and forecast", self)
        self.tabs.addTab(self.cumulative_view, "Budget, &actual and forecast")

    def _build_variance(self) -> None:
        chart = self.variance_chart = _chart()
        self.variance_series = QHorizontalStackedBarSeries(chart)
        self.variance_series.setBarWidth(0.7)
        self.rag_sets: dict[Rag, QBarSet] = {}
        green, amber = GREEN_WITHIN_BASIS_POINTS // 100, AMBER_WITHIN_BASIS_POINTS // 100
        for rag, name in ((Rag.RED, f"Red: beyond ±{amber}%"), (Rag.AMBER, f"Amber: ±{green}% to ±{amber}%"),
                          (Rag.GREEN, f"Green: within ±{green}%")):
            bar_set = QBarSet(name, self.variance_series)
            bar_set.setColor(QColor(RAG_FILLS[rag.value][1]))
            bar_set.setBorderColor(QColor(RAG_FILLS[rag.value][1]))
            bar_set.hovered.connect(lambda state, index: self._hover_bar(self.variance_view, self.variance_bars,
                                                                         state, index))
            bar_set.clicked.connect(self._click_variance)
            self.variance_series.append(bar_set)
            self.rag_sets[rag] = bar_set
        self.line_axis = QBarCategoryAxis(chart)
        _style_axis(self.line_axis)
        self.line_axis.setGridLineVisible(False)
        self.variance_axis = QCategoryAxis(chart)
        self.variance_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        _style_axis(self.variance_axis, "← Underspend    |    Overspend →")
        chart.addSeries(self.variance_series)
        chart.addAxis(self.line_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.variance_axis, Qt.AlignmentFlag.AlignBottom)
        self.variance_series.attachAxis(self.line_axis)
        self.variance_series.attachAxis(self.variance_axis)
        self.variance_labels: list[QGraphicsSimpleTextItem] = []
        chart.plotAreaChanged.connect(lambda _area: self._place_labels(self.variance_chart, self.variance_series,
                                                                       self.variance_bars, self.variance_labels))
        self.variance_view = _view(chart, "Forecast variance by line", self)
        self.tabs.addTab(self.variance_view, "Variance by l&ine")

    def _build_risk(self) -> None:
        chart = self.risk_chart = _chart()
        self.risk_series = QHorizontalStackedBarSeries(chart)
        self.risk_series.setBarWidth(0.5)
        self.partner_set = QBarSet("Partner's share", self.risk_series)
        self.pool_set = QBarSet("Met within the pool", self.risk_series)
        self.unallocated_set = QBarSet(UNALLOCATED, self.risk_series)
        for bar_set, colour in ((self.partner_set, NHS_BLUE), (self.pool_set, SHARED_COLOUR),
                                (self.unallocated_set, RAG_FILLS["red"][1])):
            bar_set.setColor(QColor(colour))
            bar_set.setBorderColor(QColor(colour))
            bar_set.hovered.connect(lambda state, index: self._hover_bar(self.risk_view, self.risk_bars, state,
                                                                         index))
            self.risk_series.append(bar_set)
        self.partner_axis = QBarCategoryAxis(chart)
        _style_axis(self.partner_axis)
        self.partner_axis.setGridLineVisible(False)
        self.risk_axis = QCategoryAxis(chart)
        self.risk_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        _style_axis(self.risk_axis, "← Underspend returned    |    Overspend borne →")
        chart.addSeries(self.risk_series)
        chart.addAxis(self.partner_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.risk_axis, Qt.AlignmentFlag.AlignBottom)
        self.risk_series.attachAxis(self.partner_axis)
        self.risk_series.attachAxis(self.risk_axis)
        self.risk_labels: list[QGraphicsSimpleTextItem] = []
        chart.plotAreaChanged.connect(lambda _area: self._place_labels(self.risk_chart, self.risk_series,
                                                                       self.risk_bars, self.risk_labels))
        self.risk_view = _view(chart, "Risk share by partner", self)
        # In its place while the risk share cannot be worked out (no contributions yet): why, and what to do.
        self.risk_waiting = QLabel("", self)
        self.risk_waiting.setObjectName("emptyState")
        self.risk_waiting.setWordWrap(True)
        self.risk_waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.risk_stack = QStackedWidget(self)
        self.risk_stack.addWidget(self.risk_view)
        self.risk_stack.addWidget(self.risk_waiting)
        self.tabs.addTab(self.risk_stack, "Risk &share")

    # --- Showing a position ------------------------------------------------------------------------------------

    def clear(self, message: str = NO_POOL) -> None:
        """The empty state: no agreement (or no lines) to chart."""
        self.position = None
        self.line_id = None
        self.empty.setText(message)
        self.stack.setCurrentWidget(self.empty)

    def is_empty(self) -> bool:
        return self.stack.currentWidget() is self.empty

    def chart_name(self) -> str:
        """The chart shown, named as its tab is (without the Alt+letter): on paper, where the tabs are not shown."""
        return self.tabs.tabText(self.tabs.currentIndex()).replace("&", "")

    def show_position(self, position: PoolPosition | None, line_id: int | None = None, *, final: bool = False
                      ) -> None:
        """Draw a pool's position; the cumulative chart is for the line with `line_id`, or the whole pool. A `final`
        position (as at M12, every month closed) is worded as the actual outturn it is, not a forecast."""
        if position is None:
            self.clear()
            return
        if not position.lines:
            self.clear(NO_LINES)
            return
        self.position = position
        self.final = final
        self.stack.setCurrentWidget(self.tabs)
        self._show_variance(position)
        self._show_risk(position)
        self.show_line(line_id)

    def show_line(self, line_id: int | None) -> None:
        """Redraw the cumulative chart for one line of the position shown (None, or a line not in it: the pool)."""
        if self.position is None:
            return
        line = next((line for line in self.position.lines if line.id == line_id), None)
        self.line_id = line.id if line else None
        name = f"{line.code} {line.name}" if line else "Whole pool"
        self._show_cumulative(name, line.figures if line else self.position.pool)

    def _as_at(self) -> str:
        position = self.position
        assert position is not None
        return position.as_at.as_at() if position.as_at else f"{position.year.label}, before any period is closed"

    def _show_cumulative(self, name: str, figures: LineFigures) -> None:
        budget = cumulative(figures.budget_profile)
        actual = cumulative(figures.outturn_by_month[: figures.as_at])
        outturn = cumulative(figures.outturn_by_month)
        self.budget_series.replace([QPointF(m, _pounds(p)) for m, p in enumerate(budget, start=1)])
        self.actual_series.replace([QPointF(m, _pounds(p)) for m, p in enumerate(actual, start=1)])
        # The forecast carries on from the last actual, so the two lines meet at the period the figures are as at.
        start = max(figures.as_at, 1)
        self.forecast_series.replace([QPointF(m, _pounds(outturn[m - 1])) for m in range(start, MONTHS + 1)]
                                     if figures.as_at < MONTHS else [])
        values = [_pounds(p) for p in (*budget, *outturn)]
        _money_axis(self.cumulative_axis, min(values), max(values))
        label = {m: month_words(m) for m in range(1, MONTHS + 1)}
        self.cumulative_tips = {
            "budget": [f"{name}, {label[m]}: budget to date {format_pounds(p)}" for m, p in enumerate(budget, 1)],
            "actual": [f"{name}, {label[m]}: actual to date {format_pounds(p)} (budget to date "
                       f"{format_pounds(budget[m - 1])})" for m, p in enumerate(actual, 1)],
            "forecast": [f"{name}, {label[m]}: forecast by then {format_pounds(p)} (budget by then "
                         f"{format_pounds(budget[m - 1])})" for m, p in enumerate(outturn, 1)],
        }
        variance = figures.full_year_variance
        detail = (f"{'Actual' if self.final else 'Forecast'} outturn {format_pounds(figures.forecast_outturn)} "
                  "against a budget of "
                  f"{format_pounds(figures.annual_budget_pence)}: {_over_under(variance)}"
                  + (f" {format_pounds(abs(variance))}{_share(variance, figures.annual_budget_pence)}"
                     if variance else ""))
        _set_title(self.cumulative_view, f"{name}, cumulative, {self._as_at()}", detail)
        self.forecast_series.setName("Forecast" if figures.as_at else "Forecast (the profile: no actuals yet)")

    def _show_variance(self, position: PoolPosition) -> None:
        lines = list(position.lines)
        shown = sorted(lines, key=lambda line: (-abs(line.figures.full_year_variance), line.code))[:MAX_BARS]
        # Largest overspend at the top: a horizontal bar axis draws its first category at the bottom.
        shown.sort(key=lambda line: (line.figures.full_year_variance, line.code))
        self.variance_bars = [self._variance_bar(line) for line in shown]
        by_rag = {line.id: line.figures.full_year_rag() for line in shown}
        for rag, bar_set in self.rag_sets.items():
            bar_set.remove(0, bar_set.count())
            bar_set.append([_pounds(line.figures.full_year_variance) if by_rag[line.id] == rag else 0.0
                            for line in shown])
        self.line_axis.clear()
        self.line_axis.append([bar.label for bar in self.variance_bars])
        # Past the demo's 16 lines a smaller type keeps every line's name on the axis, none skipped for want of room.
        self.line_axis.setLabelsFont(_label_font(9 if len(shown) <= 16 else 7.5))
        values = [_pounds(bar.pence) for bar in self.variance_bars]
        _money_axis(self.variance_axis, min(values), max(values), target=7, pad=0.15)
        heading = "Full-year variance by line" if self.final else "Forecast full-year variance by line"
        if len(shown) < len(lines):
            heading += f": the largest {len(shown)} of {len(lines)} lines"
        variance = position.pool.full_year_variance
        _set_title(
            self.variance_view, heading, f"Whole pool: {_over_under(variance)}"
            + (f" {format_pounds(abs(variance))}" if variance else "")
            + f"{_share(variance, position.pool.annual_budget_pence)}, {self._as_at()}")
        self._refresh_labels(self.variance_chart, self.variance_series, self.variance_bars, self.variance_labels)

    def _variance_bar(self, line: LinePosition) -> _Bar:
        figures = line.figures
        name = line.name if len(line.name) <= MAX_LABEL else line.name[: MAX_LABEL - 1].rstrip() + "…"
        variance = figures.full_year_variance
        tip = (f"{line.code} {line.name}: forecast outturn {format_pounds(figures.forecast_outturn)} against "
               f"{format_pounds(figures.annual_budget_pence)}, {_over_under(variance)}"
               + (f" {format_pounds(abs(variance))}{_share(variance, figures.annual_budget_pence)}" if variance else "")
               + f"; RAG {figures.full_year_rag().value}")
        return _Bar(f"{line.code} {name}", variance, tip, line.id, RAG_FILLS[figures.full_year_rag().value][1])

    @staticmethod
    def _partner_bar(position: PoolPosition, code: str, shown: int) -> _Bar:
        """A partner's bar: as long as its share, labelled with it as the tiles show it (`shown`, whole pounds)."""
        result = position.risk_share
        name = f"{code} (host)" if code == position.host_code else code
        words = share_words(result, code, format_pounds(abs(shown)), name)
        contribution = format_pounds(position.contributions_by_partner.get(code, 0))
        return _Bar(name, result.share_by_partner[code], f"{words[:1].upper()}{words[1:]}. Contribution "
                    f"{contribution}.", shown_pence=shown)

    def _show_risk(self, position: PoolPosition) -> None:
        result = position.risk_share
        if result is None:
            self._show_risk_waiting(position)
            return
        self.risk_stack.setCurrentWidget(self.risk_view)
        # Every figure in whole pounds that add up to the variance, as the tiles show them: £2,001.00 shared
        # £1,000.50 each reads £1,001 and £1,000, not £1,001 twice.
        *shares, reserve, retained, unallocated = placed_in_pounds(result)
        bars = [self._partner_bar(position, code, shown) for code, shown in zip(result.share_by_partner, shares,
                                                                                 strict=True)]
        kinds = ["partner"] * len(bars)
        if result.reserve_used_pence:
            bars.append(_Bar("Risk reserve", result.reserve_used_pence,
                             f"Met from the risk reserve: {format_pounds(reserve)}", fill=SHARED_COLOUR,
                             shown_pence=reserve))
            kinds.append("pool")
        if result.retained_in_pool_pence:
            bars.append(_Bar("Retained in the pool", result.retained_in_pool_pence,
                             f"Underspend retained in the pool and carried forward: {format_pounds(-retained)}",
                             fill=SHARED_COLOUR, shown_pence=retained))
            kinds.append("pool")
        if result.unallocated_pence:
            bars.append(_Bar(UNALLOCATED, result.unallocated_pence,
                             f"Beyond every partner's cap: {format_pounds(unallocated)} unallocated, to be referred "
                             "to the board", fill=RAG_FILLS["red"][1], shown_pence=unallocated))
            kinds.append("unallocated")
        bars.reverse()  # the first partner at the top
        kinds.reverse()
        self.risk_bars = bars
        for kind, bar_set in (("partner", self.partner_set), ("pool", self.pool_set),
                              ("unallocated", self.unallocated_set)):
            bar_set.remove(0, bar_set.count())
            bar_set.append([_pounds(bar.pence) if k == kind else 0.0 for bar, k in zip(bars, kinds, strict=True)])
            for marker in self.risk_chart.legend().markers(self.risk_series):
                if marker.barset() is bar_set:
                    marker.setVisible(kind in kinds)
        self.risk_chart.legend().setVisible(len(set(kinds)) > 1)  # partners alone need no key
        self.partner_axis.clear()
        self.partner_axis.append([bar.label for bar in bars])
        values = [_pounds(bar.pence) for bar in bars]
        _money_axis(self.risk_axis, min(values), max(values), target=7, pad=0.15)
        total = result.total_variance_pence
        forecast = "" if self.final else "forecast "
        if total:
            heading = f"Who bears the {forecast}{_over_under(total)} of {format_pounds(abs(total))}"
        elif nothing_to_share(result):
            heading = f"Risk share: no {forecast}variance to share"
        else:  # on budget, and still a fixed-share line over and as much under elsewhere
            heading = f"Who bears what, with the pool {forecast}on budget"
        notes = []
        if any(line.share_profile == ShareProfile.FIXED and line.figures.full_year_variance for line in position.lines):
            notes.append("fixed-share lines fall on their own partner")
        if result.absorbed_pence:
            notes.append(f"{format_pounds(result.absorbed_pence)} of overspend absorbed by underspends first")
        if result.refer_to_board:
            notes.append(f"{format_pounds(result.unallocated_pence)} unallocated: refer to board")
        notes.append(self._as_at())
        detail = "; ".join(notes)
        _set_title(self.risk_view, heading, detail[:1].upper() + detail[1:])
        self._refresh_labels(self.risk_chart, self.risk_series, self.risk_bars, self.risk_labels)

    def _show_risk_waiting(self, position: PoolPosition) -> None:
        """No bars, and why: the risk share waits on the contributions (or on rules that can be followed)."""
        self.risk_bars = []
        for bar_set in (self.partner_set, self.pool_set, self.unallocated_set):
            bar_set.remove(0, bar_set.count())
        self.partner_axis.clear()
        self._refresh_labels(self.risk_chart, self.risk_series, self.risk_bars, self.risk_labels)
        headline, how = risk_share_waiting(position.risk_share_problem, position.year.label)
        self.risk_waiting.setText(f"{headline}.\n\n{how}")
        self.risk_stack.setCurrentWidget(self.risk_waiting)

    # --- £ labels at the ends of the bars --------------------------------------------------------------------------

    def _refresh_labels(self, chart: QChart, series: QHorizontalStackedBarSeries, bars: list[_Bar],
                        labels: list[QGraphicsSimpleTextItem]) -> None:
        while len(labels) > len(bars):
            item = labels.pop()
            item.setParentItem(None)
            if item.scene() is not None:
                item.scene().removeItem(item)
        while len(labels) < len(bars):
            item = QGraphicsSimpleTextItem(chart)
            item.setFont(_label_font(8.5))
            item.setZValue(10)
            labels.append(item)
        for item, bar in zip(labels, bars, strict=True):
            item.setText(bar.figure)
        self._place_labels(chart, series, bars, labels)

    @staticmethod
    def _place_labels(chart: QChart, series: QHorizontalStackedBarSeries, bars: list[_Bar],
                      labels: list[QGraphicsSimpleTextItem]) -> None:
        plot = chart.plotArea()
        gap = 5
        for index, (item, bar) in enumerate(zip(labels, bars, strict=True)):
            end = chart.mapToPosition(QPointF(_pounds(bar.pence), index), series)
            zero = chart.mapToPosition(QPointF(0, index), series)
            width, height = item.boundingRect().width(), item.boundingRect().height()
            outside = end.x() - width - gap if bar.pence < 0 else end.x() + gap
            colour = NHS_RED if bar.pence > 0 else NHS_DARK_BLUE if bar.pence < 0 else NHS_SECONDARY_TEXT
            fits_outside = plot.left() <= outside and outside + width <= plot.right()
            if not fits_outside and abs(end.x() - zero.x()) > width + 2 * gap:
                # No room beyond the bar's end (a narrow chart): inside the bar, in the bar's own text colour.
                outside = end.x() + gap if bar.pence < 0 else end.x() - width - gap
                colour = _text_on(bar.fill)
            item.setBrush(QBrush(QColor(colour)))
            item.setPos(outside, end.y() - height / 2)

    # --- Tooltips and clicks -------------------------------------------------------------------------------------

    def _hover_line(self, kind: str, point: QPointF, state: bool) -> None:
        tips = self.cumulative_tips.get(kind, [])
        month = round(point.x())
        text = tips[month - 1] if state and 1 <= month <= len(tips) else ""
        self._tip(self.cumulative_view, text)

    def _hover_bar(self, view: QChartView, bars: list[_Bar], state: bool, index: int) -> None:
        self._tip(view, bars[index].tip if state and 0 <= index < len(bars) else "")

    @staticmethod
    def _tip(view: QChartView, text: str) -> None:
        view.setToolTip(text)
        if text:
            QToolTip.showText(QCursor.pos(), text, view)
        else:
            QToolTip.hideText()

    def _click_variance(self, index: int) -> None:
        if 0 <= index < len(self.variance_bars) and self.variance_bars[index].line_id is not None:
            self.line_activated.emit(self.variance_bars[index].line_id)
