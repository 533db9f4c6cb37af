"""Sheets of native Excel charts drawn from the workbook's own tables: kinds, titles, series, ranges, empty tables."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from jointlead.exchange.writing import ChartKind, Cover, ExportChart, ExportColumn, ExportWorkbook, Kind

COVER = Cover(
    title="Monthly pack",
    organisation="Northshire NHS Foundation Trust (NFT)",
    as_at="M7 2026-27",
    generated_by="jsmith",
    generated_on=datetime(2026, 11, 22, 14, 5),
    source_database="northshire.sqlite",
)
MONTHS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
FIGURES_COLUMNS = (
    ExportColumn("Month"),
    ExportColumn("Budget", Kind.MONEY_FINANCE),
    ExportColumn("Actual", Kind.MONEY_FINANCE),
    ExportColumn("Compliance", Kind.PERCENT),
    ExportColumn("Target", Kind.PERCENT),
)
FIGURES_ROWS = [(month, 100_000 * n, 95_000 * n if n <= 7 else None, 0.8 + n / 100, 0.95)
                for n, month in enumerate(MONTHS, start=1)]
BURN = ExportChart("Budget burn", "Figures", 0, (1, 2), kind=ChartKind.COLUMN, y_title="Cumulative £",
                   x_title="Month")
TREND = ExportChart("Supervision compliance", "Figures", 0, (3, 4), kind=ChartKind.LINE, y_title="Compliance")
CM = 360_000  # EMU in a centimetre


def charts_workbook(tmp_path: Path, *charts: ExportChart, figures_title: str = "Figures",
                    rows: list[tuple[object, ...]] = FIGURES_ROWS, before: bool = False) -> openpyxl.Workbook:
    """A workbook of one table of monthly figures and a sheet of `charts` drawn from it, opened with openpyxl."""
    workbook = ExportWorkbook(COVER)
    figures = workbook.add_table(figures_title, FIGURES_COLUMNS, rows, description="The figures")
    workbook.add_charts("Charts", charts, description="Budget and compliance", before=figures if before else None)
    return openpyxl.load_workbook(workbook.save(tmp_path / "charts.xlsx"))


def title_text(title) -> str | None:
    """The plain text of a chart or axis title as openpyxl reads it back."""
    return None if title is None else "".join(run.t for paragraph in title.tx.rich.p for run in paragraph.r or ())


def references(chart) -> list[tuple[str, str, str]]:
    """Each series as (name cell, values range, categories range)."""
    return [(series.tx.strRef.f, series.val.numRef.f, (series.cat.numRef or series.cat.strRef).f)
            for series in chart.series]


def test_a_column_chart_and_a_line_chart_are_drawn_on_the_charts_sheet_in_order(tmp_path):
    book = charts_workbook(tmp_path, BURN, TREND)
    burn, trend = book["Charts"]._charts
    assert (burn.tagname, burn.type, burn.grouping) == ("barChart", "col", "clustered")
    assert trend.tagname == "lineChart"
    assert (title_text(burn.title), title_text(trend.title)) == ("Budget burn", "Supervision compliance")
    assert (len(burn.series), len(trend.series)) == (2, 2)


def test_each_series_is_named_by_its_header_and_reads_the_table_rows_against_the_category_column(tmp_path):
    burn, trend = charts_workbook(tmp_path, BURN, TREND)["Charts"]._charts
    assert references(burn) == [("'Figures'!B1", "'Figures'!$B$2:$B$13", "'Figures'!$A$2:$A$13"),
                                ("'Figures'!C1", "'Figures'!$C$2:$C$13", "'Figures'!$A$2:$A$13")]
    assert references(trend) == [("'Figures'!D1", "'Figures'!$D$2:$D$13", "'Figures'!$A$2:$A$13"),
                                 ("'Figures'!E1", "'Figures'!$E$2:$E$13", "'Figures'!$A$2:$A$13")]


def test_the_ranges_follow_the_number_of_rows_and_quote_the_sheet_name(tmp_path):
    rows = FIGURES_ROWS[:5]
    (chart,) = charts_workbook(tmp_path, ExportChart("Budget", "Tom's figures", 0, (1,)),
                               figures_title="Tom's figures", rows=rows)["Charts"]._charts
    assert references(chart) == [("'Tom''s figures'!B1", "'Tom''s figures'!$B$2:$B$6",
                                  "'Tom''s figures'!$A$2:$A$6")]


def test_the_cells_a_chart_reads_hold_the_figures_written(tmp_path):
    book = charts_workbook(tmp_path, BURN)
    figures = book["Figures"]
    assert [figures.cell(row, 1).value for row in range(2, 14)] == list(MONTHS)
    assert figures["B1"].value == "Budget"
    assert [figures.cell(row, 2).value for row in range(2, 14)] == [1000.0 * n for n in range(1, 13)]


def test_axes_are_shown_titled_and_formatted_from_the_first_series_kind(tmp_path):
    burn, trend = charts_workbook(tmp_path, BURN, TREND)["Charts"]._charts
    assert (title_text(burn.y_axis.title), title_text(burn.x_axis.title)) == ("Cumulative £", "Month")
    assert (title_text(trend.y_axis.title), trend.x_axis.title) == ("Compliance", None)
    assert burn.y_axis.number_format.formatCode == "#,##0"  # money in pounds, without pence
    assert trend.y_axis.number_format.formatCode == "0%"
    # Said outright: openpyxl can leave axes marked deleted, and Excel then draws a chart with no scales.
    assert [axis.delete for chart in (burn, trend) for axis in (chart.x_axis, chart.y_axis)] == [False] * 4


def test_a_given_axis_format_wins_over_the_series_kind(tmp_path):
    chart = ExportChart("Compliance", "Figures", 0, (3,), y_format="0.0%")
    (drawn,) = charts_workbook(tmp_path, chart)["Charts"]._charts
    assert drawn.y_axis.number_format.formatCode == "0.0%"


def test_lines_join_the_points_straight_and_the_legend_sits_below(tmp_path):
    burn, trend = charts_workbook(tmp_path, BURN, TREND)["Charts"]._charts
    assert [series.smooth for series in trend.series] == [False, False]
    assert burn.legend.position == trend.legend.position == "b"


def test_charts_stand_one_under_another_each_under_its_title_a_page_wide(tmp_path):
    sheet = charts_workbook(tmp_path, BURN, TREND)["Charts"]
    burn, trend = sheet._charts
    assert sheet["A1"].value == "Charts"
    assert (sheet["A2"].value, sheet["A24"].value) == ("Budget burn", "Supervision compliance")
    assert [(chart.anchor._from.col, chart.anchor._from.row) for chart in (burn, trend)] == [(0, 2), (0, 24)]
    assert (burn.anchor.ext.width, burn.anchor.ext.height) == (24 * CM, 10 * CM)


def test_each_chart_prints_whole_on_a_page_of_its_own(tmp_path):
    third = ExportChart("Actual", "Figures", 0, (2,))
    sheet = charts_workbook(tmp_path, BURN, TREND, third)["Charts"]
    # A break after each chart's rows but the last's: the next title starts a page.
    assert [brk.id for brk in sheet.row_breaks.brk] == [23, 45]
    assert [chart.anchor._from.row for chart in sheet._charts] == [2, 24, 46]


def test_a_single_chart_needs_no_page_break(tmp_path):
    assert not charts_workbook(tmp_path, BURN)["Charts"].row_breaks.brk


def test_the_charts_sheet_prints_landscape_one_page_wide(tmp_path):
    sheet = charts_workbook(tmp_path, BURN)["Charts"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True


def test_a_chart_of_a_table_with_no_rows_is_a_line_saying_so_and_the_others_are_still_drawn(tmp_path):
    workbook = ExportWorkbook(COVER)
    figures = workbook.add_table("Figures", FIGURES_COLUMNS, FIGURES_ROWS)
    empty = workbook.add_table("Nothing yet", FIGURES_COLUMNS, [])
    workbook.add_charts("Charts", (ExportChart("Empty", empty, 0, (1,)), ExportChart("Full", figures, 0, (1, 2))))
    sheet = openpyxl.load_workbook(workbook.save(tmp_path / "charts.xlsx"))["Charts"]
    texts = [row[0] for row in sheet.iter_rows(values_only=True) if row and row[0]]
    assert texts == ["Charts", "Empty", "No figures yet: Nothing yet has no rows.", "Full"]
    assert (sheet["A2"].value, sheet["A3"].value, sheet["A24"].value) == (
        "Empty", "No figures yet: Nothing yet has no rows.", "Full")
    (chart,) = sheet._charts
    assert title_text(chart.title) == "Full"
    assert chart.anchor._from.row == 24  # under its title: the empty chart's place is kept, so pages do not shift
    assert references(chart)[0][1] == "'Figures'!$B$2:$B$13"


def test_a_sheet_of_no_charts_holds_only_its_title(tmp_path):
    sheet = charts_workbook(tmp_path)["Charts"]
    assert sheet._charts == []
    assert [row for row in sheet.iter_rows(values_only=True) if any(row)] == [("Charts",)]


def test_charts_put_before_their_figures_come_first_there_and_on_the_cover(tmp_path):
    book = charts_workbook(tmp_path, BURN, before=True)
    assert book.sheetnames == ["Cover", "Charts", "Figures"]
    contents = [row[:3] for row in book["Cover"].iter_rows(values_only=True) if row[0] in ("Charts", "Figures")]
    assert contents == [("Charts", "Budget and compliance", None), ("Figures", "The figures", 12)]


def test_charts_added_without_before_come_last(tmp_path):
    assert charts_workbook(tmp_path, BURN).sheetnames == ["Cover", "Figures", "Charts"]


@pytest.mark.parametrize(("chart", "message"), [
    (ExportChart("Lost", "No such sheet", 0, (1,)), "no table on a sheet called 'No such sheet'"),
    (ExportChart("Too far", "Figures", 0, (5,)), "columns are not all in 'Figures'"),
    (ExportChart("Before the first", "Figures", -1, (1,)), "columns are not all in 'Figures'"),
    (ExportChart("Nothing plotted", "Figures", 0, ()), "columns are not all in 'Figures'"),
])
def test_a_chart_of_a_table_or_column_that_is_not_there_is_refused_and_adds_no_sheet(chart, message):
    workbook = ExportWorkbook(COVER)
    workbook.add_table("Figures", FIGURES_COLUMNS, FIGURES_ROWS)
    with pytest.raises(ValueError, match=message):
        workbook.add_charts("Charts", (chart,))
    assert workbook.sheet_titles == ("Cover", "Figures")
    workbook.discard()


def test_charts_cannot_be_put_before_a_sheet_that_is_not_there_or_before_the_cover():
    workbook = ExportWorkbook(COVER)
    workbook.add_table("Figures", FIGURES_COLUMNS, FIGURES_ROWS)
    for before in ("Elsewhere", "Cover"):
        with pytest.raises(ValueError, match="no sheet called"):
            workbook.add_charts("Charts", (BURN,), before=before)
    workbook.discard()


def test_no_charts_can_be_added_once_the_workbook_is_saved(tmp_path):
    workbook = ExportWorkbook(COVER)
    workbook.add_table("Figures", FIGURES_COLUMNS, FIGURES_ROWS)
    workbook.save(tmp_path / "charts.xlsx")
    with pytest.raises(RuntimeError, match="already been saved"):
        workbook.add_charts("Charts", (BURN,))
