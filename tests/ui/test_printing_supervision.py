"""Printing the Supervision page: every table says whose staff it lists, the By supervisor view prints its summary
with its table, and the trend prints on one sheet with its choices in words and no buttons, at one height, whatever
the window."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QTabBar, QWidget

from jointlead.ui.printing import PicturePrintout, TablePrintout, printout_for
from jointlead.ui.supervision_page import PRINTED_TREND_HEIGHT
from jointlead.ui.widgets import Tile

# The offscreen platform cannot pass a shown window's size limits on; it says so when a page's layout sets them.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PRINTED_ON = date(2026, 11, 20)
NCC = "Employer: NCC Northshire County Council"


def open_supervision(window, demo_db, size: tuple[int, int] = (1280, 800)):
    window.resize(*size)
    window.set_database(demo_db)
    window.show_page("Supervision")
    return window.current_page()


def choose_employer(page, code: str | None) -> None:
    """Choose an employer in the drop-down, as the user does."""
    page.organisation.setCurrentIndex(page.organisation.findData(code))
    page.organisation.activated.emit(page.organisation.currentIndex())


def text_of(page) -> str:
    printout = printout_for(page, printed_on=PRINTED_ON)
    assert isinstance(printout, TablePrintout)
    return printout.document().toPlainText()


@pytest.mark.parametrize("view", ["Needs action", "Everyone", "By supervisor", "Breakdowns"])
def test_a_printed_table_says_which_employers_staff_it_lists(window, demo_db, view):
    page = open_supervision(window, demo_db)
    choose_employer(page, "NCC")
    page.tabs.setCurrentWidget(page.views[view])
    table = page.by_supervisor if view == "By supervisor" else page.views[view]

    # The tables narrowed to NCC's staff had printed as if they were everyone's, saying only how many rows.
    assert f"{table.count.text()} · {NCC}\n" in text_of(page)
    choose_employer(page, None)  # All: nothing is left out, so nothing is said
    text = text_of(page)
    assert f"{table.count.text()}\n" in text and "Employer: " not in text


def test_the_by_supervisor_view_prints_how_many_people_and_supervisors_its_rows_are_above_its_table(window, demo_db,
                                                                                                   qtbot):
    page = open_supervision(window, demo_db)
    page.tabs.setCurrentWidget(page.by_supervisor_tab)
    qtbot.wait(20)
    page.activateWindow()
    page.by_supervisor.view.setFocus()  # working in the table: still the summary prints with it
    qtbot.waitUntil(lambda: page.by_supervisor.view.hasFocus())
    summary = page.caseloads.text()
    assert summary.startswith("14 supervisors supervise 55 people through 99 arrangements")

    text = text_of(page)

    # The table alone had printed: 99 rows with nothing to say they are 55 people.
    assert summary in text
    assert text.index(summary) < text.index("99 arrangements by supervisor\nSupervisor\n")
    page.tabs.setCurrentWidget(page.everyone)
    assert "supervisors supervise" not in text_of(page)  # the summary is the By supervisor view's


def pdf_pages(path: Path) -> int:
    # Each page object says "/Type /Page"; the page tree that holds them says "/Type /Pages".
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


@pytest.mark.parametrize("size", [(1280, 545), (1280, 800), (1920, 1000)])
def test_the_trend_prints_on_one_sheet_with_the_employer_in_words_and_no_controls_and_the_screen_is_as_it_was(
        window, demo_db, tmp_path, monkeypatch, qtbot, size):
    page = open_supervision(window, demo_db, size)
    choose_employer(page, "NCC")
    page.tabs.setCurrentWidget(page.trend)
    # The pointer rests on the heading: a button under it is drawn hovered again once shown after the printout.
    qtbot.mouseMove(page.heading)
    qtbot.wait(50)  # laid out and painted, as the user sees it before choosing Save as PDF
    screen = page.grab().toImage()
    printout = printout_for(page, source=demo_db.name, printed_on=PRINTED_ON)
    drawn = []  # what shows on the page as each sheet is drawn, and the chart's height then
    picture = PicturePrintout.picture

    def spy(self, top, bottom):
        shown = [child for child in page.findChildren(QWidget) if child.isVisibleTo(page)]
        drawn.append(([child for child in shown if isinstance(child, QComboBox | QPushButton | QTabBar)
                       and not isinstance(child, Tile)],
                      {child.text() for child in shown if isinstance(child, QLabel)}, page.trend.height()))
        return picture(self, top, bottom)

    monkeypatch.setattr(PicturePrintout, "picture", spy)
    saved = printout.save_pdf(tmp_path / "trend.pdf")

    assert isinstance(printout, PicturePrintout)
    # In a tall window the chart had stretched to the window's height and printed on a second sheet, with the
    # buttons, the drop-down and the tab bar above it.
    assert pdf_pages(saved) == 1
    assert drawn and all(controls == [] for controls, _texts, _height in drawn)
    assert all({NCC, "Trend"} <= texts for _controls, texts, _height in drawn)
    # As tall in a short window: it had been squeezed to 254 pixels in one 545 high.
    assert all(PRINTED_TREND_HEIGHT - 5 <= height <= PRINTED_TREND_HEIGHT for _controls, _texts, height in drawn)
    # The screen is as it was: the drop-down, the buttons, the tabs, and not a pixel moved.
    assert page.organisation.isVisible() and page.buttons[0].isVisible() and page.tabs.tabBar().isVisible()
    assert not page.printed_choices.isVisible() and not page.printed_view.isVisible()
    assert page.grab().toImage() == screen
    if shutil.which("pdftotext"):
        text = " ".join(subprocess.run(["pdftotext", str(saved), "-"], check=True, capture_output=True,
                                       text=True).stdout.split())
        assert NCC in text and "Compliance at each month end" in text
        assert "Record session" not in text and "Breakdowns" not in text
