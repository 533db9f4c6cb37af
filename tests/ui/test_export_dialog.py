"""File > Export… for the budget monitoring workbook: the as-at period, the file name, and the same service call."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from PySide6.QtCore import Qt

import stored
from conftest import DEMO_TODAY
from jointlead.services.picture import as_at_picture
from jointlead.ui.export_dialog import EXPORTS, ExportDialog, documents_folder

BUDGET = [kind.label for kind in EXPORTS].index("Budget monitoring workbook")



def open_dialog(window, demo_db) -> ExportDialog:
    window.set_database(demo_db)
    window.export_action.trigger()
    return window.findChild(ExportDialog)


def test_export_opens_on_the_workbook_of_the_page_shown_and_export_pack_on_the_pack(window, demo_db, qtbot):
    """The pack from the dashboard, the budget monitoring workbook from Budgets, and so on. It opened on the staff
    list whatever was shown, so each export began by choosing again."""
    window.set_database(demo_db)
    opened = {}
    for title in window.titles:
        window.show_page(title)
        for action in (window.export_action, window.pack_action):
            action.trigger()
            dialog = window.findChild(ExportDialog)
            opened[title, action.text()] = dialog.what.currentText()
            dialog.reject()
            qtbot.waitUntil(lambda: window.findChild(ExportDialog) is None)  # closed, and gone
    export, pack = window.export_action.text(), window.pack_action.text()
    assert opened == {
        **{(title, pack): "Monthly pack" for title in window.titles},
        ("Dashboard", export): "Monthly pack", ("Budgets", export): "Budget monitoring workbook",
        ("People & lines", export): "People and lines", ("Supervision", export): "Supervision compliance",
        ("Actions", export): "Action tracker"}


def test_the_as_at_period_is_asked_for_only_for_the_budget_workbook(window, demo_db):
    dialog = open_dialog(window, demo_db)
    dialog.what.setCurrentText("Staff and reporting lines")
    assert not dialog.form.isRowVisible(dialog.as_at)
    assert dialog.as_at_period is None
    dialog.what.setCurrentIndex(BUDGET)
    assert dialog.form.isRowVisible(dialog.as_at)
    assert dialog.as_at.currentText() == "M7 Oct (closed)"
    assert dialog.as_at.count() == 7  # M8 to M12 have no actuals yet
    assert dialog.as_at_period == 7


def test_the_months_offered_are_the_budgets_pages_and_none_without_figures(window, demo_db):
    """Up to the later of the last closed and the last with actuals, as the Budgets page: a pack as at a month
    with no actuals yet would count them all as nil and forecast a huge underspend."""
    window.set_database(demo_db)
    window.show_page("Budgets")
    page = window.current_page()
    offered = [page.as_at.itemData(i) for i in range(page.as_at.count()) if page.as_at.itemData(i)]
    assert offered == list(range(1, 8))  # M8 to M12 have no actuals yet
    for action in (window.export_action, window.pack_action):
        action.trigger()
        dialog = window.findChild(ExportDialog)
        dialog.what.setCurrentIndex(BUDGET)
        assert [dialog.as_at.itemData(i) for i in range(dialog.as_at.count())] == offered
        assert [dialog.as_at.itemText(i) for i in range(dialog.as_at.count())] == \
            [page.as_at.itemText(page.as_at.findData(n)) for n in offered]
        assert dialog.as_at_period == 7  # the last closed
        dialog.reject()


def test_the_suggested_name_says_whose_budget_and_as_at_when(window, demo_db):
    dialog = open_dialog(window, demo_db)
    dialog.what.setCurrentIndex(BUDGET)
    dialog.organisation.setCurrentIndex(dialog.organisation.findData("NCC"))
    assert dialog.path.text().endswith("NCC budget monitoring M7 2026-27.xlsx")
    dialog.as_at.setCurrentIndex(4)
    assert dialog.path.text().endswith("NCC budget monitoring M5 2026-27.xlsx")


def test_the_budget_workbook_is_written_as_at_the_chosen_period(window, demo_db, qtbot, tmp_path, messages):
    from jointlead.services.budget_month import unlock_period

    unlock_period(demo_db, None, 2026, 7, "Late NCC journal", today=DEMO_TODAY)
    dialog = open_dialog(window, demo_db)
    dialog.what.setCurrentIndex(BUDGET)
    dialog.organisation.setCurrentIndex(dialog.organisation.findData("NFT"))
    assert dialog.as_at_period == 6  # the last closed
    dialog.as_at.setCurrentIndex(dialog.as_at.findData(7))  # not closed, allowed, and flagged in the workbook
    out = tmp_path / "nft budget.xlsx"
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and "Wrote" in window.statusBar().currentMessage())
    assert window.statusBar().currentMessage().endswith(f"to {out}")
    cover = openpyxl.load_workbook(out)["Cover"]
    fields = {row[0].value: row[1].value for row in cover.iter_rows(max_col=2)}
    assert fields["As at"] == "M7 2026-27 (Oct-26)"
    assert any("M7 is not closed" in str(cell.value) for row in cover.iter_rows() for cell in row)
    assert fields["Organisation"] == "Northshire NHS Foundation Trust (NFT)"
    assert messages == []


def test_the_dialog_has_room_for_the_period_row_from_the_start(window, demo_db):
    dialog = open_dialog(window, demo_db)
    before = dialog.minimumSize()
    dialog.what.setCurrentIndex(BUDGET)
    assert dialog.minimumSize() == before
    assert dialog.minimumSizeHint().height() <= before.height()


def test_export_pack_previews_the_cover_checklist_then_writes_the_pack(window, demo_db, qtbot, tmp_path, messages):
    window.set_database(demo_db)
    window.pack_action.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog.kind.label == "Monthly pack" and dialog.form.isRowVisible(dialog.checklist)
    dialog.organisation.setCurrentIndex(dialog.organisation.findData("NCC"))
    preview = as_at_picture(demo_db, DEMO_TODAY, organisation="NCC", as_at=7).checklist
    for wording, _ok in preview:
        assert wording.replace("'", "&#x27;") in dialog.checklist.text()
    assert "incomplete" in dialog.checklist.text()

    out = tmp_path / "ncc pack.xlsx"
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and "Wrote" in window.statusBar().currentMessage())
    cover = openpyxl.load_workbook(out)["Cover"]
    written = [cell.value for row in cover.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert all(any(wording in text for text in written) for wording, _ok in preview)
    assert messages == []


def test_the_checklist_row_shows_only_for_the_pack(window, demo_db):
    dialog = open_dialog(window, demo_db)
    dialog.what.setCurrentIndex(BUDGET)
    assert not dialog.form.isRowVisible(dialog.checklist)


def test_with_nothing_to_export_the_dialog_says_what_to_set_up_first_and_offers_no_export(
        window, empty_db, qtbot, messages):
    window.set_database(empty_db)
    for action in (window.pack_action, window.export_action):
        action.trigger()
        dialog = window.findChild(ExportDialog)
        assert dialog.organisation.count() == 0
        assert dialog.missing.isVisibleTo(dialog)
        assert dialog.missing.text().startswith("Nothing can be exported yet")
        assert "Set up the pooled budget first, on the Budgets page" in dialog.missing.text()
        assert dialog.path.text() == ""  # never " monthly pack 2026-11-20.xlsx", a name with its code left blank
        assert not dialog.form.isRowVisible(dialog.checklist)  # whose "can still be sent" would contradict it
        assert not dialog.export_button.isEnabled()
        for index in range(dialog.what.count()):
            dialog.what.setCurrentIndex(index)
            assert dialog.path.text() == "" and not dialog.export_button.isEnabled()
        dialog.path.setText("mine.xlsx")  # a name of the user's own: still nothing to put in it
        assert not dialog.export_button.isEnabled()
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        dialog.export()
        assert not dialog.busy and messages == []
        dialog.reject()
        qtbot.waitUntil(lambda: window.findChild(ExportDialog) is None)


def test_with_organisations_but_no_pool_only_the_exports_as_at_a_month_wait_for_it(window, empty_db):
    stored.change(empty_db, "INSERT INTO organisation (code, name, kind, colour) "
                            "VALUES ('NFT', 'Northshire NHS Foundation Trust', 'nhs', '#005EB8')")
    window.set_database(empty_db)
    window.pack_action.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog.kind.label == "Monthly pack"
    assert dialog.missing.text().startswith("The monthly pack is as at a month of the pooled budget, and no pooled "
                                            "budget is recorded yet.")
    assert dialog.path.text().endswith("NFT monthly pack 2026-11-20.xlsx")
    assert not dialog.export_button.isEnabled()
    dialog.what.setCurrentIndex([kind.label for kind in EXPORTS].index("Staff and reporting lines"))
    assert not dialog.missing.isVisibleTo(dialog)
    assert dialog.path.text().endswith("NFT staff and reporting lines 2026-11-20.xlsx")
    assert dialog.export_button.isEnabled()
    dialog.what.setCurrentIndex(BUDGET)
    assert "budget monitoring workbook is as at a month" in dialog.missing.text()
    assert not dialog.export_button.isEnabled()


def test_with_one_year_recorded_no_year_is_asked_for(window, demo_db):
    dialog = open_dialog(window, demo_db)
    dialog.what.setCurrentIndex(BUDGET)
    assert not dialog.form.isRowVisible(dialog.year)
    assert dialog.chosen_year.label == "2026-27"


def test_once_the_pool_has_moved_on_the_year_end_pack_is_offered_first_and_the_new_year_can_be_chosen(
        window, demo_db, qtbot, tmp_path, messages):
    """After M12 closes in April the pool moves on to the next year; the year-end pack, as at M12, is still to go."""
    from integration.test_packs import end_the_year

    end_the_year(demo_db)
    window.set_database(demo_db)
    window.pack_action.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog.form.isRowVisible(dialog.year)
    assert [dialog.year.itemText(i) for i in range(dialog.year.count())] == ["2026-27", "2027-28"]
    assert (dialog.year.currentText(), dialog.as_at.currentText()) == ("2026-27", "M12 Mar (closed)")
    dialog.organisation.setCurrentIndex(dialog.organisation.findData("NFT"))
    assert dialog.path.text().endswith("NFT monthly pack M12 2026-27.xlsx")
    year_end_checklist = dialog.checklist.text()

    dialog.year.setCurrentIndex(1)
    dialog.year.activated.emit(1)
    assert [dialog.as_at.itemText(i) for i in range(dialog.as_at.count())] == ["Start of 2027-28"]
    assert (dialog.chosen_year.label, dialog.as_at_period) == ("2027-28", None)
    assert dialog.checklist.text() != year_end_checklist  # the new year's: no month of it is closed

    dialog.year.setCurrentIndex(0)
    dialog.year.activated.emit(0)
    out = tmp_path / "year end.xlsx"
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and "Wrote" in window.statusBar().currentMessage())
    fields = {row[0].value: row[1].value for row in openpyxl.load_workbook(out)["Cover"].iter_rows(max_col=2)}
    assert fields["As at"].startswith("M12 2026-27 (Mar-27)")
    assert messages == []


def test_the_next_pack_is_suggested_for_the_other_partner_in_the_folder_the_last_went_to(window, demo_db, qtbot,
                                                                                        tmp_path, messages):
    """A month's packs go to each partner in turn, often to one folder: each export had started on the first
    partner, in Documents, so the second pack needed both chosen again."""
    window.set_database(demo_db)
    folder = tmp_path / "Packs M7"
    folder.mkdir()
    sent = []
    for month in (7, 7, 8):
        window.pack_action.trigger()
        dialog = window.findChild(ExportDialog)
        sent.append((dialog.organisation_code, Path(dialog.path.text()).parent))
        dialog.path.setText(str(folder / f"{dialog.organisation_code} pack M{month}.xlsx"))
        dialog.export()
        qtbot.waitUntil(lambda: window.findChild(ExportDialog) is None)
    assert sent == [("NCC", documents_folder()), ("NFT", folder), ("NCC", folder)] and messages == []
    window.show_page("People & lines")
    window.export_action.trigger()  # another kind keeps to its own: people and lines were never exported
    dialog = window.findChild(ExportDialog)
    assert (dialog.what.currentText(), dialog.organisation_code) == ("People and lines", "NCC")
    dialog.what.setCurrentText("Monthly pack")  # the pack's suggestion follows the kind chosen
    assert dialog.organisation_code == "NFT"
    dialog.organisation.activated.emit(dialog.organisation.findData("NCC"))  # until the user chooses
    dialog.organisation.setCurrentIndex(dialog.organisation.findData("NCC"))
    dialog.what.setCurrentText("People and lines")
    dialog.what.setCurrentText("Monthly pack")
    assert dialog.organisation_code == "NCC"
