"""The Start next year dialog shows the underspend the pool retained being carried forward, or says why it is not
yet; on a laptop's screen its tables show every column and name whole, the words about the balance just under them."""

from __future__ import annotations

from driving import only

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QApplication, QLabel

from jointlead.ui import budget_dialogs
from small_pool import RETAINED, underspent_year


def open_roll_forward(window, database):
    window.set_database(database)
    window.show_page("Budgets")
    page = window.current_page()
    page.start_next_year()
    return only(page, budget_dialogs.RollForwardDialog)


def intro(dialog) -> str:
    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def contribution_rows(dialog) -> list[tuple[str, ...]]:
    model = dialog.contributions.model
    return [tuple(model.index(row, column).data() for column in range(model.columnCount()))
            for row in range(model.rowCount())]


def test_the_underspend_retained_is_shown_carried_forward_into_next_years_funding(window, empty_db):
    underspent_year(empty_db, underspend_rule=RETAINED)
    dialog = open_roll_forward(window, empty_db)
    assert ("The £1,000 of underspend retained in the pool at the end of 2026-27 is carried forward into 2027-28's "
            "funding: each partner's part, as it contributed in 2026-27, is added as a contribution already "
            "received.") in intro(dialog)
    assert contribution_rows(dialog)[2:] == [
        ("AAA", "Underspend carried forward from 2026-27", "£750", "In the pool already", "Carried forward"),
        ("BBB", "Underspend carried forward from 2026-27", "£250", "In the pool already", "Carried forward")]
    model = dialog.contributions.model
    assert model.index(2, 4).data(Qt.ItemDataRole.ToolTipRole) == ("AAA's part of the underspend the pool retained "
                                                                     "in 2026-27, in the pool already")
    dialog.reject()


def test_before_the_year_is_final_it_says_the_underspend_is_carried_forward_once_it_is(window, empty_db):
    underspent_year(empty_db, closing_to=11, underspend_rule=RETAINED)
    dialog = open_roll_forward(window, empty_db)
    assert ("2026-27's outturn is not final yet (M12 is not closed), so the underspend it retains in the pool is not "
            "known: closing its M12 carries it forward into 2027-28's funding then.") in intro(dialog)
    dialog.reject()


def test_at_1280_by_800_the_tables_show_every_column_and_name_whole_with_the_balance_just_under_them(
        window, demo_db, monkeypatch):
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: QRect(0, 0, 1280, 800))
    window.resize(1280, 800)
    dialog = open_roll_forward(window, demo_db)
    for _ in range(3):
        QApplication.processEvents()
    assert dialog.width() <= 1280
    for table in (dialog.lines, dialog.contributions):
        view = table.view
        assert view.horizontalHeader().length() <= view.viewport().width(), table.view.accessibleName()
        assert view.columnWidth(1) >= view.sizeHintForColumn(1), table.view.accessibleName()  # no name cut short
        metrics = view.fontMetrics()
        assert all(metrics.horizontalAdvance(table.model.index(row, 1).data()) <= view.columnWidth(1)
                   for row in range(table.model.rowCount()))
    # No blank strip between the last contribution and the words under it.
    grid = dialog.contributions.view
    gap = dialog.balance.mapTo(dialog, QPoint(0, 0)).y() - grid.mapTo(dialog, QPoint(0, grid.height())).y()
    assert 0 <= gap <= dialog.form.verticalSpacing()
    dialog.reject()
