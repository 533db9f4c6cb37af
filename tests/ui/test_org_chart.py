"""The org chart widget: cards and lines, the cross-organisation highlight, finding people, filters and export."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

from PySide6.QtCore import QDate, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QAbstractButton, QApplication, QFileDialog, QGraphicsPathItem, QMessageBox, QWidget

from jointlead.domain.org_layout import OrgPages
from jointlead.services.org_structure import OrgEmployer, OrgLine, OrgPerson, Structure, structure_as_at
from jointlead.ui.application import make_application
from jointlead.ui.export_dialog import documents_folder
from jointlead.ui.org_chart import (
    CARD_HEIGHT,
    CARD_WIDTH,
    CROSSING_COLOUR,
    LINE_ROLE,
    NAME_FONT,
    PRINT_NAME_POINTS,
    OrgChart,
    PersonCard,
)
from jointlead.ui.printing import ChartPrintout, new_printer

DAY = date(2026, 11, 20)
NFT = OrgEmployer("NFT", "Northshire NHS Foundation Trust", "#005EB8")
NCC = OrgEmployer("NCC", "Northshire County Council", "#7C2855")


def person(id_: int, name: str, employer: OrgEmployer, title: str = "Social Worker", team: str = "North",
           profession: str = "social worker") -> OrgPerson:
    return OrgPerson(id_, name, title, "Band 7" if employer is NFT else "Grade 10", employer.code, employer.colour,
                     team, profession)


def line(person_id: int, lead_id: int, kind: str, people: dict[int, OrgPerson]) -> OrgLine:
    return OrgLine(person_id, lead_id, kind, people[person_id].employer_code != people[lead_id].employer_code)


def team_structure(day: date = DAY) -> Structure:
    """A small team: an NHS manager with a council social worker (managed across the boundary) and two nurses;
    the council's Principal Social Worker is the social worker's professional lead."""
    people = {p.id: p for p in (
        person(1, "Eleanor Marshall", NFT, "Team Manager", profession="mental health nurse"),
        person(2, "Tom Mason", NCC, "Senior Social Worker"),
        person(3, "Imran Singh", NFT, "Community Mental Health Nurse", profession="mental health nurse"),
        person(4, "Megan Lloyd", NFT, "Community Mental Health Nurse", profession="mental health nurse"),
        person(5, "Paul Allen", NCC, "Principal Social Worker", team=""),
    )}
    lines = (line(2, 1, "managerial", people), line(2, 5, "professional", people),
             line(3, 1, "managerial", people), line(3, 1, "professional", people),
             line(4, 1, "managerial", people))
    return Structure(day, tuple(people.values()), lines, teams=("North", "South"), organisations=(NCC, NFT))


@pytest.fixture
def chart(qtbot) -> OrgChart:
    make_application()
    widget = OrgChart()
    widget.resize(1200, 800)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def line_items(chart: OrgChart, kind: str | None = None) -> list[QGraphicsPathItem]:
    return [item for item in chart.scene.items()
            if isinstance(item, QGraphicsPathItem) and (kind is None or item.data(LINE_ROLE)[0] == kind)]


def test_there_is_one_card_per_person_with_their_details(chart):
    chart.show_structure(team_structure())
    cards = [item for item in chart.scene.items() if isinstance(item, PersonCard)]
    assert sorted(card.person.name for card in cards) == sorted(p.name for p in team_structure().people)
    tom = chart.cards[2]
    assert "Senior Social Worker" in tom.toolTip() and "Line manager: Eleanor Marshall (another organisation)" \
        in tom.toolTip()
    for a in cards:  # no card covers another
        for b in cards:
            assert a is b or not a.sceneBoundingRect().adjusted(5, 5, -5, -5).intersects(
                b.sceneBoundingRect().adjusted(5, 5, -5, -5))


def test_managerial_lines_are_solid_and_professional_lines_dashed(chart):
    chart.show_structure(team_structure())
    managerial = line_items(chart, "managerial")
    professional = line_items(chart, "professional")
    assert managerial and all(item.pen().style() == Qt.PenStyle.SolidLine for item in managerial)
    assert {item.data(LINE_ROLE)[1:3] for item in managerial} == {(2, 1), (3, 1), (4, 1)}
    # Imran's professional lead is his line manager: the solid line says so, so no dashed line doubles it.
    assert [item.data(LINE_ROLE)[1:3] for item in professional] == [(2, 5)]
    assert professional[0].pen().style() == Qt.PenStyle.DashLine


def test_lines_across_organisations_are_orange_and_thicker_and_the_key_explains_them(chart):
    chart.show_structure(team_structure())
    crossing = [item for item in line_items(chart) if item.data(LINE_ROLE)[3]]
    plain = [item for item in line_items(chart) if not item.data(LINE_ROLE)[3]]
    assert {item.data(LINE_ROLE)[1:3] for item in crossing} == {(2, 1)}
    for item in crossing:
        assert item.pen().color() == QColor(CROSSING_COLOUR)
        assert item.pen().widthF() > max(p.pen().widthF() for p in plain)
        assert not item.path().isEmpty()
    assert all(item.pen().color() != QColor(CROSSING_COLOUR) for item in plain)
    assert "crosses organisations" in chart.legend.accessibleDescription()


def test_a_connector_shared_with_a_same_employer_report_is_not_coloured(chart):
    chart.show_structure(team_structure())
    highlight = next(item for item in line_items(chart) if item.data(LINE_ROLE)[3])
    route = chart.layout_result.routes[(2, 1)]
    # The stem down from the manager is shared with the nurses' lines, so it stays grey; Tom's own tick is orange.
    stem = QPointF(route[0][0] * CARD_WIDTH, route[0][1] * CARD_HEIGHT + 5)
    tick = QPointF((route[-1][0] - 0.02) * CARD_WIDTH, route[-1][1] * CARD_HEIGHT)
    assert not highlight.shape().contains(stem)
    assert highlight.shape().contains(tick)


def test_finding_a_person_selects_centres_and_zooms_to_them(chart, qtbot):
    chart.show_structure(team_structure())
    chart.view.set_zoom(0.3)
    qtbot.keyClicks(chart.search, "megan")
    qtbot.keyClick(chart.search, Qt.Key.Key_Return)
    card = chart.cards[4]
    assert card.isSelected()
    assert chart.view.zoom() >= 1.0
    visible = chart.view.mapToScene(chart.view.viewport().rect()).boundingRect()
    assert visible.contains(card.sceneBoundingRect())
    assert "Megan Lloyd" in chart.view.accessibleDescription()


def test_finding_a_person_in_a_large_chart_centres_them(chart, demo_db, qtbot):
    chart.show_structure(structure_as_at(demo_db, DAY))
    chart.view.fit()
    qtbot.keyClicks(chart.search, "Imran Singh")
    qtbot.keyClick(chart.search, Qt.Key.Key_Return)
    card = next(card for card in chart.cards.values() if card.person.name == "Imran Singh")
    assert card.isSelected() and chart.view.zoom() == pytest.approx(1.0)
    centre = chart.view.mapToScene(chart.view.viewport().rect().center())
    assert (centre - card.sceneBoundingRect().center()).manhattanLength() < 20


def test_finding_someone_not_in_the_chart_says_so(chart, qtbot):
    chart.show_structure(team_structure())
    chart.search.setText("Nobody Here")
    assert chart.find_next() is None
    assert "No one called “Nobody Here”" in chart.summary.text()


def test_finding_again_moves_to_the_next_match(chart):
    chart.show_structure(team_structure())
    chart.search.setText("m")  # Eleanor Marshall, Tom Mason, Imran Singh, Megan Lloyd: first names first
    first, second = chart.find_next(), chart.find_next()
    assert first == 4 and second != first


def test_double_clicking_a_card_or_pressing_enter_on_it_opens_the_person(chart, qtbot):
    chart.show_structure(team_structure())
    chart.view.set_zoom(1.0)
    card = chart.cards[2]
    chart.view.centerOn(card)
    point = chart.view.mapFromScene(card.sceneBoundingRect().center())
    with qtbot.waitSignal(chart.person_activated) as blocker:
        qtbot.mouseDClick(chart.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert blocker.args == [2]
    chart.view.setFocus()
    chart.scene.clearSelection()
    qtbot.keyClick(chart.view, Qt.Key.Key_Down)  # nothing selected: the top card (the manager)
    assert chart.view.current().person.id == 1
    qtbot.keyClick(chart.view, Qt.Key.Key_Down)  # then the nearest card below
    below = chart.view.current().person.id
    assert below in {2, 3, 4}
    with qtbot.waitSignal(chart.person_activated) as blocker:
        qtbot.keyClick(chart.view, Qt.Key.Key_Return)
    assert blocker.args == [below]


def test_zoom_buttons_keys_ctrl_wheel_and_fit(chart, qtbot):
    chart.show_structure(team_structure())
    chart.view.set_zoom(1.0)
    qtbot.mouseClick(chart.zoom_in, Qt.MouseButton.LeftButton)
    assert chart.view.zoom() == pytest.approx(1.25)
    qtbot.mouseClick(chart.zoom_out, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(chart.zoom_out, Qt.MouseButton.LeftButton)
    assert chart.view.zoom() == pytest.approx(0.8)
    assert chart.zoom_label.text() == "80%"
    qtbot.keyClick(chart.view, Qt.Key.Key_Plus)
    assert chart.view.zoom() == pytest.approx(1.0)
    centre = QPointF(chart.view.viewport().rect().center())
    wheel = QWheelEvent(centre, chart.view.viewport().mapToGlobal(centre), QPoint(), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(chart.view.viewport(), wheel)
    assert chart.view.zoom() == pytest.approx(1.25)
    qtbot.mouseClick(chart.fit_button, Qt.MouseButton.LeftButton)
    visible = chart.view.mapToScene(chart.view.viewport().rect()).boundingRect()
    assert visible.contains(chart.scene.itemsBoundingRect())


def test_professional_lines_can_be_hidden(chart):
    chart.show_structure(team_structure())
    chart.professional.setChecked(False)
    assert not any(item.isVisible() for item in line_items(chart, "professional"))
    assert all(item.isVisible() for item in line_items(chart, "managerial"))
    chart.professional.setChecked(True)
    assert all(item.isVisible() for item in line_items(chart, "professional"))


def test_the_png_is_the_whole_chart_under_its_heading(chart, tmp_path: Path):
    chart.show_structure(team_structure())
    png = chart.save_png(tmp_path / "chart.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    picture = QImage(str(png))
    assert picture.height() > chart.scene.itemsBoundingRect().height() + 60  # the title, date and key above it


def pdf_page_sizes(path: Path) -> list[tuple[float, float]]:
    """Each page's width and height in points, as a PDF reader sees them."""
    document = QPdfDocument()
    document.load(str(path))
    sizes = [(size.width(), size.height()) for size in map(document.pagePointSize, range(document.pageCount()))]
    document.close()
    return sizes


def test_save_pdf_puts_the_demo_chart_on_several_readable_a4_pages(chart, demo_db, tmp_path: Path, monkeypatch):
    chart.show_structure(structure_as_at(demo_db, DAY))
    target = tmp_path / "board"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(target), "")))
    chart.pdf_button.click()

    sizes = pdf_page_sizes(tmp_path / "board.pdf")
    assert 1 < len(sizes) <= 7  # one team level a page took nine, most of them half empty
    assert set(sizes) == {(842, 595)}  # every page A4 landscape
    plan = chart.paginate(QRectF(0, 0, 1000, 700))
    assert plan.scale * NAME_FONT.pixelSize() * 72 / 96 >= PRINT_NAME_POINTS


def pdf_words(path: Path) -> str:
    """Every page's text as a PDF reader selects it, with no spaces or line breaks (so a name run onto two lines
    reads as one)."""
    document = QPdfDocument()
    document.load(str(path))
    text = "".join(document.getAllText(page).text() for page in range(document.pageCount()))
    document.close()
    # PDFium reads a hyphen ending a line as a hyphenation mark, U+FFFE.
    return "".join(text.replace("\ufffe", "-").split())


def test_long_names_run_onto_a_second_line_so_printed_cards_can_be_told_apart(chart, tmp_path: Path, monkeypatch):
    people = {p.id: p for p in (
        person(1, "Eleanor Marshall", NFT, "Team Manager"),
        person(2, "Alexandra Fitzwilliam-Hargreaves", NCC, "Senior Practitioner, Approved Mental Health "
               "Professional and Best Interests Assessor"),
        person(3, "Alexandra Fitzwilliam-Hargrove", NCC),
    )}
    chart.show_structure(Structure(DAY, tuple(people.values()), (line(2, 1, "managerial", people),
                                                                 line(3, 1, "managerial", people)),
                                   teams=("North",), organisations=(NCC, NFT)))
    target = tmp_path / "board"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(target), "")))
    chart.pdf_button.click()

    words = pdf_words(tmp_path / "board.pdf")
    for name in (people[2].name, people[3].name):
        assert "".join(name.split()) in words
    assert "SeniorPractitioner" in words  # the job title keeps a line, cut short


def pdf_page_words(path: Path) -> list[str]:
    """Each page's words, as `pdf_words` gives them."""
    document = QPdfDocument()
    document.load(str(path))
    pages = ["".join(document.getAllText(page).text().replace("\ufffe", "-").split())
             for page in range(document.pageCount())]
    document.close()
    return pages


def printed_pages(chart: OrgChart, tmp_path: Path, monkeypatch) -> tuple[OrgPages, list[str]]:
    """The chart saved as a PDF with its Save PDF… button: the plan of its pages, and each page's words."""
    target = tmp_path / "board"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(target), "")))
    chart.pdf_button.click()
    return ChartPrintout(chart).pages(new_printer()), pdf_page_words(tmp_path / "board.pdf")


def test_every_printed_team_of_the_demo_says_whom_it_reports_to(chart, demo_db, tmp_path: Path, monkeypatch):
    structure = structure_as_at(demo_db, DAY)
    chart.show_structure(structure)
    plan, pages = printed_pages(chart, tmp_path, monkeypatch)
    assert len(pages) == len(plan.pages) > 1
    names = {p.id: p.name for p in structure.people}
    manager = {line.person_id: line.lead_id for line in structure.lines if line.kind == "managerial"}
    for page, words in zip(plan.pages, pages, strict=True):
        for top in page.tops:  # a team's manager, drawn under their own manager on another page
            if top in manager:  # "reports to" over the team's top card or in the heading, "report to" there for two
                said = rf"reports?to{re.escape(names[manager[top]].replace(' ', ''))}\(page\d+\)"
                assert re.search(said, words, re.IGNORECASE)


def test_teams_from_under_different_managers_share_a_page_each_saying_whom_it_reports_to(chart, tmp_path: Path,
                                                                                           monkeypatch):
    # A director over two managers of nine, each with a senior practitioner managing four.
    people = {1: person(1, "Dana Director", NFT, "Service Director")}
    for manager, lead in ((2, 20), (3, 30)):
        people[manager] = person(manager, f"Manager {manager}", NFT, "Team Manager")
        people[lead] = person(lead, f"Lead {lead}", NFT, "Senior Practitioner")
        people |= {n: person(n, f"Worker {n}", NCC) for n in range(manager * 100, manager * 100 + 9)}
        people |= {n: person(n, f"Worker {n}", NCC) for n in range(lead * 100, lead * 100 + 4)}
    manager_of = {2: 1, 3: 1, 20: 2, 30: 3} | {n: n // 100 for n in people if n >= 200}
    chart.show_structure(Structure(DAY, tuple(people.values()),
                                   tuple(line(n, lead, "managerial", people) for n, lead in manager_of.items()),
                                   teams=("North",), organisations=(NCC, NFT)))
    plan, pages = printed_pages(chart, tmp_path, monkeypatch)
    shared = next(n for n, page in enumerate(plan.pages) if set(page.tops) == {20, 30})  # not a page each
    assert len(pages) == 4
    for lead, manager in ((20, 2), (30, 3)):  # over each team, as the page's heading cannot say it once
        assert f"ReportstoManager{manager}(page{plan.home[lead]})" in pages[shared]  # where their box is


def test_a_small_chart_prints_on_one_page_at_its_screen_size(chart):
    chart.show_structure(team_structure())
    plan = chart.paginate(QRectF(0, 0, 1000, 700))
    assert len(plan.pages) == 1 and plan.scale == 1.0


def test_the_save_buttons_ask_for_a_file(chart, tmp_path: Path, monkeypatch):
    chart.show_structure(team_structure())
    target = tmp_path / "board"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(target), "")))
    chart.png_button.click()
    chart.pdf_button.click()
    assert (tmp_path / "board.png").stat().st_size > 0
    assert (tmp_path / "board.pdf").read_bytes().startswith(b"%PDF")


def test_the_key_runs_onto_another_row_rather_than_off_a_narrow_window(chart, demo_db, qtbot):
    chart.show_structure(structure_as_at(demo_db, DAY))
    chart.resize(1200, 800)
    qtbot.waitUntil(lambda: chart.legend.height() == chart.legend.heightForWidth(chart.legend.width()))
    one_row = chart.legend.height()
    chart.resize(700, 800)  # the chart's share of a 1280 x 800 window is about 1,030 pixels; narrower still here
    qtbot.waitUntil(lambda: chart.legend.height() > one_row)
    assert chart.legend.height() == chart.legend.heightForWidth(chart.legend.width())


def test_changing_a_filter_asks_for_a_new_structure_but_showing_one_does_not(chart, qtbot):
    asked: list[tuple] = []
    chart.filters_changed.connect(lambda *args: asked.append(args))
    chart.show_structure(team_structure())
    assert asked == []
    assert [chart.team.itemText(n) for n in range(chart.team.count())] == ["All teams", "North", "South"]
    chart.team.setCurrentIndex(2)
    assert asked[-1] == (DAY, "South", None)
    chart.organisation.setCurrentIndex(chart.organisation.findData("NCC"))
    assert asked[-1] == (DAY, "South", "NCC")
    chart.as_at.setDate(QDate(2026, 3, 31))
    assert asked[-1] == (date(2026, 3, 31), "South", "NCC")
    # The page answers with the structure it asked for; the controls follow it without asking again.
    count = len(asked)
    chart.show_structure(Structure(date(2025, 1, 1), (), (), team="North", teams=("North", "South"),
                                   organisations=(NCC, NFT)))
    assert len(asked) == count
    assert chart.filters() == (date(2025, 1, 1), "North", None)


LONG_TEAM = ("Integrated Community Mental Health and Learning Disability Service for the North and East Localities, "
             "with Crisis Resolution, Home Treatment and Liaison")[:150]


def test_a_long_team_name_is_cut_short_in_the_team_filter_and_shown_whole_in_its_list_and_tooltip(qtbot):
    make_application()
    chart = OrgChart()  # filled before it is first shown, as the People page fills it
    qtbot.addWidget(chart)
    chart.show_structure(replace(team_structure(), teams=("North", "South", LONG_TEAM), team=LONG_TEAM))
    chart.resize(1200, 800)
    chart.show()
    qtbot.waitExposed(chart)
    assert len(LONG_TEAM) == 150
    team = chart.team
    # Never so wide that the employer filter leaves the first line of controls.
    assert team.width() < 320 and chart.organisation.y() == team.y()
    assert team.currentText() == LONG_TEAM == team.toolTip()
    index = team.findData(LONG_TEAM)
    assert team.itemText(index) == LONG_TEAM == team.itemData(index, Qt.ItemDataRole.ToolTipRole)
    shown = team.shown_text()
    assert shown.endswith("…") and LONG_TEAM.startswith(shown[:-1]) and len(shown) > 20
    team.setCurrentIndex(team.findData("North"))
    assert team.toolTip() == "North" and team.shown_text() == "North"


def test_an_empty_chart_explains_itself_and_offers_no_export(chart):
    chart.show_structure(Structure(DAY, (), (), team="South", teams=("North", "South")))
    assert chart.stack.currentWidget() is chart.empty
    assert "No one in South" in chart.empty.text()
    assert not chart.png_button.isEnabled() and not chart.pdf_button.isEnabled()
    assert not chart.legend.isVisible()
    chart.show_structure(team_structure())
    assert chart.stack.currentWidget() is chart.view and chart.png_button.isEnabled() and chart.legend.isVisible()


def test_leads_outside_the_filter_are_ghost_cards(chart):
    base = team_structure()
    jgm = person(9, "Jasmine Richards", NFT, "Joint General Manager", team="")
    people = {p.id: p for p in (*base.people, jgm)}
    structure = Structure(DAY, base.people, (*base.lines, line(1, 9, "managerial", people)), outside=(jgm,),
                          team="North")
    chart.show_structure(structure)
    assert chart.cards[9].ghost and not chart.cards[1].ghost
    assert chart.cards[9].pos().y() < chart.cards[1].pos().y()
    assert "Outside this team or employer" in chart.cards[9].toolTip()


def test_a_managerial_cycle_still_draws_everyone(chart):
    people = {p.id: p for p in (person(1, "A", NFT), person(2, "B", NFT), person(3, "C", NCC))}
    lines = (line(1, 2, "managerial", people), line(2, 3, "managerial", people), line(3, 1, "managerial", people))
    chart.show_structure(Structure(DAY, tuple(people.values()), lines))
    assert len(chart.cards) == 3
    assert len(line_items(chart, "managerial")) >= 3
    assert "cycle" in chart.summary.text()


def test_every_control_that_takes_focus_has_an_accessible_name(chart):
    chart.show_structure(team_structure())
    unnamed = []
    for widget in chart.findChildren(QWidget):  # as tests/ui/test_main_window.py checks the whole window
        takes_focus = widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        named = widget.accessibleName() or (isinstance(widget, QAbstractButton) and widget.text())
        if takes_focus and not named and widget.objectName() != "qt_scrollarea_viewport":
            unnamed.append(f"{type(widget).__name__} {widget.objectName()}")
    assert unnamed == []


def test_the_demo_service_draws_on_the_chart(chart, demo_db):
    structure = structure_as_at(demo_db, DAY)
    chart.show_structure(structure)
    assert len(chart.cards) == len(structure.people) == 66
    rects = sorted((card.sceneBoundingRect().adjusted(5, 5, -5, -5) for card in chart.cards.values()),
                   key=lambda r: r.left())
    for n, a in enumerate(rects):
        for b in rects[n + 1:n + 40]:
            assert not a.intersects(b)
    crossing = {item.data(LINE_ROLE)[1:3] for item in line_items(chart) if item.data(LINE_ROLE)[3]}
    drawn_crossing = {(line.person_id, line.lead_id) for line in structure.lines if line.cross_organisation}
    assert crossing <= drawn_crossing and crossing


def test_selecting_a_person_brings_out_their_own_lines(chart):
    chart.show_structure(team_structure())
    professional = line_items(chart, "professional")[0]
    nurse_line = next(item for item in line_items(chart, "managerial") if item.data(LINE_ROLE)[1] == 4)
    width = professional.pen().widthF()
    chart.focus_person(2)
    assert professional.pen().widthF() > width
    assert professional.pen().style() == Qt.PenStyle.DashLine
    assert nurse_line.pen().widthF() == pytest.approx(2.0)  # someone else's line is left alone
    chart.scene.clearSelection()
    assert professional.pen().widthF() == width


def test_moving_the_as_at_date_shows_the_structure_before_and_after_a_change_of_manager(chart, demo_db):
    # Wired as the People page wires it: the chart asks, the service answers.
    chart.filters_changed.connect(lambda day, team, organisation: chart.show_structure(
        structure_as_at(demo_db, day, team=team, organisation=organisation)))
    chart.show_structure(structure_as_at(demo_db, DAY))
    sophie = next(p.id for p in chart.structure.people if p.name == "Sophie Richards")

    def manager_on_chart() -> str:
        lead = next(item.data(LINE_ROLE)[2] for item in line_items(chart, "managerial")
                    if item.data(LINE_ROLE)[1] == sophie)
        return chart.cards[lead].person.name

    chart.as_at.setDate(QDate(2026, 6, 30))
    assert chart.structure.as_at == date(2026, 6, 30) and manager_on_chart() == "Emily Mitchell"
    chart.as_at.setDate(QDate(2026, 7, 1))
    assert manager_on_chart() == "Emma Hall"
    chart.team.setCurrentIndex(chart.team.findData("South Locality CMHT"))
    assert sophie not in chart.cards  # she moved to the North team's lines (her team is North)
    assert chart.structure.team == "South Locality CMHT"


DIRECTOR = "Alexandra Montgomery-Fitzwilliam-Smythe"
MANAGER = "Bartholomew Fitzgerald-Montgomery-Ashworth"
LEAD = "Siobhán Ní Mhaoldomhnaigh-O'Sullivan"
WORKER = "Maximiliana Wolfeschlegelsteinhausenbergerdorff"  # a surname wider than a card, with no hyphen to break at


def long_named_structure() -> Structure:
    """A director over three managers of ten, one of them long-named with a long-named worker; and a long-named
    principal social worker with no manager, the professional lead of someone in that team."""
    people = {1: person(1, DIRECTOR, NFT, "Service Director"), 2: person(2, MANAGER, NFT, "Team Manager"),
              3: person(3, LEAD, NCC, "Principal Social Worker", team=""),
              4: person(4, "Manager 4", NFT, "Team Manager"), 5: person(5, "Manager 5", NFT, "Team Manager"),
              100: person(100, WORKER, NCC)}
    people |= {n: person(n, f"Worker {n}", NCC) for n in range(101, 130)}
    manager_of = {2: 1, 4: 1, 5: 1} | {n: (2, 4, 5)[(n - 100) // 10] for n in range(100, 130)}
    return Structure(DAY, tuple(people.values()),
                     (*(line(n, lead, "managerial", people) for n, lead in manager_of.items()),
                      line(105, 3, "professional", people)),
                     teams=("North",), organisations=(NCC, NFT))


def test_long_names_and_headings_are_printed_whole(chart, tmp_path: Path, monkeypatch):
    chart.show_structure(long_named_structure())
    plan, pages = printed_pages(chart, tmp_path, monkeypatch)
    assert len(pages) == 4
    team = next(n for n, page in enumerate(plan.pages) if page.tops == (2,))  # the long-named manager's team
    assert plan.pages[team].visitors == {3}  # with its professional lead from another page, on a short card
    words = pages[team]
    # The page's heading names the team and whom it reports to, wrapping rather than cut short...
    assert f"Page{team + 1}of4·{MANAGER.replace(' ', '')}’steam·reportsto{DIRECTOR.replace(' ', '')}(page1)" \
        in words
    # ...as each card names its person, running onto more lines, smaller if it must, and on the short card too.
    for name in (MANAGER, LEAD, WORKER):
        assert "".join(name.split()) in words


def test_the_key_shows_only_the_kinds_of_line_drawn(chart, tmp_path: Path, monkeypatch):
    chart.show_structure(team_structure())
    assert "Dashed: professional lead" in chart.legend.accessibleDescription()
    chart.professional.setChecked(False)  # as the reviewer found it: no dashed line on the chart, but in the key
    assert "professional" not in chart.legend.accessibleDescription().lower()
    target = tmp_path / "board"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(target), "")))
    chart.pdf_button.click()  # the picture's heading is drawn by the same code
    words = pdf_words(tmp_path / "board.pdf")
    assert "Linemanager" in words and "Acrossorganisations" in words and "Professionallead" not in words
    chart.professional.setChecked(True)
    assert "Dashed: professional lead" in chart.legend.accessibleDescription()
    # Nothing crosses organisations in a chart of one employer's people, so the key does not mention it.
    nurses = tuple(p for p in team_structure().people if p.employer_code == "NFT")
    chart.show_structure(Structure(DAY, nurses, (line(3, 1, "managerial", {p.id: p for p in nurses}),),
                                   organisations=(NFT,)))
    assert chart.legend.accessibleDescription() == ("Solid grey: line manager. "
                                                    "Card colour bands: NFT Northshire NHS Foundation Trust.")


def test_the_summary_counts_the_lines_across_organisations_that_are_drawn(chart):
    team = team_structure()
    people = {p.id: p for p in team.people}
    # A council lead for an NHS nurse: a professional line across organisations, as the social worker's manager is.
    chart.show_structure(replace(team, lines=(*team.lines, line(4, 5, "professional", people))))
    assert "2 lines cross organisations" in chart.summary.text()
    chart.professional.setChecked(False)
    assert "1 line crosses organisations" in chart.summary.text()
    lone = team.people[:1]
    chart.show_structure(Structure(DAY, lone, (), organisations=(NFT,)))
    assert chart.summary.text().startswith("1 person as at ")


def save_dialog_answering(monkeypatch, answer: Path) -> list[str]:
    """Answer each save dialog with `answer`; the file each suggested."""
    suggested: list[str] = []

    def ask(_parent, _caption, directory, _filter, *_args, **_kwargs):
        suggested.append(directory)
        return str(answer), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(ask))
    return suggested


def shown_problems(monkeypatch) -> list[tuple[str, str, str]]:
    """Each message box shown: its title, text and advice."""
    shown: list[tuple[str, str, str]] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(
        (box.windowTitle(), box.text(), box.informativeText())) or 0)
    return shown


def test_the_chart_is_saved_in_documents_named_for_today(chart, tmp_path: Path, monkeypatch):
    chart.show_structure(team_structure())
    suggested = save_dialog_answering(monkeypatch, tmp_path / "board")
    chart.png_button.click()
    chart.pdf_button.click()
    name = f"Organisation chart {date.today():%Y-%m-%d}"
    assert suggested == [str(documents_folder() / f"{name}.png"), str(documents_folder() / f"{name}.pdf")]


def test_a_picture_that_cannot_be_saved_says_where_and_what_to_do(chart, tmp_path: Path, monkeypatch):
    chart.show_structure(team_structure())
    target = tmp_path / "no such folder" / "board.png"
    save_dialog_answering(monkeypatch, target)
    problems = shown_problems(monkeypatch)
    chart.png_button.click()  # raised OSError into the unexpected-error dialog
    [(title, text, advice)] = problems
    assert title == "Cannot save the picture"
    assert text.startswith(f"The picture could not be saved as {target}: ") and "Choose a folder" in advice
    assert not target.parent.exists()


def test_a_pdf_the_file_system_refuses_says_where_and_what_to_do(chart, tmp_path: Path, monkeypatch):
    chart.show_structure(team_structure())
    target = tmp_path / f"{'Organisation chart ' * 20}.pdf"  # longer than a file name may be
    save_dialog_answering(monkeypatch, target)
    problems = shown_problems(monkeypatch)
    chart.pdf_button.click()
    [(title, text, advice)] = problems
    assert title == "Cannot save the PDF"
    assert str(target) in text and "name too long" in text and "Choose a folder" in advice


@pytest.mark.parametrize("width", [1200, 600])  # the save buttons on the filters' row, or wrapped under it
def test_tab_goes_through_the_controls_in_the_order_they_are_seen(chart, qtbot, width):
    chart.show_structure(team_structure())
    chart.resize(width, 800)
    chart.activateWindow()
    qtbot.waitActive(chart)
    chart.as_at.setFocus()
    order: list[QWidget] = []
    for _ in range(30):  # Tab first steps through the date's day, month and year
        focused = QApplication.focusWidget()
        if focused is chart.view:
            break
        if focused not in order:
            order.append(focused)
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    controls = [chart.as_at, chart.team, chart.organisation, chart.professional, chart.png_button, chart.pdf_button,
                chart.search, chart.find_button, chart.zoom_out, chart.zoom_in, chart.fit_button, chart.actual_size]
    assert set(order) == set(controls) and QApplication.focusWidget() is chart.view

    def place(widget: QWidget) -> QRectF:
        return QRectF(widget.mapTo(chart, QPoint(0, 0)), widget.size().toSizeF())

    assert (place(chart.png_button).top() > place(chart.as_at).bottom()) == (width < 1000)
    for before, after in pairwise(order):
        here, there = place(before), place(after)
        same_row = abs(here.center().y() - there.center().y()) < here.height() / 2
        assert (same_row and there.left() > here.left()) or there.center().y() > here.bottom(), \
            f"{before.accessibleName()} then {after.accessibleName()}"
