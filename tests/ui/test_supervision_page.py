"""Supervision, driven as a manager would: record a session in seconds and watch the dashboard catch up."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from driving import only, save
from mnemonics import clashes, mnemonics, without_letters
from sqlalchemy import func, select

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox

from conftest import DEMO_TODAY
from jointlead.domain.supervision import Status
from jointlead.services import supervision
from jointlead.store.models import SupervisionSession
from jointlead.ui import supervision_dialogs
from jointlead.ui.supervision_page import caseload_summary


def test_recording_a_session_takes_a_person_from_overdue_to_in_date_on_the_dashboard(window, demo_db, qtbot,
                                                                                      messages):
    window.set_database(demo_db)
    tile = window.dashboard.tiles["Supervision needing action"]
    before = int(tile.value_text())
    assert "James Fletcher" in tile.detail_text()

    window.show_page("Supervision")
    page = window.current_page()
    first = page.needing.model.row_at(0)
    assert (first.supervisee, first.status) == ("James Fletcher", Status.NEVER_HELD)
    page.needing.view.selectRow(0)
    page.record_session()
    dialog = only(page, supervision_dialogs.SessionDialog)
    # Everything defaults from the arrangement: the manager only confirms.
    assert dialog.supervisee.currentData() == first.supervisee_id
    assert dialog.kind.currentData() == "professional"
    assert dialog.supervisor.itemText(0).startswith("Emma White")
    qtbot.keyClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.Key.Key_Space)
    assert messages == []

    everyone = {(r.supervisee, r.supervision_type): r for r in supervision.compliance(
        demo_db, window._today()).rows}
    assert everyone[("James Fletcher", "professional")].status == Status.IN_DATE
    assert page.needing.model.total_rows == before - 1

    window.show_page("Dashboard")
    assert int(tile.value_text()) == before - 1
    assert "James Fletcher" not in tile.detail_text()

    window.undo_stack.undo()  # and back again
    window.show_page("Dashboard")
    assert int(tile.value_text()) == before


def test_a_group_session_is_recorded_once_for_several_supervisees(window, demo_db, qtbot, messages):
    window.set_database(demo_db)
    window.show_page("Supervision")
    page = window.current_page()
    page.group_session()
    dialog = only(page, supervision_dialogs.GroupSessionDialog)
    dialog.lead.setCurrentIndex(5)  # someone not in the group
    came = [dialog.attended.item(i) for i in range(3)]
    for item in came:
        item.setCheckState(Qt.CheckState.Checked)
    dialog.absent.item(3).setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert messages == []
    names = {item.text().rsplit(" (", 1)[0] for item in came}
    for name in names:
        person = next(p for p in supervision.compliance(demo_db, window._today()).rows if p.supervisee == name)
        sessions = supervision.person_supervision(demo_db, person.supervisee_id, window._today()).sessions
        assert sessions[0].group_key and sessions[0].status == "held"


def test_the_exported_compliance_workbook_matches_the_screen(window, demo_db, qtbot, tmp_path):
    import openpyxl

    from jointlead.ui.export_dialog import EXPORTS, ExportDialog

    window.set_database(demo_db)
    window.show_page("Supervision")
    page = window.current_page()
    shown = {page.breakdown.model.row_at(r)[1].group: page.breakdown.model.row_at(r)[1]
             for r in range(page.breakdown.model.rowCount()) if page.breakdown.model.row_at(r)[0] == "Employer"}
    window.export_action.trigger()
    dialog = window.findChild(ExportDialog)
    dialog.what.setCurrentIndex([kind.label for kind in EXPORTS].index("Supervision compliance"))
    dialog.organisation.setCurrentIndex(dialog.organisation.findData("NCC"))
    out = tmp_path / "ncc supervision.xlsx"
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.findChildren(ExportDialog) and str(out) in window.statusBar().currentMessage())
    summary = openpyxl.load_workbook(out)["Summary"]
    headers = [cell.value for cell in summary[1]]
    everything = dict(zip(headers, [cell.value for cell in summary[2]], strict=True))
    ncc = shown["NCC"]
    assert everything["Arrangements"] == "All arrangements"
    assert everything["In scope"] == ncc.in_scope
    assert f"{everything['Compliance %']:.1%}" == ncc.percent_text  # as a 0.0% cell shows it
    people = openpyxl.load_workbook(out)["People"]
    assert people.max_row - 1 == sum(1 for r in range(page.everyone.model.rowCount())
                                     if page.everyone.model.row_at(r).organisation == "NCC")


def test_a_supervisor_changes_from_a_date_and_the_history_is_kept(window, demo_db, qtbot, messages):
    from PySide6.QtCore import QDate

    window.set_database(demo_db)
    window.show_page("Supervision")
    page = window.current_page()
    page.tabs.setCurrentIndex(1)
    row = next(r for r in range(page.everyone.model.rowCount())
               if page.everyone.model.row_at(r).supervisor and page.everyone.model.row_at(r).arrangement_id)
    before = page.everyone.model.row_at(row)
    page.everyone.view.selectRow(row)
    page.change_supervisor()
    dialog = only(page, supervision_dialogs.ChangeSupervisorDialog)
    dialog.from_date.setDate(QDate(2026, 11, 20))
    assert dialog.supervisor.currentData() is None  # nobody until chosen: one Enter moves nobody's supervision
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert "Choose the new supervisor." in messages[-1] and dialog.isVisible()
    messages.clear()
    dialog.supervisor.setCurrentIndex(0)
    new_supervisor = dialog.supervisor.currentData()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert messages == []
    now = next(r for r in supervision.compliance(demo_db, window._today()).rows
               if r.supervisee_id == before.supervisee_id and r.supervision_type == before.supervision_type)
    assert now.supervisor_id == new_supervisor and now.arrangement_id != before.arrangement_id


def _select(page, supervisee: str, supervision_type: str) -> supervision.ComplianceRow:
    """Select someone's arrangement of a type on Everyone, as a manager clicks its row."""
    page.tabs.setCurrentWidget(page.everyone)
    model = page.everyone.model
    row = next(r for r in range(model.rowCount())
               if (model.row_at(r).supervisee, model.row_at(r).supervision_type) == (supervisee, supervision_type))
    page.everyone.view.selectRow(row)
    return model.row_at(row)


def _recorded_supervisor(demo_db, person_id: int, supervision_type: str, on) -> str:
    sessions = supervision.person_supervision(demo_db, person_id, DEMO_TODAY, recent=100).sessions
    return next(s.supervisor for s in sessions if (s.supervision_type, s.session_date) == (supervision_type, on))


@pytest.fixture
def page(window, demo_db):
    """The Supervision page on the demo service."""
    window.set_database(demo_db)
    window.show_page("Supervision")
    return window.current_page()


def test_changing_the_type_shows_and_records_the_supervisor_arranged_for_that_type(page, demo_db, qtbot, messages):
    chosen = _select(page, "Andrew Thomas", "managerial")
    page.record_session()
    dialog = only(page, supervision_dialogs.SessionDialog)
    assert dialog.kind.currentData() == "managerial"  # due soonest: overdue
    assert dialog.supervisor.currentText() == "Emma White (arranged)"

    dialog.kind.setCurrentIndex(dialog.kind.findData("professional"))
    # Not the managerial supervisor still on show while the professional one is recorded.
    assert dialog.supervisor.currentText() == "Lucy Robinson (arranged)"
    save(dialog, qtbot)
    assert messages == []
    assert _recorded_supervisor(demo_db, chosen.supervisee_id, "professional", DEMO_TODAY) == "Lucy Robinson"


def test_recording_from_a_row_starts_at_that_rows_type_not_the_one_due_soonest(page, demo_db, qtbot, messages):
    _select(page, "Andrew Thomas", "professional")  # his managerial supervision is the one due soonest (overdue)
    page.record_session()
    dialog = only(page, supervision_dialogs.SessionDialog)
    assert (dialog.kind.currentData(), dialog.supervisor.currentText()) == ("professional", "Lucy Robinson (arranged)")

    # Another supervisee chosen in the dialog starts at theirs due soonest again.
    dialog.supervisee.setCurrentIndex(dialog.supervisee.findText("James Fletcher", Qt.MatchFlag.MatchStartsWith))
    assert (dialog.kind.currentData(), dialog.supervisor.currentText()) == ("professional", "Emma White (arranged)")


def test_the_duration_starts_at_the_policys_minimum_for_the_supervision_chosen_until_typed_over(page, demo_db,
                                                                                                qtbot, messages):
    chosen = _select(page, "Tom Mason", "professional")  # a social worker: 90 minutes at least
    assert chosen.profession == "social worker" and chosen.min_minutes == 90
    page.record_session()
    dialog = only(page, supervision_dialogs.SessionDialog)
    assert dialog.duration.value() == 90
    dialog.kind.setCurrentIndex(dialog.kind.findData("managerial"))  # no minimum set
    assert dialog.duration.value() == supervision_dialogs.USUAL_MINUTES
    dialog.duration.setValue(75)  # as it was
    dialog.kind.setCurrentIndex(dialog.kind.findData("professional"))
    assert dialog.duration.value() == 75
    save(dialog, qtbot)
    assert messages == []
    sessions = supervision.person_supervision(demo_db, chosen.supervisee_id, DEMO_TODAY).sessions
    assert (sessions[0].supervision_type, sessions[0].duration_minutes) == ("professional", 75)


def test_a_type_with_nothing_arranged_says_so_and_records_no_supervisor(page, demo_db, qtbot, messages):
    chosen = _select(page, "Andrew Thomas", "managerial")
    page.record_session()
    dialog = only(page, supervision_dialogs.SessionDialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("safeguarding"))
    assert dialog.supervisor.currentText() == "No safeguarding supervision arranged"
    save(dialog, qtbot)
    assert messages == []
    assert _recorded_supervisor(demo_db, chosen.supervisee_id, "safeguarding", DEMO_TODAY) == ""


def test_a_backdated_session_shows_and_records_the_supervisor_arranged_on_its_day(page, demo_db, qtbot, messages):
    from PySide6.QtCore import QDate

    now = _select(page, "Sophie Richards", "managerial")
    on = date(2026, 6, 15)  # before her managerial supervision moved to its present supervisor
    then = next(r for r in supervision.compliance(demo_db, on).rows
                if (r.supervisee_id, r.supervision_type) == (now.supervisee_id, "managerial"))
    assert then.supervisor != now.supervisor
    page.record_session()
    dialog = only(page, supervision_dialogs.SessionDialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("managerial"))
    assert dialog.supervisor.currentText() == f"{now.supervisor} (arranged)"

    dialog.on.setDate(QDate(on.year, on.month, on.day))
    assert dialog.supervisor.currentText() == f"{then.supervisor} (arranged)"
    save(dialog, qtbot)
    assert messages == []
    assert _recorded_supervisor(demo_db, now.supervisee_id, "managerial", on) == then.supervisor


@pytest.mark.parametrize(("button", "dialog_kind"), [
    ("change_supervisor", supervision_dialogs.ChangeSupervisorDialog),
    ("end_arrangement", supervision_dialogs.EndArrangementDialog),
    ("agreement_signed", supervision_dialogs.AgreementSignedDialog),
    ("remove_arrangement", supervision_dialogs.AgreementSignedDialog)])  # remove asks in a message box
def test_changing_or_ending_with_no_arrangement_chosen_says_what_to_choose(page, messages, button, dialog_kind):
    page.tabs.setCurrentWidget(page.trend)
    getattr(page, button)()
    assert len(messages) == 1 and "Choose the arrangement" in messages[0]
    assert not [d for d in page.findChildren(dialog_kind) if d.isVisible()]
    assert page.tabs.currentWidget() is page.everyone  # where to choose one


@pytest.mark.parametrize("button", ["change_supervisor", "end_arrangement", "agreement_signed", "remove_arrangement"])
def test_changing_or_ending_a_need_with_nothing_arranged_says_to_arrange_it(page, messages, button):
    model = page.needing.model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).status == Status.NOT_IN_PLACE)
    page.needing.view.selectRow(row)
    getattr(page, button)()
    need = model.row_at(row)
    assert len(messages) == 1
    assert f"{need.supervisee} has no {need.supervision_type} supervision arranged" in messages[0]
    assert "Arrange…" in messages[0]


def _unsigned(page) -> supervision.ComplianceRow:
    """Select an arrangement on Everyone with no signed agreement recorded."""
    page.tabs.setCurrentWidget(page.everyone)
    model = page.everyone.model
    row = next(r for r in range(model.rowCount())
               if model.row_at(r).arrangement_id is not None and model.row_at(r).agreement_signed is None)
    page.everyone.view.selectRow(row)
    return model.row_at(row)


def _signed_cell(page, chosen: supervision.ComplianceRow) -> str:
    model = page.everyone.model
    column = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal)
                  == "Agreement\nsigned")
    return next(model.index(r, column).data() for r in range(model.rowCount())
                if model.row_at(r).arrangement_id == chosen.arrangement_id)


def test_an_agreement_signed_later_is_recorded_from_its_row_and_can_be_cleared(window, page, demo_db, qtbot,
                                                                               messages):
    chosen = _unsigned(page)
    assert _signed_cell(page, chosen) == "not signed"
    page.agreement_signed()
    dialog = only(page, supervision_dialogs.AgreementSignedDialog)
    assert chosen.supervisee in dialog.findChild(QLabel).text()
    assert dialog.not_signed is None  # nothing recorded to clear
    dialog.signed.setDate(dialog.signed.date().addDays(-3))
    save(dialog, qtbot)
    assert messages == []
    assert _signed_cell(page, chosen) == "17 Nov 2026"

    page.tabs.setCurrentWidget(page.everyone)
    model = page.everyone.model
    page.everyone.view.selectRow(next(r for r in range(model.rowCount())
                                      if model.row_at(r).arrangement_id == chosen.arrangement_id))
    page.agreement_signed()
    dialog = only(page, supervision_dialogs.AgreementSignedDialog)
    assert dialog.signed.date().toPython() == date(2026, 11, 17)  # opens at the day recorded, to correct it
    dialog.not_signed.setChecked(True)
    assert not dialog.signed.isEnabled()
    save(dialog, qtbot)
    assert messages == []
    assert _signed_cell(page, chosen) == "not signed"

    window.undo_stack.undo()
    assert _signed_cell(page, chosen) == "17 Nov 2026"


def test_an_arrangement_made_by_mistake_is_removed_after_asking_and_undo_puts_it_back(window, page, demo_db,
                                                                                      monkeypatch, messages):
    chosen = _select(page, "Andrew Thomas", "professional")
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda _parent, _title, text: asked.append(text) or QMessageBox.StandardButton.No))
    page.remove_arrangement()
    assert "Andrew Thomas's professional supervision arrangement with Lucy Robinson" in asked[0]
    assert "End arrangement…" in asked[0]  # what to use for one that has simply come to an end
    assert _arranged(demo_db, chosen) == chosen.supervisor  # not removed: the manager said no

    _select(page, "Andrew Thomas", "professional")
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *_args: QMessageBox.StandardButton.Yes))
    page.remove_arrangement()
    assert messages == []
    assert _arranged(demo_db, chosen) is None
    window.undo_stack.undo()
    assert _arranged(demo_db, chosen) == chosen.supervisor


def _arranged(demo_db, chosen: supervision.ComplianceRow) -> str | None:
    """Who supervises the chosen person in the chosen type today, or None with nothing arranged."""
    row = next(r for r in supervision.compliance(demo_db, DEMO_TODAY).rows
               if (r.supervisee_id, r.supervision_type) == (chosen.supervisee_id, chosen.supervision_type))
    return row.supervisor if row.arrangement_id is not None else None


def _sessions(demo_db) -> int:
    with demo_db.session() as session:
        return session.scalar(select(func.count()).select_from(SupervisionSession))


def _record_session_with_no_row_chosen(page) -> supervision_dialogs.SessionDialog:
    page.tabs.setCurrentWidget(page.trend)
    page.record_session()
    return only(page, supervision_dialogs.SessionDialog)


def test_record_session_with_no_row_chosen_starts_with_nobody_and_enter_records_nothing(page, demo_db, qtbot,
                                                                                         messages):
    before = _sessions(demo_db)
    dialog = _record_session_with_no_row_chosen(page)
    assert dialog.supervisee.currentText() == "" and dialog.supervisee.currentData() is None
    qtbot.keyClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.Key.Key_Space)
    assert len(messages) == 1 and "Choose who was supervised." in messages[0]
    assert dialog.isVisible() and _sessions(demo_db) == before

    dialog.supervisee.setEditText("Nobody Of That Name")
    save(dialog, qtbot)
    assert "Nobody recorded is called 'Nobody Of That Name'." in messages[-1]
    assert dialog.supervisee.findText("Nobody Of That Name") == -1  # not added to the list of people
    assert _sessions(demo_db) == before


def test_record_session_finds_a_supervisee_by_their_surname_and_asks_which_when_several_match(page, demo_db, qtbot,
                                                                                               messages):
    before = _sessions(demo_db)
    dialog = _record_session_with_no_row_chosen(page)
    dialog.supervisee.setEditText("a")  # in very many names: nothing is picked for the user
    save(dialog, qtbot)
    assert "people's names hold 'a':" in messages[-1] and _sessions(demo_db) == before
    listed = [dialog.supervisee.itemText(i) for i in range(dialog.supervisee.count())]  # "Emma Hall (NFT)"
    names = [text.split(" (")[0] for text in listed]
    name, surname = next((n, n.split()[-1]) for n in names
                         if sum(n.split()[-1].casefold() in text.casefold() for text in listed) == 1)
    dialog.supervisee.setEditText(surname.lower())  # their surname alone, as typed
    save(dialog, qtbot)
    assert _sessions(demo_db) == before + 1
    assert page.window().statusBar().currentMessage().startswith(f"Done: record {name}'s ")


def test_a_supervisee_typed_rather_than_picked_keeps_the_type_and_supervisor_the_form_shows(page, demo_db, qtbot,
                                                                                          messages):
    dialog = _record_session_with_no_row_chosen(page)
    dialog.supervisee.setEditText("James Fl")  # typed, never picked from the list
    dialog.kind.setCurrentIndex(dialog.kind.findData("safeguarding"))
    assert dialog.supervisor.currentText() == "The arranged supervisor"
    save(dialog, qtbot)
    assert messages == []
    # Was: his professional supervision due soonest, with its supervisor, recorded in place of what the form showed.
    james = next(r.supervisee_id for r in supervision.compliance(demo_db, DEMO_TODAY).rows
                 if r.supervisee == "James Fletcher")
    latest = supervision.person_supervision(demo_db, james, DEMO_TODAY).sessions[0]
    assert (latest.session_date, latest.supervision_type, latest.supervisor) == (DEMO_TODAY, "safeguarding", "")

    dialog = _record_session_with_no_row_chosen(page)  # and a supervisor chosen by name stays chosen
    dialog.supervisee.setEditText("James Fl")
    dialog.kind.setCurrentIndex(dialog.kind.findData("group"))
    dialog.supervisor.setCurrentIndex(dialog.supervisor.findText("Emma Hall", Qt.MatchFlag.MatchStartsWith))
    save(dialog, qtbot)
    assert messages == []
    latest = supervision.person_supervision(demo_db, james, DEMO_TODAY).sessions[0]
    assert (latest.supervision_type, latest.supervisor) == ("group", "Emma Hall")


def test_arrange_with_no_row_chosen_starts_with_nobody_and_finds_both_people_by_name(page, demo_db, qtbot,
                                                                                     messages):
    page.tabs.setCurrentWidget(page.trend)
    page.arrange()
    dialog = only(page, supervision_dialogs.ArrangementDialog)
    assert dialog.supervisee.currentData() is None and dialog.supervisor.currentData() is None
    save(dialog, qtbot)
    assert "Choose who is to be supervised." in messages[-1] and dialog.isVisible()

    dialog.supervisee.setEditText("Andrew Tho")
    dialog.kind.setCurrentIndex(dialog.kind.findData("safeguarding"))
    save(dialog, qtbot)
    assert "Choose the supervisor." in messages[-1] and dialog.isVisible()
    dialog.supervisor.setEditText("robinson")
    messages.clear()
    save(dialog, qtbot)
    assert messages == []
    arranged = {(r.supervisee, r.supervision_type): r.supervisor
                for r in supervision.compliance(demo_db, DEMO_TODAY).rows}
    assert arranged[("Andrew Thomas", "safeguarding")] == "Lucy Robinson"


def test_a_group_session_names_nobody_as_its_lead_until_chosen(page, demo_db, qtbot, messages):
    before = _sessions(demo_db)
    page.group_session()
    dialog = only(page, supervision_dialogs.GroupSessionDialog)
    assert dialog.lead.currentData() is None
    dialog.attended.item(0).setCheckState(Qt.CheckState.Checked)
    qtbot.keyClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.Key.Key_Space)
    assert "Choose who led the session." in messages[-1] and _sessions(demo_db) == before


def _tick(field, name: str) -> None:
    item = next(field.item(i) for i in range(field.count()) if field.item(i).text().startswith(f"{name} ("))
    item.setCheckState(Qt.CheckState.Checked)


def test_a_group_session_counts_as_group_supervision_for_those_who_have_it_arranged(page, demo_db, qtbot, messages):
    people = {r.supervisee: r.supervisee_id for r in supervision.compliance(demo_db, DEMO_TODAY).rows}
    for name in ("Ben Bennett", "Megan Lloyd"):
        supervision.add_arrangement(demo_db, people[name], "group", people["Emma Hall"], date(2026, 6, 1),
                                    interval_days=31, today=DEMO_TODAY)
    page.group_session()
    dialog = only(page, supervision_dialogs.GroupSessionDialog)
    assert dialog.kind.findData("group") >= 0  # was: every type but group on offer
    assert dialog.kind.currentData() == "professional"  # nobody ticked has group supervision arranged yet
    dialog.lead.setEditText("Emma Hall")
    _tick(dialog.attended, "Ben Bennett")
    assert dialog.kind.currentData() == "group"
    _tick(dialog.attended, "Megan Lloyd")
    save(dialog, qtbot)
    assert messages == []
    rows = {(r.supervisee, r.supervision_type): r for r in supervision.compliance(demo_db, DEMO_TODAY).rows}
    for name in ("Ben Bennett", "Megan Lloyd"):  # was: never held, however many group sessions were recorded
        assert (rows[(name, "group")].status, rows[(name, "group")].last_held) == (Status.IN_DATE, DEMO_TODAY)


def test_the_type_a_group_session_counts_as_once_chosen_stays_as_people_are_ticked(page, demo_db, qtbot, messages):
    people = {r.supervisee: r.supervisee_id for r in supervision.compliance(demo_db, DEMO_TODAY).rows}
    supervision.add_arrangement(demo_db, people["Ben Bennett"], "group", people["Emma Hall"], date(2026, 6, 1),
                                today=DEMO_TODAY)
    page.group_session()
    dialog = only(page, supervision_dialogs.GroupSessionDialog)
    assert dialog.kind.currentData() == "professional"
    qtbot.keyClick(dialog.kind, Qt.Key.Key_Down)  # to the next type
    assert dialog.kind.currentData() == "safeguarding"
    _tick(dialog.attended, "Ben Bennett")
    assert dialog.kind.currentData() == "safeguarding"


def test_enter_on_a_row_opens_its_session_and_the_status_bar_says_what_was_recorded_and_undone(window, page, demo_db,
                                                                                               qtbot, messages):
    chosen = _select(page, "Andrew Thomas", "professional")
    qtbot.keyClick(page.everyone.view, Qt.Key.Key_Return)
    [dialog] = [d for d in page.findChildren(supervision_dialogs.SessionDialog) if d.isVisible()]
    assert (dialog.supervisee.currentData(), dialog.kind.currentData()) == (chosen.supervisee_id, "professional")
    save(dialog, qtbot)
    assert messages == []
    said = window.statusBar().currentMessage()
    assert said.startswith("Done: record Andrew Thomas's professional supervision on ") and "Edit > Undo" in said
    window.undo_stack.undo()
    assert window.statusBar().currentMessage().startswith("Undone: record Andrew Thomas's professional supervision")


def test_arranging_says_to_leave_the_interval_at_the_words_its_field_shows(page):
    page.tabs.setCurrentWidget(page.trend)
    page.arrange()
    dialog = only(page, supervision_dialogs.ArrangementDialog)
    shown = dialog.interval.text()
    assert shown == dialog.interval.specialValueText() == "As the policy says"  # what a new arrangement starts at
    [intro] = [label.text() for label in dialog.findChildren(QLabel) if "interval" in label.text()]
    assert f"Leave the interval at “{shown}”" in intro
    assert "at 0" not in intro  # a 0 the field never shows


@pytest.mark.parametrize("view", ["Needs action", "Everyone", "By supervisor", "Breakdowns", "Trend"])
def test_each_button_and_tab_in_sight_has_an_alt_letter_of_its_own_clear_of_the_menus(window, page, view):
    page.tabs.setCurrentWidget(page.views[view])
    on_page = mnemonics(page)
    assert "Needs action (13)" in on_page  # the tab keeps its letter as its number changes
    assert without_letters(on_page) == []
    assert clashes(mnemonics(window)) == []


def test_by_supervisor_counts_its_rows_as_arrangements_and_says_how_many_people_and_supervisors_they_are(page):
    page.tabs.setCurrentWidget(page.views["By supervisor"])
    table = page.by_supervisor
    shown = [table.model.row_at(r)[1] for r in range(table.model.rowCount())]
    people = {r.supervisee_id for r in shown}
    supervisors = {r.supervisor_id for r in shown}
    # Someone with managerial and professional supervision is two rows: on the demo, often from one supervisor.
    assert (len(supervisors), len(people), len(shown)) == (14, 55, 99)
    assert table.count.text() == "99 arrangements by supervisor"  # was "99 supervisees"
    assert page.caseloads.text().startswith("14 supervisors supervise 55 people through 99 arrangements: ")
    assert page.caseloads.isVisible()

    page.show_filtered(organisation="NCC", view="By supervisor")
    shown = [table.model.row_at(r)[1] for r in range(table.model.rowCount())]
    people, supervisors = {r.supervisee_id for r in shown}, {r.supervisor_id for r in shown}
    assert page.caseloads.text().startswith(f"{len(supervisors)} supervisors supervise {len(people)} people through "
                                            f"{len(shown)} arrangements: ")


def test_arrangements_with_no_supervisor_named_are_said_apart_and_one_is_said_as_one(page):
    row = page.by_supervisor.model.row_at(0)[1]
    unnamed = replace(row, supervisor_id=None, supervisor="")
    assert caseload_summary([row]) == ("1 supervisor supervises 1 person through 1 arrangement: each row is one "
                                       "arrangement, so someone with managerial and professional supervision is on "
                                       "two rows.")
    assert caseload_summary([row, unnamed]).endswith(" 1 arrangement names no supervisor.")
    assert caseload_summary([]) == ""


def test_needs_action_counts_arrangements_and_says_for_how_many_people_one_person_often_two(make_window, demo_db):
    day = date(2026, 12, 15)  # a month on: many people's managerial and professional supervision both need action
    window = make_window(day)
    window.set_database(demo_db)
    dashboard_figure = window.dashboard.tiles["Supervision needing action"].value_text()
    window.show_page("Supervision")
    page = window.current_page()
    report = supervision.compliance(demo_db, day)
    needing = report.needing_action
    people = {r.supervisee_id for r in needing}
    assert (len(needing), len(people)) == (58, 44)
    assert page.action_tile.value_text() == dashboard_figure == "58"  # the page and the dashboard count alike
    assert page.action_tile.detail_text() == "58 arrangements for 44 people"  # the table below says who
    # With names, for the dashboard's tile, which has no table below it: "and 40 more" people, not arrangements.
    assert report.needing_action_words(4) == ("58 arrangements for 44 people: James Fletcher, Owen "
                                              "Morgan, Andrew Thomas, Rhys Jones and 40 more")
    assert page.needing.count.text() == "58 arrangements needing action"  # was "58 people needing action"

    # One person's two: said with their name; one arrangement as one.
    twice = next(r.supervisee_id for r in needing if sum(o.supervisee_id == r.supervisee_id for o in needing) == 2)
    theirs = tuple(r for r in needing if r.supervisee_id == twice)
    name = theirs[0].supervisee
    assert replace(report, rows=theirs).needing_action_words(3) == f"2 arrangements for {name}"
    assert replace(report, rows=theirs[:1]).needing_action_words(3) == f"1 arrangement for {name}"
    assert replace(report, rows=()).needing_action_words(3) == ""


# --- a person's past sessions -------------------------------------------------------------------------------------

def _shown(dialog: supervision_dialogs.SessionsDialog, row: int) -> list[str]:
    model = dialog.table.model
    return [model.index(row, column).data() for column in range(model.columnCount())]


def _status(demo_db, person_id: int, supervision_type: str) -> Status:
    return next(r.status for r in supervision.compliance(demo_db, DEMO_TODAY).rows
                if (r.supervisee_id, r.supervision_type) == (person_id, supervision_type))


def test_a_session_recorded_by_mistake_is_found_in_their_past_sessions_removed_after_asking_and_undone(
        window, page, demo_db, monkeypatch, messages):
    chosen = _select(page, "Andrew Thomas", "managerial")
    assert chosen.status == Status.OVERDUE
    supervision.record_session(demo_db, chosen.supervisee_id, supervision_type="managerial", duration_minutes=60,
                               today=DEMO_TODAY)  # never held: a slip of the hand
    assert _status(demo_db, chosen.supervisee_id, "managerial") == Status.IN_DATE
    page.past_sessions()
    dialog = only(page, supervision_dialogs.SessionsDialog)
    assert dialog.supervisee.currentData() == chosen.supervisee_id  # the person on the row chosen
    recorded = dialog.table.model.total_rows
    assert dialog.summary.text() == f"{recorded} sessions are recorded for Andrew Thomas."
    assert _shown(dialog, 0)[:5] == ["20 Nov 2026", "Managerial", "Emma White", "Held", "60 min"]

    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda _parent, _title, text: asked.append(text) or QMessageBox.StandardButton.No))
    dialog.table.view.selectRow(0)
    dialog.remove_session()
    assert asked[0].startswith("Remove Andrew Thomas's managerial session of 20 Nov 2026 with Emma White, recorded "
                               "as held?")
    assert "Edit > Undo puts it back" in asked[0]
    assert dialog.table.model.total_rows == recorded  # the manager said no

    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *_args: QMessageBox.StandardButton.Yes))
    dialog.remove_session()
    assert messages == []
    assert dialog.table.model.total_rows == recorded - 1 and _shown(dialog, 0)[0] != "20 Nov 2026"
    assert window.statusBar().currentMessage() == ("Done: remove Andrew Thomas's managerial session of 20 November "
                                                   "2026. Edit > Undo takes it back.")
    assert _status(demo_db, chosen.supervisee_id, "managerial") == Status.OVERDUE
    assert page.needing.model.total_rows == 13  # the page shows it overdue again

    dialog.reject()
    window.undo_stack.undo()
    assert _status(demo_db, chosen.supervisee_id, "managerial") == Status.IN_DATE


def test_past_sessions_with_no_row_chosen_finds_whoever_is_typed_and_says_how_many_are_shown(page, monkeypatch,
                                                                                              messages):
    page.tabs.setCurrentWidget(page.trend)
    page.past_sessions()
    dialog = only(page, supervision_dialogs.SessionsDialog)
    assert dialog.supervisee.currentData() is None and dialog.table.model.total_rows == 0
    assert dialog.summary.text().startswith("Choose whose sessions to see")
    assert not dialog.remove_button.isEnabled() and not dialog.confirmed_button.isEnabled()

    monkeypatch.setattr(supervision_dialogs, "RECENT_SESSIONS", 10)
    dialog.supervisee.setEditText("richard mar")
    dialog.supervisee.lineEdit().returnPressed.emit()  # Enter in the name
    assert dialog.isVisible() and messages == []
    assert dialog.summary.text() == "Richard Marshall has 39 sessions recorded: the 10 most recent are shown."
    dates = [dialog.table.model.row_at(r).session_date for r in range(dialog.table.model.rowCount())]
    assert len(dates) == 10 and dates == sorted(dates, reverse=True)  # the most recent first
    assert dialog.remove_button.isEnabled()

    dialog.supervisee.setCurrentIndex(dialog.supervisee.findText("Jasmine Richards", Qt.MatchFlag.MatchStartsWith))
    assert dialog.summary.text() == "No sessions are recorded for Jasmine Richards."
    assert dialog.table.empty.isVisibleTo(dialog) and not dialog.remove_button.isEnabled()


def test_the_supervisee_confirming_a_session_is_recorded_from_their_past_sessions_and_undone(window, page, demo_db,
                                                                                             qtbot, messages):
    chosen = _select(page, "Tom Mason", "professional")
    page.past_sessions()
    dialog = only(page, supervision_dialogs.SessionsDialog)
    model = dialog.table.model
    row = next(r for r in range(model.rowCount())
               if model.row_at(r).status == "held" and model.row_at(r).supervisee_confirmed is None)
    session = model.row_at(row)
    dialog.table.view.selectRow(row)
    dialog.supervisee_confirmed()
    confirm = only(dialog, supervision_dialogs.SessionConfirmedDialog)
    assert confirm.not_confirmed is None  # nothing recorded to clear
    confirm.confirmed.setDate(confirm.confirmed.date().addDays(-1))
    save(confirm, qtbot)
    assert messages == []
    assert dialog.table.current_row().id == session.id  # still at the session chosen
    assert _shown(dialog, dialog.table.view.currentIndex().row())[6] == "19 Nov 2026"

    dialog.reject()
    window.undo_stack.undo()
    sessions = supervision.person_supervision(demo_db, chosen.supervisee_id, DEMO_TODAY, recent=100).sessions
    assert next(s for s in sessions if s.id == session.id).supervisee_confirmed is None


def test_past_sessions_has_an_alt_letter_for_each_button_of_its_own(page):
    _select(page, "Tom Mason", "professional")
    page.past_sessions()
    dialog = only(page, supervision_dialogs.SessionsDialog)
    keys = mnemonics(dialog)
    assert {"Supervisee", "Supervisee confirmed…", "Remove session…", "Close"} <= set(keys)
    assert without_letters(keys) == [] and clashes(keys) == []


def test_arrangements_made_from_the_reporting_lines_are_those_the_manager_said_yes_to(window, demo_db, monkeypatch,
                                                                                      messages):
    for row in supervision.compliance(demo_db, DEMO_TODAY).rows[:40]:  # arrangements the lines would make again
        if row.arrangement_id is not None:
            supervision.remove_arrangement(demo_db, row.arrangement_id, seen_version=row.version)
    plan = supervision.arrangements_from_lines(demo_db, DEMO_TODAY, apply=False).created
    assert plan
    window.set_database(demo_db)
    window.show_page("Supervision")
    page = window.current_page()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda _parent, _title, text: asked.append(text) or QMessageBox.StandardButton.Yes))
    page.from_lines()
    assert messages == [] and asked[0].startswith(f"{len(plan)} arrangements can be made")
    assert window.undo_stack.undoText() == f"arrange supervision for {len(plan)} from reporting lines"
    assert supervision.arrangements_from_lines(demo_db, DEMO_TODAY, apply=False).created == ()

    window.undo_stack.undo()
    real = supervision.arrangements_from_lines

    def someone_else_first(database, day, **kwargs):  # between the preview and Yes, on a shared database
        if kwargs.get("apply", True):
            real(database, day)
        return real(database, day, **kwargs)

    monkeypatch.setattr(supervision, "arrangements_from_lines", someone_else_first)
    page.from_lines()
    assert len(messages) == 1 and "was changed by someone else" in messages[0]
