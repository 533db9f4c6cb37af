"""Printing what a view shows, whatever the window's size: the dashboard as a picture whose words keep their size,
a view of several parts as all of them, a table of one tab however short the window, and the filters chosen."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from PySide6.QtGui import QTextTable
from PySide6.QtWidgets import QWidget

from jointlead.services import actions as action_log
from jointlead.ui.page import Page
from jointlead.ui.printing import (
    SCREEN_DPI,
    PicturePrintout,
    TablePrintout,
    new_printer,
    printout_for,
    table_to_print,
)
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.widgets import DataTable

# The offscreen platform cannot pass a shown window's size limits on; it says so when a page's layout sets them.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PRINTED_ON = date(2026, 11, 20)


def open_page(window, demo_db, title: str, size: tuple[int, int] = (1280, 800)):
    window.resize(*size)
    window.set_database(demo_db)
    window.show_page(title)
    return window.current_page()


def text_of(printout: TablePrintout) -> str:
    return printout.document().toPlainText()


# --- the dashboard ------------------------------------------------------------------------------------------------


def test_the_dashboard_of_a_short_window_prints_as_a_picture_not_as_its_list_of_organisations(window, demo_db,
                                                                                              qtbot):
    dashboard = open_page(window, demo_db, "Dashboard", (1093, 545))
    qtbot.wait(50)
    organisations = dashboard.organisations
    # In so short a window the list of organisations under the tiles had been a large share of the page (it took
    # the height spare under its rows): taken for the table the page is given over to, the dashboard printed as a
    # list of two organisations. A table that shows all its rows is never that table, however tall.
    assert organisations.isVisible()

    printout = printout_for(dashboard, source=demo_db.name, printed_on=PRINTED_ON)

    assert isinstance(printout, PicturePrintout)
    assert table_to_print(dashboard) is None


def word_heights(path: Path, word: str) -> list[float]:
    """The height of each `word` in the PDF, in points."""
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [float(bottom) - float(top) for top, bottom in
            re.findall(rf'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">{word}</word>', boxes)]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils) to read the PDF")
def test_the_dashboard_of_a_wide_window_prints_its_words_as_large_as_a_narrower_one_does(window, demo_db, qtbot,
                                                                                          tmp_path):
    heights = {}
    for width in (1280, 1920):
        dashboard = open_page(window, demo_db, "Dashboard", (width, 1000))
        qtbot.wait(50)
        content = dashboard.organisations.parentWidget()
        on_screen = content.size()
        printout = printout_for(dashboard, source=demo_db.name, printed_on=PRINTED_ON)
        saved = printout.save_pdf(tmp_path / f"dashboard {width}.pdf")
        assert isinstance(printout, PicturePrintout) and content.size() == on_screen  # the screen is as it was
        heights[width] = word_heights(saved, "Pooled")  # the heading of the pooled budget's tiles
        assert len(heights[width]) == 1

    # Drawn as wide as the window, the wide dashboard had been shrunk to the paper's width: words at 57% the size.
    assert heights[1920][0] == pytest.approx(heights[1280][0], rel=0.03)
    # At about their size on screen: a section heading's 11 points, less a little to keep to the sheet.
    assert heights[1920][0] >= 0.85 * 11


def test_a_picture_is_laid_out_at_the_papers_width_while_printed_and_as_it_was_after(window, demo_db, qtbot):
    dashboard = open_page(window, demo_db, "Dashboard", (1920, 1000))
    qtbot.wait(50)
    printout = printout_for(dashboard, source=demo_db.name)
    printer = new_printer()
    natural = printer.resolution() / SCREEN_DPI
    on_screen = printout.widget.width()
    assert on_screen * natural > printer.width()  # wider than the paper on screen

    with printout.laid_out(printer):
        assert printout.widget.width() * natural <= printer.width()
        assert printout.scale(printer) >= 0.85 * natural
    assert printout.widget.width() == on_screen


# --- views of several parts ---------------------------------------------------------------------------------------


def test_the_meetings_view_prints_the_meetings_and_the_summary_of_the_one_chosen(window, demo_db, qtbot):
    actions = open_page(window, demo_db, "Actions")
    actions.tabs.setCurrentWidget(actions.meetings_tab)
    qtbot.wait(20)
    printout = printout_for(actions, source=demo_db.name, printed_on=PRINTED_ON)
    assert isinstance(printout, TablePrintout)
    assert "3 meetings" in text_of(printout) and "Choose a meeting" not in text_of(printout)  # none chosen yet

    actions.meetings.view.selectRow(0)
    actions.activateWindow()
    actions.meetings.view.setFocus()  # working in the list of meetings: the summary beside it is printed too
    chosen = actions.meetings.current_row()
    text = text_of(printout_for(actions, source=demo_db.name, printed_on=PRINTED_ON))

    assert "3 meetings" in text and "Section 75 Partnership Board" in text
    assert f"{chosen.name}, {chosen.on:%d %b %Y}" in text  # the summary's heading
    assert "Agreed at this meeting" in text and "Open actions to review" in text
    assert text.index("3 meetings") < text.index("Agreed at this meeting")  # in the order the view shows them


def test_the_meeting_chosen_stays_chosen_after_a_change_and_prints_as_it_is_now(window, demo_db):
    actions = open_page(window, demo_db, "Actions")
    actions.tabs.setCurrentWidget(actions.meetings_tab)
    actions.meetings.view.selectRow(0)
    meeting = actions.meetings.current_row()
    assert f"{meeting.agreed} actions agreed here" in actions.meeting_detail.text()

    # A change anywhere reads the meetings again: the summary had kept its figures beside a list with none chosen.
    assert actions.editor.run(lambda database: action_log.quick_add(
        database, "Agree the winter pressures plan", None, date(2026, 12, 18), meeting.id, today=PRINTED_ON))

    assert actions.meetings.current_row().id == meeting.id
    assert f"{meeting.agreed + 1} actions agreed here" in text_of(printout_for(actions))


def test_the_contributions_view_prints_its_contributions_and_every_instalment_under_their_names(window, demo_db,
                                                                                                 qtbot):
    budgets = open_page(window, demo_db, "Budgets")
    budgets.tabs.setCurrentWidget(budgets.contributions_tab)
    qtbot.wait(20)
    budgets.activateWindow()
    budgets.instalments.view.setFocus()  # recording a payment: still the whole view is printed
    qtbot.waitUntil(lambda: budgets.instalments.view.hasFocus())

    printout = printout_for(budgets, source=demo_db.name, printed_on=PRINTED_ON)
    text = text_of(printout)

    assert isinstance(printout, TablePrintout)
    contributions, instalments = budgets.contributions.model.rowCount(), budgets.instalments.model.rowCount()
    assert f"Contributions\n{contributions} contributions\nPartner\n" in text
    assert f"Instalments\n{instalments} instalments\nDue\n" in text
    assert text.index("Better Care Grant") < text.index("Instalments")
    assert len(re.findall(r"\n15 Mar 2027\n", text)) == 2  # the last instalments, on the later page

    # The instalments run onto a second page, under their own headings again, not the contributions'.
    printer = new_printer()
    document = printout.document(printer)
    pages = printout.pages(document, printer)
    first, second = (frame for frame in document.rootFrame().childFrames() if isinstance(frame, QTextTable))
    layout = document.documentLayout()

    def heading_row(table: QTextTable) -> float:
        return layout.blockBoundingRect(table.cellAt(0, 0).firstCursorPosition().block()).top()

    assert len(pages) == printout.page_count(printer) > 1
    assert pages[1].repeated[0] < heading_row(second) < pages[1].repeated[1]
    assert not pages[1].repeated[0] < heading_row(first) < pages[1].repeated[1]


class ReportPage(Page):
    """A view of two long tables and words between them, as a page names them for paper."""

    title = "Report"
    scrolls = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        columns = [Column("Name", lambda r: r[0]), Column("Hours", lambda r: str(r[1]), align=RIGHT)]
        self.first = DataTable("people", columns, "None.", self)
        self.second = DataTable("vacancies", columns, "None.", self)
        self.first.set_rows([(f"Person {n:03d}", n % 40) for n in range(90)])
        self.second.set_rows([(f"Vacancy {n:03d}", n % 40) for n in range(90)])
        self.body.addWidget(self.first)
        self.body.addWidget(self.second)

    def printed_parts(self):
        words = "".join(f"<h3>Section {n}</h3><p>{'Words about the section. ' * 30}</p>" for n in range(1, 9))
        return [("People", self.first), ("", words), ("Vacancies", self.second)]


def test_a_view_of_several_parts_runs_over_pages_that_end_between_rows_and_never_under_a_heading(qtbot):
    page = ReportPage()
    qtbot.addWidget(page)
    printout = printout_for(page)
    printer = new_printer()
    document = printout.document(printer)
    pages = printout.pages(document, printer)
    room = printout.room(printer)
    tables = [frame for frame in document.rootFrame().childFrames() if isinstance(frame, QTextTable)]
    layout = document.documentLayout()
    cells = [layout.blockBoundingRect(table.cellAt(row, 0).firstCursorPosition().block())
             for table in tables for row in range(table.rows())]
    headings = []
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel():
            headings.append(layout.blockBoundingRect(block))
        block = block.next()

    assert len(tables) == 2 and len(headings) == 10 and len(pages) > 3
    assert {page_.repeated is None for page_ in pages[1:]} == {True, False}  # pages carry on tables and words
    assert pages[0].top == 0 and pages[-1].bottom == pytest.approx(document.size().height())
    for above, below in itertools.pairwise(pages):
        assert below.top == above.bottom
        assert not [cell for cell in cells if cell.top() + 1 < below.top < cell.bottom() - 1]  # no row cut in two
        assert not [heading for heading in headings if heading.top() < below.top <= heading.bottom() + 1]
    for page_ in pages:
        repeated = page_.repeated[1] - page_.repeated[0] if page_.repeated else 0
        assert page_.bottom - page_.top + repeated <= room
        inside = [table for table in tables if layout.frameBoundingRect(table).top() < page_.top
                  < layout.frameBoundingRect(table).bottom()]
        if inside:  # a page carrying on a table starts with that table's headings
            heading_row = layout.blockBoundingRect(inside[0].cellAt(0, 0).firstCursorPosition().block())
            assert page_.repeated[0] <= heading_row.top() < heading_row.bottom() <= page_.repeated[1]
        else:
            assert page_.repeated is None


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils) to read the PDF")
def test_each_heading_of_a_view_of_several_parts_is_on_one_page_of_the_pdf(qtbot, tmp_path):
    page = ReportPage()
    qtbot.addWidget(page)
    saved = printout_for(page).save_pdf(tmp_path / "report.pdf")
    pages = subprocess.run(["pdftotext", str(saved), "-"], check=True, capture_output=True, text=True).stdout
    pages = pages.split("\f")

    # A heading that starts the next page is not also drawn, clipped away, at the foot of this one, where a
    # search of the PDF would find it.
    for heading in [*(f"Section {n}" for n in range(1, 9)), "Vacancies"]:
        assert len([text for text in pages if heading in text]) == 1, heading


def test_in_a_short_window_a_tab_that_is_one_table_still_prints_as_its_table(window, demo_db, qtbot):
    supervision = open_page(window, demo_db, "Supervision", (1093, 545))
    for index in range(supervision.tabs.count()):
        supervision.tabs.setCurrentIndex(index)
        qtbot.wait(10)
        tables = [table for table in supervision.findChildren(DataTable) if table.isVisibleTo(supervision)]
        if not tables:
            continue  # the trend: a chart
        # A small part of the page, behind its tiles and buttons: printed as a picture, it had shown a few rows.
        printout = printout_for(supervision, source=demo_db.name)
        assert isinstance(printout, TablePrintout), supervision.tabs.tabText(index)
        assert tables[0].count.text() in text_of(printout)


# --- the filters chosen -------------------------------------------------------------------------------------------


def test_a_printed_action_log_says_which_filters_chose_its_actions(window, demo_db):
    actions = open_page(window, demo_db, "Actions")
    actions.show_filtered(overdue=True, organisation="NCC")  # the overdue tile of NCC's dashboard

    text = text_of(printout_for(actions, source=demo_db.name, printed_on=PRINTED_ON))

    shown = actions.table.model.rowCount()
    assert f"{shown} of 40 actions shown · Status: Open or in progress · Organisation: NCC · Due: Overdue\n" in text
    # Each meeting by its date: the Joint Management Board meets every month.
    actions.meeting.setCurrentIndex(actions.meeting.findText("Joint Management Board, 12 Nov 2026"))
    actions.meeting.activated.emit(actions.meeting.currentIndex())
    assert "Meeting: Joint Management Board, 12 Nov 2026 · Due: Overdue" in text_of(printout_for(actions))
    # With nothing left out, nothing is said.
    actions.show_filtered()  # the open actions, whatever was chosen before
    actions.status.setCurrentIndex(actions.status.findText("Everything"))
    actions.status.activated.emit(actions.status.currentIndex())
    assert "\n40 actions\nRef\n" in text_of(printout_for(actions))


def test_printed_people_and_findings_say_whom_the_filters_kept(window, demo_db):
    people = open_page(window, demo_db, "People & lines")
    people.show_filtered(organisation="NCC")  # the staff tile of NCC's dashboard: those in post

    shown = people.table.model.rowCount()
    assert f"{shown} of " in text_of(printout_for(people))
    assert " · Status: Active · Employer: NCC\n" in text_of(printout_for(people))
    people.tabs.setCurrentWidget(people.views["Findings"])
    assert " · Employer: NCC\n" in text_of(printout_for(people))  # the status narrows the people only
    assert "Status: Active" not in text_of(printout_for(people))


def test_a_printed_months_grid_says_what_its_months_show(window, demo_db):
    budgets = open_page(window, demo_db, "Budgets")
    budgets.tabs.setCurrentWidget(budgets.months_tab)
    budgets.measure.setCurrentIndex(budgets.measure.findData("budget"))
    budgets.measure.activated.emit(budgets.measure.currentIndex())

    text = text_of(printout_for(budgets, source=demo_db.name))

    assert "16 lines · Months show: Budget profile\n" in text
    budgets.tabs.setCurrentWidget(budgets.lines_tab)
    assert "Months show" not in text_of(printout_for(budgets))  # the Lines view has no such choice
