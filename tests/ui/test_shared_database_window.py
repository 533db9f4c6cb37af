"""Two people on one record, driven in the window: a dialog (or the budget's months grid) filled before someone else
saved is refused with "changed by someone else — reload", and the page then shows their change; a shared database
opens by address."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from driving import only, save

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QInputDialog

from jointlead.domain.reporting_lines import LineKind
from jointlead.services import budget_month, budget_setup, people
from jointlead.services.budgets import pool_position
from jointlead.ui import budget_dialogs, people_dialogs
from jointlead.ui.budgets_page import BUDGET


@pytest.fixture
def page(window, demo_db):
    window.set_database(demo_db)
    window.show_page("People & lines")
    return window.current_page()


def test_an_edit_dialog_filled_before_someone_else_saved_is_refused_and_the_page_reloads(page, demo_db, qtbot,
                                                                                          messages):
    row = page.table.model.row_at(0)
    page.open_person(row.id)
    page.edit_person()
    dialog = only(page, people_dialogs.PersonDialog)
    dialog.job_title.setText("My new title")

    theirs = replace(people.person_fields(demo_db, row.id), job_title="Their new title")
    people.edit_person(demo_db, row.id, theirs)  # someone else, on another laptop, saves first
    save(dialog, qtbot)

    assert any("changed by someone else — reload" in m for m in messages)
    assert not dialog.isVisible()  # its copy is out of date: the record is opened again to edit it
    assert people.person_fields(demo_db, row.id).job_title == "Their new title"
    shown = next(page.table.model.row_at(r) for r in range(page.table.model.rowCount())
                 if page.table.model.row_at(r).id == row.id)
    assert shown.job_title == "Their new title"


def test_a_change_of_line_filled_before_someone_else_changed_it_is_refused_and_the_panel_reloads(page, demo_db, qtbot,
                                                                                                messages):
    ids = {page.table.model.row_at(r).name: page.table.model.row_at(r).id for r in range(page.table.model.rowCount())}
    tom, anna, emma = ids["Tom Mason"], ids["Anna Allen"], ids["Emma Hall"]
    page.open_person(tom)
    page.change_line()
    dialog = only(page, people_dialogs.ChangeLineDialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData(LineKind.MANAGERIAL))
    dialog.lead.setCurrentIndex(dialog.lead.findData(emma))
    dialog.from_date.setDate(QDate(2027, 1, 1))
    assert "Anna Allen" not in page.panel.text()

    # Someone else, on another laptop, moves Tom to Anna from 1 December first.
    people.change_line(demo_db, tom, LineKind.MANAGERIAL, anna, date(2026, 12, 1))
    save(dialog, qtbot)

    assert any("changed by someone else — reload" in m for m in messages)
    assert not dialog.isVisible()
    assert people.person_panel(demo_db, tom, date(2027, 1, 1)).line_on(LineKind.MANAGERIAL).lead_name == "Anna Allen"
    assert "Anna Allen" in page.panel.text()  # the page reloaded: his history shows their change


@pytest.fixture
def budgets(window, demo_db):
    window.set_database(demo_db)
    window.show_page("Budgets")
    return window.current_page()


def test_a_budget_line_dialog_filled_before_someone_else_saved_is_refused_and_the_page_reloads(budgets, demo_db,
                                                                                                qtbot, messages):
    budgets.lines.view.selectRow(0)
    line = budgets.lines.model.row_at(0)
    budgets.change_line()
    dialog = only(budgets, budget_dialogs.LineDialog)
    dialog.name.setText("My name")

    theirs = budget_setup.LineTerms(line.code, "Their name", line.category, line.responsible_code, line.share_profile)
    budget_setup.change_budget_line(demo_db, line.id, theirs)  # someone else, on another laptop, saves first
    save(dialog, qtbot)

    assert any("changed by someone else — reload" in m for m in messages)
    assert not dialog.isVisible()
    assert pool_position(demo_db).lines[0].name == "Their name"
    assert budgets.lines.model.row_at(0).name == "Their name"


def test_a_month_typed_over_after_someone_else_changed_it_is_refused_and_the_grid_reloads(budgets, demo_db,
                                                                                           messages):
    budgets.tabs.setCurrentWidget(budgets.months_tab)
    budgets.measure.setCurrentIndex(budgets.measure.findData(BUDGET))
    budgets.measure.activated.emit(budgets.measure.currentIndex())
    line = budgets.months.model.row_at(0).line
    theirs = line.figures.budget_profile[11] + 50_000
    budget_month.set_month_budget(demo_db, line.id, 2026, 12, theirs)  # someone else saves M12 first

    m12 = budgets.months.model.index(0, 13)
    assert budgets.months.model.setData(m12, "£1,000")  # typed over what the grid showed before theirs

    assert any("changed by someone else — reload" in m for m in messages)
    assert pool_position(demo_db).lines[0].figures.budget_profile[11] == theirs
    assert budgets.months.model.row_at(0).line.figures.budget_profile[11] == theirs


def test_a_shared_database_opens_by_its_address_and_a_wrong_one_is_explained(window, monkeypatch, messages):
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *_args, **_kwargs: ("mysql://db/x", True)))
    window.open_shared_dialog()
    assert window.database is None
    assert any("psycopg, not mysql" in m for m in messages)


def test_a_lost_connection_that_reaches_the_window_is_said_plainly_not_as_something_unexpected(window, messages,
                                                                                                 tmp_path, caplog):
    from jointlead.store.errors import ServerStoppedAnswering
    from jointlead.ui.application import _unexpected_error_hook

    hook = _unexpected_error_hook(tmp_path / "jointlead.log")
    error = ServerStoppedAnswering("postgresql://manager@db.example.nhs.uk/jointlead")
    hook(ServerStoppedAnswering, error, None)
    assert messages == [f"{error.message} {error.advice}"]
    assert "unexpected" not in messages[0]
    assert "db.example.nhs.uk" not in caplog.text  # the log says what kind of problem, not its words

    messages.clear()
    hook(ZeroDivisionError, ZeroDivisionError("division by zero"), None)
    assert "Something unexpected went wrong" in messages[0]
