"""Printing and saving as PDF: long tables over several pages with their headings, pages as pictures, the whole
org chart over pages where its names can be read, and the plain-words problem when the PDF cannot be written."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtGui import QPageLayout, QPageSize, QTextTable
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from jointlead.domain.errors import JointleadError
from jointlead.services.org_structure import OrgEmployer, OrgLine, OrgPerson, Structure
from jointlead.ui.application import make_application
from jointlead.ui.org_chart import NAME_FONT, PRINT_NAME_POINTS, ChartScene, OrgChart, PersonCard
from jointlead.ui.page import Page
from jointlead.ui.printing import (
    MARGINS_MM,
    PDF_FILTER,
    SCREEN_DPI,
    SHRINK_TO_ONE_PAGE,
    TYPE_SIZES,
    ChartPrintout,
    PicturePrintout,
    Printout,
    TablePrintout,
    content_height,
    footer_line,
    new_printer,
    on_paper,
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
    pages = printout.pages(document, printer)
    room = printout.room(printer)
    table = next(frame for frame in document.rootFrame().childFrames() if isinstance(frame, QTextTable))
    layout = document.documentLayout()
    cells = [layout.blockBoundingRect(table.cellAt(row, column).firstCursorPosition().block())
             for row in range(table.rows()) for column in range(table.columns())]

    assert len(pages) > 1
    heading = pages[1].repeated
    assert 0 < heading[0] < heading[1] <= layout.blockBoundingRect(
        table.cellAt(1, 0).firstCursorPosition().block()).top()  # the heading row, under the title
    assert pages[0].top == 0 and pages[-1].bottom == pytest.approx(document.size().height())
    assert pages[0].repeated is None and {page.repeated for page in pages[1:]} == {heading}
    for above, below in itertools.pairwise(pages):
        assert below.top == above.bottom  # no row is lost between pages
        assert not [cell for cell in cells if cell.top() < below.top < cell.bottom()]  # nor cut in two
    for number, page in enumerate(pages):
        repeated = heading[1] - heading[0] if number else 0
        assert page.bottom - page.top + repeated <= room


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


def test_columns_ticked_off_are_not_printed_and_the_note_says_so(people_page):
    people_page.table.show_column("Team", False)
    text = printout_for(people_page).document().toPlainText()
    assert "150 people · columns not shown: Team\n" in text
    assert "Name\nHours a week" in text and "Early Intervention" not in text


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


def test_a_table_showing_all_its_rows_leaves_room_for_a_scroll_bar_only_when_its_columns_need_one(qtbot):
    table = DataTable("people", PEOPLE_COLUMNS, "None yet.", None, searchable=False, fit_rows=True)
    qtbot.addWidget(table)
    table.set_rows(people(3))
    table.resize(1200, 300)
    table.show()
    qtbot.waitExposed(table)
    view = table.view
    rows = view.horizontalHeader().sizeHint().height() + view.verticalHeader().length() + 2 * view.frameWidth()

    # Every column in view: no scroll bar, and no empty strip under the last row (it printed on the dashboard).
    assert view.horizontalHeader().length() <= view.viewport().width()
    assert view.height() == rows
    # Too narrow for its columns: the bar shows, under the last row rather than over it.
    table.resize(200, 300)
    qtbot.waitUntil(lambda: view.height() > rows)
    assert view.height() == rows + view.horizontalScrollBar().sizeHint().height()
    table.resize(1200, 300)
    qtbot.waitUntil(lambda: view.height() == rows)


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


def test_a_picture_shrunk_to_fit_one_sheet_is_not_cut_by_a_rounding_error(monkeypatch):
    printer = new_printer()
    paper = int(printer.width() * SCREEN_DPI / printer.resolution())
    widget = QWidget()
    QWidget(widget).setGeometry(0, 0, paper, 1018)
    widget.resize(paper, 1018)  # as wide as the paper: printed at its on-screen size, or a little smaller
    room = 10818.5  # printer pixels: 10818.5 / (10818.5 / 1018) < 1018
    monkeypatch.setattr(PicturePrintout, "room", lambda _self, _printer: room)
    printout = PicturePrintout(widget)

    assert printout.scale(printer) == room / 1018 and printout.page_count(printer) == 1


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


def pages_previewed(monkeypatch, qtbot) -> list[int]:
    """The page count of each print preview shown from now on, the preview shown and closed instead of waited on."""
    seen: list[int] = []

    def show(preview):
        preview.show()
        qtbot.waitExposed(preview)
        seen.append(preview.findChild(QPrintPreviewWidget).pageCount())
        preview.close()

    monkeypatch.setattr(QPrintPreviewDialog, "exec", show)
    return seen


def test_the_preview_shows_every_page(people_page, monkeypatch, qtbot):
    seen = pages_previewed(monkeypatch, qtbot)
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


def test_a_dashboard_a_little_too_tall_for_one_sheet_prints_a_little_smaller_on_one(window, demo_db, qtbot):
    window.resize(1100, 800)  # NCC's dashboard is then about a sixth taller than a sheet holds at full size
    window.set_database(demo_db)
    window.show_page("Dashboard")
    window.dashboard.show_for("NCC")
    qtbot.wait(50)
    printout = printout_for(window.dashboard, source=demo_db.name)
    printer = new_printer()
    with on_paper(window.dashboard):
        across = min(printer.resolution() / SCREEN_DPI, printer.width() / printout.widget.width())
        shrunk = printout.scale(printer) / across
        assert content_height(printout.widget) * across > printout.room(printer)
    assert printout.page_count(printer) == 1 and SHRINK_TO_ONE_PAGE <= shrunk < 1
    window.dashboard.show_for(None)  # the whole service, its organisations listed too: far taller, on two sheets
    assert printout.page_count(printer) == 2


def test_the_dashboard_prints_its_choices_as_words_and_not_its_on_screen_hint(window, demo_db, tmp_path,
                                                                              monkeypatch, qtbot):
    window.resize(1280, 800)
    window.set_database(demo_db)
    window.show_page("Dashboard")
    dashboard = window.dashboard
    # The pointer rests on the heading, not where an earlier test left it: a drop-down under it is drawn hovered
    # again once shown after the printout, which is not a pixel moved.
    qtbot.mouseMove(dashboard.heading)
    qtbot.wait(50)  # laid out and painted, as the user sees it before choosing Save as PDF
    screen = dashboard.grab().toImage()
    printout = printout_for(dashboard, source=demo_db.name, printed_on=date(2026, 11, 20))
    drawn = []  # what shows on the page as each sheet is drawn
    picture = PicturePrintout.picture

    def spy(self, top, bottom):
        shown = [child for child in self.widget.findChildren(QWidget) if child.isVisibleTo(self.widget)]
        drawn.append(([child for child in shown if isinstance(child, QComboBox)],
                      [child.text() for child in shown if isinstance(child, QLabel)]))
        return picture(self, top, bottom)

    monkeypatch.setattr(PicturePrintout, "picture", spy)
    saved = printout.save_pdf(tmp_path / "dashboard.pdf")

    assert drawn and all(combos == [] for combos, _texts in drawn)
    assert all("As at M7 Oct (closed) · Whole service" in texts for _combos, texts in drawn)
    assert not any("Select a tile" in text for _combos, texts in drawn for text in texts)
    # The screen is as it was: drop-downs, the hint, and not a pixel moved.
    assert dashboard.as_at.isVisible() and dashboard.organisation.isVisible()
    assert not dashboard.printed_choices.isVisible() and "Select a tile" in dashboard.subtitle.text()
    assert dashboard.grab().toImage() == screen
    if shutil.which("pdftotext"):
        text = " ".join(pdf_text(saved).split())
        assert "As at M7 Oct (closed) · Whole service" in text
        assert "Select a tile" not in text and "▾" not in text


def children_above(widget: QWidget, top: int, bottom: int) -> list[QWidget]:
    """The children of `widget` drawn whole between `top` and `bottom`, lowest first."""
    inside = [child for child in widget.findChildren(QWidget) if child.parentWidget() is widget
              and child.isVisibleTo(widget) and top <= child.y() and child.y() + child.height() <= bottom]
    return sorted(inside, key=lambda child: -child.y())


def test_a_page_never_ends_with_a_heading_whose_section_starts_the_next():
    widget = QWidget()
    layout = QVBoxLayout(widget)
    layout.setSpacing(10)
    headings = []
    for section in range(4):
        heading = QLabel(f"Section {section + 1}", widget)
        heading.setObjectName("sectionTitle")
        heading.setFixedHeight(30)
        block = QWidget(widget)
        block.setFixedHeight(150)
        layout.addWidget(heading)
        layout.addWidget(block)
        headings.append(heading)
    widget.resize(600, 4 * 200 + 50)
    layout.activate()

    # 260 pixels hold the first section and the second heading, but not the second section's block.
    tops = page_tops(widget, 260)

    assert tops[1] == headings[1].y()
    for top, bottom in itertools.pairwise([*tops, content_height(widget)]):
        assert children_above(widget, top, bottom)[0].objectName() != "sectionTitle"


def test_the_printed_dashboard_keeps_each_heading_with_its_section(window, demo_db, qtbot):
    window.resize(1280, 800)  # where the checklist's heading used to end the first page, its list on the second
    window.set_database(demo_db)
    window.show_page("Dashboard")
    qtbot.wait(50)
    printout = printout_for(window.dashboard, source=demo_db.name)
    tops = printout.page_tops(new_printer())

    assert len(tops) > 1
    with on_paper(window.dashboard):
        for top, bottom in itertools.pairwise([*tops, content_height(printout.widget)]):
            last = children_above(printout.widget, top, bottom)[0]
            assert last.objectName() != "sectionTitle", f"the page ends with the heading “{last.text()}”"


def test_pages_end_above_the_pieces_inside_a_container_taller_than_a_page():
    # The Budgets page's figures are one widget (tiles, the view's name, the view) taller than a page.
    widget = QWidget()
    container = QWidget(widget)
    container.setGeometry(0, 40, 600, 900)
    tiles = []
    for number in range(3):
        tile = QWidget(container)
        tile.setGeometry(0, number * 210, 600, 200)
        tiles.append(tile)
    heading = QLabel("Charts", container)
    heading.setObjectName("sectionTitle")
    heading.setGeometry(0, 630, 600, 30)
    chart = QWidget(container)
    chart.setGeometry(0, 670, 600, 230)
    widget.resize(600, 940)

    tops = page_tops(widget, 700)

    # The chart would be cut at 700: the page ends above its heading instead (40 + 630), which goes with it.
    assert tops == [0, 670]


def paper_view(page: QWidget, printout: PicturePrintout, monkeypatch) -> list[tuple[list[QWidget], list[str]]]:
    """What shows on the page as each sheet of `printout` is drawn: the controls, and the words of every label."""
    drawn = []
    picture = PicturePrintout.picture

    def spy(self, top, bottom):
        shown = [child for child in page.findChildren(QWidget) if child.isVisibleTo(page)]
        drawn.append(([child for child in shown if isinstance(child, QComboBox | QPushButton | QTabBar)
                       and not isinstance(child, Tile)],
                      [child.text() for child in shown if isinstance(child, QLabel)]))
        return picture(self, top, bottom)

    monkeypatch.setattr(PicturePrintout, "picture", spy)
    return drawn


def test_the_budgets_page_prints_its_choices_as_words_and_the_view_by_name_without_buttons(
        window, demo_db, tmp_path, monkeypatch, qtbot):
    window.resize(1366, 768)
    window.set_database(demo_db)
    window.show_page("Budgets")
    budgets = window.current_page()
    budgets.tabs.setCurrentWidget(budgets.risk_tab)
    qtbot.wait(50)
    # Qt lays out again sizes that changed on a hidden tab (By month's rows) only when something next asks: drawing
    # the page for paper is such a thing, so the screen is compared from after a first printout.
    printout_for(budgets, source=demo_db.name).save_pdf(tmp_path / "first.pdf")
    screen = budgets.grab().toImage()
    printout = printout_for(budgets, source=demo_db.name, printed_on=date(2026, 11, 20))
    drawn = paper_view(budgets, printout, monkeypatch)
    saved = printout.save_pdf(tmp_path / "budgets.pdf")

    assert isinstance(printout, PicturePrintout)
    # One sheet: the view is as tall as its words, not stretched down the window onto a second, empty, sheet.
    assert pdf_pages(saved) == 1
    assert drawn and all(controls == [] for controls, _texts in drawn)
    assert all({"Year 2026-27 (current) · As at M7 Oct (closed)", "Risk share"} <= set(texts)
               for _controls, texts in drawn)
    # The screen is as it was: drop-downs, buttons, the tabs, and not a pixel moved.
    assert budgets.as_at.isVisible() and budgets.close_button.isVisible() and budgets.tabs.tabBar().isVisible()
    assert not budgets.printed_choices.isVisible() and not budgets.printed_view.isVisible()
    assert budgets.grab().toImage() == screen
    if shutil.which("pdftotext"):
        text = " ".join(pdf_text(saved).split())
        assert "As at M7 Oct (closed)" in text and "Each partner's share" in text
        assert "Close M8" not in text and "Agreement and rules" not in text


def test_the_budgets_charts_print_whole_under_their_heading_on_one_sheet_with_the_tiles(window, demo_db, qtbot):
    window.resize(1366, 768)
    window.set_database(demo_db)
    window.show_page("Budgets")
    budgets = window.current_page()
    budgets.tabs.setCurrentWidget(budgets.charts_tab)
    qtbot.wait(50)
    printout = printout_for(budgets, source=demo_db.name)
    printer = new_printer()
    tops = printout.page_tops(printer)

    with printout.laid_out(printer):
        chart_top = budgets.charts.mapTo(printout.widget, budgets.charts.rect().topLeft()).y()
        heading_top = budgets.printed_view.mapTo(printout.widget, budgets.printed_view.rect().topLeft()).y()
        chart_bottom = chart_top + budgets.charts.height()
        shrunk = printout.scale(printer) / (printer.resolution() / SCREEN_DPI)
    assert heading_top < chart_top
    assert not any(heading_top < top < chart_bottom for top in tops)  # the chart whole, under the view's name
    # As short as the chart reads well, not as tall as it could be: at its on-screen size it and its name had taken
    # more than a sheet, the name alone on one and the chart on the next.
    assert tops == [0] and SHRINK_TO_ONE_PAGE <= shrunk <= 1


def test_a_budgets_view_that_is_one_table_prints_as_that_table_however_few_its_rows(window, demo_db):
    window.set_database(demo_db)
    window.show_page("Budgets")
    budgets = window.current_page()
    printed = {}
    for tab in (budgets.lines_tab, budgets.virements_tab, budgets.risk_tab, budgets.contributions_tab):
        budgets.tabs.setCurrentWidget(tab)
        printout = printout_for(budgets, source=demo_db.name)
        printed[budgets.tabs.tabText(budgets.tabs.currentIndex()).replace("&", "")] = (  # its Alt+letter aside
            printout.document().toPlainText() if isinstance(printout, TablePrintout) else type(printout).__name__)
        if tab is budgets.lines_tab:  # the whole pool's total, bold as on screen
            assert re.search(r'<td align="left" style="font-weight:600"[^>]*>Whole pool</td>', printout.html)

    # The demo has two virements: a table too short to fill the tab had printed as a picture, clipped at the side.
    assert "2 virements" in printed["Virements"] and "Nursing vacancy" in printed["Virements"]
    assert "Medical staffing" in printed["Lines"]
    assert printed["Risk share"] == "PicturePrintout"


def broken(document) -> list[str]:
    """The cells of the document's table whose text is broken other than at a space: "£1,455, / 923", "Foreca / st"."""
    table = next(frame for frame in document.rootFrame().childFrames() if isinstance(frame, QTextTable))
    found = []
    for row in range(table.rows()):
        for column in range(table.columns()):
            block = table.cellAt(row, column).firstCursorPosition().block()
            while block.isValid() and table.cellAt(block.position()) == table.cellAt(row, column):
                text, layout = block.text(), block.layout()
                starts = [layout.lineAt(line).textStart() for line in range(1, layout.lineCount())]
                if any(not text[start - 1].isspace() for start in starts):
                    found.append(text)
                block = block.next()
    return found


def test_a_wide_table_prints_in_smaller_type_with_no_figure_or_word_broken(window, demo_db):
    window.set_database(demo_db)
    window.show_page("Budgets")
    budgets = window.current_page()
    budgets.tabs.setCurrentWidget(budgets.months_tab)  # 18 columns: a line, twelve months, the year's figures
    printout = printout_for(budgets, source=demo_db.name)
    assert isinstance(printout, TablePrintout)
    printer = new_printer()
    document = printout.document(printer)

    assert broken(document) == []
    assert document.size().width() <= printer.width()
    assert document.defaultFont().pointSizeF() < TYPE_SIZES[0]
    # A table with room keeps the usual type.
    window.show_page("People & lines")
    assert printout_for(window.current_page()).document(printer).defaultFont().pointSizeF() == TYPE_SIZES[0]


NFT = OrgEmployer("NFT", "Northshire NHS Foundation Trust", "#005EB8")
NCC = OrgEmployer("NCC", "Northshire County Council", "#7C2855")


def big_structure(count: int = 150) -> Structure:
    """A service of `count` people, ten to a manager, from both employers: far wider and taller than a window."""
    def employer(n: int) -> OrgEmployer:
        return NCC if n % 3 == 0 else NFT

    people = tuple(OrgPerson(n, f"Person {n:03d}", "Community Mental Health Nurse", "Band 6", employer(n).code,
                             employer(n).colour, "North Locality CMHT", "mental health nurse")
                   for n in range(1, count + 1))
    lines = tuple(OrgLine(n, 1 + (n - 2) // 10, "managerial", employer(n) is not employer(1 + (n - 2) // 10))
                  for n in range(2, count + 1))
    return Structure(date(2026, 11, 20), people, lines, organisations=(NCC, NFT))


@pytest.fixture
def big_chart(qtbot) -> OrgChart:
    """The chart of 150 people in a small window, so most of it is scrolled out of view."""
    chart = OrgChart()
    qtbot.addWidget(chart)
    chart.resize(640, 480)
    chart.show()
    qtbot.waitExposed(chart)
    chart.show_structure(big_structure())
    return chart


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_the_org_chart_prints_whole_over_pages_on_which_every_name_can_be_read(big_chart, tmp_path, monkeypatch):
    cards = [item for item in big_chart.scene.items() if isinstance(item, PersonCard)]
    in_view = big_chart.view.mapToScene(big_chart.view.viewport().rect()).boundingRect()
    out_of_view = [card for card in cards if not in_view.contains(card.sceneBoundingRect())]
    assert len(cards) == 150 and len(out_of_view) > 100  # the window shows a corner of the chart

    printer = new_printer()
    names: list[float] = []  # the size each page's names are printed at, in points
    render = ChartScene.render

    def measuring(scene, painter, target, source, *mode):
        dots = painter.worldTransform().m11() * target.width() / source.width()  # printer dots a scene pixel
        names.append(NAME_FONT.pixelSize() * dots / printer.resolution() * 72)
        render(scene, painter, target, source, *mode)

    monkeypatch.setattr(ChartScene, "render", measuring)
    printout = printout_for(big_chart, source="demo.sqlite", printed_on=date(2026, 11, 20))
    saved = printout.save_pdf(tmp_path / "org chart.pdf")

    assert isinstance(printout, ChartPrintout) and printout.chart is big_chart
    count = printout.page_count(printer)
    assert count == pdf_pages(saved) == len(names) > 1
    assert count <= 16  # not 18, as when each page held one level of one team
    assert min(names) >= PRINT_NAME_POINTS
    if shutil.which("pdftotext"):
        pages = pdf_text(saved).split("\f")[:count]  # pdftotext ends each page with a form feed
        for number, text in enumerate(pages, start=1):
            assert "Organisation chart" in text and "As at 20 November 2026 · 150 people" in text
            assert f"Page {number} of {count}" in text and "NCC Northshire County Council" in text
            assert "Printed from jointlead on 20 Nov 2026 — demo.sqlite" in text
        assert [n for n in range(1, 151) if f"Person {n:03d}" not in "".join(pages)] == []
        # Person 001 has more reports than a page holds, each with a team too big to be drawn with them: a box
        # under a card says where the rest went, and each team's page says whose it is and where they report.
        assert "Continued on page 2" in pages[0] and "Person 001’s team, continued" in pages[1]
        assert "Person 002’s team · reports to Person 001 (page 1)" in "".join(pages)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils) to read the PDF")
def test_every_card_of_the_org_chart_prints_its_words_however_coarse_the_printer(big_chart, tmp_path):
    """On screen a zoomed-out chart paints only the cards' shapes; paper always gets the names."""
    printer = new_printer(QPrinter.PrinterMode.ScreenResolution)  # as coarse as printers come
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "coarse.pdf"))
    printout_for(big_chart).print_to(printer)
    text = pdf_text(tmp_path / "coarse.pdf")
    assert all(f"Person {n:03d}" in text for n in range(1, 151))


def media_boxes(path: Path) -> set[tuple[float, float]]:
    return {(float(width), float(height))
            for width, height in re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", path.read_bytes())}


def test_print_and_save_pdf_give_the_same_pages_on_the_paper_chosen(big_chart, tmp_path, monkeypatch):
    printout = printout_for(big_chart)
    saved = printout.save_pdf(tmp_path / "saved.pdf")
    printed = tmp_path / "printed.pdf"

    def choose_a3(dialog):
        dialog.printer().setOutputFileName(str(printed))  # no printer here: a PDF file takes the same pages
        dialog.printer().setPageSize(QPageSize(QPageSize.PageSizeId.A3))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", choose_a3)
    assert print_with_dialog(big_chart, printout)

    a3 = new_printer()
    a3.setPageSize(QPageSize(QPageSize.PageSizeId.A3))
    assert media_boxes(saved) == {(842, 595)} and media_boxes(printed) == {(1191, 842)}  # landscape A4, A3
    assert pdf_pages(saved) == printout.page_count(new_printer())
    assert pdf_pages(printed) == printout.page_count(a3) < pdf_pages(saved)  # bigger paper, fewer pages


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils) to read the PDF")
def test_the_org_chart_fits_the_page_the_user_chose_with_its_title_and_key_on_the_paper(big_chart, tmp_path):
    team = "Northshire Community and Inpatient Adult Mental Health and Learning Disability Services"
    big_chart.show_structure(replace(big_structure(), team=team, organisation=NFT.code))
    printer = new_printer()
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)  # as chosen in the print dialog
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "portrait.pdf"))
    printout = printout_for(big_chart, source="demo.sqlite")
    printout.print_to(printer)
    boxes = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "portrait.pdf"), "-"], check=True,
                           capture_output=True, text=True).stdout
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', boxes)
    width, height = float(page[1]), float(page[2])
    assert width < height and pdf_pages(tmp_path / "portrait.pdf") == printout.page_count(printer) > 1
    words = [(float(left), float(right), text) for left, right, text
             in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', boxes)]
    left_margin, right_margin = MARGINS_MM.left() / 25.4 * 72, MARGINS_MM.right() / 25.4 * 72
    # The title and the key are wider than a portrait page: each runs onto a second row rather than off the paper.
    assert {"Northshire", "Foundation", "Trust", "Person", "150"} <= {text for _, _, text in words}
    assert {"Organisation", "Learning", "Disability", "Services", "NFT"} <= {text for _, _, text in words}
    assert [text for left, right, text in words if left < left_margin - 1 or right > width - right_margin + 1] == []


def test_the_org_chart_previews_every_page(big_chart, monkeypatch, qtbot):
    seen = pages_previewed(monkeypatch, qtbot)
    drawn: list[int] = []
    paint = OrgChart.paint_printed

    def counting(chart, painter, page, pages, number):
        drawn.append(number)
        paint(chart, painter, page, pages, number)

    monkeypatch.setattr(OrgChart, "paint_printed", counting)
    printout = printout_for(big_chart)
    preview_with_dialog(big_chart, printout)

    count = printout.page_count(new_printer())
    assert isinstance(printout, ChartPrintout) and count > 1
    assert seen == [count] and drawn[:count] == list(range(1, count + 1))


def test_an_empty_org_chart_prints_as_it_looks(qtbot):
    chart = OrgChart()
    qtbot.addWidget(chart)
    chart.resize(640, 480)
    chart.show()
    qtbot.waitExposed(chart)
    chart.show_structure(Structure(date(2026, 11, 20), (), (), team="South", teams=("North", "South")))

    assert isinstance(printout_for(chart), PicturePrintout)  # the words saying why no one is shown


def test_file_save_as_pdf_on_the_org_chart_tab_saves_the_whole_chart(window, demo_db, tmp_path, monkeypatch):
    window.set_database(demo_db)
    page = next(page for page in window.page_list if page.title == "People & lines")
    window.navigation.setCurrentRow(window.page_list.index(page))
    assert isinstance(printout_for(window.current_page()), TablePrintout)  # the People tab: its table
    page.tabs.setCurrentWidget(page.chart)
    names = [card.person.name for card in page.chart.cards.values()]

    printout = printout_for(window.current_page())
    chosen = tmp_path / "org chart"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(chosen), PDF_FILTER))
    window.pdf_action.trigger()
    saved = chosen.with_suffix(".pdf")

    assert isinstance(printout, ChartPrintout) and printout.chart is page.chart
    assert printout.title == "People & lines"
    count = printout.page_count(new_printer())
    assert len(names) > 40 and pdf_pages(saved) == count > 1
    if shutil.which("pdftotext"):
        text = pdf_text(saved)
        assert [name for name in names if name not in text] == []
        assert "People & lines · Printed from jointlead on 20 Nov 2026" in text and f"Page 1 of {count}" in text
