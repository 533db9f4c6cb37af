"""File > Import… and File > Export…, driven as a user would: real widgets, real files, work in real threads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from driving import choose_file, open_wizard
from mnemonics import clashes, mnemonics

from PySide6.QtCore import QPoint, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QStyle,
    QStyleOptionComboBox,
    QTableView,
    QWidget,
    QWizard,
)

import stored
from exchange import hostile
from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import JointleadError
from jointlead.paths import demo_extracts
from jointlead.services import imports
from jointlead.services.budget_setup import AgreementTerms, PartnerTerms, set_up_agreement
from jointlead.services.demo import write_next_month_extracts
from jointlead.store.models import PeriodClose
from jointlead.store.uow import UnitOfWork
from jointlead.ui import worker
from jointlead.ui.export_dialog import ExportDialog
from jointlead.ui.import_wizard import MINIMUM_SIZE, NO_PEOPLE, NO_PEOPLE_NOR_PARTNERS, ImportWizard
from jointlead.ui.tracker_import_dialog import TrackerImportDialog
from jointlead.ui.worker import Task

NEXT = QWizard.WizardButton.NextButton
FINISH = QWizard.WizardButton.FinishButton
HEADER = ["Cost Ctr", "Account Code", "Period", "GL Date", "Narrative", "Journal Line Ref", "Sum £"]


def nft_codes(database) -> list[tuple[str, str]]:
    """Cost centre and subjective pairs that the demo's NFT ledger mappings send to a budget line."""
    rows = stored.rows(database, "SELECT m.cost_centre, m.subjective_pattern FROM ledger_mapping m "
                                 "JOIN organisation o ON o.id = m.organisation_id WHERE o.code = 'NFT' ORDER BY m.id")
    # A pattern is a prefix and a star: "511*" takes 51101, 51199 and so on.
    return [(cost_centre, pattern.rstrip("*").ljust(5, "0")) for cost_centre, pattern in rows]


def messy_nft_ledger(folder: Path, database) -> tuple[Path, int]:
    """An NFT general ledger extract for M8 2026-27 as finance systems send them; returns it and its valid rows.

    A notes sheet first; on "Detail" merged title rows, a header on row 4 whose amount column is called
    "Sum £" (no system's usual name, so it has to be mapped by hand), text amounts, a sub-total, a blank row,
    the header repeated, a row that matches no budget line, one amount that cannot be read, and a grand total.
    """
    codes = nft_codes(database)
    november = dt.date(2026, 11, 10)
    valid = [
        [f"{codes[0][0]} ", codes[0][1], "M8", november, "Agency nurse", "GL80001", "£1,234.50"],
        [codes[1][0], f"{codes[1][1]} ", "M8", "12/11/2026", "Refund", "GL80002", "(12.00)"],
        [codes[2][0], codes[2][1], "P08", november, "Training course", "GL80003", 250],
        [codes[3][0], codes[3][1], 8, november, "Locum psychiatrist", "GL80004", "1,000.00-"],
        [codes[4][0], codes[4][1], "M8", november, "Mileage", "GL80005", 99.99],
    ]
    after_repeat = [
        [codes[5][0], codes[5][1], "M8", november, "Stationery", "GL80006", "-£45"],
        ["C49999", "59999", "M8", november, "Miscoded journal", "GL80007", "£10.00"],
    ]
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["Produced by the Northshire NHS Foundation Trust ledger. Provisional until period close."])
    detail = workbook.create_sheet("Detail")
    rows: list[list[object]] = [
        ["Northshire NHS Foundation Trust: General Ledger Detail"],
        ["Period 8 (November 2026)", None, None, None, None, "Run 02/12/2026"],
        [],
        HEADER,
        *valid,
        [codes[0][0], codes[0][1], "M8", november, "Broken amount", "GL80099", "£12x.50"],
        [None, None, None, None, "Sub-total", None, "£582.49"],
        [],
        HEADER,
        *after_repeat,
        [None, None, None, None, "Grand Total", None, "£537.49"],
    ]
    for row in rows:
        detail.append(row)
    detail.merge_cells("A1:G1")
    detail.merge_cells("A2:D2")
    path = folder / "NFT GL detail M8.xlsx"
    workbook.save(path)
    return path, len(valid) + len(after_repeat)



M8_ROWS = "SELECT count(*) FROM ledger_transaction WHERE year = 2026 AND period = 8 AND removed_by_batch_id IS NULL"


def map_column(wizard: ImportWizard, field: str, header: str) -> None:
    combo = wizard.mapping_page._combos[field]
    combo.setCurrentIndex(combo.findData(header))


def go_to_preview(wizard: ImportWizard, qtbot, path: Path) -> None:
    choose_file(wizard, qtbot, path)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page and not wizard.busy)
    wizard.mapping_page.sheet.setCurrentText("Detail")
    qtbot.waitUntil(lambda: not wizard.busy)
    if not wizard.mapping_page.current_mapping().get("amount"):
        map_column(wizard, "amount", "Sum £")
        qtbot.waitUntil(lambda: not wizard.busy and wizard.button(NEXT).isEnabled())
    qtbot.mouseClick(wizard.button(NEXT), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.preview_page and not wizard.busy)


def test_the_wizard_imports_a_messy_ledger_end_to_end(window, demo_db, qtbot, tmp_path, monkeypatch, messages,
                                                      qtmodeltester):
    window.set_database(demo_db)
    source, valid_rows = messy_nft_ledger(tmp_path, demo_db)
    batches_before = stored.scalar(demo_db, "SELECT count(*) FROM import_batch")
    wizard = open_wizard(window, qtbot)

    choose_file(wizard, qtbot, source)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page and not wizard.busy)
    mapping = wizard.mapping_page
    # Without an amount column no sheet fits, and the service's best guess is the first sheet: the user picks.
    mapping.sheet.setCurrentText("Detail")
    qtbot.waitUntil(lambda: not wizard.busy)
    # "Sum £" is no finance system's usual name for the amount: the page says what is missing and waits.
    assert mapping.sheet.currentText() == "Detail"
    assert mapping.header_row.text() == "Headers found on row 4"
    assert "not found" in mapping.problem.text() and mapping.problem.isVisible()
    # How to name it by hand, in the wizard's words: the command line's --map means nothing here.
    assert "Choose the column that holds each one above" in mapping.problem.text()
    assert "--map" not in mapping.problem.text()
    assert not wizard.button(NEXT).isEnabled()
    assert mapping.current_mapping()["cost_centre"] == "Cost Ctr"

    map_column(wizard, "amount", "Sum £")
    qtbot.waitUntil(lambda: not wizard.busy and wizard.button(NEXT).isEnabled())
    assert mapping.problem.isHidden()
    model = mapping.sample.model
    qtmodeltester.check(model)
    amount = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == "Amount")
    assert not mapping.sample.view.isColumnHidden(amount)
    cells = {model.row_at(r).number: model.index(r, amount) for r in range(model.rowCount())}
    assert cells[5].data() == "£1,234.50"
    assert cells[6].data() == "-£12.00"
    broken = cells[10]
    assert "not an amount" in broken.data(Qt.ItemDataRole.ToolTipRole)
    assert broken.data(Qt.ItemDataRole.ForegroundRole) is not None  # the "bad" tone
    assert cells[5].data(Qt.ItemDataRole.ForegroundRole) is None
    assert 11 not in cells and 13 not in cells  # the sub-total and the repeated header are not data

    qtbot.mouseClick(wizard.button(NEXT), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.preview_page and not wizard.busy)
    preview = wizard.preview_page
    text = preview.summary.text()
    assert text.startswith(f"{valid_rows + 1} rows read from Detail into M8 2026-27: {valid_rows} added, 0 changed")
    assert text.endswith(f"1 unmapped, 1 rejected, 0 removed. Net total of the {valid_rows} postings read: £537.49. "
                         "The rejected row is not in it.")
    assert [preview.tabs.tabText(i) for i in range(4)] == [
        f"&Added ({valid_rows})", "C&hanged (0)", "&Removed (0)", "Re&jected (1)"]
    for table in (preview.added, preview.changed, preview.removed, preview.rejected):
        qtmodeltester.check(table.model)
    assert preview.changed.empty.isVisibleTo(preview.changed)
    # One row, said in the singular all through (it read "1 row matches … They are imported"), and found by its Detail.
    assert preview.unmapped.text() == (
        "1 row matches no budget line's ledger codes (its Detail below says so). It is imported all the same and "
        "counted as unmapped on the dashboard until a line's codes cover it.")
    assert [preview.added.model.index(r, 2).data() for r in range(valid_rows)].count(
        "new, matches no budget line") == 1
    # Shown alone on request, and every new row again when pressed again: it is somewhere among the new rows.
    assert preview.show_unmapped.text() == "Show only the &unmapped row to add"
    qtbot.mouseClick(preview.show_unmapped, Qt.MouseButton.LeftButton)
    assert preview.added.model.rowCount() == 1 and preview.added.count.text().startswith("1 ")
    assert preview.added.model.index(0, 2).data() == "new, matches no budget line"
    qtbot.mouseClick(preview.show_unmapped, Qt.MouseButton.LeftButton)
    assert preview.added.model.rowCount() == valid_rows
    assert preview.rejected.model.row_at(0).reference == "Detail!10:10"
    # The row as the file holds it, to find it in the ledger by its journal and amount.
    in_the_file = preview.rejected.model.index(0, 2)
    assert preview.rejected.model.headerData(2, Qt.Orientation.Horizontal) == "In the file"
    assert in_the_file.data().endswith("M8 · 10 Nov 2026 · Broken amount · GL80099 · £12x.50")
    # Rows were rejected: nothing can be imported until the user chooses to import only the valid ones.
    assert not wizard.button(FINISH).isEnabled()
    assert preview.blocked.text() == "Fix the file and import it again, or import only the valid rows."
    preview.accept_valid.setChecked(True)
    assert wizard.button(FINISH).isEnabled() and preview.blocked.isHidden()

    rejected_book = tmp_path / "sent back.xlsx"
    suggested: list[str] = []

    def save_as(_parent, _title, start, _filter):
        suggested.append(start)
        return str(rejected_book), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    imported = []
    wizard.imported.connect(lambda _preview, result: imported.append(result))
    qtbot.mouseClick(wizard.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(imported))

    assert suggested == [str(source.with_name("NFT GL detail M8 - rejected rows.xlsx"))]
    assert stored.scalar(demo_db, M8_ROWS) == valid_rows
    assert stored.scalar(demo_db, "SELECT count(*) FROM import_batch") == batches_before + 1
    [batch] = stored.rows(demo_db, "SELECT file_name, sheet, rows_read, added, unmapped, rejected FROM import_batch "
                                   "ORDER BY id DESC LIMIT 1")
    assert batch == (source.name, "Detail", valid_rows + 1, valid_rows, 1, 1)
    workbook = openpyxl.load_workbook(rejected_book)
    assert "Rejected rows" in workbook.sheetnames
    assert any("Detail!10:10" in str(c.value) for row in workbook["Rejected rows"].iter_rows() for c in row)
    assert any(m.startswith("Import finished") and str(rejected_book) in m for m in messages)
    assert window.statusBar().currentMessage().startswith(f"Imported: {valid_rows} added")
    # Budgets now shows the month imported, still open, to check its variance and risk share before closing it.
    window.show_page("Budgets")
    assert window.current_page().as_at.currentText() == "M8 Nov (not closed)"

    # Edit > Undo takes the whole import back out; Redo puts it back as a new batch.
    undo, redo = window.menuBar().actions()[1].menu().actions()[:2]
    assert undo.text() == f"&Undo import of {source.name}"
    undo.trigger()
    assert stored.scalar(demo_db, M8_ROWS) == 0
    assert window.statusBar().currentMessage() == f"Undone: the import of {source.name}. Redo applies it again."
    redo.trigger()
    assert stored.scalar(demo_db, M8_ROWS) == valid_rows
    assert window.statusBar().currentMessage().startswith(f"Imported: {valid_rows} added")


def test_each_step_opens_in_its_first_field_so_the_keyboard_carries_on_where_the_last_step_left_off(
        window, demo_db, qtbot, tmp_path):
    from PySide6.QtTest import QTest

    workbook = openpyxl.Workbook()
    workbook.active.append(["Cost Centre", "Subjective", "Period", "Amount"])
    workbook.active.append([*nft_codes(demo_db)[0], 8, 1_000])
    workbook.save(path := tmp_path / "NFT M8.xlsx")
    window.set_database(demo_db)
    wizard = open_wizard(window, qtbot)
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    page = wizard.choose_page
    page.organisation.setCurrentIndex(page.organisation.findData("NFT"))
    page.year.setEditText("2026-27")
    page.path.setText(str(path))
    page.path.setFocus()
    QTest.keyClick(page.path, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page and not wizard.busy)
    # The file's field had gone with its page, and nothing had the focus: Tab started from nowhere.
    qtbot.waitUntil(lambda: wizard.focusWidget() is wizard.mapping_page._combos["cost_centre"])
    QTest.keyClick(wizard.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.preview_page and not wizard.busy)
    # Its tabs, to review what would change: not the search box, where Enter (to search, as it were) would import.
    qtbot.waitUntil(lambda: wizard.focusWidget() is wizard.preview_page.tabs.tabBar())
    QTest.keyClick(wizard.focusWidget(), Qt.Key.Key_Return)  # Import, the step's default button
    qtbot.waitUntil(lambda: not window.findChildren(ImportWizard), timeout=10_000)
    assert stored.scalar(demo_db, M8_ROWS) == 1


def test_a_report_with_its_header_in_two_rows_is_mapped_by_both_rows_headers(window, demo_db, qtbot, tmp_path):
    window.set_database(demo_db)
    wizard = open_wizard(window, qtbot)
    choose_file(wizard, qtbot, hostile.two_row_header_ledger_xlsx(tmp_path, pages=2), organisation="NCC")
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page and not wizard.busy)
    mapping = wizard.mapping_page
    assert mapping.header_row.text() == "Headers found on rows 3 and 4"
    assert mapping.current_mapping()["cost_centre"] == "Cost centre Code"
    # The tooltip has the whole of the header chosen (the box may have to shorten a long one), and follows the choice.
    combo = mapping._combos["cost_centre"]
    assert combo.toolTip() == "Cost centre Code  (A)"
    map_column(wizard, "cost_centre", "Cost centre Name")
    assert combo.toolTip() == "Cost centre Name  (B)"
    assert [row for row, _cells in wizard.description.sample] == [5, 6, 10, 11]  # page 2's header skipped


def text_room(combo: QComboBox) -> int:
    """The width a combo draws its chosen text in, as its style lays it out (a pixel each side left clear)."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    return combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo).width() - 2


def test_each_column_choice_shows_its_header_and_column_whole_even_with_the_wizard_at_its_smallest(window, demo_db,
                                                                                                   qtbot, tmp_path):
    window.set_database(demo_db)
    source, _valid = messy_nft_ledger(tmp_path, demo_db)
    wizard = open_wizard(window, qtbot)
    choose_file(wizard, qtbot, source)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page and not wizard.busy)
    mapping = wizard.mapping_page
    mapping.sheet.setCurrentText("Detail")
    qtbot.waitUntil(lambda: not wizard.busy)
    wizard.resize(MINIMUM_SIZE)
    for _ in range(3):
        QApplication.processEvents()

    combo = mapping._combos["subjective"]
    assert combo.currentText() == "Account Code  (B)"  # once cut off at the right, as "Account Code  ("
    for combo in mapping._combos.values():
        longest = max(combo.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
        assert text_room(combo) >= longest, combo.accessibleName()
        chosen = combo.currentIndex()
        for index in range(combo.count()):  # each shown whole: Qt shortens a text given exactly its own width
            combo.setCurrentIndex(index)
            assert combo.shown_text() == combo.itemText(index), combo.accessibleName()
        combo.setCurrentIndex(chosen)
        right = combo.mapTo(mapping.fields_box, QPoint(combo.width(), 0)).x()
        assert right <= mapping.fields_box.width(), combo.accessibleName()  # the fields wrap onto more lines


def test_a_header_too_long_for_its_box_is_shortened_in_the_middle_keeping_its_column_letter(window, demo_db, qtbot,
                                                                                            tmp_path):
    window.set_database(demo_db)
    long = "Narrative as entered by the originating department"
    workbook = openpyxl.Workbook()
    detail = workbook.active
    detail.title = "Detail"
    detail.append([*HEADER[:4], long, HEADER[5], "Amount"])
    centre, subjective = nft_codes(demo_db)[0]
    detail.append([centre, subjective, "M8", dt.date(2026, 11, 10), "Agency nurse", "GL80001", 100])
    path = tmp_path / "NFT GL detail M8.xlsx"
    workbook.save(path)
    wizard = open_wizard(window, qtbot)
    choose_file(wizard, qtbot, path)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page and not wizard.busy)
    mapping = wizard.mapping_page
    map_column(wizard, "description", long)
    qtbot.waitUntil(lambda: not wizard.busy)

    combo = mapping._combos["description"]
    assert combo.currentText() == f"{long}  (E)" and combo.toolTip() == f"{long}  (E)"
    shown = combo.shown_text()
    assert shown != combo.currentText() and shown.startswith("Narrative") and shown.endswith("department  (E)")
    assert combo.fontMetrics().horizontalAdvance(shown) <= text_room(combo)
    # Every box is as wide as the longest choice allows, so they line up: this one made them no wider than the rest.
    assert {other.width() for other in mapping._combos.values()} == {combo.width()}
    assert combo.width() < combo.fontMetrics().horizontalAdvance(combo.currentText())


def test_an_extract_for_a_closed_month_says_what_to_do_rather_than_to_check_the_file(window, demo_db, qtbot,
                                                                                       tmp_path):
    window.set_database(demo_db)
    codes = nft_codes(demo_db)
    workbook = openpyxl.Workbook()
    detail = workbook.active
    detail.title = "Detail"
    detail.append(HEADER)
    for number, (centre, subjective) in enumerate(codes[:2], start=1):  # October: M7, closed in the demo
        detail.append([centre, subjective, "M7", dt.date(2026, 10, 10), "Sent again", f"GL7000{number}", 100])
    path = tmp_path / "NFT GL detail M7.xlsx"
    workbook.save(path)
    wizard = open_wizard(window, qtbot)
    go_to_preview(wizard, qtbot, path)

    page = wizard.preview_page
    assert page.blocked.text() == ("No row of this file can be imported: every row is in a closed month (see the "
                                   "note below).")
    assert "2 rows are in M7 2026-27, which is closed" in page.notices.text()
    assert "If this extract corrects M7, unlock it on the Budgets page" in page.notices.text()


def test_an_extract_with_headings_and_no_rows_says_so_rather_than_blame_closed_months(window, demo_db, qtbot,
                                                                                      tmp_path):
    window.set_database(demo_db)
    workbook = openpyxl.Workbook()
    workbook.active.title = "Detail"
    workbook.active.append(HEADER)
    path = tmp_path / "NFT GL detail M8.xlsx"
    workbook.save(path)
    wizard = open_wizard(window, qtbot)
    go_to_preview(wizard, qtbot, path)

    page = wizard.preview_page
    assert page.blocked.text() == ("The file has its headings but no rows under them to import. Check it is the "
                                   "right file.")
    assert not wizard.button(FINISH).isEnabled()


def detail_sheet(path: Path, rows: list[list[object]]) -> Path:
    """A "Detail" sheet under HEADER (its amount column, "Sum £", mapped by hand), as go_to_preview expects."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Detail"
    for row in [HEADER, *rows]:
        workbook.active.append(row)
    workbook.save(path)
    return path


def nft_november(database, folder: Path) -> list[list[object]]:
    """NFT's November, imported: GL1 £100, GL2 £40 and GL3 £9 on the trust's own codes."""
    codes = nft_codes(database)
    rows = [[*codes[n], "M8", dt.date(2026, 11, 10), "Agency nurse", f"GL{n + 1}", amount]
            for n, amount in enumerate((100, 40, 9))]
    path = detail_sheet(folder / "NFT M8 as imported.xlsx", rows)
    imports.apply_import(database, imports.preview_ledger_import(database, path, "NFT", overrides={"amount": "Sum £"},
                                                                 today=dt.date(2026, 12, 4)))
    return rows


def test_an_extract_that_looks_like_another_partners_is_imported_only_once_ticked_as_this_ones(window, demo_db,
                                                                                               qtbot, tmp_path,
                                                                                               messages):
    nft_november(demo_db, tmp_path)
    window.set_database(demo_db)
    council = detail_sheet(tmp_path / "NCC P08.xlsx", [
        ["MH3300", "4101", "M8", dt.date(2026, 11, 12), "Placement", f"DOC {n}", 500] for n in (1, 2)])
    wizard = open_wizard(window, qtbot)
    go_to_preview(wizard, qtbot, council)  # as NFT's

    page = wizard.preview_page
    # Was: a grey note that the rows "would be imported under NFT as unmapped rows", and Import ready to press.
    assert page.partner_warning.isVisibleTo(wizard) and page.partner_warning.text() == (
        "This looks like NCC's extract, not NFT's: 2 of its 2 rows match NCC's ledger codes, and none matches NFT's. "
        "Imported as NFT's, its 2 rows would be added under NFT, all unmapped, and 3 of NFT's postings imported "
        "before in M8 2026-27 (net £149.00) would be removed, as no longer in NFT's extract.")
    assert page.confirm_partner.isVisibleTo(wizard) and not page.confirm_partner.isChecked()
    assert page.confirm_partner.text().replace("&", "") == ("I have checked: it is NFT's extract, import it all the "
                                                            "same")
    keys = mnemonics(wizard)  # the page's, and the wizard's Back and Import
    assert not clashes(keys) and keys["I have checked: it is NFT's extract, import it all the same"] == "C"
    assert not wizard.button(FINISH).isEnabled()
    assert page.blocked.text() == ("Tick the box above if it is NFT's extract all the same; otherwise go Back to the "
                                   "first page and choose the partner whose it is.")
    page.confirm_partner.setChecked(True)
    assert wizard.button(FINISH).isEnabled() and page.blocked.isHidden()
    imported = []
    wizard.imported.connect(lambda preview, result: imported.append((preview, result)))
    qtbot.mouseClick(wizard.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(imported))
    preview, result = imported[0]
    assert preview.partner_confirmed and (result.added, result.removed) == (2, 3)
    # Undone and redone from the Edit menu, it is the import the user confirmed: Redo is not refused.
    undo, redo = window.menuBar().actions()[1].menu().actions()[:2]
    undo.trigger()
    redo.trigger()
    assert stored.scalar(demo_db, M8_ROWS) == 2 and window.statusBar().currentMessage().startswith("Imported: 2 added")


def test_a_posting_gone_from_a_closed_month_is_said_rather_than_that_everything_is_recorded(window, demo_db, qtbot,
                                                                                            tmp_path, messages):
    rows = nft_november(demo_db, tmp_path)
    with UnitOfWork(demo_db) as uow:
        uow.session.add(PeriodClose(agreement_id=1, year=2026, period=8, closed_on=dt.date(2026, 12, 8),
                                    closed_by="t"))
        uow.commit()
    window.set_database(demo_db)
    wizard = open_wizard(window, qtbot)
    go_to_preview(wizard, qtbot, detail_sheet(tmp_path / "NFT M8 v3.xlsx", [rows[0], rows[2]]))

    page = wizard.preview_page
    assert page.summary.text() == ("2 rows read from Detail into M8 2026-27: 0 added, 0 changed, 2 unchanged, 0 "
                                   "unmapped, 0 rejected, 0 removed. Net total of the 2 postings read: £109.00, all of "
                                   "it in M8, which is closed.")  # was: "into 2026-27", "Net total £0.00"
    # Was: "Everything in this file is already recorded", and no word of GL2.
    assert page.unmapped.text() == ("Importing this file would change nothing: what differs from the record is in "
                                    "closed months (see the note below).")
    assert page.notices.text().startswith("A posting imported into M8 2026-27 is no longer in this extract: GL2 "
                                          "(£40.00). M8 is closed, so it was not removed")
    qtbot.mouseClick(wizard.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages))
    assert messages == ["Import finished Nothing was imported from NFT M8 v3.xlsx: what differs from the record is in "
                        "closed months, which it cannot change (see the notes in the preview)."]


def test_periods_that_are_calendar_months_are_explained_in_the_wizards_words_and_can_be_left_out(window, demo_db,
                                                                                                 qtbot, tmp_path,
                                                                                                 messages):
    window.set_database(demo_db)
    codes = nft_codes(demo_db)
    path = detail_sheet(tmp_path / "NFT month column.xlsx", [
        [*codes[0], 11, dt.date(2026, 11, 10), "Agency nurse", "GL1", 100]])
    wizard = open_wizard(window, qtbot)
    choose_file(wizard, qtbot, path)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page and not wizard.busy)
    map_column(wizard, "amount", "Sum £")
    qtbot.waitUntil(lambda: not wizard.busy and wizard.button(NEXT).isEnabled())
    qtbot.mouseClick(wizard.button(NEXT), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.busy and bool(messages))

    [message] = messages  # was: previewed into M11
    assert message.startswith("The Period column holds calendar months, not the financial year's periods")
    assert message.endswith("Import the file without its Period column, so each posting's date decides its month: "
                            "choose “(not in this file)” for Period at the Sheet and columns step. Or ask NFT for the "
                            "extract with financial periods (M8 for November).")
    assert wizard.currentPage() is wizard.mapping_page
    map_column(wizard, "period", None)  # "(not in this file)"
    qtbot.waitUntil(lambda: not wizard.busy and wizard.button(NEXT).isEnabled())
    qtbot.mouseClick(wizard.button(NEXT), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.preview_page and not wizard.busy)
    assert wizard.preview_page.summary.text().startswith("1 row read from Detail into M8 2026-27: 1 added")


def test_a_year_the_pool_does_not_have_is_refused_on_the_first_page(window, demo_db, qtbot, tmp_path, messages):
    window.set_database(demo_db)
    source, _valid = messy_nft_ledger(tmp_path, demo_db)
    wizard = open_wizard(window, qtbot)
    choose_file(wizard, qtbot, source, year="2025-26")
    qtbot.waitUntil(lambda: not wizard.busy and bool(messages))
    assert messages[0].startswith("Northshire Integrated Mental Health Section 75 Pooled Fund runs from 2026-27 to "
                                  "2028-29, so it has no 2025-26")
    assert wizard.currentPage() is wizard.choose_page


def test_cancelling_while_the_import_is_applied_leaves_the_database_unchanged(window, demo_db, qtbot, tmp_path,
                                                                              monkeypatch, messages):
    window.set_database(demo_db)
    source, _valid = messy_nft_ledger(tmp_path, demo_db)
    ledger_before = stored.scalar(demo_db, "SELECT count(*) FROM ledger_transaction")
    batches_before = stored.scalar(demo_db, "SELECT count(*) FROM import_batch")
    wizard = open_wizard(window, qtbot)
    go_to_preview(wizard, qtbot, source)
    wizard.preview_page.accept_valid.setChecked(True)
    # As if Cancel were pressed on the progress dialog the moment the writing began.
    monkeypatch.setattr(Task, "is_cancelled", lambda _self: True)
    qtbot.mouseClick(wizard.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.busy and bool(messages))

    assert any("Nothing was imported" in m for m in messages)
    assert wizard.isVisible() and wizard.currentPage() is wizard.preview_page
    assert stored.scalar(demo_db, "SELECT count(*) FROM ledger_transaction") == ledger_before
    assert stored.scalar(demo_db, "SELECT count(*) FROM import_batch") == batches_before
    assert stored.scalar(demo_db, M8_ROWS) == 0


def test_a_file_that_cannot_be_read_is_explained_and_the_wizard_stays_on_the_first_page(window, demo_db, qtbot,
                                                                                       tmp_path, messages):
    window.set_database(demo_db)
    empty = tmp_path / "ledger.xlsx"
    empty.write_bytes(b"")
    wizard = open_wizard(window, qtbot)
    choose_file(wizard, qtbot, empty)
    qtbot.waitUntil(lambda: not wizard.busy and bool(messages))
    assert messages == ["This file is empty. Check that you chose the right file, or ask for it to be sent again."]
    assert wizard.currentPage() is wizard.choose_page
    assert wizard.button(NEXT).isEnabled()


def test_the_first_page_needs_a_file_that_exists_and_a_real_financial_year(window, demo_db, qtbot, tmp_path):
    window.set_database(demo_db)
    wizard = open_wizard(window, qtbot)
    page = wizard.choose_page
    next_button = wizard.button(NEXT)
    assert not next_button.isEnabled()
    page.path.setText(str(tmp_path / "missing.xlsx"))
    assert not next_button.isEnabled()
    present, _valid = messy_nft_ledger(tmp_path, demo_db)
    page.path.setText(str(present))
    assert next_button.isEnabled()
    page.year.setEditText("2026-28")
    assert not next_button.isEnabled()
    assert "second year must follow the first" in page.year_problem.text()
    page.year.setEditText("")
    assert next_button.isEnabled() and page.year_problem.isHidden()
    page.kind_buttons.button(1).setChecked(True)  # a staff list has no financial year
    assert not page.year.isVisibleTo(wizard)
    assert page.no_partners.isHidden()  # organisations are recorded: nothing to explain
    wizard.reject()


def test_a_supervision_tracker_waits_for_people_to_be_recorded_and_says_how(window, empty_db, qtbot, tmp_path):
    set_up_agreement(empty_db, AgreementTerms(title="Eastshire Better Care Fund", host="ETR", first_year=2026),
                     (PartnerTerms("ETR", "Eastshire Trust", "NHS trust"), PartnerTerms("ECC", "Eastshire Council")))
    window.set_database(empty_db)
    tracker = tmp_path / "tracker.csv"
    tracker.write_text("Supervisee,Date,Type,Status\nAlex Smith,01/11/2026,Managerial,Held\n")
    wizard = open_wizard(window, qtbot)
    page = wizard.choose_page
    page.path.setText(str(tracker))
    page.kind_buttons.button(2).setChecked(True)

    assert page.no_partners.isVisibleTo(wizard) and page.no_partners.text() == NO_PEOPLE
    assert not wizard.button(NEXT).isEnabled()
    page.kind_buttons.button(1).setChecked(True)  # the staff list it points to can be imported
    assert page.no_partners.isHidden() and wizard.button(NEXT).isEnabled()
    wizard.reject()


def test_on_an_empty_database_the_first_page_says_why_a_staff_list_cannot_be_imported_yet(window, empty_db, qtbot,
                                                                                          tmp_path):
    window.set_database(empty_db)
    window.show_page("Budgets")
    set_up = window.current_page().set_up_button.text().replace("&", "")  # the way it says to go
    staff = tmp_path / "staff.csv"
    staff.write_text("Employee number,Full name\n1001,Alex Smith\n")
    wizard = open_wizard(window, qtbot)
    page = wizard.choose_page
    page.kind_buttons.button(1).setChecked(True)
    page.path.setText(str(staff))

    assert page.organisation.count() == 0
    assert page.no_partners.isVisibleTo(wizard)
    assert page.no_partners.text().startswith("A staff list comes from one of the pooled budget's partner")
    assert f"on the Budgets page ({set_up})" in page.no_partners.text()
    assert not wizard.button(NEXT).isEnabled()

    # A supervision tracker needs no organisation, but people to have held the sessions: there is nobody yet.
    page.kind_buttons.button(2).setChecked(True)
    assert page.no_partners.isVisibleTo(wizard) and page.no_partners.text() == NO_PEOPLE_NOR_PARTNERS
    assert f"on the Budgets page ({set_up})" in page.no_partners.text()
    assert not wizard.button(NEXT).isEnabled()
    page.kind_buttons.button(0).setChecked(True)
    assert page.no_partners.isVisibleTo(wizard) and page.no_partners.text().startswith("A ledger extract comes")
    assert not wizard.button(NEXT).isEnabled()
    wizard.reject()


def test_every_control_of_the_wizard_has_a_name_and_every_label_a_mnemonic_buddy(window, demo_db, qtbot, tmp_path):
    window.set_database(demo_db)
    source, _valid = messy_nft_ledger(tmp_path, demo_db)
    wizard = open_wizard(window, qtbot)
    go_to_preview(wizard, qtbot, source)
    for page in (wizard.choose_page, wizard.mapping_page, wizard.preview_page):
        for control in page.findChildren(QWidget):
            if isinstance(control, QComboBox | QLineEdit | QAbstractButton | QTableView) and control.isVisibleTo(page):
                if isinstance(control, QLineEdit) and isinstance(control.parent(), QComboBox):
                    continue
                assert control.accessibleName(), control
                assert control.focusPolicy() != Qt.FocusPolicy.NoFocus, control
        for label in page.findChildren(QLabel):
            if "&" in label.text().replace("&&", ""):
                assert label.buddy() is not None, label.text()
    wizard.reject()


def test_staff_lists_are_previewed_with_new_people_and_possible_leavers(window, demo_db, qtbot, tmp_path):
    window.set_database(demo_db)
    staff = tmp_path / "payroll.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Payroll Number", "Full Name", "Post Title", "FTE"])
    workbook.active.append(["990001", "Ada Example", "Social Worker", "0.8"])
    workbook.save(staff)
    wizard = open_wizard(window, qtbot)
    choose_file(wizard, qtbot, staff, organisation="NCC", kind=1)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page and not wizard.busy)
    model = wizard.mapping_page.sample.model
    wte = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == "WTE")
    assert model.index(0, wte).data() == "0.80"
    qtbot.mouseClick(wizard.button(NEXT), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.preview_page and not wizard.busy)
    preview = wizard.preview_page
    assert preview.summary.text().startswith("1 row read from Sheet: 1 new person, 0 changed")
    assert preview.tabs.tabText(0) == "Ne&w people (1)"
    assert preview.tabs.tabText(2).startswith("Possible &leavers (")
    assert wizard.button(FINISH).isEnabled()
    wizard.reject()


def test_the_export_writes_the_staff_list_and_says_where(window, demo_db, qtbot, tmp_path, messages):
    window.set_database(demo_db)
    window.export_action.trigger()
    dialog = window.findChild(ExportDialog)
    dialog.what.setCurrentText("Staff and reporting lines")
    dialog.organisation.setCurrentIndex(dialog.organisation.findData("NFT"))
    assert dialog.path.text().endswith("NFT staff and reporting lines 2026-11-20.xlsx")
    dialog.organisation.setCurrentIndex(dialog.organisation.findData("NCC"))
    assert dialog.path.text().endswith("NCC staff and reporting lines 2026-11-20.xlsx")
    out = tmp_path / "for the council"
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and "Wrote" in window.statusBar().currentMessage())
    written = out.with_name("for the council.xlsx")
    assert window.statusBar().currentMessage().startswith("Wrote ")
    assert window.statusBar().currentMessage().endswith(f"rows to {written}")
    assert "Staff" in openpyxl.load_workbook(written).sheetnames
    assert messages == []


def test_the_import_and_export_menu_items_wait_for_a_database(window):
    assert not window.import_action.isEnabled() and not window.export_action.isEnabled()
    assert window.import_action.shortcut().toString() == "Ctrl+I"
    assert window.export_action.shortcut().toString() == "Ctrl+E"


# --- the worker on its own -----------------------------------------------------------------------------------


@pytest.fixture
def owner(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def run_task(qtbot, task: Task) -> dict[str, object]:
    seen: dict[str, object] = {}
    task.finished.connect(lambda result: seen.setdefault("finished", result))
    task.failed.connect(lambda error: seen.setdefault("failed", error))
    task.crashed.connect(lambda trace: seen.setdefault("crashed", trace))
    task.progress.connect(lambda done, total: seen.setdefault("progress", []).append((done, total)))
    task.start()
    qtbot.waitUntil(lambda: not task.running)
    return seen


def test_a_task_hands_back_its_result_and_progress_on_the_gui_thread(qtbot, owner):
    def work(progress):
        for done in range(1, 4):
            progress(done, 3)
        return "done"

    seen = run_task(qtbot, Task(work, owner))
    assert seen["finished"] == "done"
    qtbot.waitUntil(lambda: len(seen.get("progress", [])) == 3)


def test_a_cancelled_task_fails_with_the_cancel_error(qtbot, owner):
    def work(progress):
        progress(1, 2)
        return "should not get here"

    task = Task(work, owner, cancel_error=lambda: JointleadError("Stopped by the user."))
    task.cancel()
    seen = run_task(qtbot, task)
    assert str(seen["failed"]) == "Stopped by the user."
    assert "finished" not in seen


def test_an_unexpected_error_is_logged_and_reported_as_a_crash(qtbot, owner, caplog, messages):
    def work(_progress):
        raise RuntimeError("boom")

    seen = run_task(qtbot, Task(work, owner))
    assert "RuntimeError: boom" in str(seen["crashed"])
    assert "Background work failed unexpectedly" in caplog.text
    worker.show_crash(owner)
    assert "jointlead.log" in messages[0]


def test_a_supervision_tracker_needs_no_organisation_and_is_previewed_as_sessions(window, demo_db, qtbot, tmp_path,
                                                                                  messages):
    window.set_database(demo_db)
    number, supervisor = stored.rows(
        demo_db, "SELECT p.employee_number, q.full_name FROM supervision_arrangement a JOIN person p "
                 "ON p.id = a.supervisee_id JOIN person q ON q.id = a.supervisor_id WHERE a.end_date IS NULL "
                 "AND a.supervision_type = 'managerial' AND p.leave_date IS NULL ORDER BY a.id")[0]
    tracker = tmp_path / "tracker.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Supervision tracker"])
    workbook.active.append(["Employee No", "Supervisor", "Type", "Date", "Duration", "Outcome"])
    workbook.active.append([number, supervisor, "1:1", dt.date(2020, 1, 7), "1h", "DNA"])
    workbook.save(tracker)
    wizard = open_wizard(window, qtbot)
    page = wizard.choose_page
    page.kind_buttons.button(2).setChecked(True)
    assert not page.organisation.isVisibleTo(wizard) and not page.year.isVisibleTo(wizard)
    page.path.setText(str(tracker))
    assert wizard.button(NEXT).isEnabled()
    qtbot.mouseClick(wizard.button(NEXT), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page and not wizard.busy)
    qtbot.mouseClick(wizard.button(NEXT), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.preview_page and not wizard.busy)
    assert wizard.preview_page.summary.text().startswith("1 row read from Sheet: 1 new session, 0 changed")
    before = stored.scalar(demo_db, "SELECT count(*) FROM supervision_session")
    qtbot.mouseClick(wizard.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: stored.scalar(demo_db, "SELECT count(*) FROM supervision_session") == before + 1)
    qtbot.waitUntil(lambda: any("Imported tracker.xlsx" in m for m in messages))
    window.undo_stack.undo()  # Edit > Undo takes the whole import back out
    assert stored.scalar(demo_db, "SELECT count(*) FROM supervision_session") == before


@pytest.mark.sqlite_only  # a folder beside the database file
def test_browse_starts_in_a_demos_next_month_extracts_then_where_the_last_file_was_chosen(window, demo_db, qtbot,
                                                                                          monkeypatch, tmp_path):
    """The first Browse… on the demo opens on the extracts it left to try the monthly import with; once a file is
    chosen, every later Browse… (the next wizard's, and the tracker import's) opens on that file's folder."""
    extracts = write_next_month_extracts(demo_extracts(demo_db.path))[0].parent
    emailed = tmp_path / "From email" / "NCC ledger.xlsx"
    emailed.parent.mkdir()
    asked: list[str] = []
    answers = iter([str(emailed), "", ""])
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda _parent, _caption, start, _filter: asked.append(start) or (next(answers), ""))
    window.set_database(demo_db)
    wizard = open_wizard(window, qtbot)
    qtbot.mouseClick(wizard.choose_page.browse, Qt.MouseButton.LeftButton)
    assert wizard.choose_page.path.text() == str(emailed)
    wizard.reject()
    qtbot.waitUntil(lambda: window.findChild(ImportWizard) is None)  # closed, and gone
    qtbot.mouseClick(open_wizard(window, qtbot).choose_page.browse, Qt.MouseButton.LeftButton)
    window.tracker_action.trigger()
    window.findChild(TrackerImportDialog).choose_file()
    assert asked == [str(extracts), str(emailed.parent), str(emailed.parent)]


def test_browse_starts_in_downloads_when_nothing_was_chosen_before(window, empty_db, qtbot, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda _p, _c, start, _f: asked.append(start) or ("", ""))
    window.set_database(empty_db)
    qtbot.mouseClick(open_wizard(window, qtbot).choose_page.browse, Qt.MouseButton.LeftButton)
    assert asked == [QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)]


@pytest.mark.parametrize(("file_name", "chosen"), [
    ("NFT ledger M08 2026-27.xlsx", "NFT"),  # the partner NCC is listed first
    ("ncc_ledger_extract_P08.xlsx", "NCC"),
    ("Ledger extract M08.xlsx", "NCC"),  # no partner named: the first, as before
    ("NFT and NCC recharges.xlsx", "NCC"),  # two named: left as it was
])
def test_a_file_chosen_whose_name_names_one_partner_chooses_that_partner(window, demo_db, qtbot, monkeypatch,
                                                                          tmp_path, file_name, chosen):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(tmp_path / file_name), ""))
    window.set_database(demo_db)
    page = open_wizard(window, qtbot).choose_page
    assert page.organisation_code == "NCC"
    qtbot.mouseClick(page.browse, Qt.MouseButton.LeftButton)
    assert page.organisation_code == chosen


def test_the_sample_shows_no_column_for_a_field_the_file_does_not_hold(window, demo_db, qtbot, tmp_path):
    """The trust's extract has no period, debit or credit: their empty columns had taken the room the description
    and the transaction id needed, pushed off to the right (fitting the sample as it first showed put them back)."""
    trust, _council = write_next_month_extracts(tmp_path / "extracts")
    window.set_database(demo_db)
    wizard = open_wizard(window, qtbot)
    choose_file(wizard, qtbot, trust, organisation="NFT")
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page and not wizard.busy)
    sample = wizard.mapping_page.sample
    qtbot.waitUntil(sample.view.isVisible)
    model = sample.model
    hidden = {model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())
              if sample.view.isColumnHidden(c)}
    assert hidden == {"Period", "Debit", "Credit"}
    offered = [action.text() for action in sample.column_menu().actions()]
    assert "Period" not in offered and "Show every column" not in offered  # every column offered is shown


def test_an_extract_sent_again_offers_no_unmapped_rows_to_add(window, demo_db, qtbot, tmp_path):
    """Its unmapped row is recorded already: counted among the unmapped, but not among the rows to add, which is
    all the button would show (an empty table)."""
    trust, _council = write_next_month_extracts(tmp_path / "extracts")
    first = imports.preview_ledger_import(demo_db, trust, "NFT", year=FinancialYear(2026))
    assert (first.unmapped, first.added_unmapped) == (1, 1)
    imports.apply_import(demo_db, first)
    again = imports.preview_ledger_import(demo_db, trust, "NFT", year=FinancialYear(2026))
    assert (again.unmapped, again.added_unmapped, len(again.added)) == (1, 0, 0)
    window.set_database(demo_db)
    wizard = open_wizard(window, qtbot)
    choose_file(wizard, qtbot, trust, organisation="NFT")
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page and not wizard.busy)
    qtbot.mouseClick(wizard.button(NEXT), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.preview_page and not wizard.busy)
    assert wizard.preview_page.show_unmapped.isHidden()
