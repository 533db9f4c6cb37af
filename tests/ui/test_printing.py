"""Printing and saving as PDF: long tables over several pages with their headings, pages as pictures, and the
plain-words problem when the PDF cannot be written."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextTable
from PySide6.QtPrintSupport import QPrintDialog, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import QDialog, QFileDialog, QGridLayout, QVBoxLayout, QWidget

from jointlead.domain.errors import JointleadError
from jointlead.ui.application import make_application
from jointlead.ui.page import Page
from jointlead.ui.printing import (
    PDF_FILTER,
    PicturePrintout,
    Printout,
    TablePrintout,
    footer_line,
    new_printer,
    page_tops,
    preview_with_dialog,
    print_with_dialog,
    printout_for,
    save_pdf_with_dialog,
)
from jointlead.ui.table_model import RIGHT, Column
from jointlead.ui.widgets import DataTable, Tile

# The offscreen platform cannot pass a shown window's size limits on; it says so when a page's layout sets them.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

LONG_NAME = "Dr Alexandra Catherine Montgomery-Fitzwilliam-Llewellyn, Consultant Psychiatrist (Locum)"


@dataclass(frozen=True)
class Person:
    name: str
    team: str
    hours: int


PEOPLE_COLUMNS = [
    Column("Name", lambda r: r.name),
    Column("Team", lambda r: r.team),
    Column("Hours a week", lambda r: str(r.hours), sort_key=lambda r: r.hours, align=RIGHT),
]


def people(count: int = 150) -> list[Person]:
    rows = [Person(f"Person {n:03d}", "North Locality CMHT" if n % 2 else "Early Intervention in Psychosis", n % 40)
            for n in range(1, count)]
    return [*rows, Person(LONG_NAME, "Crisis <Home> Treatment & Recovery", 37)]


def pdf_pages(path: Path) -> int:
    # Each page object says "/Type /Page"; the page tree that holds them says "/Type /Pages".
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


class PeoplePage(Page):
    """A page that is one table, like People & lines, with a second table under it."""

    title = "People & lines"
    scrolls = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.subtitle.setText("Lines as at 20 Nov 2026.")
        self.table = DataTable("people", PEOPLE_COLUMNS, "No people yet.", self)
        self.findings = DataTable("findings", PEOPLE_COLUMNS, "Nothing to look at.", self)
        self.body.addWidget(self.table, 2)
        self.body.addWidget(self.findings, 1)


class TilesPage(Page):
    """A page of figures, like the dashboard, with a short table under the tiles."""

    title = "Dashboard"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout()
        for position, (title, value) in enumerate([("Staff", "56"), ("Open actions", "24"),
                                                   ("Overdue actions", "12"), ("Supervision compliance", "89%")]):
            tile = Tile(title, self)
            tile.set_figure(value, "In three teams", "bad" if title.startswith("Overdue") else None)
            grid.addWidget(tile, position // 2, position % 2)
        self.body.addLayout(grid)
        self.organisations = DataTable("organisations", PEOPLE_COLUMNS, "None yet.", self, searchable=False,
                                       fit_rows=True)
        self.organisations.set_rows(people(3))
        self.body.addWidget(self.organisations)
        self.body.addStretch(1)


@pytest.fixture(autouse=True)
def styled():
    """The application styled as it runs, so the pictures printed are of the real widgets."""
    make_application()


@pytest.fixture
def people_page(qtbot) -> PeoplePage:
    page = PeoplePage()
    qtbot.addWidget(page)
    page.table.set_rows(people())
    page.findings.set_rows(people(4))
    page.resize(1100, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_a_long_table_saves_as_a_pdf_of_several_pages(people_page, tmp_path):
    printout = printout_for(people_page, source="demo.sqlite", printed_on=date(2026, 11, 20))
    assert isinstance(printout, TablePrintout)

    saved = printout.save_pdf(tmp_path / "people.pdf")

    assert saved == tmp_path / "people.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
    pages = pdf_pages(saved)
    assert pages > 1
    assert pages == printout.page_count(new_printer())


def test_pages_of_a_table_end_between_rows_and_fit_above_the_footer(people_page):
    people_page.table.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # the long name wraps, near the top
    printout = printout_for(people_page)
    printer = new_printer()
    document = printout.document(printer)
    pages, heading = printout.pages(document, printer)
    room = printout.room(printer)
    table = next(frame for frame in document.rootFrame().childFrames() if isinstance(frame, QTextTable))
    layout = document.documentLayout()
    cells = [layout.blockBoundingRect(table.cellAt(row, column).firstCursorPosition().block())
             for row in range(table.rows()) for column in range(table.columns())]

    assert len(pages) > 1
    assert 0 < heading[0] < heading[1] <= layout.blockBoundingRect(
        table.cellAt(1, 0).firstCursorPosition().block()).top()  # the heading row, under the title
    assert pages[0][0] == 0 and pages[-1][1] == pytest.approx(document.size().height())
    for (_, bottom), (top, _) in itertools.pairwise(pages):
        assert top == bottom  # no row is lost between pages
        assert not [cell for cell in cells if cell.top() < top < cell.bottom()]  # nor cut in two
    for number, (top, bottom) in enumerate(pages):
        repeated = heading[1] - heading[0] if number else 0
        assert bottom - top + repeated <= room


def test_the_table_printed_is_the_rows_shown_after_search_and_sort_with_headings_and_title(people_page):
    people_page.table.search.setText("north")
    people_page.table.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)

    printout = printout_for(people_page, source="demo.sqlite", printed_on=date(2026, 11, 20))
    text = printout.document().toPlainText()

    assert text.startswith("People & lines\nLines as at 20 Nov 2026.\n75 of 150 people shown · search: “north”")
    assert "Name\nTeam\nHours a week" in text
    assert "Early Intervention" not in text
    shown = [people_page.table.model.row_at(row).name for row in range(people_page.table.model.rowCount())]
    assert len(shown) == 75
    assert [line for line in text.splitlines() if line.startswith("Person ")] == shown
    assert printout.footer == "People & lines · Printed from jointlead on 20 Nov 2026 — demo.sqlite"


def test_numbers_print_right_aligned_and_text_is_never_read_as_markup(people_page):
    people_page.table.search.setText("crisis")
    document = printout_for(people_page).document()
    table = next(frame for frame in document.rootFrame().childFrames() if isinstance(frame, QTextTable))

    def alignment(row: int, column: int) -> Qt.AlignmentFlag:
        return table.cellAt(row, column).firstCursorPosition().block().blockFormat().alignment()

    assert table.rows() == 2  # the heading row and the one row the search finds
    assert alignment(1, 2) & Qt.AlignmentFlag.AlignRight
    assert alignment(0, 2) & Qt.AlignmentFlag.AlignRight
    assert not alignment(1, 0) & Qt.AlignmentFlag.AlignRight
    assert table.cellAt(1, 0).firstCursorPosition().block().text() == LONG_NAME
    assert table.cellAt(1, 1).firstCursorPosition().block().text() == "Crisis <Home> Treatment & Recovery"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils) to read the PDF")
def test_the_pdf_reads_as_the_table_with_page_numbers(people_page, tmp_path):
    saved = printout_for(people_page, source="demo.sqlite", printed_on=date(2026, 11, 20)).save_pdf(
        tmp_path / "people.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(saved), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = text.split("\f")

    assert "Person 001" in pages[0] and "Printed from jointlead on 20 Nov 2026 — demo.sqlite" in pages[0]
    assert f"Page 2 of {pdf_pages(saved)}" in pages[1]
    assert "Hours a week" in pages[1]  # the headings again at the top of the second page
    assert "Montgomery-Fitzwilliam" in text


def test_the_table_with_the_keyboard_focus_is_the_one_printed(people_page, qtbot):
    people_page.activateWindow()
    people_page.findings.view.setFocus()
    qtbot.waitUntil(lambda: people_page.findings.view.hasFocus())

    printout = printout_for(people_page)

    assert isinstance(printout, TablePrintout)
    assert "4 findings" in printout.document().toPlainText()


def test_a_page_of_tiles_prints_as_a_picture_of_the_whole_page(qtbot, tmp_path):
    page = TilesPage()
    qtbot.addWidget(page)
    page.resize(900, 600)
    page.show()
    qtbot.waitExposed(page)
    # Even with the keyboard in the short table under the tiles, the page is printed, not just the table.
    page.activateWindow()
    page.organisations.view.setFocus()
    qtbot.waitUntil(lambda: page.organisations.view.hasFocus())

    printout = printout_for(page, source="demo.sqlite")
    saved = printout.save_pdf(tmp_path / "dashboard.pdf")

    assert isinstance(printout, PicturePrintout)
    assert printout.widget is not page and page.isAncestorOf(printout.widget)  # the scrolled content, all of it
    assert saved.read_bytes().startswith(b"%PDF")
    assert pdf_pages(saved) == 1
    # Drawn as vectors, not as a page-sized bitmap: a bitmap at printer resolution runs to megabytes.
    assert saved.stat().st_size < 300_000


def test_a_tall_widget_runs_over_pages_that_end_between_tiles(qtbot, tmp_path):
    widget = QWidget()
    qtbot.addWidget(widget)
    layout = QVBoxLayout(widget)
    tiles = []
    for number in range(12):
        tile = Tile(f"Figure {number + 1}", widget)
        tile.set_figure(str(number * 7), "A line of detail under the figure")
        tile.setFixedHeight(150)
        layout.addWidget(tile)
        tiles.append(tile)
    widget.resize(700, 12 * 160)
    widget.show()
    qtbot.waitExposed(widget)

    printout = PicturePrintout(widget, title="Figures", footer=footer_line("Figures", "demo.sqlite"))
    tops = printout.page_tops(new_printer())
    saved = printout.save_pdf(tmp_path / "figures.pdf")

    assert len(tops) > 1
    assert pdf_pages(saved) == len(tops)
    for top in tops[1:]:
        assert not any(tile.y() < top < tile.y() + tile.height() for tile in tiles)


def test_a_child_taller_than_a_page_is_cut_where_the_page_ends():
    widget = QWidget()
    tall = QWidget(widget)
    tall.setGeometry(0, 50, 100, 1000)
    widget.resize(100, 1100)

    assert page_tops(widget, 400) == [0, 400, 800]


def test_a_pdf_that_cannot_be_written_is_a_plain_problem_with_what_to_do(people_page, tmp_path):
    printout = printout_for(people_page)
    missing = tmp_path / "no such folder" / "people.pdf"

    with pytest.raises(JointleadError) as raised:
        printout.save_pdf(missing)

    assert str(missing) in raised.value.message
    assert "Choose a folder you can save into" in raised.value.advice
    assert not missing.parent.exists()

    with pytest.raises(JointleadError, match="is a folder"):
        printout.save_pdf(tmp_path)


def test_print_asks_for_a_printer_then_prints_every_page(people_page, tmp_path, monkeypatch):
    printed = tmp_path / "printed.pdf"

    def choose_a_file_printer(dialog):
        # There is no printer here: the dialog's choice is a PDF file, which takes the same pages.
        dialog.printer().setOutputFileName(str(printed))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", choose_a_file_printer)
    printout = printout_for(people_page)

    assert print_with_dialog(people_page, printout)
    assert pdf_pages(printed) == printout.page_count(new_printer())


def test_cancelling_the_print_dialog_prints_nothing(people_page, monkeypatch):
    monkeypatch.setattr(QPrintDialog, "exec", lambda _dialog: QDialog.DialogCode.Rejected)
    monkeypatch.setattr(Printout, "print_to", lambda *_args: pytest.fail("printed after Cancel"))

    assert not print_with_dialog(people_page, printout_for(people_page))


def test_the_preview_shows_every_page(people_page, monkeypatch, qtbot):
    seen: list[int] = []

    def show(preview):
        preview.show()
        qtbot.waitExposed(preview)
        seen.append(preview.findChild(QPrintPreviewWidget).pageCount())
        preview.close()

    monkeypatch.setattr(QPrintPreviewDialog, "exec", show)
    printout = printout_for(people_page)
    preview_with_dialog(people_page, printout)

    assert seen == [printout.page_count(new_printer())]


def test_saving_as_pdf_adds_the_extension_and_says_why_it_could_not(people_page, tmp_path, monkeypatch, messages):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(tmp_path / "board paper"), PDF_FILTER))
    printout = printout_for(people_page)

    assert save_pdf_with_dialog(people_page, printout, tmp_path / "people.pdf") == tmp_path / "board paper.pdf"
    assert (tmp_path / "board paper.pdf").read_bytes().startswith(b"%PDF")

    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *_args: (str(tmp_path / "gone" / "board paper.pdf"), PDF_FILTER))
    assert save_pdf_with_dialog(people_page, printout, tmp_path / "people.pdf") is None
    assert len(messages) == 1 and "Choose a folder you can save into" in messages[0]


def test_every_page_of_the_demo_saves_as_a_pdf(window, demo_db, tmp_path, qtbot):
    window.set_database(demo_db)
    kinds = {}
    for row, page in enumerate(window.page_list):
        window.navigation.setCurrentRow(row)
        printout = printout_for(window.current_page(), source=demo_db.name, printed_on=date(2026, 11, 20))
        saved = printout.save_pdf(tmp_path / f"page {row}.pdf")
        assert saved.read_bytes().startswith(b"%PDF"), page.title
        assert pdf_pages(saved) >= 1
        kinds[page.title] = type(printout)

    assert kinds["Dashboard"] is PicturePrintout
    assert kinds["People & lines"] is TablePrintout


def test_file_save_as_pdf_saves_the_dashboard_for_a_board_paper(window, demo_db, tmp_path, monkeypatch):
    window.set_database(demo_db)
    window.dashboard.show_for("NCC")
    chosen = tmp_path / "board paper"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(chosen), PDF_FILTER))
    window.pdf_action.trigger()
    saved = chosen.with_suffix(".pdf")
    # One sheet: the page's empty lower part (it stretches to fill the window) is not printed as a blank page.
    assert saved.read_bytes().startswith(b"%PDF") and pdf_pages(saved) == 1
    assert window.statusBar().currentMessage() == f"Saved {saved}"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
        assert "Northshire County Council (NCC)" in text and "Ready for NCC" in text
