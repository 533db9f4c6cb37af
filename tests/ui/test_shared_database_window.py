"""Two people on one record, driven in the window: a dialog filled before someone else saved is refused with
"changed by someone else — reload", and the page then shows their change; a shared database opens by address."""

from __future__ import annotations

from dataclasses import replace

import pytest
from driving import only, save

from PySide6.QtWidgets import QInputDialog

from jointlead.services import people
from jointlead.ui import people_dialogs


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
