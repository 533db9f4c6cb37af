"""People & lines, driven as a manager would: build a team across organisations, change a manager from a date,
and see the structure before and after by moving the as-at date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from driving import only, save
from mnemonics import clashes, mnemonics, without_letters

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLabel

from jointlead.domain.reporting_lines import LineKind
from jointlead.services import overview, people
from jointlead.services.org_structure import structure_as_at
from jointlead.ui import people_dialogs, printing
from jointlead.ui.people_page import PeoplePage

TEAM = "North Locality CMHT"



@pytest.fixture
def page(window, demo_db) -> PeoplePage:
    window.set_database(demo_db)
    window.show_page("People & lines")
    return window.current_page()


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))
    assert combo.currentData() == data


def add_person(page, qtbot, name: str, employer: str, job: str) -> int:
    page.add_person()
    dialog = only(page, people_dialogs.PersonDialog)
    dialog.name.setText(name)
    choose(dialog.employer, employer)
    choose(dialog.team, TEAM)
    dialog.job_title.setText(job)
    dialog.profession.setText("social worker")
    dialog.start.setDate(QDate(2026, 1, 5))
    save(dialog, qtbot)
    page.status.setCurrentIndex(page.status.findText("Everyone"))
    page.status.activated.emit(page.status.currentIndex())
    return next(page.table.model.row_at(r).id for r in range(page.table.model.rowCount())
                if page.table.model.row_at(r).name == name)


def change_manager(page, qtbot, person_id: int, lead_id: int, from_day: date) -> None:
    page.open_person(person_id)
    page.change_line()
    dialog = only(page, people_dialogs.ChangeLineDialog)
    choose(dialog.kind, LineKind.MANAGERIAL)
    choose(dialog.lead, lead_id)
    dialog.from_date.setDate(QDate(from_day.year, from_day.month, from_day.day))
    save(dialog, qtbot)


def test_change_line_starts_with_no_new_lead_so_one_enter_moves_nobody(page, qtbot, messages):
    person = page.table.model.row_at(0)
    page.open_person(person.id)
    page.change_line()
    dialog = only(page, people_dialogs.ChangeLineDialog)
    assert dialog.lead.currentData() is None and dialog.warnings.text() == ""
    before = page.panel.text()
    qtbot.keyClick(dialog.lead, Qt.Key.Key_Return)
    save(dialog, qtbot)
    assert "Choose the new lead." in messages[-1] and dialog.isVisible()
    assert page.panel.text() == before


def test_reassign_starts_with_no_new_lead_and_finds_one_by_their_surname(page, demo_db, qtbot, messages):
    manager = row_of(page, "Emma White")
    page.open_person(manager.id)
    page.reassign()
    dialog = only(page, people_dialogs.ReassignDialog)
    assert dialog.lead.currentData() is None and dialog.plan.text() == "Pick the new lead to see who moves."
    save(dialog, qtbot)
    assert "Choose the new lead." in messages[-1] and dialog.isVisible()

    new_lead = row_of(page, "Lucy Robinson")
    dialog.lead.setEditText("robinson")  # their surname alone, as typed
    save(dialog, qtbot)
    assert messages[1:] == []
    assert dialog.lead.currentData() == new_lead.id  # shown, so the form says whom they moved to
    moved = [line for line in structure_as_at(demo_db, date(2026, 11, 20)).lines
             if line.kind == "managerial" and line.lead_id == new_lead.id]
    assert moved and not [line for line in structure_as_at(demo_db, date(2026, 11, 20)).lines
                          if line.kind == "managerial" and line.lead_id == manager.id]


def as_at(page, day: date) -> None:
    page.as_at.setDate(QDate(day.year, day.month, day.day))


def row_of(page, name: str):
    return next(page.table.model.row_at(r) for r in range(page.table.model.rowCount())
                if page.table.model.row_at(r).name == name)


def chart_line_of(page, person_id: int):
    return [line for line in page.chart.structure.lines if line.person_id == person_id and line.kind == "managerial"]


def test_a_team_across_organisations_and_a_manager_changed_from_a_date(window, page, qtbot, messages):
    worker = add_person(page, qtbot, "Zara Quinn", "NCC", "Social Worker")
    nhs_manager = add_person(page, qtbot, "Yusuf Osei", "NFT", "Team Manager")
    council_manager = add_person(page, qtbot, "Xavier Lloyd", "NCC", "Senior Social Worker")
    assert messages == []

    change_manager(page, qtbot, worker, nhs_manager, date(2026, 2, 1))
    change_manager(page, qtbot, worker, council_manager, date(2026, 10, 1))
    assert messages == []

    # Before the change: managed across the boundary, by the NHS team manager.
    as_at(page, date(2026, 6, 1))
    before = row_of(page, "Zara Quinn")
    assert (before.line_manager, before.line_manager_org) == ("Yusuf Osei", "NFT")
    assert before.managed_across_boundary
    [line] = chart_line_of(page, worker)
    assert line.lead_id == nhs_manager and line.cross_organisation
    assert page.chart.structure.as_at == date(2026, 6, 1)

    # After it: within the council.
    as_at(page, date(2026, 11, 20))
    after = row_of(page, "Zara Quinn")
    assert (after.line_manager, after.line_manager_org) == ("Xavier Lloyd", "NCC")
    assert not after.managed_across_boundary
    [line] = chart_line_of(page, worker)
    assert line.lead_id == council_manager and not line.cross_organisation

    # The person panel keeps the whole history, and the first line was never overwritten.
    page.open_person(worker)
    text = page.panel.text()
    assert "Xavier Lloyd" in text and "Yusuf Osei" in text and "across organisations" in text
    assert "01 Feb 2026 – 30 Sep 2026" in text

    # Edit > Undo takes the change back.
    window.undo_stack.undo()
    assert row_of(page, "Zara Quinn").line_manager == "Yusuf Osei"


def test_a_finding_opens_the_person_it_is_about(page):
    page.tabs.setCurrentIndex(2)
    row = next(r for r in range(page.findings.model.rowCount()) if page.findings.model.row_at(r)[1])
    name = page.findings.model.row_at(row)[1]
    page.findings.view.activated.emit(page.findings.model.index(row, 0))
    assert page.tabs.currentIndex() == 0
    assert page.table.current_row().name == name
    assert name in page.panel.text()
    assert page.window().focusWidget() is page.table.view  # the keys go on from the person, not a hidden tab


def test_a_leaver_is_previewed_then_recorded(page, qtbot, messages):
    manager = next(page.table.model.row_at(r) for r in range(page.table.model.rowCount())
                   if page.table.model.row_at(r).name == "Emma White")
    page.open_person(manager.id)
    page.record_leaver()
    dialog = only(page, people_dialogs.LeaverDialog)
    assert "Will need someone new" in dialog.needs.text()
    save(dialog, qtbot)
    assert messages == []
    page.status.setCurrentIndex(page.status.findText("Everyone"))
    page.status.activated.emit(page.status.currentIndex())
    as_at(page, date(2026, 11, 21))
    assert not row_of(page, "Emma White").active


def test_a_mistyped_year_is_refused_in_words_and_the_dialog_stays_open_to_correct_it(page, qtbot, messages):
    people_before = page.table.model.total_rows
    page.add_person()
    dialog = only(page, people_dialogs.PersonDialog)
    dialog.name.setText("Ann Other")
    dialog.start.setDate(QDate(2062, 1, 5))
    save(dialog, qtbot)
    assert len(messages) == 1 and "The start date, 5 January 2062, is more than 2 years from today" in messages[0]
    assert "Check the year." in messages[0]
    assert dialog.isVisible()
    dialog.start.setDate(QDate(2027, 1, 5))
    save(dialog, qtbot)
    assert not dialog.isVisible()
    assert page.table.model.total_rows == people_before + 1


def team_choices(page) -> list[str]:
    """The teams Add person offers, after "Outside the team"."""
    page.add_person()
    dialog = only(page, people_dialogs.PersonDialog)
    offered = [dialog.team.itemText(i) for i in range(dialog.team.count())]
    dialog.reject()
    return offered


def test_a_first_team_added_in_a_new_database_is_offered_when_adding_a_person(window, empty_db, qtbot, messages):
    window.set_database(empty_db)
    window.show_page("People & lines")
    page = window.current_page()
    assert team_choices(page) == ["Outside the team"]

    page.add_team()
    dialog = only(page, people_dialogs.TeamDialog)
    assert "No team is recorded yet." in dialog.findChild(QLabel).text()
    dialog.name.setText("  Crisis Resolution Team ")
    save(dialog, qtbot)
    assert messages == [] and not dialog.isVisible()
    assert team_choices(page) == ["Outside the team", "Crisis Resolution Team"]

    # A second team of the same name, whatever its case, is refused in words, and the dialog stays open to fix it.
    page.add_team()
    again = only(page, people_dialogs.TeamDialog)
    again.name.setText("crisis resolution team")
    save(again, qtbot)
    assert len(messages) == 1 and "There is already a team called 'Crisis Resolution Team'." in messages[0]
    assert again.isVisible()
    again.reject()

    # A person placed in it is one of the team: counted as staff, not shown as outside the team.
    page.add_person()
    person = only(page, people_dialogs.PersonDialog)
    person.name.setText("Zara Quinn")
    choose(person.team, "Crisis Resolution Team")
    save(person, qtbot)
    assert row_of(page, "Zara Quinn").team == "Crisis Resolution Team"

    # Undo of the team while someone is in it (added by another user: here, Undo would take the person back first)
    # is refused, and stays on offer: once the team is empty again, Undo takes it back.
    window.undo_stack.undo()  # the person
    people.add_person(window.database, people.PersonFields("Yusuf Obi", team="Crisis Resolution Team"))
    window.undo_stack.undo()
    assert "it would remove the team 'Crisis Resolution Team', and 1 person is in it now" in messages[-1]
    qtbot.waitUntil(lambda: window.undo_stack.undoText() == "add team Crisis Resolution Team")
    assert team_choices(page) == ["Outside the team", "Crisis Resolution Team"]
    yusuf = next(r.id for r in overview.people(window.database, window._today()) if r.name == "Yusuf Obi")
    people.edit_person(window.database, yusuf, replace(people.person_fields(window.database, yusuf), team=None))
    window.undo_stack.undo()
    assert team_choices(page) == ["Outside the team"]


def test_the_charts_own_date_stays_through_a_change_and_follows_the_pages_when_that_is_chosen(page, qtbot):
    """A board's date chosen for the chart is not lost to an edit made meanwhile (Save PDF would print today's
    structure under it); choosing the page's date moves the chart with it."""
    page.tabs.setCurrentWidget(page.chart)
    page.chart.as_at.setDate(QDate(2026, 10, 31))
    assert page.chart.structure.as_at == date(2026, 10, 31)
    assert page.editor.run(lambda database: people.add_team(database, "Crisis Team"))
    assert page.chart.structure.as_at == date(2026, 10, 31)
    as_at(page, date(2026, 6, 1))
    assert page.chart.structure.as_at == date(2026, 6, 1)


def test_the_charts_own_save_pdf_names_the_database_at_the_foot_of_each_page(page, demo_db, monkeypatch):
    saved = []
    monkeypatch.setattr(printing, "save_pdf_with_dialog", lambda _parent, printout, _path: saved.append(printout))
    page.tabs.setCurrentWidget(page.chart)
    page.chart.pdf_button.click()

    [printout] = saved
    assert printout.footer.endswith(f"— {demo_db.name}")  # as File > Save as PDF… says


def test_a_professional_line_no_longer_needed_is_ended_with_nobody_taking_it_over(window, page, demo_db, qtbot,
                                                                                 messages):
    person = next(page.table.model.row_at(r) for r in range(page.table.model.rowCount())
                  if page.table.model.row_at(r).professional_lead)
    page.open_person(person.id)
    page.end_line()
    dialog = only(page, people_dialogs.EndLineDialog)
    choice = dialog.line.findText(f"Professional: {person.professional_lead} ({person.professional_lead_org}), since",
                                  Qt.MatchFlag.MatchStartsWith)
    assert choice >= 0
    dialog.line.setCurrentIndex(choice)
    save(dialog, qtbot)  # its last day: today, 20 November
    assert messages == []
    assert row_of(page, person.name).professional_lead == person.professional_lead  # still theirs today
    as_at(page, date(2026, 11, 21))
    assert row_of(page, person.name).professional_lead == ""  # and nobody's from tomorrow
    assert "Done: end " in window.statusBar().currentMessage()

    window.undo_stack.undo()
    assert row_of(page, person.name).professional_lead == person.professional_lead


def test_end_line_for_someone_with_no_line_left_says_so(page, demo_db, qtbot, messages):
    person_id = add_person(page, qtbot, "Wendy Newcome", "NCC", "Social Worker")
    page.open_person(person_id)
    page.end_line()
    assert len(messages) == 1 and "Wendy Newcome has no line in force on 20 Nov 2026" in messages[0]
    assert not [d for d in page.findChildren(people_dialogs.EndLineDialog) if d.isVisible()]


def test_a_wide_window_widens_the_people_table_not_the_persons_panel(window, page, qtbot):
    from PySide6.QtWidgets import QSplitter

    [splitter] = page.findChildren(QSplitter)
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: splitter.width() < 1100)
    narrow = splitter.sizes()
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: splitter.width() > 1500)
    wide = splitter.sizes()
    assert wide[1] == narrow[1] and wide[0] > narrow[0] + 500


def test_a_button_pressed_with_nobody_chosen_asks_for_a_person_and_tabbing_into_the_list_chooses_nobody(
        page, messages, qtbot):
    # Qt makes a table's first row current when it gains focus: pressed again, the button acted on whoever was
    # first in the list (Enter then recorded them as leaving).
    for _press in range(2):
        page.record_leaver()
        assert messages[-1].startswith("Record leaver Choose a person first")
        assert page.table.view.hasFocus() and page.table.current_row() is None
    assert not page.findChildren(people_dialogs.LeaverDialog)
    qtbot.keyClick(page.table.view, Qt.Key.Key_Down)  # the arrow keys start at the top
    assert page.table.current_row() is page.table.model.row_at(0)


def test_tab_leaves_a_date_that_is_not_set_so_the_fields_after_it_and_save_can_be_reached(page, qtbot):
    page.add_person()
    dialog = only(page, people_dialogs.PersonDialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.start.text() == "Not set"
    for key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
        dialog.start.setFocus(Qt.FocusReason.TabFocusReason)
        assert dialog.start.hasFocus()
        qtbot.keyClick(dialog.start, key)
        assert not dialog.start.hasFocus()  # it kept the focus for ever


@pytest.mark.parametrize("view", ["People", "Org chart", "Findings"])
def test_each_button_and_tab_in_sight_has_an_alt_letter_of_its_own_clear_of_the_menus(window, page, view):
    page.tabs.setCurrentWidget(page.views[view])
    on_page = mnemonics(page)
    assert "Findings (5)" in on_page  # the tab keeps its letter as its number changes
    assert without_letters(on_page) == []  # "+", "−" and "100%" (the chart's zoom) have no letter to give
    assert clashes(mnemonics(window)) == []  # nor does any share its letter with another in sight, or with a menu


def test_alt_and_a_buttons_letter_presses_it(window, page, qtbot, messages):
    from PySide6.QtTest import QTest

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page.table.search.setFocus()
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # Record &leaver…
    qtbot.waitUntil(lambda: bool(messages))  # a button's letter clicks it as the mouse would, a moment later
    assert messages[-1].startswith("Record leaver Choose a person first")
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # F&indings
    assert page.tabs.currentWidget() is page.views["Findings"]


def test_at_1280_by_800_the_people_table_shows_name_employer_job_title_and_both_lines(window, page, qtbot):
    from PySide6.QtWidgets import QApplication

    from jointlead.ui.people_page import JOB_TITLE_WIDTH

    window.resize(1280, 800)
    for _ in range(3):
        QApplication.processEvents()
    view, header = page.table.view, page.table.view.horizontalHeader()
    in_sight = [page.table.model.columns[c].header for c in range(header.count())
                if header.sectionViewportPosition(c) >= 0
                and header.sectionViewportPosition(c) + header.sectionSize(c) <= view.viewport().width()]
    assert in_sight[:5] == ["Name", "Employer", "Job title", "Line manager", "Professional lead"]
    # A long job title is cut short with its whole text in the cell's tooltip; the person's details keep room.
    model = page.table.model
    row = next(r for r in range(model.rowCount()) if len(model.row_at(r).job_title) > 30)
    assert header.sectionSize(2) == JOB_TITLE_WIDTH
    assert model.index(row, 2).data(Qt.ItemDataRole.ToolTipRole) == model.row_at(row).job_title
    assert page.panel.parentWidget().parentWidget().width() >= 280


def test_what_the_findings_come_to_is_said_of_one_as_of_many():
    from jointlead.domain.findings import Finding, Severity
    from jointlead.ui.people_page import findings_summary

    warning, note = Finding(Severity.WARNING, "w", "W"), Finding(Severity.INFORMATION, "i", "I")
    assert findings_summary([], 0) == ""
    assert findings_summary([warning], 1) == ("1 needs action (errors and warnings, which the dashboard counts among "
                                              "its data-quality findings).")
    assert findings_summary([note, note], 3) == ("Of the 2 shown, none needs action; 2 are for information only, "
                                                 "such as lines across organisations, and not counted.")
    assert findings_summary([warning, note], 2).endswith("; 1 is for information only, such as lines across "
                                                         "organisations, and not counted.")
