"""Erasing a person from the People page: the dialog says what goes and that it is final, OK waits for their name
typed and a reason, and afterwards they are gone and Edit > Undo has nothing that could bring them back."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date

import pytest
from driving import only, save

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from jointlead.services import erasure, files, people
from jointlead.ui import people_dialogs
from jointlead.ui.people_page import PeoplePage

NAME = "Emma White"


@pytest.fixture
def page(window, demo_db) -> PeoplePage:
    window.set_database(demo_db)
    window.show_page("People & lines")
    return window.current_page()


def names(page) -> dict[str, int]:
    return {page.table.model.row_at(r).name: page.table.model.row_at(r).id for r in range(page.table.model.rowCount())}


def test_a_person_is_erased_only_once_their_name_is_typed_and_the_stack_is_cleared(window, page, qtbot, messages):
    person_id = names(page)[NAME]
    fields = people.person_fields(page.database, person_id)
    page.editor.run(lambda database: people.edit_person(database, person_id, replace(fields, grade="Band 8b")))
    assert window.undo_stack.count() == 1
    dialog = _erase_dialog(page, qtbot, person_id)
    assert any("cannot be undone" in label.text() for label in dialog.findChildren(QLabel))
    assert not dialog.ok.isEnabled()
    dialog.typed.setText("emma  white")
    assert not dialog.ok.isEnabled()  # a reason is needed too
    dialog.reason.setText("Erasure request ER-7")
    assert dialog.ok.isEnabled()
    save(dialog, qtbot)
    assert NAME not in names(page)
    assert window.undo_stack.count() == 0
    assert any("Person erased" in m or "records removed" in m for m in messages)
    assert not any("Another program" in m for m in messages)


def _erase_dialog(page, qtbot, person_id: int) -> people_dialogs.EraseDialog:
    page.open_person(person_id)
    button = next(b for b in page.findChildren(QPushButton)
                  if b.text().replace("&", "") == "Erase for data protection…")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return only(page, people_dialogs.EraseDialog)


@pytest.mark.sqlite_only  # another program holding the file open
def test_the_message_says_plainly_that_a_file_another_program_has_open_still_holds_them(page, qtbot, messages):
    reader = sqlite3.connect(page.database.path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM person").fetchall()
        dialog = _erase_dialog(page, qtbot, names(page)[NAME])
        dialog.typed.setText(NAME)
        dialog.reason.setText("Erasure request ER-7")
        save(dialog, qtbot)
    finally:
        reader.close()
    done = next(m for m in messages if "records removed" in m)
    assert "Another program has this database open, so the file could not be compacted" in done
    assert "overwritten anyway" not in done


@pytest.mark.sqlite_only  # a copy of the file
def test_the_confirmation_names_the_copies_that_will_still_hold_them(page, qtbot, tmp_path):
    copy = files.save_copy(page.database, tmp_path / "before erasing.sqlite")
    dialog = _erase_dialog(page, qtbot, names(page)[NAME])
    said = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert str(copy) in said and "restoring it brings the person back" in said
    dialog.reject()


@pytest.mark.sqlite_only  # copies of the file
def test_the_copies_have_paragraphs_of_their_own_and_one_that_cannot_be_found_is_named_too(page, qtbot, tmp_path):
    """The copies were the end of one dense paragraph, and a copy on a USB stick since unplugged was not named."""
    copy = files.save_copy(page.database, tmp_path / "before erasing.sqlite")
    unplugged = files.save_copy(page.database, tmp_path / "usb" / "service.sqlite")
    unplugged.unlink()
    dialog = _erase_dialog(page, qtbot, names(page)[NAME])
    summary = next(label.text() for label in dialog.findChildren(QLabel) if str(copy) in label.text())
    paragraphs = summary.split("\n\n")
    assert paragraphs[-2].startswith("This copy of the database, made before, still holds this person: ")
    assert paragraphs[-1].startswith(f"A copy of the database was saved to {unplugged} (recorded on ")
    assert "cannot be found now. If it was deleted, nothing more is needed" in paragraphs[-1]
    dialog.reject()


def test_the_summary_lists_each_person_once_and_the_report_leaves_out_what_is_none(page):
    """Someone with two lines to them was listed twice, and the report said "taken out of 0 values and 0 audit
    entries"."""
    preview = erasure.erasure_preview(page.database, names(page)["Tom Mason"], date(2026, 11, 20))
    summary = people_dialogs._erasure_summary(replace(preview, copies=(), copies_not_found=()))
    assert "Amara Ward (managerial and professional)" in summary
    assert "Amara Ward (managerial)" not in summary
    report = erasure.ErasureReport(1, (("person", 1),), (), 0, 0, (), erasure.Compaction.DONE, ("person",), (), ())
    done = people_dialogs._erasure_done(report)
    assert done.startswith("The person was erased: 1 record removed.\n\n")
    assert " 0 " not in done
    report = replace(report, references_cleared=(("action.owner_id", 2),), text_values_scrubbed=1,
                     audit_entries_scrubbed=4)
    assert people_dialogs._erasure_done(report).startswith(
        "The person was erased: 1 record removed and 2 references to them cleared. Their name and numbers were taken "
        "out of 1 other value and 4 audit entries.")
