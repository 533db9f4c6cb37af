"""A manager's month on the Budgets page, from an empty database: every step through the real widgets."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from driving import choose_file, only, open_wizard, save

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QWizard

from jointlead.domain.money import format_money, format_pounds
from jointlead.services.budgets import pool_position
from jointlead.ui import budget_dialogs
from jointlead.ui.budgets_page import BudgetsPage
from jointlead.ui.export_dialog import EXPORTS, ExportDialog
from jointlead.ui.import_wizard import ImportWizard

FINISH = QWizard.WizardButton.FinishButton
NEXT = QWizard.WizardButton.NextButton



def fill(dialog, **values) -> None:
    for name, value in values.items():
        field = getattr(dialog, name)
        if hasattr(field, "setChecked"):
            field.setChecked(value)
        elif hasattr(field, "findData"):
            field.setCurrentIndex(field.findData(value))
            assert field.currentData() == value, name
        else:
            field.setText(value)


def ledger_extract(folder: Path, name: str, rows: list[tuple[str, str, int, str]]) -> Path:
    """A plain extract: cost centre, subjective, period, amount — the names every ledger uses."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Detail"
    sheet.append(["Cost Centre", "Subjective", "Period", "Description", "Amount"])
    for centre, subjective, period, amount in rows:
        sheet.append([centre, subjective, period, "Posting", amount])
    path = folder / name
    workbook.save(path)
    return path


def import_ledger(window, qtbot, path: Path, partner: str) -> None:
    wizard = open_wizard(window, qtbot)
    choose_file(wizard, qtbot, path, organisation=partner)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page and not wizard.busy)
    qtbot.mouseClick(wizard.button(NEXT), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.preview_page and not wizard.busy)
    qtbot.mouseClick(wizard.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.findChildren(ImportWizard), timeout=10_000)  # closed and deleted


def export_budget_workbook(window, qtbot, partner: str, folder: Path) -> Path:
    window.export_action.trigger()
    dialog = window.findChild(ExportDialog)
    dialog.what.setCurrentIndex([kind.label for kind in EXPORTS].index("Budget monitoring workbook"))
    dialog.organisation.setCurrentIndex(dialog.organisation.findData(partner))
    assert dialog.as_at_period == 1  # the month just closed
    out = folder / f"{partner} budget M1.xlsx"
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.findChildren(ExportDialog) and str(out) in window.statusBar().currentMessage())
    return out


def test_a_managers_month_from_an_empty_database(window, empty_db, qtbot, tmp_path, monkeypatch, messages):
    window.set_database(empty_db)
    window.show_page("Budgets")
    page: BudgetsPage = window.current_page()
    assert page.no_pool.isVisible() and not page.pool_area.isVisible()

    # 1. Set up the agreement, its contributions, lines and the ledger codes that feed them.
    qtbot.mouseClick(page.set_up_button, Qt.MouseButton.LeftButton)
    dialog = only(page, budget_dialogs.AgreementDialog)
    fill(dialog, title="Westshire Better Care Fund", first_year=2026, waterfall=True, reserve="50,000",
         limit="£25,000.00")
    for (code, name, *_rest), (typed_code, typed_name) in zip(dialog.partner_fields, (
            ("WHT", "Westshire Health Trust"), ("WCC", "Westshire County Council")), strict=True):
        code.setText(typed_code)
        name.setText(typed_name)
    save(dialog, qtbot)
    assert messages == [] and page.pool_area.isVisible()
    for partner, stream, amount in (("WHT", "NHS minimum contribution", "3,000,000"),
                                    ("WCC", "Better Care Grant", "1000000")):
        page.add_contribution()
        fill(dialog := only(page, budget_dialogs.ContributionDialog), partner=partner, stream=stream,
             amount=amount)
        save(dialog, qtbot)
    lines = (("L1", "Community health teams", "pay", "WHT", "2,000,000", "CH100"),
             ("L2", "Care packages", "commissioned care", "WCC", "1,500,000", "SC200"),
             ("L3", "Equipment", "non-pay", None, "500,000", "EQ300"))
    for code, name, category, lead, budget, _centre in lines:
        page.add_line()
        fill(dialog := only(page, budget_dialogs.LineDialog), code=code, name=name, category=category,
             responsible=lead, annual=budget)
        save(dialog, qtbot)
    assert messages == []
    for row, (_code, *_rest, centre) in enumerate(lines):
        page.tabs.setCurrentWidget(page.lines_tab)
        page.lines.view.setCurrentIndex(page.lines.model.index(row, 0))
        page.map_codes()
        partner = "WCC" if centre != "CH100" else "WHT"
        fill(dialog := only(page, budget_dialogs.MappingDialog), partner=partner, centre=centre)
        save(dialog, qtbot)
    assert page.contributions_tile.value_text() == "£4,000,000"
    assert [page.lines.model.row_at(r).mappings for r in range(3)] == [1, 1, 1]
    # No month closed and no actuals yet: the budget workbook can only be as at the start of the year.
    window.export_action.trigger()
    dialog = window.findChild(ExportDialog)
    dialog.what.setCurrentIndex([kind.label for kind in EXPORTS].index("Budget monitoring workbook"))
    assert [dialog.as_at.itemText(i) for i in range(dialog.as_at.count())] == ["Start of 2026-27"]
    assert dialog.as_at_period is None and dialog.path.text().endswith("budget monitoring 2026-11-20.xlsx")
    dialog.reject()
    qtbot.waitUntil(lambda: window.findChild(ExportDialog) is None)

    # 2. Import both partners' M1 extracts: an overspend on care packages, and a row nobody mapped.
    import_ledger(window, qtbot, ledger_extract(tmp_path, "WHT M1.xlsx", [("CH100", "5101", 1, 170_000)]), "WHT")
    import_ledger(window, qtbot, ledger_extract(tmp_path, "WCC M1.xlsx", [
        ("SC200", "6001", 1, 140_000), ("EQ300", "7001", 1, 30_000), ("XX999", "9999", 1, 1_234)]), "WCC")
    assert [m.split("\n")[0] for m in messages] == ["Import finished Imported WHT M1.xlsx.",
                                                     "Import finished Imported WCC M1.xlsx."]
    assert messages[1].endswith("1 row matches no budget line yet: assign it to a line on Budgets > Unmapped rows "
                                "(Assign to a line…); until then it counts towards nothing.")
    messages.clear()

    # 3. Variance and the risk share, as at M1 (not closed yet, so provisional), agree with the domain.
    page.as_at.setCurrentIndex(page.as_at.findData(1))
    page.as_at.activated.emit(page.as_at.currentIndex())
    position = pool_position(empty_db, as_at=1)
    assert position.pool.actual_to_date == 34_000_000
    assert page.actual_tile.value_text() == format_pounds(34_000_000)
    assert page.variance_tile.value_text() == format_pounds(position.pool.full_year_variance)
    assert "provisional" in page.subtitle.text()
    # M1 run on for the year: community health £170k a month (£40k over), care packages £140k (£180k over),
    # equipment £30k (£140k under for the year). DOMAIN.md's worked example: £220,000 overspent, £140,000
    # absorbed by the underspend, £50,000 from the reserve, £30,000 shared 75:25.
    shares = position.risk_share.share_by_partner
    assert position.pool.full_year_variance == 8_000_000
    assert position.risk_share.reserve_used_pence == 5_000_000
    assert dict(shares) == {"WHT": 2_250_000, "WCC": 750_000}
    for code, pence in shares.items():
        assert f"{code} bears {format_money(pence)} of overspend." in page.risk_share.text()
    assert page.tabs.tabText(page.tabs.indexOf(page.unmapped_tab)) == "Unmapped ro&ws (1)"  # Alt+W kept

    # The unmapped row goes on the equipment line, and the mapping is remembered.
    page.tabs.setCurrentWidget(page.unmapped_tab)
    assert page.unmapped.model.index(0, 1).data() == "M1" and page.unmapped_note.isHidden()  # open: assignable
    page.unmapped.view.selectRow(0)
    page.assign()
    fill(dialog := only(page, budget_dialogs.AssignDialog), line=position.lines[2].id)
    save(dialog, qtbot)
    assert page.unmapped.model.total_rows == 0
    assert pool_position(empty_db, as_at=1).pool.actual_to_date == 34_123_400

    # A forecast set by hand in the grid, with its reason.
    page.tabs.setCurrentWidget(page.months_tab)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *_a, **_k: ("Winter pressures", True)))
    m12 = page.months.model.index(1, 13)
    assert m12.flags() & Qt.ItemFlag.ItemIsEditable
    assert page.months.model.setData(m12, "£150,000")
    assert pool_position(empty_db, as_at=1).lines[1].figures.forecast[-1] == 15_000_000
    window.undo_stack.undo()
    assert pool_position(empty_db, as_at=1).lines[1].figures.forecast[-1] != 15_000_000
    window.undo_stack.redo()
    assert pool_position(empty_db, as_at=1).lines[1].figures.forecast[-1] == 15_000_000

    # 4. Move money by virement: equipment to care packages, within the delegated limit.
    before = pool_position(empty_db, as_at=1)
    page.virement()
    fill(dialog := only(page, budget_dialogs.VirementDialog), giver=before.lines[2].id,
         taker=before.lines[1].id, amount="20,000", reason="Care package demand", approver="Joint General Manager")
    save(dialog, qtbot)
    assert messages == []
    after = pool_position(empty_db, as_at=1)
    assert after.pool.annual_budget_pence == before.pool.annual_budget_pence
    assert after.lines[1].figures.annual_budget_pence == before.lines[1].figures.annual_budget_pence + 2_000_000
    assert page.virements.model.total_rows == 1

    # 5. Close M1: the checklist is shown first, then the month is locked.
    page.close_month()
    dialog = only(page, budget_dialogs.CloseDialog)
    assert "M1" in dialog.windowTitle()
    save(dialog, qtbot)
    assert messages == []
    assert "as at M1 2026-27" in page.subtitle.text() and "provisional" not in page.subtitle.text()
    page.tabs.setCurrentWidget(page.months_tab)
    assert not page.months.model.index(0, 2).flags() & Qt.ItemFlag.ItemIsEditable  # M1 is locked
    assert page.months.model.headerData(2, Qt.Orientation.Horizontal).endswith("closed")

    closed = pool_position(empty_db)
    assert closed.as_at.number == 1

    # 6. Export each partner's workbook, open it, and check it against the domain's own figures.
    for partner, name in (("WHT", "Westshire Health Trust"), ("WCC", "Westshire County Council")):
        book = openpyxl.load_workbook(export_budget_workbook(window, qtbot, partner, tmp_path))
        shares = {row[1]: row for row in book["Risk share"].iter_rows(min_row=2, values_only=True)}
        assert round(shares[name][4] * 100) == closed.risk_share.share_by_partner[partner]
        lines = {row[0]: row for row in book["Variance"].iter_rows(min_row=2, values_only=True)}
        for line in closed.lines:
            assert round(lines[line.code][-4] * 100) == line.figures.forecast_outturn
    assert messages == []
